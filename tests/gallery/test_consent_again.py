"""What is public matches the consents a photo has, in both directions, the moment they
change: a consent given again republishes, one taken back unpublishes."""

import io

from sqlalchemy import select

from tests.fixtures.accounts import make_account, user
from tests.fixtures.app import race
from tests.fixtures.pages import fetch
from tests.fixtures.photos import ALL_CHECKED, photo, publish, withdraw
from workshop.extensions import db
from workshop.flickr.models import FlickrJob
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services
from workshop.photos.models import Photo, PhotoState


def give(app, owner, photo_id: int, purposes: tuple[str, ...]) -> None:
    with app.app_context():
        consenting.give_consent(user(owner), db.session.get(Photo, photo_id), list(purposes))
        db.session.commit()


def listed(client) -> list[str]:
    return [item["id"] for item in client.get("/api/v1/gallery").json["items"]]


def images(client, photo_uuid: str) -> list[int]:
    return [fetch(client, f"/gallery/{photo_uuid}/{kind}.jpg").status_code
            for kind in ("large", "thumb")]


def assert_public(client, shown: Photo, public: bool) -> None:
    """Listed, with a page and both images, or none of these."""
    assert (shown.uuid in listed(client)) is public
    assert client.get(f"/gallery/{shown.uuid}").status_code == (200 if public else 404)
    assert images(client, shown.uuid) == ([200, 200] if public else [404, 404])


def test_consent_given_again_after_a_withdrawal_republishes(app, client, participant,
                                                             worker):
    shown = publish(app, participant, worker, purposes=("gallery", "flickr"))
    assert_public(client, shown, True)

    withdraw(app, participant, shown.id, ("gallery",))
    assert_public(client, shown, False)

    give(app, participant, shown.id, ("gallery",))
    assert_public(client, shown, True)


def test_a_gallery_consent_after_a_flickr_only_approval_publishes(app, client, participant,
                                                                 worker):
    shown = publish(app, participant, worker, purposes=("flickr",))
    assert_public(client, shown, False)

    give(app, participant, shown.id, ("gallery",))
    assert_public(client, shown, True)

    withdraw(app, participant, shown.id, ("gallery",))
    assert_public(client, shown, False)


def test_a_flickr_consent_after_a_gallery_only_approval_queues_the_upload(
        app, participant, worker):
    shown = publish(app, participant, worker, purposes=("gallery",))
    give(app, participant, shown.id, ("flickr",))
    with app.app_context():
        jobs = db.session.scalars(select(FlickrJob).where(FlickrJob.photo_id == shown.id)).all()
        assert [job.action.value for job in jobs] == ["upload"]


def test_a_photo_withdrawn_everywhere_waits_to_be_checked_again(app, client, participant,
                                                                worker):
    # Consent given again to a photo taken back everywhere does not skip the second
    # person: it is sent to be checked again, and public only once approved.
    shown = publish(app, participant, worker)
    withdraw(app, participant, shown.id, ("gallery",))
    give(app, participant, shown.id, ("gallery",))
    assert_public(client, shown, False)
    with app.app_context():
        found = db.session.get(Photo, shown.id)
        assert found.state is PhotoState.WITHDRAWN
        moderating.submit(user(participant), found, "Again", "anonymous")
        db.session.commit()
    assert_public(client, shown, False)
    with app.app_context():
        moderating.approve(user(worker), db.session.get(Photo, shown.id), ALL_CHECKED)
        db.session.commit()
    assert_public(client, shown, True)


def test_consent_given_while_a_worker_approves_never_leaves_a_half_public_photo(
        database_uri, tmp_path, app, client, participant, worker):
    # Gallery and Flickr are asked for; the photo is approved with Flickr consent only
    # while the gallery's yes is being saved. Either the approval sees the new consent or
    # one of the two is refused: never listed without its images.
    second = make_account(app, "worker2", "worker", worker.site_id)
    with app.app_context():
        owner = user(participant)
        found = services.upload(owner, services.upload_target(owner),
                                io.BytesIO(photo(seed=5)))
        consenting.give_consent(owner, found, ["flickr"])
        moderating.submit(owner, found, "", "anonymous")
        db.session.commit()
        shown_id, shown_uuid = found.id, found.uuid

    def act(who):
        found = db.session.get(Photo, shown_id)
        if who == "owner":
            consenting.give_consent(user(participant), found, ["gallery"])
        else:
            moderating.approve(user(second), found, ALL_CHECKED)

    outcomes = race(database_uri, tmp_path, ["owner", "approver"], act,
                    STORAGE_DIR=app.config["STORAGE_DIR"])
    assert all(not outcome.startswith("error") for outcome in outcomes), outcomes
    in_list = shown_uuid in listed(client)
    assert images(client, shown_uuid) == ([200, 200] if in_list else [404, 404])
