"""Server-rendered SVG charts (line, bar, stacked bar): no JavaScript, no CDN.

Accessibility: the ``<svg>`` has ``role="img"``, a ``<title>`` and a
``<desc>``; every point and bar carries a ``<title>`` with its series, label
and value (screen readers and hover tooltips). The page also shows the same
numbers as a table.

RTL: the drawing is always laid out left to right (``direction="ltr"`` on the
root, so ``text-anchor`` keeps its meaning on a Hebrew page); each label has
``unicode-bidi: plaintext`` so Hebrew and mixed labels read correctly.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 60
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf")
LABEL = 'style="unicode-bidi:plaintext" font-size="11" font-family="sans-serif"'


def format_value(value, kind: str = "int") -> str:
    """How a value reads in a chart title, a table cell and the CSV."""
    if value is None:
        return ""
    if kind == "percent":
        return f"{Decimal(str(value)) * 100:.1f}%"
    if kind == "money":
        return f"{Decimal(value):.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _x_labels(values) -> list[str]:
    if values and all(isinstance(v, date) and v.day == 1 for v in values) and len(values) > 1:
        return [v.strftime("%Y-%m") for v in values]
    return [format_value(v, "text") for v in values]


def nice_step(span: float, *, integer: bool, target: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``target`` intervals.

    ``integer``: the axis counts things (members, points, orders), so the step
    is a whole number, never below 1: a count of 0 to 1 reads 0, 1, not
    0, 0.25, 0.5 rounded to "0, 0, 1".
    """
    if span <= 0:
        return 1.0
    raw = span / target
    exponent = 10 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next((m * exponent for m in multiples if m * exponent >= raw), 10 * exponent)
    if integer:
        step = max(1.0, float(round(step)))
    return step


def axis_ticks(low: float, high: float, *, integer: bool) -> list[float]:
    """Evenly spaced round tick values from at or below ``low`` to at or above ``high``."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    step = nice_step(high - low, integer=integer)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = round((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def tick_label(value: float, step: float, *, percent: bool) -> str:
    """A tick's text with just the decimals its step needs (2.5 steps: one decimal)."""
    decimals = 0
    while decimals < 4 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1
    if percent:
        return f"{value:,.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def render_chart(
    chart, rows: list[dict], columns, *, title: str, uid: str = "chart"
) -> SafeString:
    """The SVG for ``chart`` (a ``registry.Chart``) over ``rows``; ``columns`` name the series."""
    labels_by_key = {c.key: str(c.label) for c in columns}
    kinds = {c.key: c.kind for c in columns}
    xs = _x_labels([row.get(chart.x) for row in rows])
    series = [(key, [float(row.get(key) or 0) for row in rows]) for key in chart.series]
    if chart.kind == "stacked":
        top = max((sum(v[i] for _k, v in series) for i in range(len(rows))), default=0)
        bottom = 0.0
    else:
        top = max((max(v, default=0) for _k, v in series), default=0)
        bottom = min((min(v, default=0) for _k, v in series), default=0)
    percent = all(kinds.get(key) == "percent" for key, _v in series)
    counts = all(kinds.get(key, "int") == "int" for key, _v in series)
    # Percent axes tick in percentage points (a fraction 0.25 reads 25%).
    scale = 100.0 if percent else 1.0
    ticks = axis_ticks(bottom * scale, top * scale, integer=counts or percent)
    step = ticks[1] - ticks[0]
    low, high = ticks[0] / scale, ticks[-1] / scale
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / ((high - low) or 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" direction="ltr" class="loyalty-chart" '
        f'aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(_describe(series, xs, labels_by_key, kinds))}</desc>',
    ]
    for tick in ticks:  # gridlines and y labels
        value = tick / scale
        text = tick_label(tick, step, percent=percent)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f"{LABEL}>{text}</text>"
        )
    count = max(len(rows), 1)
    slot = plot_w / count
    every = max(1, math.ceil(count / 14))
    for i, text in enumerate(xs):
        if i % every == 0:
            x = LEFT + slot * (i + 0.5)
            out.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f"{LABEL}>{escape(text)}</text>"
            )
    draw = {"line": _lines, "bar": _bars, "stacked": _stacked}[chart.kind]
    out += draw(series, xs, slot, y, labels_by_key, kinds)
    for n, (key, _v) in enumerate(series):  # legend
        x = LEFT + n * 150
        out.append(
            f'<rect x="{x}" y="10" width="12" height="12" fill="{COLOURS[n % len(COLOURS)]}"/>'
            f'<text x="{x + 16}" y="20" {LABEL}>{escape(labels_by_key.get(key, key))}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def _point_title(key, x_label, value, labels, kinds) -> str:
    shown = format_value(value if kinds.get(key) != "int" else int(value), kinds.get(key, "int"))
    return escape(f"{labels.get(key, key)}, {x_label}: {shown}")


def _describe(series, xs, labels, kinds) -> str:
    parts = []
    for key, values in series:
        shown = ", ".join(
            f"{x} {format_value(v if kinds.get(key) != 'int' else int(v), kinds.get(key, 'int'))}"
            for x, v in zip(xs, values, strict=False)
        )
        parts.append(f"{labels.get(key, key)}: {shown}")
    return "; ".join(parts)


def _lines(series, xs, slot, y, labels, kinds):
    out = []
    for n, (key, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        points = [(LEFT + slot * (i + 0.5), y(v)) for i, v in enumerate(values)]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for (px, py), x_label, value in zip(points, xs, values, strict=False):
            out.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                f"<title>{_point_title(key, x_label, value, labels, kinds)}</title></circle>"
            )
    return out


def _bars(series, xs, slot, y, labels, kinds):
    out, width = [], slot * 0.8 / max(len(series), 1)
    for n, (key, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        for i, (x_label, value) in enumerate(zip(xs, values, strict=False)):
            x = LEFT + slot * i + slot * 0.1 + n * width
            top, base = (y(value), y(0)) if value >= 0 else (y(0), y(value))
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{max(base - top, 0.5):.1f}" fill="{colour}">'
                f"<title>{_point_title(key, x_label, value, labels, kinds)}</title></rect>"
            )
    return out


def _stacked(series, xs, slot, y, labels, kinds):
    out, below = [], [0.0] * len(xs)
    for n, (key, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        for i, (x_label, value) in enumerate(zip(xs, values, strict=False)):
            top, base = y(below[i] + value), y(below[i])
            below[i] += value
            out.append(
                f'<rect x="{LEFT + slot * i + slot * 0.1:.1f}" y="{top:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{max(base - top, 0):.1f}" fill="{colour}">'
                f"<title>{_point_title(key, x_label, value, labels, kinds)}</title></rect>"
            )
    return out
