"""Small horizontal bar charts for the pages, laid out here and drawn as SVG by templates/dashboard_charts.html.

Plain numbers in, positions out: the template draws with SVG presentation attributes only (the pages'
Content-Security-Policy allows no style attributes), and every chart is shown beside a table of the same
numbers, so a screen reader (and a person who would rather read) gets them as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.fmt import getal

WIDTH = 600
LABEL_WIDTH = 230  # room for the category names left of the bars
VALUE_ROOM = 60  # room for the number right of the longest bar
BAR_HEIGHT = 16
GAP = 8
COLOURS = ("#1f5f8b", "#a34a00")  # 3:1 and more against white: bars stand out without colour names
MAX_LABEL = 30  # characters (about 6.5 pixels each at 12 px); the table beside the chart keeps the whole name


@dataclass
class Bar:
    """One bar: where it is drawn and what it says."""

    y: int
    width: int
    value: int
    colour: str
    text: str


@dataclass
class Group:
    """One category: its label and its bars (one per series)."""

    label: str
    short: str
    y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    """A chart ready for the template: its size, its groups and a sentence that says what it shows."""

    id: str
    title: str
    width: int
    height: int
    groups: list[Group]
    series: list[tuple[str, str]]  # (name, colour) for the legend; empty for one series
    summary: str
    label_width: int = LABEL_WIDTH


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, list[int]]], series: list[str] | None = None) -> Chart:
    """Lay out a chart of rows (category label, one value per series) with bars scaled to the largest value."""
    names = series or [""]
    top = max((v for _, values in rows for v in values), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    legend = 24 if len(names) > 1 else 0
    groups, y = [], legend + 4
    for label, values in rows:
        group = Group(label, _short(label), y)
        for i, value in enumerate(values):
            group.bars.append(Bar(y + i * BAR_HEIGHT, round(room * value / top) if value else 0, value,
                                  COLOURS[i % len(COLOURS)], getal(value)))
        groups.append(group)
        y += BAR_HEIGHT * len(values) + GAP
    parts = "; ".join(f"{label}: " + ", ".join(f"{getal(v)}{f' {names[i]}' if names[i] else ''}"
                                               for i, v in enumerate(values)) for label, values in rows)
    return Chart(chart_id, title, WIDTH, y + 4, groups,
                 [(name, COLOURS[i % len(COLOURS)]) for i, name in enumerate(names)] if len(names) > 1 else [],
                 f"{title}. {parts or 'Geen gegevens'}.")
