"""The figures of a report, in a constant number of aggregate queries whatever the data:

1. publications sent, grouped by local week, local month, channel, department, category
   and campaign in one GROUP BY (its rows are bounded by the period's length, which
   the form caps at a year, times the dimensions' values), rolled up here;
2. returned, held, failed and overdue posts: one conditional COUNT over the audit trail;
3. approval lead times, one query per level (see `lead_times`).

Everything is scoped to the departments the user works in, and filtered on the
departments, channels, category and campaign chosen.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from editorial.models import AuditEntry, Category, Post, PostState, Publication, PublicationState
from reports.period import Period

S = PostState
POST_TYPE = "editorial.post"
# SQLite has no percentile function: there the lead times come back as a list, the
# latest this many of a level (a year of a large team's approvals).
PYTHON_PERCENTILE_LIMIT = 10_000


@dataclass(frozen=True)
class Scope:
    department_ids: frozenset[int]
    department: int | None = None
    channel: int | None = None
    category: str = ""
    campaign: int | None = None

    def posts(self):
        posts = Post.objects.filter(origin_department_id__in=self.department_ids)
        if self.department:
            posts = posts.filter(origin_department_id=self.department)
        if self.category:
            posts = posts.filter(category=self.category)
        if self.campaign:
            posts = posts.filter(campaign_id=self.campaign)
        if self.channel:
            posts = posts.filter(channels=self.channel)
        return posts


@dataclass
class Table:
    """Rows of figures under headers: what a chart draws, the page shows and a CSV
    export writes."""

    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


# --- what went out -------------------------------------------------------------------

DIMENSIONS = [
    ("channel", _("Sent by channel"), _("Channel")),
    ("department", _("Sent by department"), _("Department")),
    ("category", _("Sent by category"), _("Category")),
    ("campaign", _("Sent by campaign"), _("Campaign")),
]


def sent(scope: Scope, period: Period, by: str) -> dict:
    """Publications sent in the period, per local week or month and per dimension."""
    trunc = TruncWeek if by == "week" else TruncMonth
    publications = Publication.objects.filter(
        state=PublicationState.SENT,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
        post__in=scope.posts(),
    )
    if scope.channel:
        publications = publications.filter(channel_id=scope.channel)
    grouped = (
        publications.annotate(bucket=trunc("sent_at", tzinfo=period.zone))
        .values(
            "bucket",
            "channel__name",
            "post__origin_department__name",
            "post__category",
            "post__campaign__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets: set[datetime.date] = set()
    counts = {key: defaultdict(lambda: defaultdict(int)) for key, _t, _h in DIMENSIONS}
    categories = dict(Category.choices)
    for row in grouped:
        bucket = _local_day(row["bucket"], period.zone)
        buckets.add(bucket)
        labels = {
            "channel": row["channel__name"],
            "department": row["post__origin_department__name"],
            "category": str(categories.get(row["post__category"], row["post__category"])),
            "campaign": row["post__campaign__name"] or str(_("No campaign")),
        }
        for key, label in labels.items():
            counts[key][label][bucket] += row["n"]
    columns = sorted(buckets)
    headings = [_bucket_label(day, by) for day in columns]
    tables = []
    for key, title, heading in DIMENSIONS:
        table = Table(key, str(title), [str(heading), *headings, str(_("Total"))])
        for label in sorted(counts[key]):
            figures = [counts[key][label][day] for day in columns]
            table.rows.append([label, *figures, sum(figures)])
        tables.append(table)
    per_bucket = Table(
        "over_time",
        str(_("Sent per week") if by == "week" else _("Sent per month")),
        [str(_("Week of") if by == "week" else _("Month")), str(_("Publications sent"))],
    )
    for day, heading in zip(columns, headings, strict=True):
        per_bucket.rows.append([heading, sum(c[day] for c in counts["channel"].values())])
    return {"over_time": per_bucket, "dimensions": tables}


def _local_day(value, zone) -> datetime.date:
    # Trunc comes back aware (PostgreSQL, SQLite); the local date is the bucket.
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.date()
    return value


def _bucket_label(day: datetime.date, by: str) -> str:
    from django.utils.formats import date_format

    if by == "week":
        return date_format(day, "SHORT_DATE_FORMAT")
    return date_format(day, "YEAR_MONTH_FORMAT")


# --- what went wrong -----------------------------------------------------------------

TROUBLES = [
    ("returned", _("Returned for changes"), Q(action__in=["request_changes", "return_submission"])),
    ("held", _("Held by a pause"), Q(action="hold")),
    ("failed", _("Failed to publish"), Q(action="mark_failed")),
    ("overdue", _("Overdue (not approved in time)"), Q(action="mark_overdue")),
]


def troubles(scope: Scope, period: Period) -> Table:
    """Posts returned, held, failed and overdue in the period: distinct posts per kind,
    from the audit trail's entries (a post returned twice counts once)."""
    entries = _post_entries(scope, period)
    counts = entries.aggregate(
        **{
            key: Count("object_id", filter=condition, distinct=True)
            for key, _label, condition in TROUBLES
        }
    )
    table = Table(
        "troubles", str(_("Posts that needed attention")), [str(_("What")), str(_("Posts"))]
    )
    for key, label, _condition in TROUBLES:
        table.rows.append([str(label), counts[key]])
    return table


def _post_entries(scope: Scope, period: Period):
    return AuditEntry.objects.filter(
        object_type=POST_TYPE,
        created_at__gte=period.start,
        created_at__lt=period.end,
        object_id__in=scope.posts().values("pk"),
    )


# --- approval lead times -------------------------------------------------------------

LEVELS = [
    # (key, label, the approving entries, the states whose entering starts the clock)
    (
        "head",
        _("Head of communication's approval"),
        Q(action="approve", from_state=S.PENDING_APPROVAL),
        Q(to_state=S.PENDING_APPROVAL),
    ),
    (
        "director",
        _("Director's sign-off"),
        Q(action="sign_off", from_state=S.PENDING_SIGNOFF),
        Q(to_state=S.PENDING_SIGNOFF),
    ),
    (
        "overall",
        _("Submitted → approved"),
        Q(action__in=["approve", "sign_off"], to_state=S.APPROVED),
        Q(
            from_state__in=[S.DRAFT, S.CHANGES_REQUESTED],
            to_state__in=[S.SUBMITTED, S.PLANNED, S.PENDING_APPROVAL],
        ),
    ),
]


class Epoch(Func):
    """Seconds in an interval (PostgreSQL)."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


class PercentileCont(Func):
    """PostgreSQL's ordered-set aggregate: the interpolated percentile, as numpy's
    default and `percentile` below compute it."""

    contains_aggregate = True
    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float):
        super().__init__(expression, fraction=float(fraction))


def lead_times(scope: Scope, period: Period) -> Table:
    """Per level, how long posts waited from entering the state that asks for the
    approval to the approval itself, for the approvals given in the period: the clock
    starts at the latest entry of that post into that state before the approval, read
    from the audit trail (its `audit_obj_idx` finds it). On PostgreSQL the percentiles
    are computed in SQL (`percentile_cont`); SQLite has none, so there the durations of
    the period's approvals come back (bounded) and are computed here the same way."""
    table = Table(
        "lead_times",
        str(_("Approval lead times")),
        [
            str(_("Level")),
            str(_("Approvals")),
            str(_("Median (hours)")),
            str(_("90th percentile (hours)")),
        ],
    )
    for _key, label, approvals, started in LEVELS:
        entries = _post_entries(scope, period).filter(approvals)
        clock = (
            AuditEntry.objects.filter(
                started,
                object_type=POST_TYPE,
                object_id=OuterRef("object_id"),
                seq__lt=OuterRef("seq"),
            )
            .exclude(from_state=F("to_state"))
            .order_by("-seq")
            .values("created_at")[:1]
        )
        timed = entries.annotate(started_at=Subquery(clock)).filter(started_at__isnull=False)
        count, p50, p90 = _percentiles(timed)
        table.rows.append([str(label), count, _hours(p50), _hours(p90)])
    return table


def _percentiles(timed) -> tuple[int, float | None, float | None]:
    if connection.vendor == "postgresql":
        seconds = Epoch(F("created_at") - F("started_at"))
        figures = timed.aggregate(
            count=Count("pk"),
            p50=PercentileCont(seconds, 0.5),
            p90=PercentileCont(seconds, 0.9),
        )
        return figures["count"], figures["p50"], figures["p90"]
    pairs = timed.order_by("-seq").values_list("created_at", "started_at")[:PYTHON_PERCENTILE_LIMIT]
    durations = sorted((end - start).total_seconds() for end, start in pairs)
    return len(durations), percentile(durations, 0.5), percentile(durations, 0.9)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (percentile_cont's definition)."""
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def report(scope: Scope, period: Period, by: str) -> dict:
    went_out = sent(scope, period, by)
    return {
        "over_time": went_out["over_time"],
        "dimensions": went_out["dimensions"],
        "troubles": troubles(scope, period),
        "lead_times": lead_times(scope, period),
    }
