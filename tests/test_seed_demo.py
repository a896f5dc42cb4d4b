"""`manage.py seed_demo`: the demo a newcomer gets from `make run`."""

import datetime as dt
import inspect
from collections import Counter
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
from editorial import audit
from editorial.audit import entries_for, verify_chain
from editorial.content import content_matches_approval
from editorial.inbox import awaiting
from editorial.messages import render
from editorial.models import (
    Approval,
    ApprovalLevel,
    AuditEntry,
    Category,
    Network,
    PlanState,
    Post,
    PostState,
    Publication,
    PublicationState,
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

    # The overdue sweep runs halfway: yesterday's publications have been written by then.
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


def writer_of(frame) -> str:
    """The module that asked for audit entries: the first caller outside the audit
    chain and `events.record`, which only pass them on."""
    while frame.f_globals["__name__"] in ("editorial.audit", "editorial.events"):
        frame = frame.f_back
    return frame.f_globals["__name__"]


@pytest.mark.django_db
def test_every_audit_entry_is_written_by_the_workflow_or_the_publisher(debug, monkeypatch):
    writers = Counter()
    record_many = audit.record_many

    def spy(items):
        writers[writer_of(inspect.currentframe().f_back)] += len(items)
        return record_many(items)

    monkeypatch.setattr(audit, "record_many", spy)
    seed()
    # Every entry came through the chain's one writer (none made by hand)…
    assert sum(writers.values()) == AuditEntry.objects.count() > 0
    # …asked for by the workflow's actions and the publisher, never by the demo.
    assert {module.rsplit(".", 1)[0] for module in writers} <= {
        "editorial.workflow",
        "editorial.publishing",
    }, writers
    assert writers["editorial.publishing.outcomes"] > 0
    assert writers["editorial.publishing.scheduler"] > 0


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
            response = client.post("/login/", {"username": username, "password": "demo"})
            assert response.status_code == 302, username
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
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert f"intact: {AuditEntry.objects.count()} entries" in out.getvalue()

    def test_its_audit_trail_reads_in_time_order(self):
        times = list(AuditEntry.objects.order_by("seq").values_list("created_at", flat=True))
        assert times == sorted(times)

    def test_what_went_out_was_claimed_and_sent_by_the_publisher_at_its_time(self):
        publications = Publication.objects.select_related("post", "channel")
        assert {p.state for p in publications} == {"sent", "failed", "unknown"}
        for publication in publications:
            post = publication.post
            # The scheduler's claim: its entry carries the approved content's hash…
            claim = entries_for(post).get(action="start_publishing")
            assert claim.actor is None
            assert claim.data == {"content_hash": publication.content_hash}
            # …and the outcome's entry is the sender's, written when it happened.
            outcome = entries_for(publication).get()
            assert outcome.action == f"publication_{publication.state}"
            assert (outcome.actor, outcome.from_state) == (None, "sending")
            assert (
                post.scheduled_at <= claim.created_at < post.scheduled_at + dt.timedelta(seconds=5)
            )
            if publication.state == "sent":
                assert outcome.data == {"external_id": publication.external_id}
                assert abs(outcome.created_at - publication.sent_at) < dt.timedelta(seconds=1)
        for post in Post.objects.filter(state__in=[PostState.PUBLISHED, PostState.FAILED]):
            settled = entries_for(post).get(action=f"mark_{post.state}")
            assert settled.actor is None
            assert settled.seq > max(entries_for(p).get().seq for p in post.publications.all())

    def test_yesterdays_posts_went_out_yesterday_in_paris_time(self):
        yesterday = timezone.localdate(timezone=PARIS) - dt.timedelta(days=1)
        since = dt.datetime.combine(yesterday, dt.time(), tzinfo=PARIS)
        went_out = Post.objects.filter(
            state__in=[PostState.PUBLISHED, PostState.FAILED], scheduled_at__gte=since
        )
        assert went_out.count() == 4
        for post in went_out:
            assert timezone.localdate(post.scheduled_at, timezone=PARIS) == yesterday, post

    def test_weeks_of_history_for_the_reports(self):
        # demo/history.py: published over the six weeks before yesterday, approved by the
        # head after a while, one signed off by the director the next morning.
        yesterday = timezone.localdate(timezone=PARIS) - dt.timedelta(days=1)
        since = dt.datetime.combine(yesterday, dt.time(), tzinfo=PARIS)
        earlier = Publication.objects.filter(state=PublicationState.SENT, sent_at__lt=since)
        days = {timezone.localdate(p.sent_at, timezone=PARIS) for p in earlier}
        assert len(days) >= 7 and (yesterday - min(days)).days >= 35
        signed = Approval.objects.filter(level=ApprovalLevel.DIRECTOR, post__state="published")
        assert signed.get().post.scheduled_at < since

    def test_a_publication_to_a_receiver_that_is_down_failed_after_its_retries(self, settings):
        failed = Publication.objects.get(state=PublicationState.FAILED)
        assert failed.channel.network == Network.WEBHOOK
        assert failed.attempts == settings.PUBLISHING_MAX_ATTEMPTS
        assert render(failed.last_error).startswith(f"Gave up after {failed.attempts} attempts")
        assert "Connection refused" in render(failed.last_error)
        assert failed.post.state == PostState.FAILED

    def test_the_unknown_outcome_is_a_request_that_left_and_got_no_answer(self):
        unknown = Publication.objects.get(state=PublicationState.UNKNOWN)
        assert unknown.channel.network == Network.WEBHOOK
        assert render(unknown.last_error).startswith(f"No answer from {unknown.channel}")
        assert unknown.attempts == 1

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
        sign_off = Approval.objects.get(
            level=ApprovalLevel.DIRECTOR, post__state=PostState.APPROVED
        )
        assert sign_off.approver.username == "director"
        assert sign_off.post.sensitive
        assert sign_off.post.state == PostState.APPROVED

    def test_an_urgent_hot_news_post_was_fast_tracked_and_approved(self):
        hot = Post.objects.filter(category=Category.HOT_NEWS, urgent=True, sensitive=False)
        assert hot.filter(state=PostState.APPROVED).exists()
