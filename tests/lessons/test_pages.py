"""Lesson plan pages: the library, a plan, history, new and edit, print views; refusals."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.fixtures.lessons import edit_plan, fields, make_plan, unchanged
from tests.fixtures.pages import csrf_from, login, post_form
from workshop.extensions import db
from workshop.lessons import services as lessons
from workshop.lessons.models import LessonPlan, LessonPlanVersion


def text(response) -> str:
    """The words on the page, without tags, as a reader meets them."""
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(words)).replace(" .", ".")


def form_data(**overrides) -> dict:
    data = {**fields(), "topic": "light"}
    data["length_minutes"] = str(data["length_minutes"])
    data.update(overrides)
    return data


def plan_row(app, plan_id) -> tuple[int, str, str]:
    with app.app_context():
        plan = db.session.get(LessonPlan, plan_id)
        return plan.version, plan.topic.value, plan.current.title


def hidden_version(html: str) -> str:
    match = re.search(r'id="version" name="version" type="hidden" value="(\d*)"', html)
    assert match, "no version field on the page"
    return match.group(1)


@pytest.fixture
def signed_in(client, worker):
    login(client, worker)
    return client


@pytest.fixture
def shipped(app) -> dict[str, int]:
    with app.app_context():
        lessons.load_shipped()
        db.session.commit()
        return dict(db.session.execute(select(LessonPlan.slug, LessonPlan.id)).all())


# --- the library and a plan -------------------------------------------------------------


def test_library_lists_plans_with_their_topic_length_and_summary(signed_in, shipped):
    page = text(signed_in.get("/lessons"))
    for title in ("Light", "Distance", "Steadiness", "Starting with a disposable camera"):
        assert title in page
    assert "90 minutes" in page and "Good light makes good photos." in page
    assert "Write a new plan" in page


def test_library_filters_by_topic(signed_in, shipped):
    response = signed_in.get("/lessons?topic=steadiness")
    assert response.status_code == 200
    page = text(response)
    assert "Lesson plans: Steadiness" in page
    assert "Keep still for sharp photos." in page
    assert "Good light makes good photos." not in page
    assert 'href="/lessons?topic=steadiness" aria-current="page"' in \
        response.get_data(as_text=True)
    assert "no plans about other yet" not in text(signed_in.get("/lessons?topic=other"))


def test_an_empty_topic_says_so(signed_in, app, worker):
    make_plan(app, worker, "light")
    assert "There are no plans about distance yet." in text(signed_in.get(
        "/lessons?topic=distance"))


def test_unknown_topic_is_404(signed_in):
    assert signed_in.get("/lessons?topic=focus").status_code == 404


def test_lessons_need_signing_in(client, shipped):
    for url in ("/lessons", f"/lessons/{shipped['light']}",
                f"/lessons/{shipped['light']}/handout"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_plan_page_shows_every_part_rendered(signed_in, shipped):
    response = signed_in.get(f"/lessons/{shipped['steadiness']}")
    html = response.get_data(as_text=True)
    for heading in ("Learning goals", "What you need", "Step by step", "Hands-on exercise",
                    "Talking about it", "Handout for participants"):
        assert f">{heading}</h2>" in html
    assert "<strong>Steady challenge.</strong>" in html
    assert "<h3>Stand steady</h3>" in html  # the handout's headings sit under its h2
    assert "<h1>" not in html.split("</h1>", 1)[1]
    page = text(response)
    assert "Version 1, shipped with the app" in page
    assert "Edit" in page and "Every version of this plan" in page


def test_participants_read_plans_and_handouts_but_cannot_edit(app, client, participant,
                                                                shipped):
    login(client, participant)
    plan_id = shipped["light"]
    assert "Lessons" in text(client.get("/dashboard"))
    assert "Good light makes good photos." in text(client.get("/lessons"))
    page = text(client.get(f"/lessons/{plan_id}"))
    assert "Window light" in page and "Write a new plan" not in page
    assert "Edit" not in page and "Every version" not in page
    assert client.get(f"/lessons/{plan_id}/handout").status_code == 200
    assert client.get(f"/lessons/{plan_id}/print").status_code == 200
    with unchanged(app):
        for url in ("/lessons/new", f"/lessons/{plan_id}/edit",
                    f"/lessons/{plan_id}/history", f"/lessons/{plan_id}/versions/1"):
            assert client.get(url).status_code == 404, url
        # Every signed-in page carries a token, in its log-out form.
        token = csrf_from(client.get("/lessons").get_data(as_text=True))
        assert client.post("/lessons/new", data={**form_data(), "csrf_token": token}
                           ).status_code == 404
        assert client.post(f"/lessons/{plan_id}/edit", data={
            **form_data(title="Mine"), "version": "1", "csrf_token": token}).status_code == 404


def test_missing_plan_is_404(signed_in, plan):
    for url in (f"/lessons/{plan + 1}", f"/lessons/{plan + 1}/edit",
                f"/lessons/{plan + 1}/history", f"/lessons/{plan + 1}/print",
                f"/lessons/{plan + 1}/handout", f"/lessons/{plan}/versions/2",
                "/lessons/0", "/lessons/99999999999"):
        assert signed_in.get(url).status_code == 404, url


def test_markdown_on_the_page_is_harmless(app, signed_in, worker):
    plan_id = make_plan(app, worker, goals="- <script>alert('x')</script>",
                        materials='<img src=x onerror="alert(1)">',
                        exercise="[click me](javascript:alert(1))",
                        handout='<a href="#" onclick="alert(1)">hi</a>')
    for url in (f"/lessons/{plan_id}", f"/lessons/{plan_id}/print",
                f"/lessons/{plan_id}/handout"):
        html = signed_in.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img" not in html
        assert not re.search(r"<[^>]+\son\w+=", html), url
        assert 'href="javascript' not in html
    html = signed_in.get(f"/lessons/{plan_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html or \
        "&lt;script&gt;alert('x')&lt;/script&gt;" in html


def test_lesson_pages_have_no_inline_script_or_style(signed_in, shipped):
    plan_id = shipped["light"]
    for url in ("/lessons", f"/lessons/{plan_id}", f"/lessons/{plan_id}/edit",
                f"/lessons/{plan_id}/history", f"/lessons/{plan_id}/print",
                f"/lessons/{plan_id}/handout", "/lessons/new"):
        html = signed_in.get(url).get_data(as_text=True)
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\ssrc=)", html), url
        assert "css/lessons.css" in html, url


# --- a new plan -------------------------------------------------------------------------


def test_worker_writes_a_new_plan(app, signed_in, worker):
    assert signed_in.get("/lessons/new").status_code == 200
    response = post_form(signed_in, "/lessons/new", form_data(
        title="Shadows", topic="other", activities="1. Look\r\n2. Shoot"))
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(LessonPlan))
        assert plan.slug == "shadows" and plan.topic.value == "other"
        assert plan.current.activities == "1. Look\n2. Shoot"
        assert plan.current.created_by_id == worker.id
    assert response.headers["Location"] == f"/lessons/{plan.id}"
    page = text(signed_in.get(response.headers["Location"]))
    assert "The lesson plan is saved." in page and "Shadows" in page


@pytest.mark.parametrize("bad, message", [
    ({"title": ""}, "Give the plan a title."),
    ({"title": "x" * 121}, "Keep the title to 120 characters or fewer."),
    ({"length_minutes": "2"}, "from 5 to 480"),
    ({"length_minutes": "481"}, "from 5 to 480"),
    ({"length_minutes": "an hour"}, "from 5 to 480"),
    ({"summary": ""}, "Say in a sentence or two what the session is about."),
    ({"goals": " "}, "Say what people will learn or try."),
    ({"activities": ""}, "Write the steps of the session."),
    ({"handout": "x" * 2501}, "Keep this to 2500 characters."),
    ({"topic": "focus"}, "Not a valid choice"),
    ({"title": "\u200b"}, "Give the plan a title."),
], ids=["no title", "long title", "too short", "too long", "words for a number",
        "no summary", "blank goals", "no steps", "long handout", "unknown topic",
        "invisible title"])
def test_a_new_plan_with_bad_fields_comes_back_to_fix(app, signed_in, bad, message):
    with unchanged(app):
        response = post_form(signed_in, "/lessons/new", form_data(**bad))
    assert response.status_code == 422
    assert message in text(response)
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    # What was typed is still there to fix.
    assert "Find a shadow that looks like something else." in html


def test_a_new_plan_needs_the_csrf_token(app, signed_in):
    with unchanged(app):
        assert signed_in.post("/lessons/new", data=form_data()).status_code == 400


# --- editing ----------------------------------------------------------------------------


def test_edit_form_holds_the_plan_and_its_version(app, signed_in, worker, plan):
    edit_plan(app, worker, plan, 1, title="Shadows two")
    html = signed_in.get(f"/lessons/{plan}/edit").get_data(as_text=True)
    assert hidden_version(html) == "2"
    assert 'value="Shadows two"' in html
    assert "Look down!" in html
    assert '<option selected value="light">' in html


def test_worker_saves_an_edit_as_a_new_version(app, signed_in, worker, plan):
    response = post_form(signed_in, f"/lessons/{plan}/edit", form_data(
        title="Shadows and light", version="1", topic="distance"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/lessons/{plan}"
    assert plan_row(app, plan) == (2, "distance", "Shadows and light")
    assert "Your changes are saved." in text(signed_in.get(f"/lessons/{plan}"))


def test_saving_an_unchanged_form_adds_no_version(app, signed_in, plan):
    with unchanged(app):
        response = post_form(signed_in, f"/lessons/{plan}/edit", form_data(version="1"))
    assert response.status_code == 302
    assert "Nothing had changed" in text(signed_in.get(f"/lessons/{plan}"))


def test_two_workers_editing_at_once_the_second_gets_a_conflict(
        app, client, signed_in, worker, other_worker, plan):
    # Both open the form at version 1; the other worker saves first.
    mine = signed_in.get(f"/lessons/{plan}/edit").get_data(as_text=True)
    assert hidden_version(mine) == "1"
    theirs = app.test_client()
    login(theirs, other_worker)
    assert post_form(theirs, f"/lessons/{plan}/edit", form_data(
        version="1", summary="Their summary.")).status_code == 302

    with unchanged(app):
        response = signed_in.post(f"/lessons/{plan}/edit", data={
            **form_data(version="1", title="My new title", handout="My handout words."),
            "csrf_token": csrf_from(mine)})
    assert response.status_code == 409
    page = text(response)
    assert "Worker2 saved a newer version of this plan while you were editing it" in page
    assert "Nothing you typed is saved yet." in page
    html = response.get_data(as_text=True)
    # What I typed is kept, and what is different in theirs is shown to compare.
    assert 'value="My new title"' in html and "My handout words." in html
    assert "What the newer version says" in page and "Their summary." in page
    # Only what they changed is shown to compare, not my own changes.
    assert "<summary>Summary</summary>" in html and "<summary>Title</summary>" not in html
    assert plan_row(app, plan) == (2, "light", "Shadows")
    # Having read theirs, saving again saves mine on top, knowingly.
    assert hidden_version(html) == "2"
    again = signed_in.post(f"/lessons/{plan}/edit", data={
        **form_data(version="2", title="My new title", summary="Their summary."),
        "csrf_token": csrf_from(html)})
    assert again.status_code == 302
    assert plan_row(app, plan) == (3, "light", "My new title")
    with app.app_context():
        assert [v.number for v in db.session.get(LessonPlan, plan).versions] == [1, 2, 3]


@pytest.mark.parametrize("bad, message", [
    ({"title": ""}, "Give the plan a title."),
    ({"length_minutes": "0"}, "from 5 to 480"),
    ({"activities": "x" * 20001}, "Keep this to 20000 characters."),
    ({"version": ""}, "This form is missing its version number."),
    ({"version": "two"}, "Not a valid integer value."),
], ids=["no title", "zero minutes", "long steps", "no version", "version not a number"])
def test_a_bad_edit_comes_back_to_fix_and_changes_nothing(app, signed_in, plan, bad,
                                                           message):
    with unchanged(app):
        response = post_form(signed_in, f"/lessons/{plan}/edit",
                             form_data(**{"version": "1", **bad}))
    assert response.status_code == 422
    assert message in text(response)


def test_an_edit_without_the_csrf_token_is_refused(app, signed_in, plan):
    with unchanged(app):
        response = signed_in.post(f"/lessons/{plan}/edit", data=form_data(version="1"))
    assert response.status_code == 400


# --- history ----------------------------------------------------------------------------


def test_history_lists_who_changed_what_when_and_old_versions_open(
        app, signed_in, worker, other_worker, plan):
    edit_plan(app, other_worker, plan, 1, title="Shadows, version two",
              goals="- Something new")
    page = text(signed_in.get(f"/lessons/{plan}/history"))
    assert re.search(r"Version 2 Now .* Saved by Worker2 .* Shadows, version two", page)
    assert re.search(r"Version 1 .* Saved by Worker .* Shadows", page)
    assert f'href="/lessons/{plan}/versions/1"' in \
        signed_in.get(f"/lessons/{plan}/history").get_data(as_text=True)

    old = signed_in.get(f"/lessons/{plan}/versions/1")
    assert old.status_code == 200
    page = text(old)
    assert "This is an old version: version 1 of 2." in page
    assert "Saved by Worker" in page
    assert "See shapes in shadows" in page and "Something new" not in page
    # An old version offers no printing or editing from it.
    assert f"/lessons/{plan}/edit" not in old.get_data(as_text=True)
    current = text(signed_in.get(f"/lessons/{plan}/versions/2"))
    assert "old version" not in current and "Something new" in current


# --- print views ------------------------------------------------------------------------


def test_print_view_of_the_plan(signed_in, shipped):
    response = signed_in.get(f"/lessons/{shipped['light']}/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = text(response)
    assert 'class="sheet sheet-plan"' in html
    assert 'class="no-print print-bar"' in html and "data-print" in html
    assert "js/print.js" in html
    assert "Light" in page and "Step by step" in page and "Light hunt." in page
    assert "The handout for participants prints from its own page." in page


def test_print_view_of_the_handout(signed_in, shipped):
    response = signed_in.get(f"/lessons/{shipped['distance']}/handout")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="sheet sheet-handout"' in html  # large type: it fits
    assert "<h2>Fill the photo</h2>" in html
    page = text(response)
    assert "Print the handout" in page and "One A4 page, to give to each person." in page
    assert "Step by step" not in page  # the handout, not the plan


def test_a_longer_handout_gets_smaller_type_and_a_too_long_one_a_warning(
        app, signed_in, worker):
    middling = "\n".join(f"- Point number {n} is a line of a fair length to read."
                         for n in range(34))
    long = "\n".join(f"- Point {n}." for n in range(50))
    middle_id = make_plan(app, worker, handout=middling)
    long_id = make_plan(app, worker, handout=long)
    html = signed_in.get(f"/lessons/{middle_id}/handout").get_data(as_text=True)
    assert 'class="sheet sheet-handout compact"' in html and "too long" not in html
    page = text(signed_in.get(f"/lessons/{long_id}/handout"))
    assert "This handout is probably too long for one A4 page." in page


def test_a_plan_without_a_handout_says_so(app, signed_in, worker):
    plan_id = make_plan(app, worker, handout="")
    assert "This plan has no handout yet." in text(signed_in.get(f"/lessons/{plan_id}/handout"))
    assert "This plan has no handout yet." in text(signed_in.get(f"/lessons/{plan_id}"))


def test_the_lessons_css_has_an_a4_page_and_hides_the_navigation(app):
    css = (app.static_folder + "/css/lessons.css")
    with open(css, encoding="utf-8") as file:
        rules = file.read()
    assert re.search(r"@page\s*{\s*size:\s*A4;\s*margin:", rules)
    with open(app.static_folder + "/css/app.css", encoding="utf-8") as file:
        assert re.search(r"@media print\s*{\s*\.site-header[^}]*display:\s*none", file.read())


def test_old_versions_are_never_changed_by_pages(app, signed_in, plan):
    with app.app_context():
        first = db.session.execute(select(LessonPlanVersion.__table__)).one()
    for n in range(2, 4):
        post_form(signed_in, f"/lessons/{plan}/edit", form_data(
            version=str(n - 1), summary=f"Summary {n}"))
    with app.app_context():
        rows = db.session.execute(select(LessonPlanVersion.__table__)
                                  .order_by(LessonPlanVersion.number)).all()
    assert rows[0] == first and len(rows) == 3
