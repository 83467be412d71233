"""Reflection answers and the site's questions, the caption drawn from them, the session
slideshow, themes and the theme board."""

import io

from sqlalchemy import select

from tests.fixtures.accounts import user
from tests.fixtures.pages import login, post_form
from tests.fixtures.photos import photo
from tests.fixtures.programme import make_session
from workshop.auth import services as auth
from workshop.discussion import services
from workshop.discussion.models import DEFAULT_QUESTIONS, Reflection, Theme
from workshop.extensions import db
from workshop.photos import consent as consenting
from workshop.photos import moderation as moderating
from workshop.photos import services as photos
from workshop.photos.models import Photo
from workshop.programme import services as programme


def _photo(app, account, seed=0, session_id=None) -> int:
    with app.app_context():
        owner = user(account)
        found = photos.upload(owner, photos.upload_target(owner, session_id=session_id),
                              io.BytesIO(photo(seed=seed)))
        db.session.commit()
        return found.id


def _reflect(client, photo_id: int, **fields):
    url = f"/photos/{photo_id}/reflect"
    return post_form(client, url, fields, page=url)


def test_the_usual_questions_until_a_site_rewords_them(app, client, participant, worker):
    photo_id = _photo(app, participant)
    login(client, participant)
    page = client.get(f"/photos/{photo_id}/reflect").get_data(as_text=True)
    for question in DEFAULT_QUESTIONS:
        assert question in page
    staff = app.test_client()
    login(staff, worker)
    answer = post_form(staff, "/discussion/questions", {
        "question_1": "What is in the picture?", "question_2": "", "question_3": "",
        "question_4": "", "question_5": ""})
    assert answer.status_code == 302
    page = client.get(f"/photos/{photo_id}/reflect").get_data(as_text=True)
    assert "What is in the picture?" in page and DEFAULT_QUESTIONS[0] not in page
    assert DEFAULT_QUESTIONS[1] in page
    answer = post_form(staff, "/discussion/questions", {"question_1": "x" * 201})
    assert answer.status_code == 422
    assert client.get("/discussion/questions").status_code == 404


def test_answers_are_private_to_the_owner_and_their_sites_workers(
        app, client, participant, worker, other_worker):
    photo_id = _photo(app, participant)
    login(client, participant)
    answer = _reflect(client, photo_id, answer_1="A bridge", answer_3="We walk here",
                      title="Crossing", shared_with_group="y")
    assert answer.status_code == 302
    with app.app_context():
        reflection = db.session.get(Reflection, photo_id)
        assert reflection.answers == ["A bridge", "", "We walk here", "", ""]
        assert reflection.shared_with_group and not reflection.name_shown
    staff = app.test_client()
    login(staff, worker)
    page = staff.get(f"/photos/{photo_id}/reflect").get_data(as_text=True)
    assert "A bridge" in page and "We walk here" in page
    # A worker reads; only the owner writes.
    assert _reflect(staff, photo_id, answer_1="Changed").status_code == 404
    other = app.test_client()
    login(other, other_worker)
    assert other.get(f"/photos/{photo_id}/reflect").status_code == 404


def test_a_too_long_answer_is_refused_and_nothing_is_saved(app, client, participant):
    photo_id = _photo(app, participant)
    login(client, participant)
    answer = _reflect(client, photo_id, answer_1="x" * 1001, answer_2="Kept?")
    assert answer.status_code == 422
    assert "1000 characters" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Reflection, photo_id) is None


def test_the_caption_is_drawn_from_an_answer(app, client, participant, worker):
    photo_id = _photo(app, participant)
    login(client, participant)
    _reflect(client, photo_id, answer_2="My sister's kitchen, before the move")
    url = f"/photos/{photo_id}/reflect"
    answer = post_form(client, f"/photos/{photo_id}/caption-from", {"answer": "2"}, page=url)
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Photo, photo_id).caption == "My sister's kitchen, before the move"
    # An empty answer cannot become the caption: a 4xx, and the caption stays.
    answer = post_form(client, f"/photos/{photo_id}/caption-from", {"answer": "1"}, page=url)
    assert answer.status_code == 422
    with app.app_context():
        found = db.session.get(Photo, photo_id)
        assert found.caption == "My sister's kitchen, before the move"
        consenting.give_consent(user(participant), found, ["gallery"])
        moderating.submit(user(participant), found, found.caption, "anonymous")
        moderating.approve(user(worker), found, dict.fromkeys(moderating.CHECKLIST, True))
        db.session.commit()
    # After approval the caption is public and stays as it was approved.
    answer = post_form(client, f"/photos/{photo_id}/caption-from", {"answer": "2"},
                       page=f"/photos/{photo_id}")
    assert answer.status_code == 409


def test_the_slideshow_shows_only_shared_photos_and_chosen_names(
        app, client, participant, worker, other_worker):
    session_id = make_session(app, worker)
    with app.app_context():
        programme.enrol(user(worker), programme.get_session(user(worker), session_id),
                        participant.id)
        db.session.commit()
    shared = _photo(app, participant, seed=0, session_id=session_id)
    named = _photo(app, participant, seed=1, session_id=session_id)
    private = _photo(app, participant, seed=2, session_id=session_id)
    login(client, participant)
    _reflect(client, shared, answer_1="Rain", shared_with_group="y")
    _reflect(client, named, answer_1="Sun", shared_with_group="y", name_shown="y",
             answers_shared="y")
    _reflect(client, private, answer_1="Mine only")
    staff = app.test_client()
    login(staff, worker)
    page = staff.get(f"/sessions/{session_id}/slideshow").get_data(as_text=True)
    assert f'id="photo-{shared}"' in page and f'id="photo-{named}"' in page
    assert f'id="photo-{private}"' not in page
    # Only the participant who chose it is named; only shared answers are shown.
    assert page.count("Sky") == 1
    assert "Sun" in page and "Rain" not in page and "Mine only" not in page
    for question in DEFAULT_QUESTIONS:
        assert question in page
    assert client.get(f"/sessions/{session_id}/slideshow").status_code == 404
    other = app.test_client()
    login(other, other_worker)
    assert other.get(f"/sessions/{session_id}/slideshow").status_code == 404


def test_themes_are_tagged_grouped_and_renamed(app, client, participant, worker,
                                               other_worker):
    first, second = _photo(app, participant, seed=0), _photo(app, participant, seed=1)
    login(client, worker)
    url = f"/photos/{first}/reflect"
    assert post_form(client, f"/photos/{first}/themes", {"name": "Home"},
                     page=url).status_code == 302
    assert post_form(client, f"/photos/{second}/themes", {"name": " home "},
                     page=url).status_code == 302
    assert post_form(client, f"/photos/{second}/themes", {"name": "Family"},
                     page=url).status_code == 302
    assert post_form(client, f"/photos/{second}/themes", {"name": ""},
                     page=url).status_code == 422
    assert post_form(client, f"/photos/{second}/themes", {"name": "x" * 61},
                     page=url).status_code == 422
    with app.app_context():
        themes = {t.name: [p.id for p in t.photos] for t in db.session.scalars(select(Theme))}
        assert themes == {"Home": [first, second], "Family": [second]}
        home = db.session.scalar(select(Theme).where(Theme.name == "Home")).id
        family = db.session.scalar(select(Theme).where(Theme.name == "Family")).id
    board = client.get("/themes").get_data(as_text=True)
    # Grouped by theme, in the order of their names.
    assert board.index(f'id="theme-{family}"') < board.index(f'id="theme-{home}"')
    assert board.count(f"/photos/{second}/reflect") == 2
    answer = post_form(client, f"/themes/{home}/rename", {"name": "Family"}, page="/themes")
    assert answer.status_code == 409
    answer = post_form(client, f"/themes/{home}/rename", {"name": "Where we live"},
                       page="/themes")
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Theme, home).name == "Where we live"
    answer = post_form(client, f"/photos/{second}/themes/{family}/remove", {}, page=url)
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Theme, family).photos == []
    other = app.test_client()
    login(other, other_worker)
    assert post_form(other, f"/themes/{home}/rename", {"name": "Mine"},
                     page="/themes").status_code == 404
    assert "Where we live" not in other.get("/themes").get_data(as_text=True)
    participant_client = app.test_client()
    login(participant_client, participant)
    assert participant_client.get("/themes").status_code == 404


def test_a_participants_erasure_takes_their_answers_and_tags(app, participant, worker, admin):
    photo_id = _photo(app, participant)
    with app.app_context():
        services.save_reflection(user(participant), db.session.get(Photo, photo_id),
                                 answers=["Mine"])
        services.tag(user(worker), db.session.get(Photo, photo_id), "Home")
        db.session.commit()
        auth.erase_participant(user(admin), user(participant), participant.username)
        db.session.commit()
        assert db.session.scalars(select(Reflection)).all() == []
        assert db.session.scalars(select(Theme)).one().photos == []
