"""The editorial admin: every model, scoped to the user's departments, with the
workflow's transitions as admin actions. Importing the modules registers them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from editorial.admin import blackouts, catalog, plans, posts, publishing, records  # noqa: F401

admin.site.site_header = _("Cadence administration")
admin.site.site_title = _("Cadence")
admin.site.index_title = _("Editorial calendar and approvals")
