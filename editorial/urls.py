"""The web interface's pages, one list per area (see editorial/views/)."""

from editorial.views import blackouts, calendar, crisis, home, inbox, plans, post_check, posts

urlpatterns = [
    *home.urlpatterns,
    *posts.urlpatterns,
    *post_check.urlpatterns,
    *calendar.urlpatterns,
    *plans.urlpatterns,
    *inbox.urlpatterns,
    *crisis.urlpatterns,
    *blackouts.urlpatterns,
]
