import zoneinfo

from django.utils import timezone


class UserTimeZoneMiddleware:
    """Show and read times in the signed-in user's own zone (Europe/Paris by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = getattr(request.user, "time_zone", None)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
