"""Recording administrative actions in the audit log."""
from __future__ import annotations

import json

from app.admin.models import AuditEvent
from app.extensions import db


def record_event(actor, action: str, target_type: str | None = None, target_id=None, **detail) -> AuditEvent:
    """Add an :class:`AuditEvent` to the session (the caller's commit saves it).

    ``actor`` is a User or ``None`` (command line); ``detail`` values must be
    JSON-serialisable (dates as ISO text). Returns the event.
    """
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    )
    db.session.add(event)
    return event
