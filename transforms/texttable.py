"""Plain-text tables for a terminal (文本表格), Chinese text aligned.

A CJK character takes two columns of a terminal, a Latin letter one: widths come from
unicodedata's east_asian_width (W and F are two columns; A, ambiguous, is one, as in a
Chinese-locale terminal with a Latin font such as the ones kaohe's users have).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence


def width(text: str) -> int:
    """The columns `text` takes in a terminal."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def pad(text: str, columns: int, right: bool = False) -> str:
    """`text` padded with spaces to `columns` (on the left when `right`)."""
    fill = " " * max(0, columns - width(text))
    return fill + text if right else text + fill


def cell(value: object) -> str:
    """How a value is printed: numbers without a needless .0, None as empty, tuples
    joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) or abs(value) >= 1e-4 else str(value)
    if isinstance(value, tuple | list | frozenset | set):
        return "、".join(cell(v) for v in value)
    return str(value)


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The rows under the header, columns aligned (numbers to the right), separated by two
    spaces, a rule of - under the header. Each line is stripped of trailing spaces."""
    body = [[cell(v) for v in row] for row in rows]
    cols = len(header)
    widths = [width(h) for h in header]
    for row in body:
        for i in range(cols):
            widths[i] = max(widths[i], width(row[i]) if i < len(row) else 0)
    numeric = [
        bool(body) and all(_numeric(row[i]) for row in body if i < len(row) and row[i])
        for i in range(cols)
    ]
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * min(w, 40) for w in widths).rstrip())
    for row in body:
        cells = [
            pad(row[i] if i < len(row) else "", widths[i], right=numeric[i]) for i in range(cols)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
