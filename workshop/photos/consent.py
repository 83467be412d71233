"""Consent per photo and purpose: given, witnessed, withdrawn, expired."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from workshop.audit.services import record
from workshop.auth.models import User
from workshop.db import flush_or_conflict, utcnow
from workshop.errors import Conflict, Invalid, NotFound
from workshop.extensions import db
from workshop.photos.models import Consent, ConsentEnd, ConsentPurpose, Photo, PhotoState
from workshop.photos.services import mark_decision_changed, refresh_where_shown
from workshop.signals import consent_withdrawn

# The words shown when consent is asked, by purpose and version. A change of wording is a
# new version, so every consent keeps pointing at the words the person actually saw.
CONSENT_WORDING: dict[ConsentPurpose, dict[int, str]] = {
    ConsentPurpose.GALLERY: {
        1: "Yes, this photo may be shown in the programme's public gallery on the internet, "
           "with my chosen name or as Anonymous. A worker checks it first. I can say no "
           "again at any time, and it comes down straight away.",
    },
    ConsentPurpose.FLICKR: {
        1: "Yes, this photo may be put on the programme's Flickr group, where anyone can "
           "see it, with my chosen name or as Anonymous. A worker checks it first. I can "
           "say no again at any time, and we take it off Flickr.",
    },
    ConsentPurpose.EXHIBITION: {
        1: "Yes, this photo may be printed and shown at the programme's exhibitions, "
           "where families, staff and visitors see it, with my chosen name or as "
           "Anonymous. I can say no again until it is sent to print; after that, it is "
           "taken down where it can be.",
    },
}


def current_wording(purpose: ConsentPurpose) -> tuple[int, str]:
    versions = CONSENT_WORDING[purpose]
    latest = max(versions)
    return latest, versions[latest]


PURPOSES_MESSAGE = "Choose one or more of gallery, flickr and exhibition."


def chosen_purposes(purposes: Sequence[str], unknown: str = PURPOSES_MESSAGE,
                    none: str = PURPOSES_MESSAGE) -> list[ConsentPurpose]:
    """The purposes asked for, each once, in order. unknown and none: what the field says
    when one is not a purpose, or none is chosen (faces word them for the person in it)."""
    try:
        chosen = list(dict.fromkeys(ConsentPurpose(p) for p in purposes))
    except ValueError:
        raise Invalid.field("purposes", unknown) from None
    if not chosen:
        raise Invalid.field("purposes", none)
    return chosen


def may_decide_for(actor: User, photo: Photo) -> None:
    """For the photo's consents, and its faces': the participant for themselves; a
    worker of the site records what people said in person."""
    if photo.owner_id != actor.id and not actor.is_staff:
        raise NotFound("There is no such photo.")


def consents_in_force(photo: Photo, now: datetime | None = None) -> dict[str, Consent]:
    now = now or utcnow()
    return {c.purpose.value: c for c in photo.consents if c.in_force(now)}


def give_consent(actor: User, photo: Photo, purposes: list[str], now: datetime | None = None
                 ) -> list[Consent]:
    """Record a yes for each purpose; one already in force is kept as it is."""
    may_decide_for(actor, photo)
    now = now or utcnow()
    current = consents_in_force(photo, now)
    _end_lapsed(photo, now)
    given, added = [], False
    for purpose in chosen_purposes(purposes):
        if purpose.value in current:
            given.append(current[purpose.value])
            continue
        added = True
        version, _ = current_wording(purpose)
        consent = Consent(
            photo=photo, purpose=purpose, wording_version=version, given_at=now,
            given_by_id=actor.id,
            witnessed_by_id=actor.id if actor.id != photo.owner_id else None,
            expires_at=now + timedelta(days=int(current_app.config["CONSENT_DAYS"])))
        db.session.add(consent)
        given.append(consent)
        record(actor, "photo.consent_given", "photo", photo.id, site_id=photo.site_id,
               purpose=purpose.value, wording_version=version,
               witnessed=consent.witnessed_by_id is not None)
    if added:
        # As with a withdrawal: rather than publishing from an older view of its consents.
        mark_decision_changed(photo)
    _flush_consents()
    # An approved photo goes where its consents now allow, at once: back into the gallery
    # after a withdrawal, or there for the first time after a Flickr-only approval (and
    # likewise onto Flickr); one whose consent lapsed just now comes down.
    refresh_where_shown(photo, now)
    return given


def withdraw_consent(actor: User, photo: Photo, purposes: list[str],
                     now: datetime | None = None) -> list[Consent]:
    """End the consents in force for these purposes; asking twice is not an error.

    A withdrawal must win over a decision made on the photo at the same moment: if the
    photo's row changed under it, it starts again on the fresh row instead of failing.
    """
    may_decide_for(actor, photo)
    chosen = chosen_purposes(purposes)
    now = now or utcnow()
    for _ in range(3):
        try:
            return _withdraw(actor, photo, chosen, now)
        except StaleDataError:
            db.session.rollback()
    raise Conflict("This photo kept changing while we tried. Please try again.")


def _withdraw(actor: User, photo: Photo, purposes: list[ConsentPurpose], now: datetime
              ) -> list[Consent]:
    current = consents_in_force(photo, now)
    ended = []
    for purpose in purposes:
        consent = current.get(purpose.value)
        if consent is None:
            continue
        consent.ended_at, consent.end_reason, consent.ended_by_id = (
            now, ConsentEnd.WITHDRAWN, actor.id)
        ended.append(consent)
        record(actor, "photo.consent_withdrawn", "photo", photo.id, site_id=photo.site_id,
               purpose=purpose.value, witnessed=actor.id != photo.owner_id)
        consent_withdrawn.send(photo, purpose=purpose, actor=actor, now=now)
    # A withdrawal always changes a waiting or approved photo's row; with no consent left
    # it is withdrawn.
    if ended and mark_decision_changed(photo) and not consents_in_force(photo, now):
        photo.state = PhotoState.WITHDRAWN
    db.session.flush()
    refresh_where_shown(photo, now)
    return ended


def _end_lapsed(photo: Photo, now: datetime) -> None:
    for consent in photo.consents:
        if consent.ended_at is None and consent.expires_at <= now:
            consent.ended_at, consent.end_reason = now, ConsentEnd.EXPIRED


def _flush_consents() -> None:
    message = ("Someone changed this photo's consent at the same moment. Look again and "
               "try once more.")
    try:
        flush_or_conflict(message)
    except StaleDataError:
        # A decision on the photo (an approval, say) was saved meanwhile.
        db.session.rollback()
        raise Conflict(message) from None


def expire_consents(now: datetime | None = None) -> int:
    """Mark consents past their end date as expired (a daily job); returns how many."""
    now = now or utcnow()
    lapsed = db.session.scalars(select(Consent).where(
        Consent.ended_at.is_(None), Consent.expires_at <= now)).all()
    for consent in lapsed:
        consent.ended_at, consent.end_reason = now, ConsentEnd.EXPIRED
        record(None, "photo.consent_expired", "photo", consent.photo_id,
               site_id=consent.photo.site_id, purpose=consent.purpose.value)
    db.session.flush()
    for photo in {consent.photo for consent in lapsed}:
        refresh_where_shown(photo, now)
    return len(lapsed)


def consent_history(actor: User) -> list[Consent]:
    """Every consent given for the actor's own photos, newest first."""
    return list(db.session.scalars(
        select(Consent).join(Consent.photo).where(Photo.owner_id == actor.id)
        .order_by(Consent.given_at.desc(), Consent.id.desc())))
