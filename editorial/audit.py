"""Write and verify the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from editorial.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Must run inside the action's transaction, so the
    entry exists if and only if the change it describes was committed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit entries are written inside the action's transaction.")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entry


def entries_for(obj: models.Model):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk)


@dataclass(frozen=True)
class ChainBreak:
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"entry #{self.seq}" if self.seq is not None else "end of chain"
        return f"{where}: {self.problem}"


def verify_chain(batch_size: int = 2000) -> ChainBreak | None:
    """Walk the whole chain in order; return the first break, or None if it is intact."""
    expected_seq, expected_prev = 1, GENESIS_HASH
    for entry in _entries(batch_size):
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, f"expected entry #{expected_seq} here: entries missing")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "does not chain to the previous entry")
        if entry.compute_hash() != entry.entry_hash:
            return ChainBreak(entry.seq, "its content was altered after it was written")
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if (last_seq, last_hash) != (expected_seq - 1, expected_prev):
        return ChainBreak(None, f"the chain should end at entry #{last_seq}: entries missing")
    return None


def _entries(batch_size: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size)
