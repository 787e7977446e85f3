"""Server-drawn SVG charts for the admin dashboard (no JavaScript, no inline ``style``).

The Content-Security-Policy forbids inline scripts and ``style=""``; SVG
presentation attributes (``fill``, ``font-size``) are attributes, not
styles, so they are allowed. Each chart is an ``<svg role="img">`` labelled by
its ``<title>``/``<desc>``; the page also shows a table of the same numbers.
All text is escaped; numbers are printed with a decimal comma, truncated.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.common.formatting import format_decimal_id

WIDTH = 640
BAR_COLOUR = "#1f6f8b"
MET_COLOUR = "#2e7d32"
TRACK_COLOUR = "#e6edf0"
TEXT_COLOUR = "#1d2a30"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the value drawn (on ``scale``) and the text printed next to it."""

    label: str
    value: Decimal
    text: str


def _number(value: Decimal | int) -> str:
    return format_decimal_id(Decimal(value))


def _svg_open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def _coord(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], scale: Decimal,
              colour: str = BAR_COLOUR) -> Markup:
    """A horizontal bar chart: one row per bar (label above, bar below, value text at its end).

    ``scale`` is the value of a full-width bar (e.g. 100 for percentages);
    longer bars are cut at full width.
    """
    row_h, top, bar_h, track_w = 44, 8, 16, WIDTH - 160
    height = top + row_h * max(1, len(bars)) + 8
    parts = _svg_open(chart_id, height, title, desc)
    if not bars:
        empty = escape(_("Belum ada data."))
        parts.append(f'<text x="0" y="28" font-size="14" fill="{TEXT_COLOUR}">{empty}</text>')
    scale = scale if scale > 0 else Decimal(1)
    for i, bar in enumerate(bars):
        y = top + i * row_h
        width = float(min(bar.value, scale) / scale) * track_w
        parts.append(f'<text x="0" y="{y + 13}" font-size="13" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>')
        parts.append(f'<rect x="0" y="{y + 18}" width="{track_w}" height="{bar_h}" fill="{TRACK_COLOUR}"/>')
        if width > 0:
            parts.append(f'<rect x="0" y="{y + 18}" width="{_coord(width)}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{track_w + 6}" y="{y + 31}" font-size="13" font-weight="bold" '
                     f'fill="{TEXT_COLOUR}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(chart_id: str, title: str, desc: str, labels: Sequence[str], values: Sequence[int]) -> Markup:
    """A vertical column chart (e.g. completions per month) with the value above each column."""
    height, base, top = 220, 190, 24
    n = max(1, len(values))
    slot = WIDTH / n
    peak = max(values) if values and max(values) > 0 else 1
    parts = _svg_open(chart_id, height, title, desc)
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{TEXT_COLOUR}" stroke-width="1"/>')
    for i, (label, value) in enumerate(zip(labels, values)):
        h = (base - top) * value / peak
        x = i * slot + slot * 0.15
        centre = _coord(i * slot + slot / 2)
        if h > 0:
            parts.append(f'<rect x="{_coord(x)}" y="{_coord(base - h)}" width="{_coord(slot * 0.7)}" '
                         f'height="{_coord(h)}" fill="{BAR_COLOUR}"/>')
        parts.append(f'<text x="{centre}" y="{_coord(base - h - 5)}" font-size="12" text-anchor="middle" '
                     f'fill="{TEXT_COLOUR}">{_number(value)}</text>')
        parts.append(f'<text x="{centre}" y="{base + 18}" font-size="12" text-anchor="middle" '
                     f'fill="{TEXT_COLOUR}">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def completion_bars(lines) -> list[Bar]:
    """Bars of :class:`app.reports.dashboard.CompletionLine` items: percent completed, "n dari m (p%)"."""
    return [Bar(line.label, line.percent,
                f"{_number(line.percent)}% ({_number(line.completed)}/{_number(line.enrolled)})") for line in lines]


def compliance_bars(lines) -> list[Bar]:
    """Bars of :class:`app.reports.ledger.OpdCompliance` items: share of ASN meeting their JP target."""
    return [Bar(line.opd_name, line.share, f"{_number(line.share)}% ({_number(line.met)}/{_number(line.staff)})")
            for line in lines]
