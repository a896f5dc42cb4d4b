import zoneinfo

from django.conf import settings
from django.utils import timezone, translation


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


class ChosenLanguageMiddleware:
    """French, as the institutions expect, unless the person chose another language
    with the header's switch (Django's `set_language` view remembers it in a cookie).
    The browser's Accept-Language is deliberately ignored: an English-language browser
    on an agent's desk must not turn a French institution's tool into English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
