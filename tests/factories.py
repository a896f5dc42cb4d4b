"""Factories for tests: build valid objects with the least said."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from accounts.scope import add_member, create_department, give_role
from editorial.models import Campaign, Category, Channel, Network, Post, SensitivityRule


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"DDSP {n:02d}")
    code = factory.Sequence(lambda n: f"ddsp-{n:02d}")
    is_national = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Departments are only ever made with their group and scope permission.
        return create_department(kwargs["name"], kwargs["code"], is_national=kwargs["is_national"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("demo")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            give_role(self, Role(extracted))

    @factory.post_generation
    def department(self, create, extracted, **kwargs):
        if extracted:
            add_member(extracted, self)


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel
        skip_postgeneration_save = True  # `credentials` saves what it changes

    name = factory.Sequence(lambda n: f"Channel {n}")
    network = Network.LOG
    handle = factory.Sequence(lambda n: f"@channel{n}@social.example")
    department = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def credentials(obj, create, extracted, **kwargs):
        """`ChannelFactory(credentials={"access_token": …})`: stored encrypted."""
        if extracted:
            obj.set_credentials(extracted)
            if create:
                obj.save(update_fields=["encrypted_credentials"])


WEBHOOK_SIGNING_SECRET = "test-signing-secret-never-shown"


class WebhookChannelFactory(ChannelFactory):
    """A webhook channel in the generic format: `WebhookChannelFactory(endpoint_url=…)`,
    the address kept encrypted with the signing secret `WEBHOOK_SIGNING_SECRET` (or the
    `credentials` given)."""

    network = Network.WEBHOOK
    settings = factory.LazyFunction(lambda: {"webhook_format": "generic"})

    @factory.post_generation
    def endpoint_url(obj, create, extracted, **kwargs):
        secrets = {"signing_secret": WEBHOOK_SIGNING_SECRET, **obj.credentials}
        secrets["endpoint_url"] = extracted or "http://127.0.0.1:9/hook"
        obj.set_credentials(secrets)
        if create:
            obj.save(update_fields=["encrypted_credentials"])


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    department = factory.SubFactory(DepartmentFactory)


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class PostFactory(factory.django.DjangoModelFactory):
    """A draft, ready to leave draft: one channel of its department, a future time.

    It is created straight in the database (not through the workflow) so that a test
    can start from any content; use the workflow functions to move it along.
    """

    class Meta:
        model = Post
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post {n}")
    body = "Conseils de prévention pour les fêtes de fin d'année."
    category = Category.HOT_NEWS
    scheduled_at = factory.LazyFunction(lambda: in_days(3))
    origin_department = factory.SubFactory(DepartmentFactory)
    author = factory.SubFactory(UserFactory)
    last_editor = factory.SelfAttribute("author")

    @factory.post_generation
    def channels(self, create, extracted, **kwargs):
        from editorial.content import compute_content_hash

        channels = (
            extracted
            if extracted is not None
            else [ChannelFactory(department=self.origin_department)]
        )
        self.channels.set(channels)
        self.content_hash = compute_content_hash(self)
        self.save()
        # As `workflow.create_post` and `edit_post` would have recorded them.
        self.content_authors.set({self.author, self.last_editor})


class SensitivityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SensitivityRule

    kind = SensitivityRule.Kind.KEYWORD
    pattern = "attentat"
    topic = "Terrorisme"


def shown_items(plan) -> dict[int, str]:
    """What a reviewer looking at `plan` now is shown: each item awaiting approval, with
    the hash of its content (for `workflow.approve_plan`)."""
    from editorial.content import compute_content_hashes
    from editorial.models import PostState

    pending = plan.posts.filter(state=PostState.PENDING_APPROVAL).values_list("pk", flat=True)
    return compute_content_hashes(list(pending))


def approved_in_bulk(
    count: int,
    *,
    channels: list[Channel],
    author: User,
    approver: User,
    scheduled_at: datetime.datetime,
    text=lambda i: f"Avis de prévention n°{i}.",
) -> list[Post]:
    """`count` approved posts of the channels' department written straight to the
    database, each on one channel taken in turn from `channels`: the workflow for
    hundreds or thousands of posts takes longer than the test or benchmark around it.
    The approvals are real: an Approval row each, bound to the hash of the content as
    stored (computed for all at once), which is what the publisher checks."""
    from editorial.content import compute_content_hashes
    from editorial.models import Approval, ApprovalLevel, PostState

    posts = Post.objects.bulk_create(
        Post(
            title=text(i)[:200],
            body=text(i),
            category=Category.PREVENTION,
            scheduled_at=scheduled_at,
            origin_department_id=channels[i % len(channels)].department_id,
            author=author,
            last_editor=author,
        )
        for i in range(count)
    )
    Post.channels.through.objects.bulk_create(
        Post.channels.through(post_id=post.pk, channel_id=channels[i % len(channels)].pk)
        for i, post in enumerate(posts)
    )
    hashes = compute_content_hashes([post.pk for post in posts])
    for post in posts:
        post.content_hash = hashes[post.pk]
    Post.objects.bulk_update(posts, ["content_hash"], batch_size=1000)
    ids = [post.pk for post in posts]
    Post.objects.filter(pk__in=ids).update(state=PostState.APPROVED)
    Approval.objects.bulk_create(
        Approval(post_id=pk, approver=approver, level=ApprovalLevel.HEAD, content_hash=hashes[pk])
        for pk in ids
    )
    return list(Post.objects.filter(pk__in=ids).order_by("pk"))
