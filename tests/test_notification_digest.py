"""The daily digest: at 08:00 of each person's own day (Europe/Paris across both DST
changes, America/Cayenne), once per person and local date however often the beat
runs or however long it was down; its e-mail against a real SMTP server, in French and
in English, with what awaits the person, what goes out today, what failed yesterday
and the notices they keep for it."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import Post, PostState
from notifications import digest, tasks, timed
from notifications.models import Choice, Delivery, Kind, Notification, Preferences
from tests.factories import PostFactory
from tests.smtp import SMTPServer

UTC = datetime.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def readers(head, director):
    """The head reads in Paris, in English; the director in Cayenne (UTC-3, no DST), in
    French. Both asked for the digest."""
    head.time_zone, director.time_zone = "Europe/Paris", "America/Cayenne"
    head.save()
    director.save()
    Preferences.objects.create(user=head, language="en", wants_digest=True)
    Preferences.objects.create(user=director, language="fr", wants_digest=True)
    return head, director


def digests_at(instant) -> set[tuple[str, str]]:
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(instant, tick=False):
        tasks.digests()
    return set(
        Notification.objects.exclude(pk__in=before)
        .filter(kind=Kind.DIGEST)
        .values_list("recipient__username", "params__date")
    )


@pytest.mark.parametrize(
    "day, paris_eight_utc",
    [
        ("2027-03-28", utc(2027, 3, 28, 6, 0)),  # the clocks went forward that night
        ("2027-03-27", utc(2027, 3, 27, 7, 0)),  # the day before, still winter time
        ("2026-10-25", utc(2026, 10, 25, 7, 0)),  # the clocks went back that night
        ("2027-10-31", utc(2027, 10, 31, 7, 0)),
    ],
)
def test_each_person_gets_it_at_eight_in_their_own_zone(day, paris_eight_utc, readers):
    minute = datetime.timedelta(minutes=1)
    assert digests_at(paris_eight_utc - minute) == set()
    assert digests_at(paris_eight_utc) == {("head", day)}
    assert digests_at(paris_eight_utc + minute) == set()
    cayenne_eight = datetime.datetime.fromisoformat(f"{day}T11:00:00+00:00")
    assert digests_at(cayenne_eight - minute) == set()
    assert digests_at(cayenne_eight) == {("director", day)}
    assert digests_at(cayenne_eight + 5 * minute) == set()
    assert Delivery.objects.filter(channel="email", notification__kind=Kind.DIGEST).count() == 2


def test_a_beat_down_for_two_days_catches_up_once(readers):
    assert digests_at(utc(2027, 3, 26, 5, 0)) == set()
    # Back on the 28th at noon UTC: one digest each, for that day, not three.
    assert digests_at(utc(2027, 3, 28, 12, 0)) == {
        ("head", "2027-03-28"),
        ("director", "2027-03-28"),
    }
    assert digests_at(utc(2027, 3, 28, 12, 5)) == set()
    assert digests_at(utc(2027, 3, 28, 21, 0)) == set()


def test_who_did_not_ask_gets_none_and_a_kind_kept_for_it_is_asking(cm, writer_a, readers):
    Preferences.objects.create(user=cm, choices={Kind.FAILED: Choice.DIGEST})
    Preferences.objects.create(user=writer_a, choices={Kind.FAILED: Choice.EMAIL})
    assert {who for who, _ in digests_at(utc(2027, 5, 4, 12, 0))} == {"head", "director", "cm"}


def test_the_writing_costs_the_same_queries_for_2_and_50_people(national):
    from accounts.roles import Role
    from tests.factories import UserFactory

    def run(n) -> int:
        for _ in range(n - Preferences.objects.count()):
            user = UserFactory(role=Role.COMMUNITY_MANAGER, department=national)
            Preferences.objects.create(user=user, wants_digest=True)
        Notification.objects.all().delete()
        with (
            CaptureQueriesContext(connection) as queries,
            time_machine.travel(utc(2027, 5, 4, 12, 0), tick=False),
        ):
            assert digest.write_due() == n
        return len([q for q in queries.captured_queries if not q["sql"].startswith("INSERT")])

    assert run(2) == run(50)


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = "https://cadence.example.gouv.fr"
        yield server


@pytest.fixture
def morning(readers, writer_a, dept_a, channel_a, dept_b, contrib_b, cm, settings):
    """The morning of 2027-03-28 in Paris: one post awaits approval, one goes out
    today, one failed yesterday, one of B goes out today too; the head keeps failures
    for the digest, and was told of one yesterday."""
    settings.NOTIFICATION_REMINDER_MINUTES = {"default": 120}
    head, director = readers
    Preferences.objects.filter(user=head).update(choices={Kind.REMINDER: Choice.DIGEST})

    def post(title, state, when, department=dept_a, author=writer_a, channels=None):
        made = PostFactory(
            title=title,
            author=author,
            origin_department=department,
            channels=channels if channels is not None else [channel_a],
            scheduled_at=when,
        )
        Post.objects.filter(pk=made.pk).update(state=state)
        return made

    with time_machine.travel(utc(2027, 3, 27, 9, 0), tick=False):
        post("Awaiting approval", PostState.PENDING_APPROVAL, utc(2027, 3, 28, 16, 0))
        post("Out this afternoon", PostState.APPROVED, utc(2027, 3, 28, 15, 0))
        post("Failed last night", PostState.FAILED, utc(2027, 3, 27, 21, 0))
        post("Failed two days ago", PostState.FAILED, utc(2027, 3, 26, 12, 0))
        post("Out tomorrow", PostState.APPROVED, utc(2027, 3, 29, 9, 0))
    # Reminded of the awaiting post yesterday evening (kept for the digest: no e-mail).
    with time_machine.travel(utc(2027, 3, 28, 14, 0) - datetime.timedelta(hours=20), tick=False):
        Post.objects.filter(title="Awaiting approval").update(scheduled_at=utc(2027, 3, 27, 20, 0))
        timed.run()
        Post.objects.filter(title="Awaiting approval").update(scheduled_at=utc(2027, 3, 28, 16, 0))
    assert not Delivery.objects.filter(notification__recipient=head, channel="email").exists()
    with time_machine.travel(utc(2027, 3, 28, 11, 0), tick=False):
        tasks.digests()
    return head, director


def sent_digests(smtp) -> None:
    ids = list(
        Delivery.objects.filter(notification__kind=Kind.DIGEST, channel="email").values_list(
            "pk", flat=True
        )
    )
    assert tasks.deliver(ids) == {"sent": len(ids)}
    assert tasks.deliver(ids) == {"already": len(ids)}


def test_the_digest_e_mail_in_english(smtp, morning):
    head, _ = morning
    sent_digests(smtp)
    [message] = smtp.to(head.email)
    assert message["Subject"] == "[Cadence] Your digest of March 28, 2027"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Awaiting approval" in part
        assert "Out this afternoon" in part
        assert "Out tomorrow" not in part
        assert "still awaits approval" in part  # the reminder kept for the digest
    # Failures await the head in the inbox; yesterday's are also told apart.
    failed = text.split("== Failed yesterday ==")[1].split("==")[0]
    assert "Failed last night" in failed
    assert "Failed two days ago" not in failed
    assert "https://cadence.example.gouv.fr/posts/" in text
    # 15:00 UTC is 17:00 in Paris, summer time since that night.
    assert "5:00 PM" in text


def test_the_digest_e_mail_in_french_in_cayenne(smtp, morning):
    _, director = morning
    sent_digests(smtp)
    [message] = smtp.to(director.email)
    assert message["Subject"] == "[Cadence] Votre récapitulatif du 28 mars 2027"
    text = message.get_body(("plain",)).get_content()
    assert "Ce qui vous attend" in text
    assert "Awaiting approval" in text
    assert "Out this afternoon" in text
    assert "12:00" in text  # 15:00 UTC in Cayenne
    assert "Failed last night" in text


def test_an_outsider_department_sees_nothing_of_a(smtp, morning, contrib_b):
    Preferences.objects.create(user=contrib_b, language="en", wants_digest=True)
    with time_machine.travel(utc(2027, 3, 28, 12, 0), tick=False):
        tasks.digests()
    sent_digests(smtp)
    [message] = smtp.to(contrib_b.email)
    text = message.get_body(("plain",)).get_content()
    assert "Nothing awaits you." in text
    for title in ("Awaiting approval", "Out this afternoon", "Failed last night"):
        assert title not in text


def test_building_a_digest_costs_the_same_at_2_and_50_posts(morning, writer_a, dept_a, channel_a):
    from notifications import email

    head, _ = morning
    notice = Notification.objects.get(recipient=head, kind=Kind.DIGEST)

    def cost() -> int:
        notice.recipient = type(head).objects.get(pk=head.pk)
        with CaptureQueriesContext(connection) as queries:
            email.build(notice)
        return len(queries)

    cost()
    few = cost()
    for n in range(50):
        made = PostFactory(
            author=writer_a,
            origin_department=dept_a,
            channels=[channel_a],
            scheduled_at=utc(2027, 3, 28, 12, n),
        )
        Post.objects.filter(pk=made.pk).update(state=PostState.APPROVED)
    assert cost() == few


def test_asking_for_the_digest_on_the_preferences_page(client, head):
    from django.urls import reverse

    from notifications.forms import CHOOSABLE

    client.force_login(head)
    data = {f"kind_{kind}": Choice.EMAIL for kind in CHOOSABLE}
    data |= {"language": "en", "wants_digest": "on"}
    assert client.post(reverse("notification-preferences"), data).status_code == 302
    assert Preferences.objects.get(user=head).wants_digest
    assert digests_at(utc(2027, 5, 4, 12, 0)) == {("head", "2027-05-04")}
