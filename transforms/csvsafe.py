"""Cells of the CSV and XLSX exports that a spreadsheet cannot run as formulas (CSV
injection), and the one way a value is written into a CSV field."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from transforms.wording import fmt_points

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """A text that a spreadsheet would run as a formula (CSV injection)."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_safe(value: Any) -> Any:
    """Text cells starting with = + - @ tab or CR get a leading apostrophe; others unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_value(value: Any) -> str:
    """One CSV field: numbers as numbers (38 not 38.0), dates ISO, booleans true/false,
    None empty, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else fmt_points(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return csv_safe(str(value))
