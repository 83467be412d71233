"""The right to erasure: a participant's photos and copies go, their history stays nameless."""

import hashlib
import io

import pytest
from sqlalchemy import func, select

from tests.conftest import api_token, login, make_account, post_form
from tests.gallery.test_gallery import gallery_ids, publish
from tests.photos.conftest import photo, stored_files
from tests.stock.conftest import user
from workshop.auth.models import ApiToken, User
from workshop.errors import NotFound
from workshop.extensions import db
from workshop.photos import services
from workshop.photos.models import Consent, Photo
from workshop.photos.storage import storage


def test_erasing_a_participant_deletes_photos_copies_and_name(app, client, participant,
                                                             worker):
    shown = publish(app, participant, worker, seed=1)
    publish(app, participant, worker, seed=2, credit="anonymous")
    api_token(app, participant)
    # Someone else sent the very same file: their copy must survive.
    kit = make_account(app, "kit", "participant", participant.site_id)
    with app.app_context():
        owner = user(kit)
        services.upload(owner, services.upload_target(owner),
                        io.BytesIO(photo((320, 240), seed=1)))
        db.session.commit()
    assert len(gallery_ids(client)) == 2

    login(client, worker)
    refused = post_form(client, f"/people/{participant.id}/erase", {"confirm": "nope"},
                        page=f"/people/{participant.id}")
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Photo)) == 3
    done = post_form(client, f"/people/{participant.id}/erase",
                     {"confirm": participant.username}, page=f"/people/{participant.id}")
    assert done.status_code == 302

    assert gallery_ids(app.test_client()) == []
    with app.app_context():
        assert db.session.scalars(select(Photo.owner_id)).all() == [kit.id]
        assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
        erased = db.session.get(User, participant.id)
        assert erased.display_name == "Former participant" and not erased.active
        assert erased.username.startswith("erased-")
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        kept_hash = db.session.scalar(select(Photo.content_hash))
        store = storage()
        assert store.original_path(kept_hash).is_file()
        assert not store.public_path(shown.uuid, "large").exists()
    names = {p.name.split("-")[0] for p in stored_files(app)}
    assert names == {kept_hash}
    assert hashlib.sha256(photo((320, 240), seed=1)).hexdigest() == kept_hash
    # The old login does not work any more.
    fresh = app.test_client()
    assert login(fresh, participant).status_code == 401


def test_only_staff_of_the_site_can_erase(app, participant, other_worker):
    with app.app_context():
        with pytest.raises(NotFound):
            services.erase_participant(user(other_worker), user(participant),
                                       participant.username)
        with pytest.raises(NotFound):
            services.erase_participant(user(participant), user(participant),
                                       participant.username)
