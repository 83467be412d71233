"""Tests of the photos feature."""
