"""How often one may call: per token (or per signed-in person), reads and writes each
with their own budget (DRF's scoped rates "api-read" and "api-write", REST_FRAMEWORK in
config/settings.py), counted in Django's cache."""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from api.models import ApiToken


class PerToken(ScopedRateThrottle):
    """Counted per token, so that one runaway script does not use up its owner's other
    tokens or their browser; per person for the session, per address when anonymous."""

    def allow_request(self, request, view):
        self.scope = "api-read" if request.method in SAFE_METHODS else "api-write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return SimpleRateThrottle.allow_request(self, request, view)

    def get_rate(self):
        # Read now, not when the class was made: the settings may change (tests do).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
