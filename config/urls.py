from django.contrib import admin
from django.urls import include, path

from editorial.feeds import channel_atom_feed
from editorial.health import healthz, healthz_json
from editorial.views import media

urlpatterns = [
    path("", include("editorial.urls")),
    path("", include("calendar_feeds.urls")),
    path("", include("imports.urls")),
    # Uploaded images, each checked against who asks (never a public folder, not even in
    # DEBUG): the web server in front must not serve MEDIA_ROOT itself.
    *media.urlpatterns,
    path("workspace/", include("workspace.urls")),
    path("workspace/", include("api.account")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    path("healthz.json", healthz_json, name="healthz-json"),
    path("feeds/<int:channel_id>/atom.xml", channel_atom_feed, name="channel-atom-feed"),
]
