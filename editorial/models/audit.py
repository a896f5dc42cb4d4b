"""The audit trail: append-only, each entry chained to the previous one by SHA-256.

Entries are only ever created through `editorial.audit.record`; the ORM refuses to
update or delete them. The chain makes any change outside the ORM visible:
`manage.py verify_audit` recomputes every hash and names the first entry that breaks.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")


GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    created_at = models.DateTimeField(_("when"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text too, so the entry still says who acted if the account is renamed.
    actor_name = models.CharField(_("who (as recorded)"), max_length=150, editable=False)
    action = models.CharField(_("action"), max_length=40, editable=False)
    object_type = models.CharField(_("object type"), max_length=60, editable=False)
    object_id = models.PositiveBigIntegerField(_("object id"), editable=False)
    object_repr = models.CharField(_("object"), max_length=200, editable=False)
    from_state = models.CharField(_("from"), max_length=40, blank=True, editable=False)
    to_state = models.CharField(_("to"), max_length=40, blank=True, editable=False)
    comment = models.TextField(_("why"), blank=True, editable=False)
    data = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False, unique=True)
    # HMAC of entry_hash with a key kept outside the database (editorial/sealing.py).
    seal = models.CharField(max_length=64, editable=False, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        base_manager_name = "objects"  # no manager that bypasses the guard
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_obj_idx"),
            # A period of the trail: the reports' lead times and the public-records export.
            models.Index(fields=["created_at"], name="audit_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def compute_hash(self) -> str:
        """SHA-256 over every recorded field and the previous entry's hash."""
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "comment": self.comment,
            "data": self.data,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AuditChainHead(models.Model):
    """One row holding the end of the chain. Locking it serializes writers, so two
    concurrent transactions can never chain to the same previous entry, and it lets
    the verifier notice entries removed from the end of the chain."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
