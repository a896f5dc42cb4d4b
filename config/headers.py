"""Response headers Django's own middleware does not set.

- `Permissions-Policy`: no page of Cadence needs the camera, the microphone, the
  position or payments; a script slipped in could not ask for them either.
- `Cache-Control: no-store` on every answer to a signed-in person: their inbox, posts
  and tokens never stay in a shared cache or the browser's back-forward cache after
  they sign out.
"""

from __future__ import annotations

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store, private"
        return response
