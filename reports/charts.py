"""Bar charts for reports, drawn with reportlab.graphics from plain data (a `chart` block of reports.render).

A chart block: `title`, `kind` ("bar": vertical bars, one group per category; "hbar": horizontal bars,
for long category names), `categories` [labels], `series` [{`name`, `values` [numbers]}] (a legend
when there are two or more), optional `stacked` (bool) and `unit` (after each bar's number; "eur": an
amount in euros).
Every bar carries its number, so the chart can be read without the table beside it.
"""

from __future__ import annotations

import math
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.fmt import bedrag, getal

PALETTE = [colors.HexColor(c) for c in ("#1f5f8b", "#e0a030", "#7a9a4a", "#a0455a", "#5b6770", "#3f9fa8")]
TITLE_SIZE = 10
LABEL_SIZE = 7.5


def _nice_top(largest: float) -> tuple[float, float]:
    """Return an axis maximum and step (1, 2 or 5 times a power of ten) above the largest value."""
    if largest <= 0:
        return 1, 1
    raw = largest / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1) if largest >= 1 else step
    return step * math.ceil(largest / step) or step, step


def _shortened(text: str, width: float) -> str:
    """Return text cut to fit the width, with an ellipsis when it had to be cut."""
    if stringWidth(text, "Helvetica", LABEL_SIZE) <= width:
        return text
    while text and stringWidth(text + "…", "Helvetica", LABEL_SIZE) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _label(value: float, unit: str | None) -> str:
    if unit == "eur":
        return bedrag(int(value)) if float(value).is_integer() else bedrag(value)
    text = getal(int(value) if float(value).is_integer() else value)
    return f"{text} {unit}" if unit else text


def drawing(block: dict[str, Any], width: float) -> Drawing:
    """Return the chart of a chart block as a drawing `width` points wide."""
    categories = [str(c) for c in block["categories"]]
    series = block["series"]
    stacked = bool(block.get("stacked"))
    horizontal = block.get("kind") == "hbar"
    legend_height = 14 if len(series) > 1 else 0
    if horizontal:
        per_category = 13 if stacked else 6 + 9 * len(series)
        plot_height = max(30, per_category * len(categories))
    else:
        plot_height = 48 * mm
    below = 16 if horizontal else 24  # the value axis' numbers, or the category names under the bars
    height = TITLE_SIZE + 6 + legend_height + plot_height + below
    d = Drawing(width, height)
    d.add(String(0, height - TITLE_SIZE, block["title"], fontName="Helvetica-Bold", fontSize=TITLE_SIZE))
    chart: VerticalBarChart | HorizontalBarChart = HorizontalBarChart() if horizontal else VerticalBarChart()
    if horizontal:  # room for the names left of the bars, at most 45 % of the width (longer ones shortened)
        left = min(0.45 * width, 10 + max((stringWidth(c, "Helvetica", LABEL_SIZE) for c in categories), default=20))
        categories = [_shortened(c, left - 8) for c in categories]
    else:
        left = 30
    chart.x, chart.y = left, below
    chart.width, chart.height = width - left - (60 if horizontal else 10), plot_height
    chart.data = [[float(v or 0) for v in s["values"]] for s in series] or [[0.0] * len(categories)]
    chart.categoryAxis.categoryNames = categories
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    if horizontal:
        chart.categoryAxis.reverseDirection = 1  # the first category on top, as in the table
        chart.categoryAxis.labels.boxAnchor = "e"
    else:
        chart.categoryAxis.labels.boxAnchor = "n"
        chart.categoryAxis.labels.dy = -2
    if stacked:
        chart.categoryAxis.style = "stacked"
    totals = [sum(col) for col in zip(*chart.data, strict=True)] if stacked else [v for s in chart.data for v in s]
    top, step = _nice_top(max(totals, default=0) * 1.12)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labelTextFormat = lambda v: getal(int(v) if float(v).is_integer() else round(v, 6))
    chart.barLabels.fontName = "Helvetica"
    chart.barLabels.fontSize = LABEL_SIZE
    unit = block.get("unit")
    chart.barLabelFormat = lambda v: _label(v, unit) if v else ""
    if stacked:
        chart.barLabels.boxAnchor = "c"
    elif horizontal:
        chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    else:
        chart.barLabels.boxAnchor, chart.barLabels.dy = "s", 2
    chart.groupSpacing = 6
    for i in range(len(chart.data)):
        chart.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        chart.bars[i].strokeColor = None
    d.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = left, height - TITLE_SIZE - 8
        legend.boxAnchor = "nw"
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.deltax = max(60, 4.6 * max(len(s["name"]) for s in series) + 20)
        legend.fontName, legend.fontSize = "Helvetica", LABEL_SIZE
        legend.dx = legend.dy = 7
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], s["name"]) for i, s in enumerate(series)]
        d.add(legend)
    return d
