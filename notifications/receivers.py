"""The workflow signal's receiver: each audited event becomes its notices.

Runs after the action's transaction has committed (`editorial.events`), in the process
that acted — a request, a worker, the demo. What it writes is committed apart from the
action: a failure here is logged and the action stands, as it happened.
"""

from __future__ import annotations

import logging

from editorial.events import workflow_action
from notifications import notify, recipients

logger = logging.getLogger(__name__)

DISPATCH_UID = "notifications.on_workflow_action"


def on_workflow_action(
    sender, instance, actor, action, from_state, to_state, comment="", entry=None, **kwargs
) -> None:
    if entry is None:
        return  # a step with no audit entry (publishing started…) tells nobody
    try:
        notices = recipients.notices_for(instance, actor, action, from_state, to_state, comment)
        if notices:
            notify.fan_out(entry, actor, notices, instance)
    except Exception:
        logger.exception("Could not notify anyone of %s (audit entry #%s)", action, entry.seq)


def connect() -> None:
    workflow_action.connect(on_workflow_action, dispatch_uid=DISPATCH_UID)
