"""Charts of the bulletin (通报图表) as inline SVG, built in Python: no JavaScript, no network,
the same markup in the HTML bulletin and in the PDF (WeasyPrint draws inline SVG).

Pure functions: numbers in, an SVG string out (`markupsafe.Markup`, every text escaped).
Sizes are in points of the printed page (the viewBox is in pt and the SVG is drawn at 100%
of the type area's width, 156 mm ≈ 442 pt), so 9 pt text prints as 9 pt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

#: width of the type area (版心) in pt: 156 mm
WIDTH = 442.0
#: units per bar chart; a larger group is drawn as several charts so that pages can break
BARS_PER_CHART = 40
#: fills readable in print and in greyscale (dark to light)
PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#595959", "#2e75b6")

_FONT = "FandolFang, LXGW WenKai, Noto Serif CJK SC, serif"


def _num(x: float) -> str:
    """A coordinate or value without trailing zeros: 12.0 → 12, 3.25 → 3.25."""
    if x == int(x):
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _text_width(s: str, size: float) -> float:
    """Rough width of a label: CJK and full-width characters one em, others half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.55 for c in s)


def _nice_max(v: float) -> float:
    """The axis end: a number whose quarters are round (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8 × 10^k) at or above v."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def _svg(height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
        f'width="{_num(WIDTH)}pt" height="{_num(height)}pt" font-family="{_FONT}">'
        + "".join(body)
        + "</svg>"
    )


def unit_bars(
    rows: Sequence[tuple[str, float]],
    title: str,
    target: float | None = None,
    per_chart: int = BARS_PER_CHART,
) -> list[Markup]:
    """Horizontal bars, one per unit (name, points), in the given order; a dashed line marks
    the group's `target` when it has one. More than `per_chart` units give several charts
    (the title says 续 on the later ones). Negative points are drawn as zero-length bars
    with their value printed."""
    if not rows:
        return []
    size, bar_h, pitch = 10.5, 10.0, 15.0
    top = 30.0
    label_w = min(max(_text_width(u, size) for u, _ in rows) + 6, WIDTH * 0.4)
    value_w = 30.0
    x0 = label_w
    span = WIDTH - x0 - value_w
    vmax = _nice_max(max([p for _, p in rows] + [target or 0.0, 0.0]))
    charts = []
    for start in range(0, len(rows), per_chart):
        part = rows[start : start + per_chart]
        h = top + pitch * len(part) + 16
        cap = title if start == 0 else f"{title}（续）"
        body = [
            f'<text x="0" y="12" font-size="12" font-weight="bold">{escape(cap)}</text>',
        ]
        for i, (unit, pts) in enumerate(part):
            y = top + i * pitch
            w = max(pts, 0.0) / vmax * span
            body.append(
                f'<text x="{_num(x0 - 4)}" y="{_num(y + bar_h - 1.5)}" font-size="{_num(size)}" '
                f'text-anchor="end">{escape(unit)}</text>'
                f'<rect x="{_num(x0)}" y="{_num(y)}" width="{w:.1f}" height="{_num(bar_h)}" '
                f'fill="{PALETTE[0]}"/>'
                f'<text x="{x0 + w + 3:.1f}" y="{_num(y + bar_h - 1.5)}" '
                f'font-size="{_num(size)}">{escape(_num(round(pts, 2)))}</text>'
            )
        axis_y = top + pitch * len(part)
        body.append(
            f'<line x1="{_num(x0)}" y1="{_num(top - 2)}" x2="{_num(x0)}" y2="{_num(axis_y)}" '
            f'stroke="#000" stroke-width="0.6"/>'
        )
        for k in range(5):
            v = vmax * k / 4
            x = x0 + span * k / 4
            body.append(
                f'<text x="{x:.1f}" y="{_num(axis_y + 10)}" font-size="9" '
                f'text-anchor="middle">{escape(_num(round(v, 2)))}</text>'
            )
        if target is not None and target > 0:
            x = x0 + min(target, vmax) / vmax * span
            body.append(
                f'<line x1="{x:.1f}" y1="{_num(top - 4)}" x2="{x:.1f}" y2="{_num(axis_y)}" '
                f'stroke="#c00000" stroke-width="0.8" stroke-dasharray="3,2"/>'
                f'<text x="{x:.1f}" y="{_num(top - 6)}" font-size="9" fill="#c00000" '
                f'text-anchor="middle">目标 {escape(_num(target))} 分</text>'
            )
        charts.append(_svg(h, body, cap))
    return charts


def quarter_bars(
    quarters: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    title: str,
) -> Markup | None:
    """Grouped vertical bars: for each quarter (一季度 …), one bar per series (a group's total
    points in that quarter); None (a quarter not yet scored) draws nothing. A legend names
    the series. None when there is nothing to draw."""
    values = [v for _, vs in series for v in vs if v is not None]
    if not quarters or not series or not values:
        return None
    h = 200.0
    top, bottom, left = 40.0, 176.0, 40.0
    vmax = _nice_max(max(values + [0.0]))
    vmin = min(values + [0.0])
    if vmin < 0:
        vmin = -_nice_max(-vmin)
    span_h = bottom - top
    zero = bottom - (0 - vmin) / (vmax - vmin) * span_h

    def yv(v: float) -> float:
        return bottom - (v - vmin) / (vmax - vmin) * span_h

    body = [f'<text x="0" y="12" font-size="12" font-weight="bold">{escape(title)}</text>']
    # legend
    lx = 0.0
    for i, (name, _) in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        body.append(
            f'<rect x="{lx:.1f}" y="19" width="9" height="9" fill="{colour}"/>'
            f'<text x="{lx + 12:.1f}" y="27.5" font-size="10.5">{escape(name)}</text>'
        )
        lx += 12 + _text_width(name, 10.5) + 14
    # grid and axis
    for k in range(5):
        v = vmin + (vmax - vmin) * k / 4
        y = yv(v)
        body.append(
            f'<line x1="{_num(left)}" y1="{y:.1f}" x2="{_num(WIDTH)}" y2="{y:.1f}" '
            f'stroke="#bfbfbf" stroke-width="0.4"/>'
            f'<text x="{_num(left - 4)}" y="{y + 2.5:.1f}" font-size="9" '
            f'text-anchor="end">{escape(_num(round(v, 2)))}</text>'
        )
    body.append(
        f'<line x1="{_num(left)}" y1="{zero:.1f}" x2="{_num(WIDTH)}" y2="{zero:.1f}" '
        f'stroke="#000" stroke-width="0.6"/>'
    )
    slot = (WIDTH - left) / len(quarters)
    bar_w = min(slot * 0.8 / len(series), 28.0)
    for qi, q in enumerate(quarters):
        cx = left + slot * (qi + 0.5)
        x = cx - bar_w * len(series) / 2
        for si, (_, vs) in enumerate(series):
            v = vs[qi] if qi < len(vs) else None
            if v is not None:
                y1, y2 = sorted((yv(v), zero))
                body.append(
                    f'<rect x="{x + si * bar_w:.1f}" y="{y1:.1f}" width="{bar_w * 0.9:.1f}" '
                    f'height="{max(y2 - y1, 0.3):.1f}" fill="{PALETTE[si % len(PALETTE)]}"/>'
                )
        body.append(
            f'<text x="{cx:.1f}" y="{_num(bottom + 16)}" font-size="10.5" '
            f'text-anchor="middle">{escape(q)}</text>'
        )
    return _svg(h, body, title)


__all__ = ["unit_bars", "quarter_bars", "WIDTH", "BARS_PER_CHART"]
