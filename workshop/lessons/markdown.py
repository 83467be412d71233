"""Markdown for lesson plans: CommonMark without raw HTML, sanitised again before display."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML is off, so "<script>" comes out as text; nh3 is the second lock on the door,
# in case a parser bug (or a later option) ever lets markup through.
_parser = MarkdownIt("commonmark", {"html": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _shift_headings(tokens, top_level: int) -> None:
    """Make the biggest heading in the text top_level, and the rest follow.

    A worker's "# Warm-up" inside a plan must not become a second h1 on the page; the
    page decides where the text's headings sit in its outline.
    """
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if not levels:
        return
    shift = top_level - min(levels)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def render_markdown(text: str | None, top_level: int = 3) -> Markup:
    """Safe HTML for a lesson plan's Markdown; its headings start at h{top_level}."""
    if not text:
        return Markup("")
    env: dict = {}
    tokens = _parser.parse(text, env)
    _shift_headings(tokens, max(2, min(6, top_level)))
    html = _parser.renderer.render(tokens, _parser.options, env)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704 -- sanitised by nh3 on the line above


def estimate_lines(text: str | None, chars_per_line: int) -> float:
    """Roughly how many lines of print the text fills, headings and gaps included.

    Good enough to choose a type size for a one-page handout, and to warn when even the
    smaller size will not fit; the line breaks in the Markdown source do not count.
    """
    if not text:
        return 0.0
    lines = 0.0
    heading = False
    for token in _parser.parse(text):
        if token.type == "heading_open":
            heading = True
        elif token.type == "inline":
            words = len(token.content.replace("\n", " "))
            lines += (1.9 if heading else 0.25) + max(1, -(-words // chars_per_line))
            heading = False
    return lines
