"""Long lists come a page at a time, and a page's queries do not grow with its rows."""

from datetime import timedelta

import pytest

from tests.fixtures.accounts import make_account
from tests.fixtures.pages import fetch, login, text
from tests.fixtures.queries import sql_statements
from tests.fixtures.stock import lend, make_camera, now
from workshop.auth.models import Role, User
from workshop.extensions import db
from workshop.paging import PER_PAGE


def add_participants(app, site: int, count: int) -> None:
    # Rows as the people page reads them; no one logs in as them, so no real hash.
    with app.app_context():
        db.session.add_all(User(username=f"walker-{i:03}", display_name=f"Walker {i:03}",
                                role=Role.PARTICIPANT, site_id=site, password_hash="unused")
                           for i in range(count))
        db.session.commit()


def test_the_people_list_comes_a_page_at_a_time(app, client, worker, site):
    add_participants(app, site, PER_PAGE + 5)
    login(client, worker)

    first = fetch(client, "/people")
    assert first.status_code == 200
    words = text(first)
    assert "Next page" in words and "Previous page" not in words
    assert words.count(" Active ") == PER_PAGE  # one a row
    walkers = words.count("Walker ")

    second = text(fetch(client, "/people?page=2"))
    assert "Previous page" in second and "Next page" not in second
    # Everyone is on one page or the other, once: the worker and 55 participants.
    assert walkers + second.count("Walker ") == PER_PAGE + 5
    assert words.count(worker.username) + second.count(worker.username) == 1


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5", "10001", "3"])
def test_a_page_that_cannot_exist_is_not_found(app, client, worker, site, page):
    add_participants(app, site, PER_PAGE + 5)  # two pages
    login(client, worker)
    assert fetch(client, f"/people?page={page}").status_code == 404


def statements_for(app, client, url: str) -> int:
    with sql_statements() as sent:
        assert fetch(client, url).status_code == 200
    return len(sent)


def test_lists_ask_the_same_number_of_queries_for_two_rows_as_for_eight(app, client, worker,
                                                                          site):
    def lend_more(first: int, last: int) -> None:
        for i in range(first, last):
            camera = make_camera(app, worker, f"CAM-{i:02}")
            person = make_account(app, f"borrower-{i}", "participant", site)
            lend(app, worker, camera, person.id, now() + timedelta(days=2))

    login(client, worker)
    lend_more(0, 2)
    few = {url: statements_for(app, client, url) for url in ("/loans", "/cameras", "/people")}
    lend_more(2, 8)
    many = {url: statements_for(app, client, url) for url in few}
    assert many == few
