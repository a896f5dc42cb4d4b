"""Bar charts drawn on the server as SVG: no script, no inline style (the page's
Content-Security-Policy), each bar with its own <title>, the same figures in a table
beside the chart. Sizes are SVG attributes; colours come from static/css/reports.css."""

from __future__ import annotations

from dataclasses import dataclass

from reports.figures import Table

LABEL_WIDTH = 220
BAR_AREA = 300
VALUE_WIDTH = 50
ROW_HEIGHT = 24
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def bar_chart(table: Table, *, column: int = -1) -> Chart:
    """A horizontal bar per row of `table`: its first cell the label, `column` the value."""
    values = [(str(row[0]), row[column] or 0) for row in table.rows]
    largest = max((value for _label, value in values), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            y=index * ROW_HEIGHT + 4,
            width=max(1, round(BAR_AREA * value / largest)) if value else 0,
            text_y=index * ROW_HEIGHT + 4 + BAR_HEIGHT - 3,
        )
        for index, (label, value) in enumerate(values)
    ]
    return Chart(
        id=f"chart-{table.key}",
        title=table.title,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=max(1, len(bars)) * ROW_HEIGHT + 8,
    )
