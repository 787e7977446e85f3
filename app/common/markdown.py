"""Lesson Markdown to safe HTML: markdown-it-py renders, nh3 sanitises."""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# Raw HTML in lesson sources is not rendered at all ("html": False); the
# allowlist below is a second line for whatever markdown-it produces.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "td": {"style"},
    "th": {"style"},
    "ol": {"start"},
}


def render_markdown(source: str) -> str:
    """Render lesson Markdown (CommonMark + tables) to sanitised HTML.

    Headings are shifted down one level (``#`` becomes ``<h2>``) because the
    page already has the lesson title as its only ``<h1>``. Links keep only
    http, https and mailto; ``javascript:`` and ``data:`` URLs are dropped,
    as are scripts, event attributes, SVG and MathML.

    Memoised per source text (bounded LRU, per process): rendering is pure and
    took about half the time of a lesson page (bench/README.md); a lesson is
    read far more often than it changes, and an edited lesson is a new key.
    """
    source = source or ""
    if len(source) > _CACHE_MAX_CHARS:  # keeps the cache's memory bounded (256 x 64 K chars at most)
        return _render.__wrapped__(source)
    return _render(source)


_CACHE_MAX_CHARS = 65_536


@lru_cache(maxsize=256)
def _render(source: str) -> str:
    html = _md.render(source)
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
