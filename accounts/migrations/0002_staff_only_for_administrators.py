"""Staff status (the Django admin) for administrators only.

Until now every person was made staff, so that the team could work in the admin; the
team now works in the pages, and the admin's workflow actions are the administrators'.
"""

from django.db import migrations
from django.db.models import Q

ADMINISTRATOR = "administrator"  # accounts.roles.Role.ADMINISTRATOR, frozen here


def staff_for_administrators(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    administrators = Q(is_superuser=True) | Q(groups__name=ADMINISTRATOR)
    admin_ids = set(User.objects.filter(administrators).values_list("pk", flat=True))
    User.objects.filter(is_staff=True).exclude(pk__in=admin_ids).update(is_staff=False)
    User.objects.filter(pk__in=admin_ids, is_staff=False).update(is_staff=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(staff_for_administrators, migrations.RunPython.noop)]
