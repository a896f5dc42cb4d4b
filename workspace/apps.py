from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The team's own settings as product pages: the note-cadre's rules, channels,
    campaigns, people and departments, and each person's own account."""

    name = "workspace"
    verbose_name = _("Workspace")
