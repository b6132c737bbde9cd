"""Scoring periods (考核期): a month, a quarter or a year.

C3: an adoption counts in the period of its issue date, an event in the period of its date.
C7: periods are cut in the office's time zone; dates here are already local dates.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from transforms.errors import InputError

_QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}
#: the years a period may fall in: 0000 or 9999 is a typing slip, not a period to score
FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True, order=True)
class Period:
    """A scoring period. `kind` is month, quarter or year; `index` the month (1–12),
    the quarter (1–4) or 0 for a year."""

    year: int
    kind: str
    index: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2018Q2`, `2018-05` or `2018`."""
        s = str(text).strip().upper()
        if (m := re.match(r"\d{4}", s)) and not FIRST_YEAR <= int(m[0]) <= LAST_YEAR:
            raise InputError(
                f"考核期「{text}」的年份 {m[0]} 不可能：应在 {FIRST_YEAR}—{LAST_YEAR} 年之间，"
                "请写作 2018Q2（季度）、2018-05（月份）或 2018（年度）"
            )
        if m := re.fullmatch(r"(\d{4})Q([1-4])", s):
            return cls(int(m[1]), "quarter", int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
            month = int(m[2])
            if 1 <= month <= 12:
                return cls(int(m[1]), "month", month)
        if re.fullmatch(r"\d{4}", s):
            return cls(int(s), "year", 0)
        raise InputError(
            f"考核期「{text}」无法识别：请写作 2018Q2（季度）、2018-05（月份）或 2018（年度）"
        )

    @property
    def label(self) -> str:
        """Machine label: 2018Q2, 2018-05, 2018."""
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    @property
    def title(self) -> str:
        """Chinese title: 2018年第二季度, 2018年5月, 2018年度."""
        if self.kind == "quarter":
            return f"{self.year}年第{_QUARTER_CN[self.index]}季度"
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        return f"{self.year}年度"

    @property
    def short_title(self) -> str:
        """The title without the year: 第二季度, 5月, 年度."""
        if self.kind == "quarter":
            return f"第{_QUARTER_CN[self.index]}季度"
        if self.kind == "month":
            return f"{self.index}月"
        return "年度"

    @property
    def start(self) -> date:
        if self.kind == "quarter":
            return date(self.year, 3 * self.index - 2, 1)
        if self.kind == "month":
            return date(self.year, self.index, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.kind == "quarter":
            m = 3 * self.index
        elif self.kind == "month":
            m = self.index
        else:
            m = 12
        return date(self.year, m, calendar.monthrange(self.year, m)[1])

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def months(self) -> list[Period]:
        return [Period(self.year, "month", m) for m in range(self.start.month, self.end.month + 1)]

    def quarters(self) -> list[Period]:
        """Quarters that overlap this period (a month gives its own quarter)."""
        first = (self.start.month - 1) // 3 + 1
        last = (self.end.month - 1) // 3 + 1
        return [Period(self.year, "quarter", q) for q in range(first, last + 1)]

    @property
    def year_period(self) -> Period:
        return Period(self.year, "year", 0)

    def quarters_to_date(self) -> list[Period]:
        """The year's quarters up to and including this period's last quarter."""
        last = (self.end.month - 1) // 3 + 1
        return [Period(self.year, "quarter", q) for q in range(1, last + 1)]

    def __str__(self) -> str:
        return self.label


def quarter_of(d: date) -> Period:
    return Period(d.year, "quarter", (d.month - 1) // 3 + 1)


def month_of(d: date) -> Period:
    return Period(d.year, "month", d.month)
