from imports.views import urlpatterns

__all__ = ["urlpatterns"]
