"""flask lessons load: the lesson plans shipped with the app, added once."""

import click
from flask.cli import AppGroup

from workshop.extensions import db
from workshop.lessons import services

lessons_cli = AppGroup("lessons", help="Lesson plans.")

OUTCOMES = {
    "added": "added",
    "already there": "already there, left as it is",
    "kept edits": "already there and edited by workers: their version is kept",
}


@lessons_cli.command("load")
def load():
    """Add the shipped lesson plans that are missing. Never overwrites workers' edits."""
    results = services.load_shipped()
    db.session.commit()
    for result in results:
        click.echo(f"{result.title}: {OUTCOMES[result.outcome]}.")
