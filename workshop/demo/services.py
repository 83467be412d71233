"""Building the demo site. Later features add their own demo records here."""

from workshop.auth import services as auth
from workshop.auth.models import Role

DEMO_SITE = ("Riverside Day Programme", "riverside")
# Public, well-known passphrases: for trying the app on your own machine only.
DEMO_LOGINS = [
    ("admin", Role.ADMIN.value, "demo-admin-pass"),
    ("worker", Role.WORKER.value, "demo-worker-pass"),
    ("sky", Role.PARTICIPANT.value, "apple-river-sun-12"),
    ("robin", Role.PARTICIPANT.value, "green-boat-moon-34"),
]
DISPLAY_NAMES = {"admin": "Alex (admin)", "worker": "Jo", "sky": "Sky", "robin": "Robin"}


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo records; None if they exist already (the command is re-runnable)."""
    name, slug = DEMO_SITE
    if auth.site_by_slug(slug) is not None:
        return None
    site = auth.create_site(None, name, slug)
    for username, role, passphrase in DEMO_LOGINS:
        auth.create_user(None, username, role, DISPLAY_NAMES[username], passphrase,
                         None if role == Role.ADMIN.value else site.id)
    return DEMO_LOGINS
