"""Markdown in lesson plans comes out as harmless HTML, whatever a plan's author typed."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from workshop.lessons.markdown import estimate_lines, render_markdown


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser would read them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def assert_harmless(html: str) -> list[tuple[str, dict]]:
    elements = Elements(html).elements
    for tag, attrs in elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "img", "svg",
                           "math", "form", "input", "button", "link", "meta", "base"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name not in {"style", "srcdoc", "formaction"}, html
            if name in {"href", "src", "action"}:
                assert scheme(value) in {"", "http", "https", "mailto"}, html
    return elements


def scheme(url: str | None) -> str:
    """The scheme a browser would see: it drops tabs and newlines, and edge spaces."""
    return urlsplit(re.sub(r"[\t\n\r]", "", (url or "").strip(" \x00\x0c"))).scheme.lower()


def test_plain_markdown_renders():
    html = render_markdown("Some **bold** and *soft* words.\n\n- one\n- two\n\n1. first")
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html
    assert "<ul>" in html and "<li>two</li>" in html and "<ol>" in html


def test_nothing_in_nothing_out():
    assert render_markdown("") == "" and render_markdown(None) == ""


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "Hello <script src=https://evil.example/x.js></script> there",
    "<SCRIPT>alert(1)</SCRIPT>",
    "```\n</code><script>alert(1)</script>\n```",
    "- <script>alert(1)</script>",
], ids=["alone", "inline", "upper case", "in a code block", "in a list"])
def test_script_tags_come_out_as_text(text):
    html = render_markdown(text)
    assert_harmless(html)
    assert "<script" not in html.lower()
    assert "&lt;script" in html.lower()  # shown, so the author sees what they typed


@pytest.mark.parametrize("text", [
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">click</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<svg onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '[x](#"onclick="alert(1))',
    '[x](https://example.org/" onclick="alert(1))',
    '![x](https://example.org/a.png" onerror="alert(1))',
], ids=["img onerror", "a onclick", "p onmouseover", "svg onload", "style", "iframe",
        "quote in a link", "quote in a URL", "quote in an image"])
def test_event_handler_attributes_are_gone(text):
    elements = assert_harmless(render_markdown(text))
    assert all(not any(name.startswith("on") for name in attrs) for _, attrs in elements)


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))",
    "[click](JavaScript:alert(1))",
    "[click]( javascript:alert(1) )",
    "[click](java\tscript:alert(1))",
    "[click](java&#09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
], ids=["plain", "mixed case", "spaces", "tab", "tab entity", "entity", "colon entity",
        "vbscript", "data", "autolink", "reference", "raw a tag"])
def test_dangerous_links_are_not_links(text):
    elements = assert_harmless(render_markdown(text))
    assert all(scheme(attrs.get("href")) in {"", "http", "https"}
               for tag, attrs in elements if tag == "a")


def test_safe_links_stay_links_and_open_nothing_extra():
    html = render_markdown("[the guide](https://example.org/guide) and <mailto:jo@example.org>")
    elements = assert_harmless(html)
    links = [attrs for tag, attrs in elements if tag == "a"]
    assert links[0]["href"] == "https://example.org/guide"
    assert "noopener" in links[0]["rel"] and "nofollow" in links[0]["rel"]
    assert links[1]["href"] == "mailto:jo@example.org"


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown('<b>bold</b> <span class="x">span</span>\n\n<div>block</div>')
    assert "<b>" not in html and "<span" not in html and "<div" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;div&gt;block&lt;/div&gt;" in html


def test_html_comments_do_not_hide_anything():
    html = render_markdown("before <!-- <script>alert(1)</script> --> after")
    assert_harmless(html)
    assert "&lt;!--" in html


def test_images_are_dropped():
    # The CSP would block outside images anyway; a plan shows text, not tracking pixels.
    elements = assert_harmless(render_markdown("![a cat](https://example.org/cat.png)"))
    assert "img" not in {tag for tag, _ in elements}


def test_headings_start_where_the_page_says():
    html = render_markdown("# Warm-up\n\ntext\n\n## Details", top_level=3)
    assert "<h3>Warm-up</h3>" in html and "<h4>Details</h4>" in html
    assert "<h1>" not in html
    # Whatever level the author started at, the biggest heading takes the given level.
    assert "<h2>Parts</h2>" in render_markdown("### Parts", top_level=2)
    assert "<h6>" in render_markdown("# a\n## b\n### c\n#### d\n##### e\n###### f", 3)
    assert "<h7>" not in render_markdown("# a\n## b\n### c\n#### d\n##### e\n###### f", 3)


def test_line_estimate_grows_with_the_text():
    short = estimate_lines("One line.", 68)
    assert 1 <= short < 2
    assert estimate_lines("## Head\n\n- " + "word " * 40, 68) > short + 3
    assert estimate_lines("", 68) == 0


@pytest.mark.parametrize("html", [
    '<a href=" java\tscript:alert(1)">x</a>',
    '<p onclick="alert(1)">x</p>',
    "<script>alert(1)</script>",
])
def test_the_checks_above_would_catch_real_markup(html):
    # Proof that the tests above could fail: unsanitised HTML does not pass them.
    with pytest.raises(AssertionError):
        assert_harmless(html)
