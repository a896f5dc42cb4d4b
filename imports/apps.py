from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Importing a weekly plan from a spreadsheet (CSV or XLSX)."""

    name = "imports"
    verbose_name = _("Spreadsheet import")
