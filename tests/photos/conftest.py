"""Photo fixtures: sending files through the pages and the API, and looking at storage."""

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import CombinedMultiDict, FileMultiDict, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import csrf_from, login
from tests.photos import images
from tests.stock.conftest import user
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services
from workshop.photos.models import Photo

ALL_CHECKED = dict.fromkeys(moderating.CHECKLIST, True)


def photo(size: tuple[int, int] = (800, 600), seed: int = 0, blur: float = 0.0) -> bytes:
    """A JPEG of a scene; different seeds give different files, blur a blurred one."""
    return images.jpeg(size, image=images.scene(size, seed=seed, blur=blur))


def publish(app, owner, approver, *, seed=0, purposes=("gallery",), credit="display_name",
            theme=None, caption="A photo", now=None, size=(320, 240)) -> Photo:
    """Upload, consent, submit and approve a photo; returns it (detached)."""
    with app.app_context():
        participant = user(owner)
        found = services.upload(participant, services.upload_target(participant),
                                io.BytesIO(photo(size, seed=seed)))
        consenting.give_consent(participant, found, list(purposes), now=now)
        moderating.submit(participant, found, caption, credit, theme, now=now)
        moderating.approve(user(approver), found, ALL_CHECKED, now=now)
        db.session.commit()
        db.session.refresh(found)
        db.session.expunge(found)
        return found


def withdraw(app, owner, photo_id: int, purposes: tuple[str, ...]) -> None:
    """The owner takes back their consent for these purposes."""
    with app.app_context():
        consenting.withdraw_consent(user(owner), db.session.get(Photo, photo_id), list(purposes))
        db.session.commit()


def stored_files(app) -> list[Path]:
    """Every file under the photo storage folder, temporary ones included."""
    root = Path(app.config["STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def photo_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Photo))


def fetch(client, url: str, **kwargs):
    """GET a URL and close the response: a served file stays open until closed."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


def multipart(fields: dict, field_name: str, files: list[tuple[bytes, str]]) -> dict:
    """A multipart body built in memory: the test client would spool a big one to a
    temporary file that nothing closes when the app refuses the body unread."""
    values = MultiDict({name: str(value) for name, value in fields.items()})
    uploads = FileMultiDict()
    for content, name in files:
        uploads.add_file(field_name, io.BytesIO(content), name)
    boundary, body = encode_multipart(CombinedMultiDict([values, uploads]))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def send_photos(client, files: list[tuple[bytes, str]], as_json: bool = True, **fields):
    """Post files to the upload page as its script does (JSON) or as a plain form."""
    html = client.get("/photos/upload").get_data(as_text=True)
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post("/photos/upload", headers=headers, **multipart(
        {"csrf_token": csrf_from(html), **fields}, "photos", files))


@pytest.fixture
def participant_client(client, participant):
    login(client, participant)
    return client


@pytest.fixture
def worker_client(client, worker):
    login(client, worker)
    return client
