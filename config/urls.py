from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from editorial.feeds import channel_atom_feed
from editorial.health import healthz, healthz_json

urlpatterns = [
    path("", include("editorial.urls")),
    path("workspace/", include("workspace.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("healthz.json", healthz_json, name="healthz-json"),
    path("feeds/<int:channel_id>/atom.xml", channel_atom_feed, name="channel-atom-feed"),
]
# The local run serves uploaded images itself; in production the web server does.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
