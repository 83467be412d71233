"""flask photos check, fsck and scrub: checking files without storing them, mending storage."""

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from workshop.extensions import db
from workshop.photos import consent, imaging, metadata, services
from workshop.photos.storage import StorageUnavailable, copy_all, storage, storage_for

photos_cli = AppGroup("photos", help="Photo checks and storage.")
consent_cli = AppGroup("consent", help="Consent to share photos.")


def _check_one(path: str) -> dict:
    try:
        return {"file": path, **imaging.check_file(
            Path(path), max_pixels=current_app.config["PHOTO_MAX_PIXELS"])}
    except imaging.Refused as refused:
        return {"file": path, "error": refused.message}
    except OSError as exc:
        return {"file": path, "error": f"Cannot read the file: {exc.strerror or exc}"}


def _readable(result: dict) -> str:
    if "error" in result:
        return f"{result['file']}: cannot be checked: {result['error']}"
    lines = [f"{result['file']}: {result['width']} x {result['height']} "
             f"({result['megapixels']} MP)"]
    for name, check in result["checks"].items():
        score = f" (score {check['score']})" if check.get("score") is not None else ""
        lines.append(f"  {name}: {check['verdict']}{score}. {check.get('message', '')}")
    return "\n".join(lines)


@photos_cli.command("check")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, per line.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(as_json: bool, files: tuple[str, ...]):
    """Check photos as an upload would, without storing them."""
    failed = False
    for path in files:
        result = _check_one(path)
        failed |= "error" in result
        click.echo(json.dumps(result) if as_json else _readable(result))
    if failed:
        raise SystemExit(1)


@photos_cli.command("fsck")
@click.option("--dry-run", is_flag=True, help="Only report; change nothing.")
def fsck(dry_run: bool):
    """Report files without a photo and photos without files, and clean up."""
    report = services.fsck(clean=not dry_run)
    db.session.rollback()
    verb = "Would remove" if dry_run else "Removed"
    for path in report.orphans:
        click.echo(f"{verb} orphan file {path}")
    for path in report.missing_copies:
        click.echo(f"{'Missing' if dry_run else 'Made again'}: display copy {path}")
    for photo_id in report.missing_originals:
        click.echo(f"Photo {photo_id}: its original file is missing and cannot be made again")
    click.echo(f"{len(report.orphans)} orphan files, {len(report.missing_copies)} missing "
               f"copies, {len(report.missing_originals)} photos without their original.")
    if report.missing_originals:
        raise SystemExit(1)


@photos_cli.command("scrub")
def scrub():
    """Take location and owner or serial tags out of originals stored before uploads did
    (the picture stays bit for bit; run once after upgrading)."""
    store = storage()
    changed = 0
    for _, stored, _ in store.files():
        # Originals only (the copies never had tags), and no file being written.
        if stored.key.startswith("originals/") and not stored.name.startswith("."):
            changed += metadata.scrub_stored(stored)
    click.echo(f"{changed} original{'' if changed == 1 else 's'} scrubbed.")


@photos_cli.command("migrate-storage")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="Where to copy the photos: s3://bucket/prefix or file:///path.")
def migrate_storage(target_url: str):
    """Copy every photo file from this install's storage to another (run it again after an
    interruption, or to catch up: what is already there is not copied twice)."""
    config = current_app.config
    try:
        target = storage_for({**config, "STORAGE_URL": target_url})
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--to") from None
    source = storage()
    if source.backend.location("") == target.backend.location(""):
        raise click.BadParameter("That is where the photos are already.", param_hint="--to")
    copied = skipped = 0
    try:
        for _, was_copied in copy_all(source, target):
            copied += was_copied
            skipped += not was_copied
    except StorageUnavailable as error:
        raise click.ClickException(f"{error.message} {copied} files copied so far; run the "
                                   "command again to go on.") from None
    click.echo(f"{copied} files copied, {skipped} already there. Set FLASK_STORAGE_URL="
               f"{target_url} (and restart every process) to use them.")


@consent_cli.command("expire")
def expire():
    """End the consents that have passed their date (run daily)."""
    count = consent.expire_consents()
    db.session.commit()
    click.echo(f"{count} consent{'' if count == 1 else 's'} expired.")
