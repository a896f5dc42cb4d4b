from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in available_timezones())


class User(AbstractUser):
    """A person of the team. Roles are auth groups (see accounts.roles)."""

    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Paris"
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Department(models.Model):
    """The national team or a local department that runs its own accounts.

    Its people are the members of `group`. The group holds django-guardian's
    `work_in_department` permission on this department only, which is what scopes a
    department contributor; national roles hold the same permission globally.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    is_national = models.BooleanField(_("national team"), default=False)
    group = models.OneToOneField(
        Group, on_delete=models.PROTECT, related_name="department", editable=False
    )

    class Meta:
        ordering = ["-is_national", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [("work_in_department", _("Can work on the department's content"))]
        constraints = [
            models.UniqueConstraint(
                fields=["is_national"],
                condition=models.Q(is_national=True),
                name="one_national_team",
            )
        ]

    def __str__(self) -> str:
        return self.name
