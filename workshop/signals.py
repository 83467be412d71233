"""Signals: how a feature tells the others of a fact it owns, without importing them.

The owner of a fact sends it; each feature that cares connects a receiver in its own
services module, which create_app imports with the feature's views. Receivers run in the
sender's transaction, before the request's one commit, so what they change (a booking
cancelled, a job added to the Flickr outbox) is committed with the fact or not at all.
A receiver refuses by raising a DomainError: the whole change is then rolled back.

A receiver may return a dict of counts; the sender adds them up for its audit row.
"""

from collections import Counter
from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

participant_leaving = _signals.signal("participant-leaving", doc="""
A participant is about to be erased or moved to another site, and nothing has changed
yet. Sender: the participant; `doing` says what, for a message ("erasing them"). A
feature that must keep them where they are raises a DomainError saying why.
""")

participant_erasing = _signals.signal("participant-erasing", doc="""
A participant is being erased: each feature deletes what it holds about them, or takes
them out of it. Sender: the participant, still with their name; `actor`, `now`. Their
account is made nameless after every receiver has run.
""")

participant_moving = _signals.signal("participant-moving", doc="""
A participant is moving to another site: each feature takes along, or cancels, what it
holds of theirs. Sender: the participant, still at the old site; `actor`, `site` (the
new one), `now`.
""")

photo_visibility_changed = _signals.signal("photo-visibility-changed", doc="""
Where a photo belongs may have changed (a consent, a decision, a report, an erasure).
Sender: the photo; `public` (in the gallery) and `on_flickr` say where it belongs now;
`changed`, the purposes (ConsentPurpose) whose public copy must be made again because
what it obscures changed (a face's decision). A photo about to be deleted is sent with
both False.
""")

photo_approving = _signals.signal("photo-approving", doc="""
A worker is about to approve a photo, and nothing has changed yet. Sender: the photo;
`purposes`, the ConsentPurpose values its owner's consents in force allow. A feature that
must keep it back raises a DomainError saying why.
""")

photo_publishing = _signals.signal("photo-publishing", doc="""
A public copy of a photo is being made. Sender: the photo; `purpose` (a ConsentPurpose),
where the copy goes; `picture`, the display copy (an RGB PIL image) to change in place.
A receiver that obscured something returns True. Every public copy is made through it.
""")

stored_files_wanted = _signals.signal("stored-files-wanted", doc="""
The photos' storage is being checked for files no row points to. Sender: None. A
feature that keeps files of its own there as originals (a face's signed consent form)
returns the set of their content hashes, which are then not orphans.
""")

consent_withdrawn = _signals.signal("consent-withdrawn", doc="""
Someone took back a yes for one purpose of a photo (the owner, or a worker recording a no
given in person). Sender: the photo; `purpose` (a ConsentPurpose), `actor`, `now`. A
feature that put the photo somewhere for that purpose (an exhibition) takes it out, or
records that it could not.
""")

photo_stored = _signals.signal("photo-stored", doc="""
A photo was uploaded: its row is flushed and its files kept. Sender: the photo; `large`,
its upright display copy (JPEG bytes, about 1,600 px long), for a feature that looks at
the picture. A receiver may add a check of its own to photo.checks (a new dict), which the
participant's feedback then shows.
""")

photo_shown = _signals.signal("photo-shown", doc="""
A photo's page is being drawn. Sender: the photo; `viewer`, who is looking. A receiver
may return a dict, or None: its `template` (if any) is included inside the picture's
frame, its `section` (if any) after the photo's consents, and its `checklist` maps a
moderation checklist line's key to words shown under it; the templates see the dict as
`overlay`.
""")


def send_counting(signal: Signal, sender: Any, **kwargs: Any) -> Counter[str]:
    """Send a signal and add up the counts its receivers return."""
    counts: Counter[str] = Counter()
    for _, result in signal.send(sender, **kwargs):
        counts.update(result or {})
    return counts
