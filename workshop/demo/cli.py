"""flask demo load: one site and its people, loaded once."""

import click
from flask.cli import AppGroup

from workshop.demo import services
from workshop.extensions import db

demo_cli = AppGroup("demo", help="Demo data for trying the app.")


@demo_cli.command("load")
def load():
    """Load the demo site and accounts, unless they are there already."""
    try:
        logins = services.load_demo()
    except ModuleNotFoundError as exc:
        raise click.ClickException(
            f"The demo photos come from {exc.name}: pip install 'workshop[demo]'.") from exc
    db.session.commit()
    if logins is None:
        click.echo("The demo data is already loaded.")
        logins = services.DEMO_LOGINS
    click.echo("Demo logins (username / passphrase):")
    for username, role, passphrase in logins:
        click.echo(f"  {role:<12} {username:<10} {passphrase}")
