import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


P = PlanState


def _has_items(plan: "WeeklyPlan") -> bool:
    return plan.posts.exists()


class WeeklyPlan(ConcurrentTransitionMixin, models.Model):
    """A team's plan for one ISO week ("prévisionnel hebdomadaire"), approved as a whole."""

    team = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("team"),
    )
    iso_year = models.PositiveSmallIntegerField(_("year"))
    iso_week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    state = FSMField(
        _("state"), max_length=12, choices=PlanState.choices, default=P.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-iso_year", "-iso_week", "team__name"]
        verbose_name = _("weekly plan")
        verbose_name_plural = _("weekly plans")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "iso_year", "iso_week"], name="one_plan_per_team_and_week"
            )
        ]

    WORKFLOW_FIELDS = ("state", "submitted_by", "reviewed_by")

    def __str__(self) -> str:
        return f"{self.team} — {self.iso_year}-W{self.iso_week:02d}"

    @property
    def monday(self) -> datetime.date:
        return datetime.date.fromisocalendar(self.iso_year, self.iso_week, 1)

    @transition(
        state,
        [P.DRAFT, P.RETURNED],
        P.SUBMITTED,
        conditions=[_has_items],
    )
    def submit_plan(self) -> None: ...

    @transition(state, P.SUBMITTED, P.APPROVED)
    def approve_plan(self) -> None: ...

    @transition(state, P.SUBMITTED, P.RETURNED)
    def return_plan(self) -> None: ...
