from notifications.views import urlpatterns

__all__ = ["urlpatterns"]
