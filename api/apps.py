from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API and its personal tokens (see docs/api.md)."""

    name = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"
