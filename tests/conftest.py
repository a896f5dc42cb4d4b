"""Personas shared by the whole suite: one per role, in two departments, and an outsider.

- `national`: the national team; `dept_a` ("DDSP 67") and `dept_b` ("DDSP 13").
- `cm`, `head`, `director`, `admin_user`: national roles, working in every department.
- `contrib_a`, `contrib_b`: department contributors of A and of B.
- `writer_a`: another contributor of A, who writes the posts the others act on.
- `outsider`: a staff account with no role and no department.
- `post_a`: a ready draft of A by writer_a; `pending` and `approved`: the same post
  fast-tracked by cm, then approved by head.

A test that reaches personas only through `request.getfixturevalue` must still carry
`@pytest.mark.django_db`: pytest-django orders tests by their marks, and an unmarked one
may run after the transactional tests, which leave the database flushed.
"""

import os

import pytest
from django.db import connection
from django.test import Client

from accounts.roles import Role
from tests.factories import ChannelFactory, DepartmentFactory, PostFactory, UserFactory
from tests.loopback import LoopbackChannel


@pytest.fixture(autouse=True)
def second_factor_with_force_login(monkeypatch):
    """`client.force_login(head)` signs in as the person would: a head of communication,
    a director or an administrator with their second factor given (a verified session,
    accounts/two_factor.py). `tests.sign_in.password_only_login` gives the password alone."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.two_factor import needs_two_factor
    from tests.sign_in import enrol

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if needs_two_factor(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrol(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def national(db):
    return DepartmentFactory(name="Équipe nationale", code="national", is_national=True)


@pytest.fixture
def dept_a(db):
    return DepartmentFactory(name="DDSP 67 Bas-Rhin", code="ddsp-67")


@pytest.fixture
def dept_b(db):
    return DepartmentFactory(name="DDSP 13 Bouches-du-Rhône", code="ddsp-13")


@pytest.fixture
def cm(national):
    return UserFactory(username="cm", role=Role.COMMUNITY_MANAGER, department=national)


@pytest.fixture
def head(national):
    return UserFactory(username="head", role=Role.HEAD_OF_COMMUNICATION, department=national)


@pytest.fixture
def director(national):
    return UserFactory(username="director", role=Role.DIRECTOR, department=national)


@pytest.fixture
def admin_user(national):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, department=national)


@pytest.fixture
def contrib_a(dept_a):
    return UserFactory(username="contrib67", role=Role.CONTRIBUTOR, department=dept_a)


@pytest.fixture
def writer_a(dept_a):
    return UserFactory(username="writer67", role=Role.CONTRIBUTOR, department=dept_a)


@pytest.fixture
def contrib_b(dept_b):
    return UserFactory(username="contrib13", role=Role.CONTRIBUTOR, department=dept_b)


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def loopback():
    """A channel's HTTP endpoint on this machine, recording every request it receives."""
    with LoopbackChannel() as server:
        yield server


@pytest.fixture
def channel_a(dept_a):
    return ChannelFactory(name="Police 67", department=dept_a)


@pytest.fixture
def post_a(writer_a, dept_a, channel_a):
    """A ready draft of department A, written by writer_a."""
    return PostFactory(author=writer_a, origin_department=dept_a, channels=[channel_a])


@pytest.fixture
def pending(post_a, cm):
    """post_a, fast-tracked by the community manager: pending approval."""
    from editorial import workflow

    workflow.fast_track(post_a, cm)
    return post_a


@pytest.fixture
def approved(pending, head):
    """post_a, approved by the head of communication."""
    from editorial import workflow

    workflow.approve(pending, head)
    return pending


@pytest.fixture
def week(cm, writer_a, dept_a, channel_a, national):
    """The national team's plan for a week of 2030, submitted: four items of A (Item 0-3)
    pending approval, Item 3 sensitive."""
    from editorial import workflow

    plan = workflow.plan_for_week(national, 2030, 12, cm)
    posts = []
    for n in range(4):
        post = PostFactory(
            title=f"Item {n}", author=writer_a, origin_department=dept_a, channels=[channel_a]
        )
        workflow.submit(post, writer_a)
        workflow.accept(post, cm, plan=plan)
        posts.append(post)
    workflow.mark_sensitive(posts[3], cm, "Procès en cours.")
    workflow.submit_plan(plan, cm)
    for post in posts:
        post.refresh_from_db()
    return plan, posts


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items):
    """A test that asks for the `postgres` fixture carries the `postgres` mark, so that
    `-m "not postgres"` (the SQLite run) leaves it out instead of failing it on CI."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def postgres(db):
    """Skip (or, on CI, fail) a test that needs PostgreSQL when the suite runs elsewhere."""
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://…"
        if _ci():
            pytest.fail(f"CI=true but the database is {connection.vendor}: {message}")
        pytest.skip(message)


@pytest.fixture
def facebook_without_connector(monkeypatch):
    """Facebook as a network Cadence has no connector for (a deployment's data from
    before its adapter, or one withdrawn): out of the registry for this test, so that the
    tests of such a network do not depend on which networks have an adapter today."""
    from editorial.channels import ADAPTERS
    from editorial.models import Network

    monkeypatch.delitem(ADAPTERS, Network.FACEBOOK)
