"""Lesson plans: the library of what workers teach, with every edit kept."""
