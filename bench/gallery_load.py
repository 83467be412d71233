"""Requests per second of the public gallery's pages against GET /healthz, under gunicorn.

Run with `.venv/bin/python bench/gallery_load.py` from the repository (or `make bench`).
It needs a PostgreSQL server on 127.0.0.1:5432 where the user postgres may log in without
a password, and `wrk` (Debian: `apt-get install wrk`); without wrk it says so and exits 2.
It makes its own database and storage folder, loads 10,000 public photos, serves the app
with two gunicorn workers, and removes everything again. It takes about a minute and a half.

Each page is measured as a ratio to /healthz in the same run, so the number says what the
page costs on top of Flask and gunicorn, whatever the machine. Runs are interleaved and
the median of the rounds is taken, so a noisy neighbour slows every contender alike.
The goal: every gallery page serves at least 0.4 as many requests per second as /healthz.

The pages are asked for as a visitor does, without a session cookie, so after the first
request they come from the page cache (workshop/gallery/cache.py), which still reads the
gallery's version from the database on every request. The rows marked "rendered" send a
session cookie, so every request renders the page: what the first visitor after a change
waits for. They are printed for that reason and are not judged.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from PIL import Image
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"

PHOTOS = 10_000
PAGE = 200  # the deep page: keyset pagination should make it as cheap as the first
ROUNDS = 3
SECONDS = 5
THREADS, CONNECTIONS = 2, 8
GOAL = 0.4  # requests/s of a gallery page as a multiple of /healthz's
# Targets measured with a session cookie (rendered each time): shown, not judged.
RENDERED = {"first, rendered": "first", "photo, rendered": "photo"}
WRK = shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tiny_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (90, 120, 150)).save(out, "JPEG", quality=70)
    return out.getvalue()


def fetch(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our URL
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def versions() -> dict[str, str]:
    from importlib.metadata import version

    wrk = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)  # noqa: S603
    with psycopg.connect(PG_ADMIN) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "python": platform.python_version(),
        "flask": version("flask"),
        "sqlalchemy": version("sqlalchemy"),
        "gunicorn": version("gunicorn"),
        "postgresql": server,
        "wrk": (wrk.stdout + wrk.stderr).split("[")[0].strip().removeprefix("wrk "),
    }


def load(env: dict[str, str], storage_dir: Path) -> dict[str, str]:
    """Fill the database through the app's own tables; returns the URLs to measure."""
    # Imported late: create_app reads the FLASK_* settings of this process.
    from workshop import create_app
    from workshop.auth.models import Role, Site, User
    from workshop.extensions import db
    from workshop.gallery.services import PAGE_SIZE, encode_cursor, public_photos
    from workshop.lessons.models import Topic
    from workshop.photos.models import Consent, ConsentPurpose, Credit, Photo, PhotoState
    from workshop.photos.storage import COPY_KINDS, Storage

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": env["FLASK_SQLALCHEMY_DATABASE_URI"],
        "STORAGE_DIR": env["FLASK_STORAGE_DIR"],
        "SECRET_KEY": env["FLASK_SECRET_KEY"],
    })
    # A fixed seed makes every run load the same gallery, so runs compare.
    rng = random.Random(20261127)  # noqa: S311 - test data, not secrets
    now = datetime.now(UTC)
    themes = list(Topic)
    with app.app_context():
        try:
            with db.engine.begin() as conn:
                site_id = conn.execute(Site.__table__.insert().returning(Site.id),
                                       {"name": "Bench Day Programme", "slug": "bench"}
                                       ).scalar_one()
                users = {}
                for name, role in (("bench-worker", Role.WORKER),
                                   ("bench-participant", Role.PARTICIPANT)):
                    users[role] = conn.execute(
                        User.__table__.insert().returning(User.id),
                        {"username": name, "display_name": name.title(), "role": role,
                         "site_id": site_id, "password_hash": "not-a-hash"}).scalar_one()
                worker, owner = users[Role.WORKER], users[Role.PARTICIPANT]
                photos = []
                for i in range(PHOTOS):
                    published = now - timedelta(seconds=rng.uniform(60, 365 * 24 * 3600))
                    photos.append({
                        "uuid": uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                        "site_id": site_id, "owner_id": owner, "uploaded_by_id": owner,
                        "caption": f"Bench photo {i}" if i % 3 else "",
                        "content_hash": hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                        "format": "JPEG", "mime_type": "image/jpeg", "byte_size": 2_000_000,
                        "width": 4000, "height": 3000, "megapixels": 12.0, "checks": {},
                        "state": PhotoState.APPROVED, "created_at": published,
                        "credit": Credit.DISPLAY_NAME, "credit_name": f"Snapper {i % 40}",
                        "submitted_at": published, "decided_at": published,
                        "decided_by_id": worker, "theme": themes[i % len(themes)],
                        "published_at": published,
                    })
                # executemany: psycopg sends these as a few multi-row INSERTs.
                conn.execute(Photo.__table__.insert(), photos)
                ids = conn.execute(Photo.__table__.select().with_only_columns(Photo.id)
                                   ).scalars().all()
                conn.execute(Consent.__table__.insert(), [
                    {"photo_id": photo_id, "purpose": ConsentPurpose.GALLERY,
                     "wording_version": 1, "given_at": now - timedelta(days=400),
                     "given_by_id": owner, "expires_at": now + timedelta(days=330)}
                    for photo_id in ids])
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")

            # Only through the gallery's own rule: if it hides any, the load is wrong.
            with db.engine.connect() as conn:
                ordered = conn.execute(
                    public_photos(now).with_only_columns(Photo.id, Photo.uuid, Photo.published_at)
                    .order_by(Photo.published_at.desc(), Photo.id.desc())).all()
            if len(ordered) != PHOTOS:
                raise RuntimeError(f"{len(ordered)} of {PHOTOS} photos are public")
            # Page n starts after the last photo of page n - 1.
            before = ordered[(PAGE - 1) * PAGE_SIZE - 1]
            first_of_page = ordered[(PAGE - 1) * PAGE_SIZE]
            shown = ordered[PAGE * PAGE_SIZE]

            # Copies only for the photos the measured pages show: writing 20,000 files
            # takes longer than loading the database, and files are not measured.
            jpeg = tiny_jpeg()
            files = Storage.on_disk(storage_dir)
            deep = (PAGE - 1) * PAGE_SIZE
            for row in [*ordered[:PAGE_SIZE], *ordered[deep:deep + PAGE_SIZE], shown]:
                for kind in COPY_KINDS:
                    files.write(files.public_path(row.uuid, kind), jpeg)
            plans = {"first": explain_page(app, None),
                     f"page {PAGE}": explain_page(app, encode_cursor(before))}
        finally:
            db.engine.dispose()
    return {
        "healthz": "/healthz",
        "first": "/gallery",
        f"page {PAGE}": f"/gallery?after={encode_cursor(before)}",
        "photo": f"/gallery/{shown.uuid}",
        "_page_first_uuid": first_of_page.uuid,
        "_plans": plans,
    }


def explain_page(app, cursor: str | None) -> str:
    """EXPLAIN ANALYZE of a page's query, captured as gallery_page sends it."""
    from sqlalchemy import event

    from workshop.extensions import db
    from workshop.gallery import services

    sent = []

    def keep(conn, dbapi_cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with app.test_request_context():
            services.gallery_page(cursor=cursor)
            db.session.remove()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    statement, parameters = sent[-1]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return "\n".join(row[0] for row in rows)


def wrk(url: str, seconds: int, rendered: bool = False) -> tuple[float, int, str]:
    """Requests/s, the count of non-2xx/3xx answers and errors, and the raw output.

    rendered: ask with a session cookie, as a signed-in person would; the page is then
    rendered for every request, never served from the cache.
    """
    headers = ["-H", "Cookie: workshop_session=bench"] if rendered else []
    result = subprocess.run(  # noqa: S603 - wrk from PATH, our own URL
        [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s",
         *headers, url], capture_output=True, text=True, check=True)
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    if errors:
        bad += sum(int(n) for n in errors.groups())
    return rate, bad, out


def main() -> int:
    if WRK is None:
        print("gallery_load: wrk is not installed (Debian: apt-get install wrk); "
              "nothing measured.", file=sys.stderr)
        return 2

    started = time.monotonic()
    name = f"workshop_bench_{os.getpid()}"
    tmp = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
    storage_dir = tmp / "photos"
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": PG_APP.format(name=name),
        "FLASK_STORAGE_DIR": str(storage_dir),
        "FLASK_SECRET_KEY": secrets.token_hex(32),
    }
    os.environ.update({k: env[k] for k in env if k.startswith("FLASK_")})
    server: subprocess.Popen | None = None
    log = None
    created = False
    try:
        info = versions()
        print(__doc__.splitlines()[0])
        print(", ".join(f"{k} {v}" for k, v in info.items()))
        print(f"CPUs: {os.cpu_count()} (usable {len(os.sched_getaffinity(0))}); "
              f"gunicorn --workers 2; wrk -t{THREADS} -c{CONNECTIONS}, {ROUNDS} interleaved "
              f"rounds of {SECONDS} s each; {PHOTOS} public photos")

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        created = True
        # The schema is made the one way the README allows: the migrations.
        subprocess.run([sys.executable, "-m", "flask", "--app", "workshop", "db", "upgrade"],  # noqa: S603
                       cwd=ROOT, env=env, check=True, capture_output=True)
        t0 = time.monotonic()
        urls = load(env, storage_dir)
        print(f"loaded {PHOTOS} photos, their consents and public copies in "
              f"{time.monotonic() - t0:.1f} s")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (tmp / "gunicorn.log").open("wb")
        server = subprocess.Popen(  # noqa: S603 - our own interpreter
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError("gunicorn stopped:\n" + (tmp / "gunicorn.log").read_text())
            try:
                if fetch(base + "/healthz", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz within 30 s")
            time.sleep(0.2)

        targets = {label: url for label, url in urls.items() if not label.startswith("_")}
        # What a visitor gets is a page kept in the cache until the gallery changes; what
        # it costs to make one (the first visitor after a change, anyone signed in):
        targets.update({label: urls[page] for label, page in RENDERED.items()})
        # A fast 404 or an empty page would pass the goal; check each page is the real one.
        problems = []
        for label, path in targets.items():
            status, body = fetch(base + path)
            links = set(re.findall(r'href="/gallery/([0-9a-f]{32})"', body))
            if status != 200:
                problems.append(f"{label}: {path} answered {status}")
            elif label in ("first", f"page {PAGE}") and len(links) < 24:
                problems.append(f"{label}: {path} links to {len(links)} photos, not 24")
            elif label == f"page {PAGE}" and urls["_page_first_uuid"] not in links:
                problems.append(f"{label}: the first photo of page {PAGE} is not on it")
            elif label == "photo" and f"{path}/large.jpg" not in body:
                problems.append(f"{label}: the page shows no large copy")
        if problems:
            print("\n".join(["NOT MEASURED, the pages are wrong:", *problems]))
            return 1

        # A short warm-up of each: templates compiled, connection pools filled.
        for label, path in targets.items():
            wrk(base + path, 1, label in RENDERED)
        rates: dict[str, list[float]] = {label: [] for label in targets}
        failures: dict[str, int] = dict.fromkeys(targets, 0)
        for _ in range(ROUNDS):
            for label, path in targets.items():
                rate, bad, _out = wrk(base + path, SECONDS, label in RENDERED)
                rates[label].append(rate)
                failures[label] += bad

        baseline = statistics.median(rates["healthz"])
        print()
        judged = [label for label in rates if label != "healthz" and label not in RENDERED]
        print(f"{'page':<16} {'req/s (median)':>15} {'rounds':>26} {'ratio':>6}  goal >= {GOAL}")
        for label, values in rates.items():
            median = statistics.median(values)
            ratio = median / baseline
            verdict = ("baseline" if label == "healthz" else "(not judged)"
                       if label not in judged else "PASS" if ratio >= GOAL else "FAIL")
            rounds = " ".join(f"{v:8.1f}" for v in values)
            print(f"{label:<16} {median:>15.1f} {rounds:>26} {ratio:>6.2f}  {verdict}")
        print("URLs:", json.dumps(targets))
        if any(failures.values()):
            print("WARNING: answers that were not 2xx/3xx or socket errors:",
                  {k: v for k, v in failures.items() if v})
        passed = all(statistics.median(rates[label]) / baseline >= GOAL for label in judged)
        print(f"\nGOAL {'MET' if passed else 'NOT MET'}: every gallery page at least "
              f"{GOAL} x /healthz")
        plans = urls["_plans"]
        for label, plan in plans.items():
            print(f"{label} query: {plan.splitlines()[-1]}")
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the page {PAGE} query:\n{plans[f'page {PAGE}']}")
        print(f"\ntook {time.monotonic() - started:.0f} s")
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if log is not None:
            log.close()
        if created:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                             .format(sql.Identifier(name)))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
