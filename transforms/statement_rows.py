"""What each unit's statement (得分说明) lists: its ledger rows (计分明细) and total, its
quota windows and its public notices. Pure functions over the result's frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from transforms.figures import ordered_scores
from transforms.publication_text import issue_label
from transforms.schema import LEDGER, NOTICES, SCORES, conform
from transforms.wording import window_title


@dataclass
class Statement:
    """One unit's statement (得分说明): every ledger row and the total."""

    unit: str
    group: str | None
    points: float
    rank: int | None
    group_size: int
    target: float | None
    target_met: bool | None
    assessment: float | None
    submitted: int | None
    adopted: int | None
    remark: str | None
    #: dicts: date, source (刊物及期号), title, rule, clause, points, note, shared
    rows: list[dict[str, Any]]
    total: float  # sum of the rows

    @property
    def consistent(self) -> bool:
        return abs(self.total - (self.points or 0.0)) < 1e-6


def statements(
    scores: pl.DataFrame, ledger: pl.DataFrame, groups: Sequence[str] | None = None
) -> list[Statement]:
    """One statement per scored unit, in group then rank order."""
    sc = conform(scores, SCORES)
    led = conform(ledger, LEDGER)
    sizes = dict(sc.group_by("group").len().iter_rows())
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in led.sort("date", "publication", "issue", "rule_id", nulls_last=True).iter_rows(
        named=True
    ):
        by_unit.setdefault(r["unit"], []).append(
            {
                "date": r["date"],
                "source": issue_label(r["publication"], r["issue"]),
                "title": r["title"],
                "rule": r["rule"],
                "rule_id": r["rule_id"],
                "clause": r["clause"],
                "points": r["points"] or 0.0,
                "note": r["note"],
                "shared": bool(r["shared"]),
            }
        )
    out = []
    for r in ordered_scores(sc, groups).iter_rows(named=True):
        rows = by_unit.get(r["unit"], [])
        out.append(
            Statement(
                unit=r["unit"],
                group=r["group"],
                points=r["points"] if r["points"] is not None else 0.0,
                rank=r["rank"],
                group_size=sizes.get(r["group"], 0),
                target=r["target"],
                target_met=r["target_met"],
                assessment=r["assessment"],
                submitted=r["submitted"],
                adopted=r["adopted"],
                remark=r["remark"],
                rows=rows,
                total=math.fsum(x["points"] for x in rows),
            )
        )
    return out


def unit_quotas(quotas: pl.DataFrame | None, unit: str) -> list[dict[str, Any]]:
    """A unit's rows of ScoreResult.quotas (period, period_title, rule, clause, required,
    count, points, met) for its statement, in period order."""
    if quotas is None or quotas.height == 0:
        return []
    out = []
    for r in quotas.filter(pl.col("unit") == unit).sort("period", "rule").iter_rows(named=True):
        out.append(
            {
                **r,
                "period_title": window_title(r["period"]),
                "met": r["count"] is not None and r["count"] >= (r["required"] or 0),
            }
        )
    return out


def unit_notices(notices: pl.DataFrame | None, unit: str) -> list[dict[str, Any]]:
    """A unit's notices (通报批评) for its statement: dicts period, period_title, clause,
    reason, in period order."""
    if notices is None or notices.height == 0:
        return []
    df = (
        conform(notices, NOTICES).filter(pl.col("unit") == unit).sort("period", maintain_order=True)
    )
    return [{**r, "period_title": window_title(r["period"])} for r in df.iter_rows(named=True)]
