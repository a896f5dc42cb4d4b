"""The report's figures against the values computed by hand in tests/reports/fixture.py."""

import datetime

import pytest
from django.utils import translation

from reports import figures
from reports.figures import Scope, percentile
from reports.period import Period
from tests.reports.fixture import PARIS, build

pytestmark = pytest.mark.django_db

MARCH_APRIL = Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30), PARIS)
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), PARIS)


@pytest.fixture
def history(dept_a, dept_b, cm):
    return build(dept_a, dept_b, cm)


def everywhere(*departments, **filters) -> Scope:
    return Scope(department_ids=frozenset(d.pk for d in departments), **filters)


def rows(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_sent_per_month_by_channel_and_department_in_local_time(history, dept_a, dept_b):
    report = figures.report(everywhere(dept_a, dept_b), MARCH_APRIL, "month")
    channel, department, category, campaign = report["dimensions"]
    # Columns: March, April, total. p3 left at 22:30 UTC on 31 March: 1 April in Paris.
    assert rows(channel) == {"Bluesky B": [0, 2, 2], "Mastodon A": [2, 0, 2]}
    assert rows(department) == {dept_a.name: [2, 0, 2], dept_b.name: [0, 2, 2]}
    assert rows(category) == {"Hot news": [1, 1, 2], "Prevention": [1, 1, 2]}
    assert rows(campaign) == {"No campaign": [2, 1, 3], "Recrutement": [0, 1, 1]}
    assert [row[1] for row in report["over_time"].rows] == [2, 2]


def test_sent_per_week_starts_on_local_mondays(history, dept_a, dept_b):
    report = figures.report(everywhere(dept_a, dept_b), MARCH_APRIL, "week")
    # Weeks of 9 March (p1), 30 March (p2, p3: Tuesday 31 and Wednesday 1), 13 April (p4).
    assert [row[1] for row in report["over_time"].rows] == [1, 2, 1]
    with translation.override("fr"):
        report = figures.report(everywhere(dept_a, dept_b), MARCH_APRIL, "week")
    assert [row[0] for row in report["over_time"].rows] == [
        "09/03/2026",
        "30/03/2026",
        "13/04/2026",
    ]


def test_month_of_march_ends_at_local_midnight(history, dept_a, dept_b):
    report = figures.report(everywhere(dept_a, dept_b), MARCH, "month")
    assert rows(report["dimensions"][0]) == {"Mastodon A": [2, 2]}


def test_lead_times_per_level(history, dept_a, dept_b):
    table = figures.report(everywhere(dept_a, dept_b), MARCH_APRIL, "month")["lead_times"]
    head, director, overall = table.rows
    assert head[1:] == [4, 3.0, 6.8]
    assert director[1:] == [1, 6.0, 6.0]
    assert overall[1:] == [4, 7.5, 22.0]


def test_troubles(history, dept_a, dept_b):
    table = figures.report(everywhere(dept_a, dept_b), MARCH_APRIL, "month")["troubles"]
    assert [row[1] for row in table.rows] == [1, 1, 1, 1]  # returned, held, failed, overdue


def test_a_scope_of_one_department_sees_only_its_figures(history, dept_a):
    report = figures.report(everywhere(dept_a), MARCH_APRIL, "month")
    assert rows(report["dimensions"][0]) == {"Mastodon A": [2, 2]}  # March, total
    head, director, _overall = report["lead_times"].rows
    assert head[1:] == [2, 3.0, 3.8]
    assert director[1:] == [0, None, None]
    assert [row[1] for row in report["troubles"].rows] == [0, 1, 1, 0]


def test_filters_channel_category_campaign(history, dept_a, dept_b):
    both = (dept_a, dept_b)
    by_channel = figures.report(
        everywhere(*both, channel=history["bluesky"].pk), MARCH_APRIL, "month"
    )
    assert rows(by_channel["dimensions"][0]) == {"Bluesky B": [2, 2]}
    by_category = figures.report(everywhere(*both, category="prevention"), MARCH_APRIL, "month")
    assert rows(by_category["dimensions"][1]) == {dept_a.name: [1, 0, 1], dept_b.name: [0, 1, 1]}
    by_campaign = figures.report(
        everywhere(*both, campaign=history["campaign"].pk), MARCH_APRIL, "month"
    )
    assert rows(by_campaign["dimensions"][3]) == {"Recrutement": [1, 1]}
    assert by_campaign["lead_times"].rows[1][1:] == [1, 6.0, 6.0]


def test_percentile_interpolates_as_percentile_cont():
    assert percentile([1, 2, 4, 8], 0.5) == 3.0
    assert percentile([1, 2, 4, 8], 0.9) == pytest.approx(6.8)
    assert percentile([5], 0.9) == 5
    assert percentile([], 0.5) is None


def test_a_month_across_the_spring_change_lasts_an_hour_less():
    utc = datetime.UTC
    elapsed = MARCH.end.astimezone(utc) - MARCH.start.astimezone(utc)
    assert elapsed == datetime.timedelta(days=31, hours=-1)
    assert MARCH.end.utcoffset() == datetime.timedelta(hours=2)
