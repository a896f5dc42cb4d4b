"""The workspace's pages, mounted under /workspace/ (config/urls.py)."""

from workspace.views import account, campaigns, channels, home, people, rules

urlpatterns = [
    *home.urlpatterns,
    *rules.urlpatterns,
    *channels.urlpatterns,
    *campaigns.urlpatterns,
    *people.urlpatterns,
    *account.urlpatterns,
]
