"""Recording audit events; called by other features' services in the same transaction."""

from typing import Any

from workshop.audit.models import AuditEvent
from workshop.extensions import db


def record(
    actor, action: str, target_type: str, target_id: int | None,
    site_id: int | None = None, **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        site_id=site_id,
        details=details,
    )
    db.session.add(event)
    return event
