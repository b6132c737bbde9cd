"""The period driver: one regulation file scored for a month, a quarter or the year.

The driver owns the periods and the result; the rules' kinds (schemes.kinds, schemes.specials)
only add rows, notes and remark records at the points the driver calls them:

- a month: the items of the month (every rule's `items` hook in `scoring.order`), the
  remarks on its commissions and events, ranked by points;
- a quarter: the same for the quarter, then `close_quarter` hooks (不得分 adjustments,
  targets failed by events), the target of the group (when `scoring.target_period` is
  `quarter`), the rank, `assess` hooks (rank points);
- the year (`scoring.year = "quarters"`): the quarters' rows, notes and remarks (a quarter's
  target remark is not carried), `close_year` hooks (year zeroing, ranked first), `assess`
  hooks (the year's assessment), ranked by (first, assessment, points), `judge` hooks (top
  share).

The result is structured: `ScoreResult.remarks` holds the remark records (unit, period, kind,
rule_id, text) and the scores' `remark` column is joined from them (a quarter's remark in the
year's result starts with the quarter's short title).
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from schemes import engine as E
from schemes.contract import ScoreResult, ScoringInputs
from schemes.kinds import Context, Remark, Stage, kind_of
from transforms.periods import Period

#: Columns of ScoreResult.remarks.
REMARKS = {
    "unit": pl.String,
    "period": pl.String,
    "kind": pl.String,
    "rule_id": pl.String,
    "text": pl.String,
}


def ordered_rules(reg) -> list:
    """The rules in computing order: `scoring.order` first, then the others in file order;
    a table kind's rules (all its lines) appear once, at the first of them."""
    by_id = {r.id: r for r in reg.rules}
    out, seen_tables, done = [], set(), set()
    for rule in [by_id[i] for i in reg.scoring.order] + list(reg.rules):
        if rule.id in done:
            continue
        done.add(rule.id)
        kind = kind_of(rule)
        if kind.table:
            if kind.name in seen_tables:
                continue
            seen_tables.add(kind.name)
        out.append(rule)
    return out


def _hooks(reg, hook: str):
    """(rule, function) of every rule having `hook`, in computing order; a table kind gets
    all its rules."""
    for rule in ordered_rules(reg):
        kind = kind_of(rule)
        fn = getattr(kind, hook)
        if fn is None:
            continue
        if kind.table and hook == "items":
            yield reg.rules_of(kind.name), fn
        else:
            yield rule, fn


def _items(ctx: Context, period: Period) -> Stage:
    """Rows, notes and remarks of `period` before any period-wide adjustment."""
    reg = ctx.reg
    stage = Stage(period)
    for rules, fn in _hooks(reg, "items"):
        fn(ctx, rules, period, stage)
    commission_hooks = list(_hooks(reg, "commission_remark"))
    for c in ctx.commissions:
        if not period.contains(c["date"]):
            continue
        for rule, fn in commission_hooks:
            if (text := fn(ctx, rule, c, period)) is not None:
                stage.remark(c["unit"], "commission", rule.id, text)
        if c["status"] == E.UNKNOWN:
            title = f"「{c['title']}」" if c.get("title") else ""
            stage.notes.append(
                f"{c['unit']}的约稿{title}（{c['date']:%Y年%-m月%-d日}到期）没有报送记录可供判断，"
                "未计分，请在事项表中填写状态。"
            )
    event_hooks = list(_hooks(reg, "event_remark"))
    if event_hooks:
        for e in ctx.prep.events:
            if not period.contains(e["date"]):
                continue
            for rule, fn in event_hooks:
                if (text := fn(ctx, rule, e, period)) is not None:
                    stage.remark(e["unit"], "event", rule.id, text)
    return stage


def _ranked(records: list[dict], by: list[str]) -> pl.DataFrame:
    df = E.scores_frame(records) if "first" not in by else pl.DataFrame(records)
    return df.with_columns(rank=E.shared_rank(df, by))


def _month(ctx: Context, m: Period) -> tuple[Stage, pl.DataFrame]:
    stage = _items(ctx, m)
    pts = E.totals(stage.rows)
    df = _ranked(
        [dict(unit=u, group=g, points=pts[u]) for u, g in ctx.prep.units.items()], ["points"]
    )
    return stage, df


def _quarter(ctx: Context, q: Period) -> tuple[Stage, pl.DataFrame]:
    reg = ctx.reg
    stage = _items(ctx, q)
    for rule, fn in _hooks(reg, "close_quarter"):
        fn(ctx, rule, stage)
    pts = E.totals(stage.rows)
    records = []
    for unit, group in ctx.prep.units.items():
        rec = dict(unit=unit, group=group, points=pts[unit])
        if reg.scoring.target_period == "quarter":
            target = float(reg.group(group).target)
            rec.update(target=target, target_met=pts[unit] >= target and unit not in stage.failed)
            if pts[unit] < target:
                stage.remark(unit, "target_missed", None, f"未完成季度目标（{E.fmt(target)}分）")
        records.append(rec)
    df = _ranked(records, ["points"])
    for rule, fn in _hooks(reg, "assess"):
        df = fn(ctx, rule, stage, df)
    return stage, df


def _year(ctx: Context, year: Period) -> tuple[Stage, pl.DataFrame]:
    reg = ctx.reg
    stage = Stage(year)
    for _, q_stage, _ in ctx.quarters:
        stage.rows += q_stage.rows
        stage.notes += q_stage.notes
        stage.remarks += [r for r in q_stage.remarks if r.kind != "target_missed"]
    for rule, fn in _hooks(reg, "close_year"):
        fn(ctx, rule, stage)
    pts = E.totals(stage.rows)
    records = [
        dict(unit=u, group=g, points=pts[u], assessment=0.0, first=u in stage.first)
        for u, g in ctx.prep.units.items()
    ]
    df = pl.DataFrame(records)
    for rule, fn in _hooks(reg, "assess"):
        df = fn(ctx, rule, stage, df)
    df = df.with_columns(rank=E.shared_rank(df, ["first", "assessment", "points"]))
    for rule, fn in _hooks(reg, "judge"):
        df = fn(ctx, rule, stage, df)
    return stage, df.drop("first")


def _quarters_frame(done: list[tuple[Period, Stage, pl.DataFrame]]) -> pl.DataFrame:
    cols = ["unit", "period", "points", "rank", "assessment", "target_met"]
    return pl.concat([df.with_columns(period=pl.lit(q.label)).select(cols) for q, _, df in done])


def remark_texts(remarks: list[Remark], period: Period) -> dict[str, list[str]]:
    """Per unit, the texts of its remarks in order; a remark made in another period than
    `period` (a quarter's, in the year) starts with that period's short title."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in remarks:
        prefix = "" if r.period == period.label else Period.parse(r.period).short_title
        out[r.unit].append(prefix + r.text)
    return out


def remarks_frame(remarks: list[Remark]) -> pl.DataFrame:
    rows = [(r.unit, r.period, r.kind, r.rule_id, r.text) for r in remarks]
    return pl.DataFrame(rows, schema=REMARKS, orient="row")


def _commission_points(ctx: Context, rows: list[dict]) -> dict[str, float]:
    """Points of the ledger rows of rules applying to commissions, per commission event."""
    ids = [r.id for r in ctx.reg.rules if r.commissions and kind_of(r).items is not None]
    return E.event_points(rows, ids)


def _finish(ctx: Context, stage: Stage, df: pl.DataFrame, quarters=None) -> ScoreResult:
    reg, period = ctx.reg, stage.period
    df = E.with_counts(ctx.prep, period, df, remark_texts(stage.remarks, period))
    earned = _commission_points(ctx, stage.rows)
    com_df = E.commission_frame(
        ctx.commissions, period, lambda c: earned.get(c.get("event_id"), 0.0)
    )
    quota_rows: list[dict] = []
    has_quotas = False
    for rule, fn in _hooks(reg, "quotas"):
        has_quotas = True
        quota_rows += fn(ctx, rule, period)
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(stage.rows, reg.id, period),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(stage.notes)),
        commissions=com_df,
        quarters=quarters,
        quotas=E.quotas_frame(quota_rows) if has_quotas else None,
        remarks=remarks_frame(stage.remarks),
    )


def score(reg, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score `period` (a month, a quarter or the year) under the regulation `reg`."""
    prep = E.prepare(inputs, [g.name for g in reg.groups])
    if reg.unscored_groups:
        prep = prep.without_groups(reg.unscored_groups)
    commissions = E.commission_status(
        prep.events, prep, event_type=reg.commissions.event, marker=reg.commissions.marker
    )
    ctx = Context(reg, prep, commissions)
    if period.kind == "month":
        stage, df = _month(ctx, period)
        return _finish(ctx, stage, df)
    for q in period.quarters_to_date():
        stage, df = _quarter(ctx, q)
        ctx.quarters.append((q, stage, df))
    quarters = _quarters_frame(ctx.quarters)
    if period.kind == "quarter":
        _, stage, df = ctx.quarters[-1]
        return _finish(ctx, stage, df, quarters)
    stage, df = _year(ctx, period)
    return _finish(ctx, stage, df, quarters)
