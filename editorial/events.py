"""The workflow signal, and the one way to say that an action happened: an audit entry
written inside the action's transaction, and the signal sent once it has committed.

A leaf module (it imports only the audit chain and the models), so that every layer —
the workflow functions, the publisher, the admin — can use it without importing the
workflow package and the cycles that would come with it. Receivers (notifications,
the API's webhooks later) connect to `workflow_action`; the code that changes state
never knows who listens.
"""

from __future__ import annotations

from functools import partial

from django.db import models, transaction
from django.dispatch import Signal

# Sent once per workflow action, after its transaction commits, with:
# instance, actor (None for the system), action, from_state, to_state, comment, and
# entry: the audit entry of the action (None for the few steps that write none), which
# names the event once for a receiver that must act on it once (notifications).
workflow_action = Signal()


def emit(
    obj, actor, action: str, from_state: str, to_state: str, comment: str = "", *, entry=None
) -> None:
    """Send the workflow signal once the surrounding transaction has committed."""
    transaction.on_commit(
        partial(
            workflow_action.send,
            sender=type(obj),
            instance=obj,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            entry=entry,
        )
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
):
    """The audit entry and the signal of one action, inside its transaction: the entry
    is written now (it exists if and only if the change commits), the signal is sent
    once the change has committed. Takes `audit.record`'s arguments."""
    from editorial import audit

    entry = audit.record(
        actor=actor,
        action=action,
        obj=obj,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data,
    )
    emit(obj, actor, action, from_state, to_state, comment, entry=entry)
    return entry
