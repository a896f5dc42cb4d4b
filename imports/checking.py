"""From rows to the posts an import would create, or the list of what is wrong.

Every row is checked whole (all its problems at once, each naming its line and column),
against what the importing user may do now: their channels, their campaigns, their
time zone, each channel's limits as its adapter says them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from editorial import access
from editorial.channels import adapter_for
from editorial.content import channel_publish_problem
from editorial.forms.fields import EARLIEST_YEAR, LATEST_YEAR, to_aware
from editorial.models import Category
from editorial.workflow.plans import team_of
from imports.reading import LineError, Row, parse_date, parse_time

TITLE_MAX = 200


def zone_of(user) -> zoneinfo.ZoneInfo:
    """The importing user's own zone: the times in their spreadsheet are on their clock."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


DEFAULT_CATEGORY = Category.COLD_NEWS
CHANNEL_SEPARATORS = ("|", ",", ";", "\n")


@dataclass
class Item:
    """One post to create."""

    line: int
    title: str
    body: str
    at: dt.datetime
    channels: list = field(default_factory=list)
    department: object = None
    category: str = DEFAULT_CATEGORY
    campaign: object = None
    notes: str = ""

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)


class Lookup:
    """What the user may use, loaded once per file: a constant number of queries."""

    def __init__(self, user):
        self.user = user
        self.channels = list(access.visible_channels(user).select_related("department"))
        self.campaigns = list(access.visible_campaigns(user))
        self.team = team_of(user)
        self.categories = {}
        for value, label in Category.choices:
            self.categories[value] = value
            for language in ("en", "fr"):
                with override(language):
                    self.categories[str(label).lower()] = value

    def channel(self, name: str) -> tuple[object | None, str | None]:
        wanted = name.strip().lower()
        bare = wanted.lstrip("@")
        found = [
            channel
            for channel in self.channels
            if channel.name.lower() == wanted or channel.handle.lower().lstrip("@") == bare
        ]
        if not found:
            return None, _("Unknown channel “%(name)s”.") % {"name": name}
        if len(found) > 1:
            return None, _("Several channels are called “%(name)s”: write its handle.") % {
                "name": name
            }
        return found[0], None

    def campaign(self, name: str):
        wanted = name.strip().lower()
        return next((c for c in self.campaigns if c.name.strip().lower() == wanted), None)


def _split_channels(text: str) -> list[str]:
    for separator in CHANNEL_SEPARATORS[1:]:
        text = text.replace(separator, CHANNEL_SEPARATORS[0])
    return [part.strip() for part in text.split(CHANNEL_SEPARATORS[0]) if part.strip()]


def _moment(row: Row, zone, now, errors: list[LineError]) -> dt.datetime | None:
    day, time = parse_date(row.cells.get("date")), parse_time(row.cells.get("time"))
    if day is None:
        errors.append(
            LineError(
                row.line,
                "date",
                _("“%(value)s” is not a date (2026-12-07 or 07/12/2026).")
                % {"value": row.cells.get("date", "")},
            )
        )
    elif not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        errors.append(LineError(row.line, "date", _("The year must be between 2000 and 2100.")))
        day = None
    if time is None:
        errors.append(
            LineError(
                row.line,
                "time",
                _("“%(value)s” is not a time (09:30).") % {"value": row.cells.get("time", "")},
            )
        )
    if day is None or time is None:
        return None
    try:
        at = to_aware(dt.datetime.combine(day, time), zone)
    except ValidationError as exc:
        errors.append(LineError(row.line, "time", " ".join(exc.messages)))
        return None
    if at <= now:
        errors.append(LineError(row.line, "time", _("This time has passed: choose one to come.")))
        return None
    return at


def check_row(row: Row, lookup: Lookup, zone, now) -> tuple[Item | None, list[LineError]]:
    errors: list[LineError] = []
    cells = row.cells
    at = _moment(row, zone, now, errors)
    title = str(cells.get("title") or "").strip()
    if not title:
        errors.append(LineError(row.line, "title", _("The title is missing.")))
    elif len(title) > TITLE_MAX:
        errors.append(
            LineError(
                row.line,
                "title",
                _("The title is longer than %(max)s characters.") % {"max": TITLE_MAX},
            )
        )
    body = str(cells.get("text") or "").strip()
    if not body:
        errors.append(LineError(row.line, "text", _("The text is missing.")))

    channels = []
    names = _split_channels(str(cells.get("channels") or ""))
    if not names:
        errors.append(LineError(row.line, "channels", _("Name at least one channel.")))
    for name in names:
        channel, problem = lookup.channel(name)
        if problem is None and (unusable := channel_publish_problem(channel)):
            problem = str(unusable)
        if problem:
            errors.append(LineError(row.line, "channels", problem))
        elif channel not in channels:
            channels.append(channel)
    if body:
        for channel in channels:
            for problem in adapter_for(channel).validate(body, 0):
                errors.append(LineError(row.line, "text", problem))
    departments = {c.department for c in channels if not c.department.is_national}
    if len(departments) > 1:
        errors.append(
            LineError(
                row.line,
                "channels",
                _("One line, one department: these channels belong to %(names)s.")
                % {"names": ", ".join(sorted(d.name for d in departments))},
            )
        )

    category = DEFAULT_CATEGORY
    if raw := str(cells.get("category") or "").strip():
        category = lookup.categories.get(raw.lower())
        if category is None:
            errors.append(
                LineError(row.line, "category", _("Unknown category “%(value)s”.") % {"value": raw})
            )
    campaign = None
    if raw := str(cells.get("campaign") or "").strip():
        campaign = lookup.campaign(raw)
        if campaign is None:
            errors.append(
                LineError(row.line, "campaign", _("Unknown campaign “%(value)s”.") % {"value": raw})
            )
    if errors:
        return None, errors
    return (
        Item(
            line=row.line,
            title=title,
            body=body,
            at=at,
            channels=channels,
            department=departments.pop() if departments else lookup.team,
            category=category,
            campaign=campaign,
            notes=str(cells.get("notes") or "").strip(),
        ),
        [],
    )


def check_rows(rows: list[Row], user) -> tuple[list[Item], list[LineError]]:
    lookup = Lookup(user)
    zone, now = zone_of(user), timezone.now()
    items, errors = [], []
    for row in rows:
        item, problems = check_row(row, lookup, zone, now)
        if item:
            items.append(item)
        errors.extend(problems)
    return items, errors
