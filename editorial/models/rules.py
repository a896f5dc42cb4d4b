from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class SensitivityRule(models.Model):
    """A keyword or regular expression from the note-cadre that makes a post sensitive."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("Keyword or phrase")
        REGEX = "regex", _("Regular expression")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.KEYWORD)
    pattern = models.CharField(_("pattern"), max_length=300)
    topic = models.CharField(_("topic"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["topic", "pattern"]
        verbose_name = _("sensitivity rule")
        verbose_name_plural = _("sensitivity rules")
        indexes = [models.Index(fields=["active"], name="rule_active_idx")]

    def __str__(self) -> str:
        return f"{self.topic}: {self.pattern}"

    def clean(self) -> None:
        from editorial.sensitivity import compile_rule

        try:
            compile_rule(self)
        except ValueError as exc:
            raise ValidationError({"pattern": str(exc)}) from None
