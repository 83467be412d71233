"""Commands: flask users create, flask sites create, flask tokens create."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workshop.auth import services
from workshop.auth.models import Role, User
from workshop.cli import domain_errors_as_messages
from workshop.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
sites_cli = AppGroup("sites", help="Manage sites (clinic locations).")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _read_passphrase() -> str:
    # Scripts pipe the passphrase in; a person at a terminal types it twice, unseen.
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--site", "site_slug", help="Slug of the person's site (not needed for admins).")
@click.option("--display-name", help="Name shown in the app; defaults to the username.")
def create_user(username: str, role: str, site_slug: str | None, display_name: str | None):
    """Create USERNAME; the passphrase comes from a prompt or from stdin."""
    site_id = None
    if site_slug:
        site = services.site_by_slug(site_slug)
        if site is None:
            raise click.ClickException(f"There is no site with the slug {site_slug}.")
        site_id = site.id
    password = _read_passphrase()
    with domain_errors_as_messages():
        user = services.create_user(None, username, role, display_name or username,
                                    password, site_id)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.username}.")


@sites_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Short name used in links, like north-hub.")
def create_site(name: str, slug: str):
    """Create a site called NAME."""
    with domain_errors_as_messages():
        site = services.create_site(None, name, slug)
    db.session.commit()
    click.echo(f"Created site {site.name} ({site.slug}).")


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="command line", help="What the token is for.")
def create_token(username: str, name: str):
    """Make an API token for USERNAME and print it once, alone on the last line."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(f"There is no active user {username}.")
    with domain_errors_as_messages():
        _, raw = services.create_api_token(user, name)
    db.session.commit()
    click.echo("Keep this token secret; it is not shown again.", err=True)
    click.echo(raw)
