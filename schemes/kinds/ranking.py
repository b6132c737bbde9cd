"""Rank points (排名赋分) and the year's top share of each group."""

from __future__ import annotations

import polars as pl

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def _assess(ctx: Context, rule, stage: Stage, df: pl.DataFrame) -> pl.DataFrame:
    """A quarter: rank points by rank within the group (0 without the target when
    `requires_target`). The year: the sum of the quarters' rank points (0 when the year does
    not score)."""
    ranks = {r.group: r for r in rule.ranks}
    if stage.period.kind == "month":
        return df
    if stage.period.kind == "quarter":
        met = df["target_met"] if rule.requires_target else [True] * df.height
        pts = [
            ranks[g].for_rank(r) if m else 0.0
            for g, r, m in zip(df["group"], df["rank"], met, strict=True)
        ]
        return df.with_columns(assessment=pl.Series(pts, dtype=pl.Float64))
    total: dict[str, float] = {}
    for _, _, q_df in ctx.quarters:
        for u, a in zip(q_df["unit"], q_df["assessment"], strict=True):
            total[u] = total.get(u, 0.0) + a
    out = []
    for unit in df["unit"]:
        if unit in stage.zeroed:
            stage.remark(unit, "zeroed", rule.id, "年度信息考核不得分，季度排名赋分不计")
            out.append(0.0)
        else:
            out.append(total.get(unit, 0.0))
    return df.with_columns(assessment=pl.Series(out, dtype=pl.Float64))


register(
    Kind(
        "rank_points",
        "Each quarter, rank points by rank within the group (`ranks`; `requires_target`: "
        "only units that met the quarter's target); the year's assessment is their sum.",
        fields=("ranks", "requires_target"),
        assess=_assess,
    )
)


def _judge(ctx: Context, rule, stage: Stage, df: pl.DataFrame) -> pl.DataFrame:
    """The year: a unit ranked within the top `share` of its group (rounded up) met the
    target (不扣分)."""
    if stage.period.kind != "year":
        return df
    line = {g: E.top_share_count(n, rule.share) for g, n in df["group"].value_counts().iter_rows()}
    df = df.with_columns(
        target_met=pl.Series([r <= line[g] for g, r in zip(df["group"], df["rank"], strict=True)])
    )
    for unit, group, r in df.select("unit", "group", "rank").iter_rows():
        if r <= line[group]:
            text = f"组内前{E.fmt(rule.share * 100)}%（前{line[group]}名），不扣分"
            stage.remark(unit, "top_share", rule.id, text)
    return df


register(
    Kind(
        "top_share",
        "The year: units ranked within the top `share` of their group (rounded up) meet the "
        "target.",
        fields=("share",),
        judge=_judge,
    )
)
