"""The Flickr tests' app is pointed at the fake Flickr."""

import pytest

from tests.fixtures.flickr import flickr_settings


@pytest.fixture
def app_overrides(fake) -> dict:
    return flickr_settings(fake)
