"""Jinja helpers."""

from datetime import datetime

from flask import Flask, current_app

from workshop.lessons.markdown import render_markdown


def local_time(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """Stored in UTC, shown in the programme's own time zone."""
    if value is None:
        return ""
    return value.astimezone(current_app.config["TZ"]).strftime(fmt)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["markdown"] = render_markdown
