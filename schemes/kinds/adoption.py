"""Adoptions (录用/采用): points tables and the multiplier of a commissioned article."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register


def points_table(ctx: Context) -> E.PointsTable:
    """The regulation's one points table: every line of every `adoption` rule, in file
    order, each with its rule."""
    if "points" not in ctx.cache:
        reg = ctx.reg
        lines = [(p, r) for r in reg.rules_of("adoption") for p in r.table]
        entries = [
            E.PointsEntry(p.publication, p.kind, p.category, p.points, r)
            for p, r in lines
            if p.level is None
        ]
        # a level's line stands for each periodical of the level, after the lines naming one
        entries += [
            E.PointsEntry(pub.name, p.kind, p.category, p.points, r)
            for p, r in lines
            if p.level is not None
            for pub in reg.publications
            if pub.level == p.level
        ]
        ctx.cache["points"] = E.PointsTable(tuple(entries), dict(reg.default_kinds))
    return ctx.cache["points"]


def no_bonus_kinds(reg) -> set[str]:
    """Article classes whose adoption earns no instruction bonus (`no_instruction_bonus`)."""
    return {
        p.kind
        for r in reg.rules_of("adoption")
        if r.no_instruction_bonus
        for p in r.table
        if p.kind
    }


def _items(ctx: Context, rules, period, stage: Stage) -> None:
    reg = ctx.reg
    categories = {g.name: g.category for g in reg.groups}
    labels = {c.category: c.label for c in reg.adoptions.category_labels}
    stage.rows += E.adoption_rows(
        ctx.prep,
        period,
        points_table(ctx),
        categories.get,
        joint=reg.adoptions.joint,
        combine=reg.adoptions.combine,
        category_label=lambda c: labels.get(c, c or ""),
    )


register(
    Kind(
        "adoption",
        "Points per adoption from the lines of `table` (periodical × class × unit category); "
        "all adoption rules form one table, combined as `[adoptions]` says.",
        fields=("table", "no_instruction_bonus"),
        table=True,
        items=_items,
    )
)

_CN = {2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def _multiplier(ctx: Context, rule, period, stage: Stage) -> None:
    """Adoptions by `publication` of an article answering an on-time commission count
    `factor` times (约稿信息被录用的，按录用分的三倍计分)."""
    boosted = {
        (c["unit"], c["article_id"])
        for c in ctx.commissions
        if c["status"] in (rule.commissions or (E.ON_TIME,)) and c.get("article_id")
    }
    pub, factor = rule.publication, rule.factor
    times = _CN.get(int(factor), E.fmt(factor)) if float(factor).is_integer() else E.fmt(factor)

    def match(r: dict) -> bool:
        return r["publication"] == pub and (r["unit"], r["article_id"]) in boosted

    def note(r: dict, pts: float) -> str:
        return (
            f"约稿信息被《{pub}》录用，按录用分{times}倍计分：{E.fmt(r['points'])}×"
            f"{E.fmt(factor)} = {E.fmt(pts)} 分（{r['note']}）"
        )

    stage.rows[:] = E.multiply_rows(stage.rows, match, factor, rule, note)


register(
    Kind(
        "commission_multiplier",
        "An adoption by `publication` of an article answering a commission (statuses "
        "`commissions`, default 按时) scores `factor` times its points.",
        fields=("publication", "factor", "commissions"),
        items=_multiplier,
    )
)
