"""Faces' tests sign in through the photos' fixtures."""

from tests.photos.conftest import participant_client, worker_client  # noqa: F401
