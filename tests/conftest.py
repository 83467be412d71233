"""The shared fixtures, loaded as plugins (as Indico's pytest plugin loads its own), so
that every folder of tests can reach them. Their helpers are imported from
tests.fixtures.*, never from a conftest."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.accounts",
    "tests.fixtures.migrations",
    "tests.fixtures.pages",
    "tests.fixtures.stock",
    "tests.fixtures.programme",
    "tests.fixtures.lessons",
    "tests.fixtures.flickr",
    "tests.fixtures.storage",
]
