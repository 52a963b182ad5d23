"""The Class page's charts, through app.chart: the class histogram of epochs to solve."""

from __future__ import annotations

import altair as alt

from app.chart import PLOT_HEIGHT, chart, hole, source, style
from app.ui import BLUE


def _histogram(present: bool) -> alt.Chart:
    return style(
        alt.Chart(source("bars"))
        .mark_bar(color=BLUE, stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("start:Q", title="epochs to solve", bin="binned"),
            x2="end:Q",
            y=alt.Y("count:Q", title="students", axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("start:Q", title="from epoch", format=",.0f"),
                alt.Tooltip("end:Q", title="to epoch", format=",.0f"),
                alt.Tooltip("count:Q", title="students"),
            ],
        )
        .properties(title=hole("title"), height=260 if present else 200, autosize=PLOT_HEIGHT),
        present,
    )


def histogram_spec(bars: dict, stuck: int, present: bool) -> dict:
    n = int(sum(bars["count"])) if len(bars["count"]) else 0
    title = f"The class's runs: {n} solved" + (f", {stuck} stuck" if stuck else "")
    return chart(_histogram, present, {"bars": bars}, {"title": title})
