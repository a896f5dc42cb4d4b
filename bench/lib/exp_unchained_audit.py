"""EXPERIMENT, for the benchmarks only: the audit trail without its chain lock.

`editorial.audit.record` takes a row lock on the one chain head (`SELECT … FOR UPDATE`)
and keeps it until its transaction commits, so every transition of every post waits for
every other one. Loaded into the workers (and the bench process) by
`bench/burst.py --experiment unchained-audit`, this module replaces `record` with one
that writes the same entry with no lock, no sequence and no chain. That breaks what the
chain is for: it is an upper bound of what the lock costs, measured to size a fix (a
chain built after commit, or per-object chains), never a change to make as is.
"""

from __future__ import annotations

import uuid

from django.db import models, transaction
from django.utils import timezone

from editorial import audit
from editorial.models.audit import AuditEntry


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
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit entries are written inside the action's transaction.")
    entry = AuditEntry(
        seq=uuid.uuid4().int >> 66,  # unique enough for a bench; no order
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
        prev_hash="unchained",
        entry_hash=uuid.uuid4().hex + uuid.uuid4().hex,
    )
    entry.save()
    return entry


def record_many(items: list[dict]) -> list[AuditEntry]:
    return [record(**item) for item in items]


audit.record = record
audit.record_many = record_many  # the batch paths append through this one
