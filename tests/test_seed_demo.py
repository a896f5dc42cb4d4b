"""`manage.py seed_demo`: the demo a newcomer gets from `make run`."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import create_department, department_ids_of, roles_of
from editorial.audit import verify_chain
from editorial.content import content_matches_approval
from editorial.inbox import awaiting
from editorial.models import (
    Approval,
    ApprovalLevel,
    AuditEntry,
    Category,
    PlanState,
    Post,
    PostState,
    Publication,
    WeeklyPlan,
)
from editorial.models.posts import UNAPPROVED

PARIS = ZoneInfo("Europe/Paris")
DEMO_LOGINS = {
    "cm": (Role.COMMUNITY_MANAGER, "national"),
    "head": (Role.HEAD_OF_COMMUNICATION, "national"),
    "director": (Role.DIRECTOR, "national"),
    "contrib67": (Role.CONTRIBUTOR, "ddsp-67"),
    "contrib13": (Role.CONTRIBUTOR, "ddsp-13"),
    "admin": (Role.ADMINISTRATOR, "national"),
}
NOTHING = {"users": 0, "departments": 0, "posts": 0, "audit": 0}


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "departments": Department.objects.count(),
        "posts": Post.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo seeded once for a whole class of checks (seeding takes about a second),
    with --force as the test settings have DEBUG off; rolled back after the class.
    Each test still runs in its own savepoint through the `db` fixture."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed("--force")
        transaction.set_rollback(True)


# --- when it runs, and when it does not --------------------------------------------------


@pytest.mark.django_db
def test_without_debug_it_refuses_and_creates_nothing():
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert snapshot() == NOTHING


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database(debug):
    seed("--if-empty")
    assert set(User.objects.values_list("username", flat=True)) == set(DEMO_LOGINS)


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_only_a_department_alone(debug):
    create_department("DDSP 33 Gironde", "ddsp-33")
    seed("--if-empty")
    assert snapshot() == {**NOTHING, "departments": 1}


@pytest.mark.django_db
def test_a_failure_halfway_leaves_nothing_behind(debug, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the sweep broke")

    # The overdue sweep is the very last step: everything else has been written by then.
    monkeypatch.setattr("editorial.workflow.mark_overdue_posts", broken)
    with pytest.raises(RuntimeError):
        seed()
    assert snapshot() == NOTHING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 29, 23, 55, tzinfo=PARIS),  # Sunday night: next week is tomorrow
        dt.datetime(2026, 11, 30, 0, 5, tzinfo=PARIS),  # Monday just after midnight
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=PARIS),  # the night the clocks go forward
        dt.datetime(2026, 12, 31, 22, 0, tzinfo=PARIS),  # next week is 2026-W53
    ],
    ids=["sunday-night", "monday-midnight", "dst-change", "year-end"],
)
def test_the_demo_builds_whatever_the_day_and_hour(debug, moment):
    with time_machine.travel(moment, tick=True):
        seed()
        assert set(Post.objects.values_list("state", flat=True)) == set(PostState.values)
        assert verify_chain() is None


# --- the demo, seeded once -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestTheDemo:
    def test_force_lets_it_run_without_debug(self, demo):
        assert "Demo data created" in demo

    def test_if_empty_a_second_time_changes_nothing(self):
        before = snapshot()
        assert "already" in seed("--if-empty", "--force")
        assert snapshot() == before

    def test_a_second_run_without_if_empty_fails_with_a_clear_error(self):
        before = snapshot()
        with pytest.raises(CommandError, match="already exists"):
            seed("--force")
        assert snapshot() == before

    # --- who can log in

    def test_has_the_six_demo_users_each_with_their_role_and_team(self):
        for username, (role, team) in DEMO_LOGINS.items():
            user = User.objects.get(username=username)
            assert roles_of(user) == {role}, username
            assert user.groups.filter(department__code=team).exists(), username
            assert user.get_full_name(), username
        assert User.objects.count() == len(DEMO_LOGINS)

    def test_only_the_administrator_has_the_django_admin(self):
        staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
        assert staff == {"admin"}

    def test_every_demo_post_targets_only_channels_that_can_publish(self):
        from editorial.content import channel_publish_problem

        for post in Post.objects.prefetch_related("channels"):
            for channel in post.channels.all():
                assert channel_publish_problem(channel) is None, (post, channel)

    def test_contributors_work_only_in_their_own_department(self):
        for username in ("contrib67", "contrib13"):
            user = User.objects.get(username=username)
            team = Department.objects.get(code=DEMO_LOGINS[username][1])
            assert department_ids_of(user) == {team.pk}

    def test_only_admin_is_a_superuser(self):
        superusers = User.objects.filter(is_superuser=True).values_list("username", flat=True)
        assert list(superusers) == ["admin"]

    def test_every_demo_user_can_log_in_with_the_password_demo(self, client):
        for username in DEMO_LOGINS:
            assert client.login(username=username, password="demo"), username
            client.logout()

    def test_prints_the_demo_logins(self, demo):
        assert "password: demo" in demo
        for username in DEMO_LOGINS:
            assert f"  {username} " in demo

    def test_has_the_national_team_and_three_departments(self):
        national = Department.objects.get(is_national=True)
        assert national.name == "Équipe nationale de communication"
        codes = Department.objects.filter(is_national=False).values_list("code", flat=True)
        assert set(codes) == {"ddsp-67", "ddsp-13", "ddsp-69"}

    # --- what is in it

    def test_has_a_post_in_every_state(self):
        present = set(Post.objects.values_list("state", flat=True))
        assert set(PostState.values) - present == set()

    def test_has_exactly_one_overdue_post_unapproved_and_past_its_time(self):
        overdue = Post.objects.get(overdue_at__isnull=False)
        assert overdue.state in UNAPPROVED
        assert overdue.scheduled_at < timezone.now()

    def test_posts_still_to_go_out_are_scheduled_in_the_future(self):
        waiting = Post.objects.filter(
            state__in=[*UNAPPROVED, PostState.APPROVED],
            overdue_at__isnull=True,
            scheduled_at__isnull=False,
        )
        assert waiting.exists()
        assert not waiting.filter(scheduled_at__lte=timezone.now()).exists()

    def test_a_post_goes_out_on_the_atom_feed_and_the_log_in_about_two_minutes(self):
        post = Post.objects.get(title__startswith="Démo — publication")
        assert post.state == PostState.APPROVED
        assert set(post.channels.values_list("network", flat=True)) == {"atom", "log"}
        wait = post.scheduled_at - timezone.now()
        assert dt.timedelta(seconds=60) < wait <= dt.timedelta(minutes=3)
        assert content_matches_approval(post)

    def test_what_went_out_shows_in_the_atom_feeds(self):
        sent = Publication.objects.filter(state="sent", channel__network="atom")
        assert sent.exists()
        assert all(p.external_id.startswith("tag:cadence,") for p in sent)

    def test_an_alert_whose_outcome_is_unknown_waits_in_the_community_managers_inbox(self):
        unknown = Publication.objects.get(state="unknown")
        assert unknown.post.state == PostState.PUBLISHING
        assert unknown.post in awaiting(User.objects.get(username="cm"))
        assert AuditEntry.objects.filter(action="publication_unknown").count() == 1

    def test_its_audit_chain_verifies(self):
        assert verify_chain() is None

    def test_every_post_was_made_through_the_workflow(self):
        assert AuditEntry.objects.filter(action="create").count() == Post.objects.count()

    def test_next_weeks_plan_is_approved_with_one_item_returned(self):
        plan = WeeklyPlan.objects.get(state=PlanState.APPROVED)
        states = list(plan.posts.values_list("state", flat=True))
        assert states.count(PostState.CHANGES_REQUESTED) == 1
        assert states.count(PostState.APPROVED) >= 2
        today = timezone.localdate(timezone=PARIS)
        assert 0 < (plan.monday - today).days <= 7

    def test_a_sensitive_post_was_signed_off_by_the_director(self):
        sign_off = Approval.objects.get(level=ApprovalLevel.DIRECTOR)
        assert sign_off.approver.username == "director"
        assert sign_off.post.sensitive
        assert sign_off.post.state == PostState.APPROVED

    def test_an_urgent_hot_news_post_was_fast_tracked_and_approved(self):
        hot = Post.objects.filter(category=Category.HOT_NEWS, urgent=True, sensitive=False)
        assert hot.filter(state=PostState.APPROVED).exists()
