"""Create one auth group per role, with the admin permissions the role needs.

The national roles also hold `work_in_department` globally: they work in every
department. Department contributors get it per department (object permission).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW, ADD, CHANGE = "view", "add", "change"
CONTENT = {
    "editorial.post": (VIEW, ADD, CHANGE),
    "editorial.postvariant": (VIEW, ADD, CHANGE, "delete"),
    "editorial.postimage": (VIEW, ADD, CHANGE, "delete"),
    "editorial.comment": (VIEW, ADD),
    "editorial.approval": (VIEW,),
    "editorial.channel": (VIEW,),
    "editorial.campaign": (VIEW,),
    "accounts.department": (VIEW,),
}
NATIONAL = {
    **CONTENT,
    "editorial.weeklyplan": (VIEW, ADD, CHANGE),
    "editorial.campaign": (VIEW, ADD, CHANGE),
    "editorial.sensitivityrule": (VIEW,),
    "editorial.auditentry": (VIEW,),
}
REVIEWERS = {**NATIONAL, "editorial.sensitivityrule": (VIEW, ADD, CHANGE)}
ADMINISTRATOR = {
    **{model: (VIEW,) for model in NATIONAL},
    "accounts.user": (VIEW, ADD, CHANGE),
    "accounts.department": (VIEW, ADD, CHANGE),
    "editorial.channel": (VIEW, ADD, CHANGE),
    "editorial.campaign": (VIEW, ADD, CHANGE),
    "editorial.sensitivityrule": (VIEW, ADD, CHANGE),
    "auth.group": (VIEW, CHANGE),
}
ROLES = {
    "community_manager": (NATIONAL, True),
    "head_of_communication": (REVIEWERS, True),
    "director": (REVIEWERS, True),
    "department_contributor": (CONTENT, False),
    "administrator": (ADMINISTRATOR, True),
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, (grants, national) in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for label, verbs in grants.items():
            app_label, model = label.split(".")
            for verb in verbs:
                perms.append(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{verb}_{model}"
                    )
                )
        if national:
            perms.append(
                Permission.objects.get(
                    content_type__app_label="accounts", codename="work_in_department"
                )
            )
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("editorial", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
