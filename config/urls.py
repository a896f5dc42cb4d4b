from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from editorial.feeds import channel_atom_feed
from editorial.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("feeds/<int:channel_id>/atom.xml", channel_atom_feed, name="channel-atom-feed"),
]
