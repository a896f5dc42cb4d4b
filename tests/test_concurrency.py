"""Concurrent workflow actions: two approvers never both win, and the audit chain stays
one unbroken line however many people act at once.

The races run on PostgreSQL (the `postgres` fixture skips them on SQLite and fails them
when CI=true), in transactional tests so that each thread's own connection sees the
rows the test set up. Threads meet at a barrier to act at the same moment; nothing
sleeps, every wait has a timeout.
"""

import threading
import time
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save

from accounts.models import User
from accounts.roles import Role
from editorial import workflow
from editorial.audit import verify_chain
from editorial.models import Approval, AuditEntry, Post, PostState
from tests.factories import PostFactory, UserFactory

WAIT = 20  # seconds: the longest any thread or barrier waits before the test fails

Racer = Callable[[Callable[[], None]], object]


def _run_in_threads(*racers: Racer) -> list[tuple[str, object]]:
    """Run each racer in its own thread with its own database connection.

    A racer loads what it needs, calls `go()` (a barrier shared by all racers) and then
    acts. Returns ("ok", result) or ("error", exception) per racer, in order.
    """
    barrier = threading.Barrier(len(racers), timeout=WAIT)
    outcomes: list[tuple[str, object] | None] = [None] * len(racers)

    def run(index: int, racer: Racer) -> None:
        try:
            outcomes[index] = ("ok", racer(barrier.wait))
        except BaseException as exc:  # reported by the test, whatever it is
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, racer), name=f"racer-{i}", daemon=True)
        for i, racer in enumerate(racers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads), "a racer is stuck"
    return outcomes


def _acting(action: Callable, post_pk: int, user_pk: int, *args) -> Racer:
    """A racer that loads its own copy of the post and the user, then takes `action`."""

    def racer(go: Callable[[], None]):
        post = Post.objects.get(pk=post_pk)
        user = User.objects.get(pk=user_pk)
        go()
        return action(post, user, *args)

    return racer


def _pending_approval_post(author, department, channel, cm) -> Post:
    post = PostFactory(author=author, origin_department=department, channels=[channel])
    workflow.fast_track(post, cm)
    assert post.state == PostState.PENDING_APPROVAL
    return post


def _errors(outcomes) -> list[BaseException]:
    return [value for kind, value in outcomes if kind == "error"]


def _assert_one_won_the_other_was_told_to_reload(outcomes) -> None:
    winners = [value for kind, value in outcomes if kind == "ok"]
    errors = _errors(outcomes)
    assert len(winners) == 1, outcomes
    assert len(errors) == 1, outcomes
    (error,) = errors
    # A clear conflict for the user (409), never an error that would be a 500.
    assert type(error) is workflow.StaleObject, repr(error)
    assert error.status == 409
    assert "Reload" in str(error)


def _assert_chain_intact() -> None:
    assert verify_chain() is None
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.fixture
def second_head(national):
    return UserFactory(username="head2", role=Role.HEAD_OF_COMMUNICATION, department=national)


# --- two approvers, one post ------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_approving_the_same_post_at_once_one_wins_the_other_gets_a_conflict(
    postgres, writer_a, dept_a, channel_a, cm, head, second_head
):
    for _round in range(5):
        post = _pending_approval_post(writer_a, dept_a, channel_a, cm)

        outcomes = _run_in_threads(
            _acting(workflow.approve, post.pk, head.pk),
            _acting(workflow.approve, post.pk, second_head.pk),
        )

        _assert_one_won_the_other_was_told_to_reload(outcomes)
        post.refresh_from_db()
        assert post.state == PostState.APPROVED
        assert Approval.objects.filter(post=post).count() == 1
        approvals = AuditEntry.objects.filter(object_id=post.pk, action="approve")
        assert approvals.count() == 1
        assert approvals.get().actor_id == Approval.objects.get(post=post).approver_id
        assert verify_chain() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_approver_blocked_behind_another_approval_gets_a_conflict_once_it_commits(
    postgres, writer_a, dept_a, channel_a, cm, head, second_head
):
    """The interleaving the barrier race may or may not hit, forced: the first approval
    has updated the post and holds its row lock; the second approver's update waits on
    that lock (PostgreSQL says so in pg_stat_activity); then the first commits."""
    post = _pending_approval_post(writer_a, dept_a, channel_a, cm)
    first_holds_lock, release_first = threading.Event(), threading.Event()
    second_pid: list[int] = []

    def pause_first_after_its_update(sender, instance, **kwargs):
        if threading.current_thread().name == "first" and instance.pk == post.pk:
            first_holds_lock.set()
            assert release_first.wait(WAIT), "never released"

    def first(go):
        workflow.approve(Post.objects.get(pk=post.pk), User.objects.get(pk=head.pk))

    def second(go):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid.append(cursor.fetchone()[0])
        workflow.approve(Post.objects.get(pk=post.pk), User.objects.get(pk=second_head.pk))

    outcomes: dict[str, tuple[str, object]] = {}

    def run(racer):
        try:
            outcomes[racer.__name__] = ("ok", racer(None))
        except BaseException as exc:
            outcomes[racer.__name__] = ("error", exc)
        finally:
            connection.close()

    post_save.connect(
        pause_first_after_its_update, sender=Post, weak=False, dispatch_uid="pause-first-approver"
    )
    try:
        first_thread = threading.Thread(target=run, args=(first,), name="first", daemon=True)
        second_thread = threading.Thread(target=run, args=(second,), name="second", daemon=True)
        first_thread.start()
        assert first_holds_lock.wait(WAIT), "the first approval never saved the post"
        second_thread.start()
        _wait_until_backend_waits_on_a_lock(second_pid, alive=second_thread)
        release_first.set()
        for thread in (first_thread, second_thread):
            thread.join(timeout=WAIT)
            assert not thread.is_alive(), f"{thread.name} is stuck"
    finally:
        release_first.set()
        post_save.disconnect(sender=Post, dispatch_uid="pause-first-approver")

    assert outcomes["first"][0] == "ok", outcomes
    _assert_one_won_the_other_was_told_to_reload(list(outcomes.values()))
    assert Approval.objects.filter(post=post).get().approver_id == head.pk
    assert AuditEntry.objects.filter(object_id=post.pk, action="approve").count() == 1
    assert verify_chain() is None


def _wait_until_backend_waits_on_a_lock(pid_box: list[int], *, alive: threading.Thread):
    """Poll pg_stat_activity (no sleep: each query is the wait) until the backend whose
    pid the other thread reports is blocked on a lock."""
    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and alive.is_alive():
            if pid_box:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid_box[0]]
                )
                row = cursor.fetchone()
                if row and row[0] == "Lock":
                    return
            else:
                cursor.execute("SELECT 1")
    pytest.fail("the second approver never waited on the post's row lock")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approving_and_requesting_changes_at_once_leaves_exactly_one_of_them(
    postgres, writer_a, dept_a, channel_a, cm, head, director
):
    for _round in range(5):
        post = _pending_approval_post(writer_a, dept_a, channel_a, cm)

        outcomes = _run_in_threads(
            _acting(workflow.approve, post.pk, head.pk),
            _acting(workflow.request_changes, post.pk, director.pk, "Not this week."),
        )

        _assert_one_won_the_other_was_told_to_reload(outcomes)
        post.refresh_from_db()
        actions = list(
            AuditEntry.objects.filter(
                object_id=post.pk, action__in=["approve", "request_changes"]
            ).values_list("action", flat=True)
        )
        assert len(actions) == 1
        if actions == ["approve"]:
            assert post.state == PostState.APPROVED
            assert Approval.objects.filter(post=post).count() == 1
        else:
            assert post.state == PostState.CHANGES_REQUESTED
            assert not Approval.objects.filter(post=post).exists()
        assert verify_chain() is None


# --- many writers, one chain ------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_audit_chain_stays_one_unbroken_line_when_eight_people_act_at_once(
    postgres, writer_a, dept_a, channel_a, cm, head
):
    """Eight threads, each acting on its own post, three rounds: the first starts
    without a chain head row (the writers race to create it), the others contend for
    its row lock."""
    posts = [
        PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
        for _ in range(8)
    ]
    assert not AuditEntry.objects.exists()
    rounds = [
        (workflow.submit, writer_a, PostState.SUBMITTED),
        (workflow.fast_track, cm, PostState.PENDING_APPROVAL),
        (workflow.approve, head, PostState.APPROVED),
    ]

    for action, user, state in rounds:
        outcomes = _run_in_threads(*(_acting(action, post.pk, user.pk) for post in posts))

        assert _errors(outcomes) == []
        _assert_chain_intact()
        assert set(
            Post.objects.filter(pk__in=[p.pk for p in posts]).values_list("state", flat=True)
        ) == {state}

    assert AuditEntry.objects.count() == 24
    for post in posts:
        assert list(
            AuditEntry.objects.filter(object_id=post.pk).values_list("action", flat=True)
        ) == ["submit", "fast_track", "approve"]
    assert Approval.objects.count() == 8


# --- verifying while people act -------------------------------------------------------


@pytest.fixture
def action_lands_after_the_walk(monkeypatch, writer_a, dept_a, channel_a):
    """Make a workflow action commit, from another thread, right after the verifier has
    walked the entries and before it reads the chain head: the moment a live system
    will sooner or later hit. Wraps the verifier's private entry reader to get there
    deterministically."""
    import editorial.audit

    post = PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])
    walk = editorial.audit._entries
    acted = threading.Event()

    def walk_then_let_someone_act(batch_size):
        yield from walk(batch_size)
        if not acted.is_set():
            acted.set()
            outcomes = _run_in_threads(_acting(workflow.submit, post.pk, writer_a.pk))
            assert _errors(outcomes) == []

    monkeypatch.setattr(editorial.audit, "_entries", walk_then_let_someone_act)
    return post


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_audit_reports_an_intact_trail_while_people_keep_acting(
    postgres, post_a, writer_a, cm, action_lands_after_the_walk
):
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)
    out = StringIO()

    call_command("verify_audit", stdout=out)

    assert out.getvalue().strip() == "Audit trail intact: 2 entries."
    assert AuditEntry.objects.count() == 3  # the action that landed meanwhile
    _assert_chain_intact()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_verify_chain_reports_no_break_while_people_keep_acting(
    postgres, post_a, writer_a, cm, action_lands_after_the_walk
):
    workflow.submit(post_a, writer_a)
    workflow.fast_track(post_a, cm)

    problem = verify_chain()

    assert problem is None, str(problem)


# --- a stale copy, one thread -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "late_action",
    [
        pytest.param(lambda post, user: workflow.approve(post, user), id="approve"),
        pytest.param(
            lambda post, user: workflow.request_changes(post, user, "Shorter."),
            id="request_changes",
        ),
    ],
)
def test_a_copy_loaded_before_someone_elses_approval_is_refused_as_stale(
    writer_a, dept_a, channel_a, cm, head, second_head, late_action
):
    post = _pending_approval_post(writer_a, dept_a, channel_a, cm)
    stale = Post.objects.get(pk=post.pk)  # the second approver opened the post…
    workflow.approve(Post.objects.get(pk=post.pk), head)  # …then the first approved it
    entries = AuditEntry.objects.count()

    with pytest.raises(workflow.StaleObject) as excinfo:
        late_action(stale, second_head)

    assert excinfo.value.status == 409
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
    assert Approval.objects.filter(post=post).get().approver == head
    assert AuditEntry.objects.count() == entries
    assert verify_chain() is None
