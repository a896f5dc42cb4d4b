"""The audit entries and notices of `seed_scale`, chained in Python.

Entries are gathered as the posts are made, then put in time order and chained exactly
as `editorial.audit.record_many` chains them (consecutive seq from the chain head, each
prev_hash the previous entry's hash, each sealed with the audit key), written in batches
and the head moved once: `manage.py verify_audit` cannot tell them from recorded ones.
The hash is `AuditEntry.compute_hash`'s, computed here without building model objects
(a million of them would take most of the time); the test checks the two agree through
`verify_audit`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

from demo.scale_insert import insert, next_id
from editorial import sealing
from editorial.models.audit import AuditChainHead, AuditEntry
from notifications.models import Notification

BATCH = 20000
ENTRY_COLUMNS = (
    "id",
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "from_state",
    "to_state",
    "comment",
    "data",
    "prev_hash",
    "entry_hash",
    "seal",
)
NOTICE_COLUMNS = (
    "recipient_id",
    "kind",
    "post_id",
    "plan_id",
    "actor_id",
    "event_id",
    "message",
    "params",
    "key",
    "created_at",
    "read_at",
)


class AuditPlan:
    def __init__(self) -> None:
        self._items: list[tuple] = []
        self._notices: dict[int, list[tuple]] = {}
        self.notifications_written = 0

    def add(
        self,
        at,
        actor,
        action,
        object_type,
        object_id,
        object_repr,
        src,
        dst,
        *,
        comment: str = "",
        notify: list | None = None,
    ) -> None:
        self._items.append(
            (
                at,
                actor.pk if actor is not None else None,
                actor.username if actor is not None else "system",
                action,
                object_type,
                object_id,
                object_repr[:200],
                str(src),
                str(dst),
                comment,
            )
        )
        for recipient, kind in notify or ():
            self._notices.setdefault(len(self._items) - 1, []).append((recipient.pk, kind))

    def notices_for_last(self, recipients, kind: str) -> None:
        index = len(self._items) - 1
        self._notices.setdefault(index, []).extend((r.pk, kind) for r in recipients)

    def write(self, *, log=print) -> int:
        """Chain, seal and insert every entry, then the notices that point at them."""
        keys = sealing.configured_keys()
        if not keys:
            raise sealing.KeysMissing("The audit key is not set: entries cannot be sealed.")
        key = keys[0]
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev_hash = head.last_seq, head.last_hash
        first_id = next_id(AuditEntry)
        order = sorted(range(len(self._items)), key=lambda i: self._items[i][0])
        dumps, sha256, new_mac = json.dumps, hashlib.sha256, hmac.new
        entries, notices = [], []
        for index in order:
            at, actor_id, actor_name, action, otype, oid, orepr, src, dst, comment = self._items[
                index
            ]
            seq += 1
            payload = {
                "seq": seq,
                "created_at": at.isoformat(),
                "actor_id": actor_id,
                "actor_name": actor_name,
                "action": action,
                "object_type": otype,
                "object_id": oid,
                "object_repr": orepr,
                "from_state": src,
                "to_state": dst,
                "comment": comment,
                "data": {},
                "prev_hash": prev_hash,
            }
            canonical = dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            entry_hash = sha256(canonical.encode("utf-8")).hexdigest()
            seal = new_mac(key, entry_hash.encode(), hashlib.sha256).hexdigest()
            entry_id = first_id + len(entries)
            entries.append(
                (
                    entry_id,
                    seq,
                    at,
                    actor_id,
                    actor_name,
                    action,
                    otype,
                    oid,
                    orepr,
                    src,
                    dst,
                    comment,
                    {},
                    prev_hash,
                    entry_hash,
                    seal,
                )
            )
            prev_hash = entry_hash
            for recipient_id, kind in self._notices.get(index, ()):
                label = "post" if otype == "editorial.post" else "plan"
                notices.append(
                    (
                        recipient_id,
                        kind,
                        oid if label == "post" else None,
                        oid if label == "plan" else None,
                        actor_id,
                        entry_id,
                        kind,
                        {label: orepr, "actor": actor_name},
                        f"scale:{seq}:{recipient_id}",
                        at,
                        at + datetime.timedelta(hours=2) if at.year < _this_year() else None,
                    )
                )
        log(f"audit chain computed: {len(entries)} entries")
        for start in range(0, len(entries), BATCH):
            insert(AuditEntry, ENTRY_COLUMNS, entries[start : start + BATCH])
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        self.notifications_written = insert(Notification, NOTICE_COLUMNS, notices)
        self._items.clear()
        return len(entries)


def _this_year() -> int:
    return datetime.date.today().year
