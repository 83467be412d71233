"""flask sites create, flask users create, flask tokens create, flask demo load."""

from sqlalchemy import func, select

from tests.fixtures.pages import login
from workshop.auth.models import ApiToken, Role, Site, User
from workshop.extensions import db
from workshop.photos.models import Photo


def test_sites_create(app, runner):
    result = runner.invoke(args=["sites", "create", "North Hub", "--slug", "north-hub"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(Site.name).where(Site.slug == "north-hub")) == \
            "North Hub"


def test_sites_create_refuses_a_taken_slug(app, runner, site):
    result = runner.invoke(args=["sites", "create", "Again", "--slug", "north-hub"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Site)) == 1


def test_users_create_reads_the_passphrase_from_stdin(app, runner, client, site):
    result = runner.invoke(args=["users", "create", "Sam", "--role", "participant",
                                 "--site", "north-hub"], input="sams-long-passphrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "sam"))
        assert user.role is Role.PARTICIPANT and user.site_id == site
    response = client.post("/login")  # CSRF missing: refused before any check
    assert response.status_code == 400
    from tests.fixtures.accounts import Account

    assert login(client, Account(0, "sam", "sams-long-passphrase", "participant", site)
                 ).status_code == 302


def test_users_create_admin_needs_no_site(app, runner):
    result = runner.invoke(args=["users", "create", "boss", "--role", "admin"],
                           input="boss-long-passphrase\n")
    assert result.exit_code == 0, result.output


def test_users_create_worker_needs_a_site(app, runner):
    result = runner.invoke(args=["users", "create", "joe", "--role", "worker"],
                           input="jo-long-passphrase\n")
    assert result.exit_code != 0
    assert "site" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_refuses_a_short_passphrase(app, runner, site):
    result = runner.invoke(args=["users", "create", "joe", "--role", "worker",
                                 "--site", "north-hub"], input="short\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output


def test_users_create_unknown_site(app, runner):
    result = runner.invoke(args=["users", "create", "joe", "--role", "worker",
                                 "--site", "nowhere"], input="jo-long-passphrase\n")
    assert result.exit_code != 0
    assert "no site" in result.output


def test_tokens_create_prints_the_token_alone_on_the_last_line(app, runner, client, worker):
    result = runner.invoke(args=["tokens", "create", "worker"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("wks_") and " " not in token
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["username"] == "worker"
    with app.app_context():
        stored = db.session.scalar(select(ApiToken.token_hash))
        assert token not in stored  # kept hashed


def test_tokens_create_unknown_user(runner, app):
    result = runner.invoke(args=["tokens", "create", "nobody"])
    assert result.exit_code != 0


def test_demo_load_is_idempotent_and_its_logins_work(app, runner, client):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert "already loaded" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Site)) == 1
        roles = db.session.scalars(select(User.role)).all()
        assert sorted(r.value for r in roles) == ["admin", "participant", "participant",
                                                  "worker"]
        # The demo photos show each kind of feedback: one good, one shaken, one dark.
        photos = db.session.scalars(select(Photo).order_by(Photo.id)).all()
        assert [(p.verdict("steadiness"), p.verdict("light")) for p in photos] == [
            ("ok", "ok"), ("shaky", "ok"), ("ok", "dark")]
        assert [p.state.value for p in photos] == ["approved", "private", "private"]
    assert "The cat next door" in client.get("/gallery").get_data(as_text=True)
    # Every printed login works.
    from tests.fixtures.accounts import Account

    lines = [line.split() for line in first.output.splitlines() if line.startswith("  ")]
    assert len(lines) == 4
    for role, username, passphrase in lines:
        browser = app.test_client()
        assert login(browser, Account(0, username, passphrase, role, None)).status_code == 302
