"""Faces in a real browser: the participant reads how many, the worker sees each outlined
in place over the photo; axe finds nothing serious and the strict CSP blocks nothing."""

import io

import pytest
from playwright.sync_api import expect

from tests.faces import pictures
from tests.fixtures.accounts import user
from tests.fixtures.browser import describe, log_in, serious_violations
from workshop.extensions import db
from workshop.photos import services as photos

pytestmark = pytest.mark.browser


@pytest.fixture
def friends(app, participant) -> tuple[int, list[tuple[float, float, float, float]]]:
    """A photo of two people, uploaded by the participant: its id and its faces' boxes."""
    with app.app_context():
        owner = user(participant)
        found = photos.upload(owner, photos.upload_target(owner),
                              io.BytesIO(pictures.jpeg(pictures.two_people())))
        db.session.commit()
        return found.id, [tuple(face.box) for face in found.faces]


def test_the_worker_sees_each_face_outlined_where_it_is(open_page, worker, friends,
                                                        browser_log):
    photo_id, boxes = friends
    page = open_page("desktop")
    log_in(page, worker)
    page.goto(f"/photos/{photo_id}")
    picture = page.locator(".photo-frame img").bounding_box()
    assert len(boxes) == 2
    for number, (x, y, w, h) in enumerate(boxes, start=1):
        outline = page.get_by_role("img", name=f"Face {number}")
        expect(outline).to_be_visible()
        drawn = outline.bounding_box()
        # Where the stored fractions say, over the picture as the page lays it out; the
        # 3 px outline is drawn on the box's edge, so it reaches 1.5 px beyond it.
        assert drawn["x"] == pytest.approx(picture["x"] + x * picture["width"] - 1.5, abs=1)
        assert drawn["y"] == pytest.approx(picture["y"] + y * picture["height"] - 1.5, abs=1)
        assert drawn["width"] == pytest.approx(w * picture["width"] + 3, abs=1)
        assert drawn["height"] == pytest.approx(h * picture["height"] + 3, abs=1)
    violations = serious_violations(page)
    assert violations == [], f"axe on the photo page with faces:\n{describe(violations)}"
    assert browser_log.csp_violations == []


def test_the_participant_reads_that_the_people_must_agree(open_page, participant, friends,
                                                         browser_log):
    photo_id, _ = friends
    page = open_page("phone")
    log_in(page, participant)
    page.goto(f"/photos/{photo_id}")
    expect(page.get_by_text("2 faces – the people in it need to agree before it goes "
                            "public.")).to_be_visible()
    expect(page.get_by_role("img", name="Face 1")).to_have_count(0)
    assert browser_log.csp_violations == []
