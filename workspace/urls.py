"""The workspace's pages, mounted under /workspace/ (config/urls.py)."""

from workspace.views import account, campaigns, channels, home, oauth, people, rules

urlpatterns = [
    *home.urlpatterns,
    *rules.urlpatterns,
    *channels.urlpatterns,
    *oauth.urlpatterns,
    *campaigns.urlpatterns,
    *people.urlpatterns,
    *account.urlpatterns,
]
