from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self) -> None:
        # Registers the deployment check of the credentials keys.
        from editorial import credentials  # noqa: F401
