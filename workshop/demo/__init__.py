"""Demo data, so a new install has something to show."""
