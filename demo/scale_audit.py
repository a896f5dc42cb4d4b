"""The audit entries and notices of `seed_scale`, chained in Python.

Entries are gathered as the posts are made, then put in time order and chained exactly
as `editorial.audit.record_many` chains them (consecutive seq from the chain head, each
prev_hash the previous entry's hash, each sealed with the audit key), written in batches
and the head moved once: `manage.py verify_audit` cannot tell them from recorded ones.
"""

from __future__ import annotations

import datetime

from editorial import sealing
from editorial.models.audit import AuditChainHead, AuditEntry
from notifications.models import Notification

BATCH = 5000


class AuditPlan:
    def __init__(self) -> None:
        self._items: list[tuple] = []
        self._notices: dict[int, list[tuple]] = {}
        self.notifications_written = 0

    def add(
        self,
        at: datetime.datetime,
        actor,
        action: str,
        obj,
        from_state: str,
        to_state: str,
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
                obj._meta.label_lower,
                obj.pk,
                str(obj)[:200],
                str(from_state),
                str(to_state),
                comment,
            )
        )
        for recipient, kind in notify or ():
            self._notice(recipient, kind, obj)

    def notices_for_last(self, recipients, kind: str, post=None, *, plan=None) -> None:
        for recipient in recipients:
            self._notice(recipient, kind, post or plan)

    def _notice(self, recipient, kind: str, obj) -> None:
        index = len(self._items) - 1
        self._notices.setdefault(index, []).append((recipient.pk, kind, obj._meta.model_name))

    def write(self, *, log=print) -> int:
        """Chain, seal and insert every entry, then the notices that point at them."""
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev_hash = head.last_seq, head.last_hash
        order = sorted(range(len(self._items)), key=lambda i: self._items[i][0])
        key = sealing.configured_keys()
        if not key:
            raise sealing.KeysMissing("The audit key is not set: entries cannot be sealed.")
        written = 0
        for start in range(0, len(order), BATCH):
            entries, notices = [], []
            for index in order[start : start + BATCH]:
                at, actor_id, actor_name, action, otype, oid, orepr, src, dst, comment = (
                    self._items[index]
                )
                seq += 1
                entry = AuditEntry(
                    seq=seq,
                    created_at=at,
                    actor_id=actor_id,
                    actor_name=actor_name,
                    action=action,
                    object_type=otype,
                    object_id=oid,
                    object_repr=orepr,
                    from_state=src,
                    to_state=dst,
                    comment=comment,
                    data={},
                    prev_hash=prev_hash,
                )
                entry.entry_hash = prev_hash = entry.compute_hash()
                entry.seal = sealing.seal(entry.entry_hash)
                entries.append(entry)
                for recipient_id, kind, model in self._notices.get(index, ()):
                    notices.append((entry, recipient_id, kind, model))
            AuditEntry.objects.bulk_create(entries)
            written += len(entries)
            self._write_notices(notices)
            if start and start % (BATCH * 40) == 0:
                log(f"audit entries: {written}")
        head.last_seq, head.last_hash = seq, prev_hash
        head.save(update_fields=["last_seq", "last_hash"])
        self._items.clear()
        return written

    def _write_notices(self, notices) -> None:
        rows = []
        for entry, recipient_id, kind, model in notices:
            about = {"post_id" if model == "post" else "plan_id": entry.object_id}
            label = "post" if model == "post" else "plan"
            rows.append(
                Notification(
                    recipient_id=recipient_id,
                    kind=kind,
                    actor_id=entry.actor_id,
                    event_id=entry.pk,
                    message=kind,
                    params={label: entry.object_repr, "actor": entry.actor_name},
                    key=f"scale:{entry.seq}:{recipient_id}",
                    created_at=entry.created_at,
                    read_at=entry.created_at + datetime.timedelta(hours=2)
                    if entry.created_at.year < datetime.date.today().year
                    else None,
                    **about,
                )
            )
        Notification.objects.bulk_create(rows)
        self.notifications_written += len(rows)
