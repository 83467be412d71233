"""flask flickr connect, disconnect and sync: the connection from a terminal, and the worker."""

import signal
import threading

import click
from flask.cli import AppGroup

from workshop.cli import domain_errors_as_messages
from workshop.extensions import db
from workshop.flickr import client, services, worker

flickr_cli = AppGroup("flickr", help="The programme's Flickr account and group sync.")


@flickr_cli.command("connect")
def connect():
    """Connect the programme's Flickr account (for a server without a browser)."""
    with domain_errors_as_messages():
        pending = services.start_connect(None, "oob")
        click.echo("Open this address in a browser, signed in to the programme's Flickr "
                   "account, and agree:")
        click.echo(pending.url)
        code = click.prompt("Then type the code Flickr shows")
        account = services.finish_connect(None, pending.request_token,
                                          pending.request_secret, code)
    db.session.commit()
    click.echo(f"Connected to Flickr as {account.username}.")


@flickr_cli.command("disconnect")
def disconnect():
    """Forget the connected account; queued jobs wait for a new connection."""
    with domain_errors_as_messages():
        services.disconnect(None)
    db.session.commit()
    click.echo("Disconnected from Flickr.")


@flickr_cli.command("sync")
@click.option("--once", is_flag=True, help="Do the jobs that are due now, then exit.")
def sync(once: bool):
    """Run the sync worker: send approved photos, take withdrawn ones down."""
    with domain_errors_as_messages():
        client.require_settings()
    stop = threading.Event()

    def finish_then_stop(signum, frame):
        # The job in hand is finished and recorded first; a second signal is not needed.
        click.echo("Stopping after the current job.")
        stop.set()

    previous = {signum: signal.signal(signum, finish_then_stop)
                for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        ran = worker.run(once=once, stop=stop, log=click.echo)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if once:
        click.echo(f"{ran} job{'' if ran == 1 else 's'} run; "
                   f"{services.unfinished_count()} not finished.")
