from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What went out and how long approvals took: read-only figures over the editorial
    data, never imported by editorial."""

    name = "reports"
    verbose_name = _("Reports")
