"""The first page after login: what needs doing today, by role."""
