from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo a newcomer gets from `make run` (`manage.py seed_demo`): built through
    the workflow and the publisher like any team's data. Nothing in the product imports
    it."""

    name = "demo"
    verbose_name = _("Demo")
