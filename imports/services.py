"""Creating an imported plan: every post through the workflow, in one transaction.

Each line becomes a draft (`create_post`) planned into its week's plan
(`plan_into_week`, which finds or creates the week's plan of the team), with its note
as a comment; the import itself is one more audit entry, `import_plan`, naming the file
and its lines. Any refusal on any line rolls the whole file back.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from editorial import audit, workflow
from editorial.permissions import deny_plan_board
from editorial.workflow.errors import ActionNotAllowed, InvalidInput, WorkflowError
from editorial.workflow.plans import team_of
from imports.checking import Item, check_rows, zone_of
from imports.reading import read_file


def require_planner(user) -> None:
    if reason := deny_plan_board(user):
        raise ActionNotAllowed(reason)


def preview(user, name: str, data: bytes):
    """What importing this file would create, and what is wrong in it (line by line)."""
    require_planner(user)
    rows = read_file(name, data)
    return check_rows(rows, user)


class LineRefused(InvalidInput):
    """A workflow refusal on one line, naming it."""


def import_items(user, items: list[Item], file_name: str, line_count: int) -> list:
    """Create `items`, all or nothing, and record the import once."""
    require_planner(user)
    if not items:
        raise InvalidInput(_("There is nothing to import."))
    posts, plans = [], {}
    team, zone = team_of(user), zone_of(user)
    with transaction.atomic():
        for item in items:
            iso_year, iso_week, _day = item.at.astimezone(zone).isocalendar()
            if (iso_year, iso_week) not in plans:
                plans[iso_year, iso_week] = workflow.plan_for_week(team, iso_year, iso_week, user)
            try:
                post = workflow.create_post(
                    user,
                    department=item.department,
                    channels=item.channels,
                    title=item.title,
                    body=item.body,
                    category=item.category,
                    scheduled_at=item.at,
                    campaign=item.campaign,
                    audit_data={"import_line": item.line},
                )
                workflow.plan_into_week(post, user, plan=plans[iso_year, iso_week])
                if item.notes:
                    workflow.comment(post, user, item.notes)
            except WorkflowError as exc:
                raise LineRefused(
                    _("Line %(line)s: %(reason)s") % {"line": item.line, "reason": exc}
                ) from exc
            posts.append(post)
        audit.record(
            actor=user,
            action="import_plan",
            obj=posts[0].plan,
            data={
                "file": file_name[:200],
                "lines": line_count,
                "posts": [post.pk for post in posts],
                "plans": sorted(plan.pk for plan in plans.values()),
            },
        )
    return posts


def import_file(user, name: str, data: bytes) -> list:
    """Check the file again (what the user may do may have changed since the preview)
    and create it whole; `FileRefused`/`InvalidInput` with the errors otherwise."""
    items, errors = preview(user, name, data)
    if errors:
        from imports.reading import FileRefused

        raise FileRefused(errors)
    return import_items(user, items, name, len(items))
