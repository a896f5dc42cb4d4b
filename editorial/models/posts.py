import hashlib
import secrets
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PLANNED = "planned", _("Planned")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    PENDING_SIGNOFF = "pending_signoff", _("Pending sign-off")
    APPROVED = "approved", _("Approved")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CANCELLED = "cancelled", _("Cancelled")


S = PostState
# States in which a person may still change the content without voiding anything.
FREELY_EDITABLE = [S.DRAFT, S.CHANGES_REQUESTED, S.SUBMITTED, S.PLANNED]
# States in which a review has started or ended: an edit sends the post back to draft.
UNDER_REVIEW = [S.PENDING_APPROVAL, S.PENDING_SIGNOFF, S.APPROVED]
# States from which nothing has gone out yet and the post can be called off.
CANCELLABLE = [*FREELY_EDITABLE, *UNDER_REVIEW]
# States whose scheduled time passing without approval makes the post overdue.
UNAPPROVED = [*FREELY_EDITABLE, S.PENDING_APPROVAL, S.PENDING_SIGNOFF]


class Category(models.TextChoices):
    COLD_NEWS = "cold_news", _("Cold news")
    INSTITUTIONAL = "institutional", _("Institutional")
    PREVENTION = "prevention", _("Prevention")
    HOT_NEWS = "hot_news", _("Hot news")
    CONVERSATION = "conversation", _("Conversation")


def _is_ready(post: "Post") -> bool:
    return not post.readiness_problems()


def _is_schedulable(post: "Post") -> bool:
    return not post.schedule_problems()


# The order posts are shown in: by time, posts without one last (SQLite would put them
# first and PostgreSQL last if the order did not say), then by creation.
BY_SCHEDULE = (models.F("scheduled_at").asc(nulls_last=True), "pk")


class Post(ConcurrentTransitionMixin, models.Model):
    """One piece of content for one or more channels, and where it is in the workflow.

    The state field is protected: only the transition methods below change it, and
    only the functions in `editorial.workflow` call them (with the audit and signals).
    `ConcurrentTransitionMixin` makes a save fail if another request changed the state
    since this instance was loaded, so two approvers cannot both win.
    """

    title = models.CharField(_("title"), max_length=200, help_text=_("Internal, not published."))
    body = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    channels = models.ManyToManyField(
        "editorial.Channel", related_name="posts", blank=True, verbose_name=_("channels")
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    origin_department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="posts",
        verbose_name=_("department"),
    )
    campaign = models.ForeignKey(
        "editorial.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("campaign"),
    )
    plan = models.ForeignKey(
        "editorial.WeeklyPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("weekly plan"),
        editable=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_posts",
        editable=False,
    )
    last_editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="edited_posts",
        editable=False,
    )
    # Who wrote the content or changed it since it was last approved: the four-eyes rule
    # keeps every one of them from approving it, whoever touched the post last. Edits
    # that change nothing of the content (a title, a place on the board) do not count.
    content_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, editable=False
    )
    state = FSMField(
        _("state"), max_length=20, choices=PostState.choices, default=S.DRAFT, protected=True
    )
    urgent = models.BooleanField(_("urgent"), default=False, editable=False)
    sensitive = models.BooleanField(_("sensitive"), default=False, editable=False)
    sensitive_reason = models.CharField(
        _("why sensitive"), max_length=300, blank=True, editable=False
    )
    sensitivity_rule = models.ForeignKey(
        "editorial.SensitivityRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The content a person cleared of sensitivity: rules stay quiet until it changes, and
    # that person may not also approve it (two people clear sensitive content).
    sensitivity_lifted_hash = models.CharField(max_length=64, blank=True, editable=False)
    sensitivity_lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True, editable=False)
    # Set by the scheduler when a due post may not go out now (pause, outage, crisis):
    # a person must confirm or reschedule it. Never released automatically.
    held_at = models.DateTimeField(_("held since"), null=True, blank=True, editable=False)
    held_reason = models.CharField(_("why held"), max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = BY_SCHEDULE
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["state", "scheduled_at"], name="post_state_due_idx"),
            models.Index(fields=["origin_department", "scheduled_at"], name="post_dept_idx"),
            # The publishing sweep only ever looks at approved posts not held.
            models.Index(
                fields=["scheduled_at"],
                name="post_due_sweep_idx",
                condition=models.Q(state="approved", held_at__isnull=True),
            ),
            # The overdue sweep only ever looks at unapproved posts not yet marked.
            models.Index(
                fields=["scheduled_at"],
                name="post_overdue_sweep_idx",
                condition=models.Q(state__in=UNAPPROVED, overdue_at__isnull=True),
            ),
            # The post list's default order: newest first, read a page at a time.
            models.Index(fields=["-created_at", "-id"], name="post_newest_idx"),
        ]

    # What transitions change; everything else is content, changed only by edit_post.
    WORKFLOW_FIELDS = ("state", "urgent", "plan", "held_at", "held_reason", "updated_at")

    def __str__(self) -> str:
        return self.title

    # --- questions the workflow asks ---------------------------------------------------

    @property
    def is_overdue(self) -> bool:
        return self.overdue_at is not None

    def readiness_problems(self) -> list[str]:
        """What keeps this post from leaving draft, in words for its author."""
        from editorial.content import content_problems

        return content_problems(self) + self.schedule_problems()

    def schedule_problems(self) -> list[str]:
        if self.scheduled_at is None:
            return [str(_("Choose when the post goes out."))]
        if self.scheduled_at <= timezone.now():
            return [str(_("The scheduled time has passed: choose a time in the future."))]
        return []

    # --- transitions: (action) source -> target, who may, on what condition -------------

    @transition(
        state,
        [S.DRAFT, S.CHANGES_REQUESTED],
        S.SUBMITTED,
        conditions=[_is_ready],
    )
    def submit(self) -> None: ...

    @transition(state, S.SUBMITTED, S.PLANNED, conditions=[_is_ready])
    def accept(self) -> None: ...

    @transition(state, S.SUBMITTED, S.CHANGES_REQUESTED)
    def return_submission(self) -> None: ...

    @transition(
        state,
        [S.DRAFT, S.CHANGES_REQUESTED],
        S.PLANNED,
        conditions=[_is_ready],
    )
    def plan_into_week(self) -> None: ...

    @transition(
        state,
        S.PLANNED,
        S.PENDING_APPROVAL,
        conditions=[_is_ready],
    )
    def send_for_approval(self) -> None: ...

    @transition(
        state,
        [S.DRAFT, S.SUBMITTED, S.PLANNED, S.CHANGES_REQUESTED],
        S.PENDING_APPROVAL,
        conditions=[_is_ready],
    )
    def fast_track(self) -> None:
        self.urgent = True

    @transition(
        state,
        S.PENDING_APPROVAL,
        RETURN_VALUE(S.APPROVED, S.PENDING_SIGNOFF),
        conditions=[_is_ready],
    )
    def approve(self, needs_signoff: bool) -> str:
        return S.PENDING_SIGNOFF if needs_signoff else S.APPROVED

    @transition(
        state,
        S.PENDING_SIGNOFF,
        S.APPROVED,
        conditions=[_is_schedulable],
    )
    def sign_off(self) -> None: ...

    @transition(
        state,
        [S.PENDING_APPROVAL, S.PENDING_SIGNOFF],
        S.CHANGES_REQUESTED,
    )
    def request_changes(self) -> None: ...

    @transition(
        state,
        [S.DRAFT, S.CHANGES_REQUESTED],
        S.APPROVED,
        conditions=[_is_ready],
    )
    def self_approve(self) -> None: ...

    @transition(state, S.PENDING_APPROVAL, S.PLANNED)
    def back_to_plan(self) -> None: ...

    @transition(state, S.APPROVED, S.PENDING_SIGNOFF)
    def back_to_signoff(self) -> None: ...

    @transition(
        state,
        S.PENDING_SIGNOFF,
        RETURN_VALUE(S.APPROVED, S.PENDING_APPROVAL),
    )
    def lift_signoff(self, approval_stands: bool) -> str:
        """No longer sensitive: no sign-off to wait for. Approved if someone other than
        the person lifting the flag approved it, else back for another approval."""
        return S.APPROVED if approval_stands else S.PENDING_APPROVAL

    @transition(state, UNDER_REVIEW, S.DRAFT)
    def revert_to_draft(self) -> None: ...

    @transition(state, CANCELLABLE, S.CANCELLED)
    def cancel(self) -> None: ...

    # Publishing transitions: taken by the publisher, never by a person.
    @transition(state, S.APPROVED, S.PUBLISHING)
    def start_publishing(self) -> None: ...

    @transition(state, S.PUBLISHING, S.PUBLISHED)
    def mark_published(self) -> None: ...

    @transition(state, S.PUBLISHING, S.FAILED)
    def mark_failed(self) -> None: ...

    # A person sends the failed publications of a failed post again (workflow.retry_failed).
    @transition(state, S.FAILED, S.PUBLISHING)
    def retry_failed(self) -> None: ...


class PostVariant(models.Model):
    """The text to use on one channel instead of the post's main text."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel = models.ForeignKey("editorial.Channel", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("text for this channel"))

    class Meta:
        ordering = ["channel_id"]
        verbose_name = _("channel variant")
        verbose_name_plural = _("channel variants")
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="one_variant_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.post} — {self.channel}"


def _image_path(instance: "PostImage", filename: str) -> str:
    # A random name: an image's address tells nothing and cannot be guessed; only the
    # extension is kept (the real format's, see editorial/images.py). Images stored
    # before were named posts/<year>/<month>/<the uploader's name>: they keep it.
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"posts/{secrets.token_urlsafe(16)}{suffix}"


class PostImage(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=_image_path)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=1000,
        help_text=_("Describe the image for people who cannot see it. Required."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    sha256 = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text[:60]

    def save(self, *args, **kwargs) -> None:
        # The approval is bound to the exact bytes: hash a file whenever a new one comes.
        if self.image and (not self.sha256 or not getattr(self.image, "_committed", True)):
            digest = hashlib.sha256()
            for chunk in self.image.chunks():
                digest.update(chunk)
            self.sha256 = digest.hexdigest()
        super().save(*args, **kwargs)


class ApprovalLevel(models.TextChoices):
    HEAD = "head", _("Head of communication")
    DIRECTOR = "director", _("Director")
    SELF = "self", _("Community manager (conversation)")


class Approval(models.Model):
    """Who approved which exact content (its SHA-256), at which level, and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=8, choices=ApprovalLevel.choices)
    content_hash = models.CharField(_("content SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("approved at"), default=timezone.now)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        indexes = [
            models.Index(
                fields=["post", "created_at"],
                name="approval_valid_idx",
                condition=models.Q(voided_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.approver} ({self.content_hash[:12]})"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]
