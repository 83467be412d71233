"""flask sessions list: the sessions coming up, for a quick look from the server."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from workshop.auth import services as auth
from workshop.db import utcnow
from workshop.extensions import db
from workshop.programme.models import Session
from workshop.templating import local_time

sessions_cli = AppGroup("sessions", help="Workshop sessions.")


@sessions_cli.command("list")
@click.option("--site", "site_slug", help="Only this site's sessions (its slug).")
def list_sessions(site_slug: str | None):
    """List the sessions that have not ended yet, soonest first."""
    query = select(Session).where(Session.ends_at > utcnow()).order_by(Session.starts_at)
    if site_slug:
        site = auth.site_by_slug(site_slug)
        if site is None:
            raise click.ClickException(f"There is no site {site_slug!r}.")
        query = query.where(Session.site_id == site.id)
    found = db.session.scalars(query).all()
    if not found:
        click.echo("No sessions coming up.")
    for session in found:
        click.echo(f"{session.id:>5}  {local_time(session.starts_at)}  {session.title}  "
                   f"({len(session.enrolments)} of {session.capacity} places taken)")
