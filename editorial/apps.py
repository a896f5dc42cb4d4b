from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self) -> None:
        # Registers the deployment checks of the credentials and audit keys.
        from editorial import credentials, sealing  # noqa: F401
