from calendar_feeds.views import urlpatterns

__all__ = ["urlpatterns"]
