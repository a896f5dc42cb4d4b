"""Write and verify the audit trail."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from editorial import sealing
from editorial.models.audit import GENESIS_HASH, AuditChainHead, AuditEntry


def plain(value):
    """A field's value as an entry's data keeps it: JSON, readable by a person (an
    object by its name, a date in ISO form)."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


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
    return record_many(
        [
            dict(
                actor=actor,
                action=action,
                obj=obj,
                from_state=from_state,
                to_state=to_state,
                comment=comment,
                data=data,
            )
        ]
    )[0]


def record_many(items: list[dict]) -> list[AuditEntry]:
    """Append several entries to the chain, in order, under one lock of the chain head:
    one INSERT and one head UPDATE whatever their number. Each item takes `record`'s
    keyword arguments. The entries chain exactly as if `record` wrote them one by one
    (consecutive seq, each prev_hash the previous entry's hash), so `verify_chain`
    cannot tell the difference. Same rule as `record`: inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit entries are written inside the action's transaction.")
    if not items:
        return []
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    seq, prev_hash = head.last_seq, head.last_hash
    entries = []
    for item in items:
        entry = _entry(seq + 1, prev_hash, **item)
        entries.append(entry)
        seq, prev_hash = entry.seq, entry.entry_hash
    AuditEntry.objects.bulk_create(entries)
    head.last_seq, head.last_hash = seq, prev_hash
    head.save(update_fields=["last_seq", "last_hash"])
    return entries


def _entry(
    seq: int,
    prev_hash: str,
    *,
    actor,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        seq=seq,
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
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.seal = sealing.seal(entry.entry_hash)
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


def verify_chain(
    batch_size: int = 2000, published: tuple[int, str] | None = None
) -> ChainBreak | None:
    """Walk the whole chain in order; return the first break, or None if it is intact.

    `published`: a head logged earlier outside the database (`head_line`), as (seq,
    hash): that entry must still be there with that hash, so a tail rewritten together
    with the chain head is noticed too.

    The entries and the chain head are read in one snapshot: actions committed while
    the walk runs must not make the head look ahead of the entries walked."""
    with snapshot():
        return _walk(batch_size, published)


def head_line() -> str:
    """The chain's head, to log outside the database: "#<seq> <hash>"."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return f"#{head.last_seq} {head.last_hash}" if head else f"#0 {GENESIS_HASH}"


def _walk(batch_size: int, published: tuple[int, str] | None = None) -> ChainBreak | None:
    expected_seq, expected_prev = 1, GENESIS_HASH
    for entry in _entries(batch_size):
        if published and entry.seq == published[0] and entry.entry_hash != published[1]:
            return ChainBreak(entry.seq, "differs from the head published earlier")
        if entry.seq != expected_seq:
            return ChainBreak(entry.seq, f"expected entry #{expected_seq} here: entries missing")
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.seq, "does not chain to the previous entry")
        if entry.compute_hash() != entry.entry_hash:
            return ChainBreak(entry.seq, "its content was altered after it was written")
        if not sealing.is_sealed(entry.entry_hash, entry.seal):
            return ChainBreak(
                entry.seq, "its seal does not match: it was written without the audit key"
            )
        expected_seq, expected_prev = entry.seq + 1, entry.entry_hash
    walked = expected_seq - 1
    if published and published[0] > walked:
        return ChainBreak(published[0], "published earlier, no longer in the chain")
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if walked > last_seq:
        return ChainBreak(
            last_seq + 1, f"added after the end of the chain (entry #{last_seq}), not by the app"
        )
    if walked < last_seq:
        return ChainBreak(None, f"the chain should end at entry #{last_seq}: entries missing")
    if last_hash != expected_prev:
        return ChainBreak(walked or None, "does not match the end of the chain recorded")
    return None


@contextmanager
def snapshot():
    """One consistent view of the trail while actions keep appending to it. On
    PostgreSQL a read-only REPEATABLE READ transaction (when not already inside one),
    which does not block writers; on SQLite the transaction holds the database lock."""
    fresh = not connection.in_atomic_block
    with transaction.atomic():
        if fresh and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _entries(batch_size: int) -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size)
