from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarFeedsConfig(AppConfig):
    """Private iCalendar subscriptions to the editorial calendar (Outlook, Google, Thunderbird)."""

    name = "calendar_feeds"
    verbose_name = _("Calendar subscriptions")
