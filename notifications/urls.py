from notifications import pages, views

urlpatterns = [*views.urlpatterns, *pages.urlpatterns]
