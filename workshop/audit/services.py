"""Recording audit events; called by other features' services in the same transaction."""

from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, or_, select

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


def forget(user_id: int) -> int:
    """Erasure: drop every event the person made or that is about them, and take them out
    of the details of the rest (a loan, a register). Returns how many events were dropped.

    Run last, after every feature has done its part (and recorded it)."""
    about_them = or_(
        AuditEvent.actor_id == user_id,
        and_(AuditEvent.target_type == "user", AuditEvent.target_id == user_id),
    )
    dropped = cast(CursorResult, db.session.execute(
        delete(AuditEvent).where(about_them).execution_options(synchronize_session=False)
    )).rowcount
    named = db.session.scalars(select(AuditEvent).where(
        AuditEvent.details["participant_id"].as_integer() == user_id)).all()
    for event in named:
        # A new dict: the JSON column notices a replaced value, not one changed in place.
        event.details = {k: v for k, v in event.details.items() if k != "participant_id"}
    db.session.flush()
    return dropped


def forget_targets(target_type: str, target_ids: list[int]) -> int:
    """Erasure: drop every event about these things of the person's (their photos).
    Returns how many events were dropped."""
    if not target_ids:
        return 0
    return cast(CursorResult, db.session.execute(
        delete(AuditEvent).where(AuditEvent.target_type == target_type,
                                 AuditEvent.target_id.in_(target_ids))
        .execution_options(synchronize_session=False))).rowcount
