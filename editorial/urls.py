"""The web interface's pages, one list per area (see editorial/views/)."""

from editorial.views import calendar, crisis, home, inbox, plans, posts

urlpatterns = [
    *home.urlpatterns,
    *posts.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *inbox.urlpatterns,
    *crisis.urlpatterns,
]
