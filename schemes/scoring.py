"""The period driver: one regulation file scored for a month, a quarter or the year.

The driver owns the periods and the result; the rules' kinds (schemes.kinds, schemes.specials)
only add rows, notes and remark records at the points the driver calls them:

- a month: the items of the month (every rule's `items` hook in `scoring.order`), the
  remarks on its commissions and events, then `close_month` hooks, the points target (when
  `scoring.target_period` is `month`, or pro rata), the rank, `assess` and `judge` hooks;
- a quarter: the same for the quarter with `close_quarter` hooks (不得分 adjustments,
  targets failed by events, rank points); every quarter of the year to date is scored so
  (`ScoreResult.quarters`);
- the year: with `scoring.year = "quarters"` the quarters' rows, notes and remarks (a
  quarter's target remark is not carried), then `close_year` hooks (year zeroing, ranked
  first), `assess` hooks (the year's assessment), ranked by `scoring.year_rank_by` (units a
  special rule ranks first before all), `judge` hooks (top share); with `scoring.year =
  "whole"` the year's own items, `close_year` hooks (yearly deductions), the frame as above
  (the quarters beside it then show their items only).

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
from transforms.schema import NOTICES

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
    if commission_hooks:
        for c in ctx.scored:
            if period.contains(c["date"]):
                for rule, fn in commission_hooks:
                    fn(ctx, rule, c, stage)
    for c in ctx.commissions:
        if period.contains(c["date"]) and c["status"] == E.UNKNOWN:
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
                fn(ctx, rule, e, stage)
    if (f := reg.in_force) is not None:
        since = Period.parse(f.since)
        if period.year == since.year and period.start.month < since.start.month:
            stage.notes.append(f.note)
    return stage


#: the hook closing each kind of period
_CLOSE = {"month": "close_month", "quarter": "close_quarter", "year": "close_year"}
#: remark kinds of a quarter not carried into the year
_NOT_CARRIED = ("target_missed", "target_progress")
#: how the driver words a target in a remark
_TARGET_WORD = {"month": "月度", "quarter": "季度", "year": "年度"}


def _target(reg, group: str, period: Period) -> float | None:
    """The group's points target for `period`: its `target` when the regulation's target
    period is `period`'s kind; with `scoring.pro_rata` a shorter period's share of it (a
    quarter ¼ of a year's, a month 1/12); else None."""
    target_period = reg.scoring.target_period
    g = reg.group(group)
    if target_period is None or g.target is None:
        return None
    if target_period == period.kind:
        return float(g.target)
    n_months = {"month": 1, "quarter": 3, "year": 12}
    if reg.scoring.pro_rata and n_months[period.kind] < n_months[target_period]:
        return g.target / (n_months[target_period] // n_months[period.kind])
    return None


def _target_remark(reg, stage: Stage, unit: str, points: float, target: float) -> None:
    """The remark on a unit's points target (`scoring.target_missed` / `target_met`)."""
    met = points >= target
    template = reg.scoring.target_met if met else reg.scoring.target_missed
    if template:
        text = template.format(
            period=_TARGET_WORD[stage.period.kind],
            target=E.fmt(target),
            points=E.fmt(points),
            gap=E.fmt(target - points),
        )
        stage.remark(unit, "target_met" if met else "target_missed", None, text)


def _progress_remark(ctx: Context, stage: Stage, unit: str, points: float) -> None:
    """A quarter's remark on the share of the unit's target reached by the year so far
    (the quarters already scored and this one; `scoring.target_progress`)."""
    key = ("points before", stage.period.label)
    if key not in ctx.cache:
        before: dict[str, float] = defaultdict(float)
        for *_, df in ctx.quarters:
            for u, p in zip(df["unit"], df["points"], strict=True):
                before[u] += p
        ctx.cache[key] = before
    full = float(ctx.reg.group(ctx.prep.units[unit]).target)
    done = ctx.cache[key][unit] + points
    text = ctx.reg.scoring.target_progress.format(
        period=_TARGET_WORD[ctx.reg.scoring.target_period],
        target=E.fmt(full),
        points=E.fmt(done),
        share=f"{done / full:.0%}",
    )
    stage.remark(unit, "target_progress", None, text)


def _period(ctx: Context, period: Period, close: bool = True) -> tuple[Stage, pl.DataFrame]:
    """A period scored on its own items: a month, a quarter, or (`scoring.year = "whole"`)
    the year; with `close`, the hooks closing the period run first (without: a quarter of
    the year to date shown beside a period scored whole)."""
    stage = _items(ctx, period)
    if close:
        for rule, fn in _hooks(ctx.reg, _CLOSE[period.kind]):
            fn(ctx, rule, stage)
    return stage, _frame(ctx, stage)


def _frame(ctx: Context, stage: Stage) -> pl.DataFrame:
    """The scores of a stage: points (the sum of its rows), the target and whether it is
    met (not when a rule failed it), the rank within the group, then the `assess` hooks
    (assessment), the year's rank by `scoring.year_rank_by` (units ranked first before
    all), and the `judge` hooks."""
    reg, period = ctx.reg, stage.period
    pts = E.totals(stage.rows)
    year = period.kind == "year"
    records = []
    for unit, group in ctx.prep.units.items():
        rec = dict(unit=unit, group=group, points=pts[unit])
        target = _target(reg, group, period)
        if reg.scoring.target_period is not None:  # every record has the same keys
            rec.update(target=None, target_met=None)
        if target is not None:
            rec.update(target=target, target_met=pts[unit] >= target and unit not in stage.failed)
            if reg.scoring.target_period == period.kind:
                _target_remark(reg, stage, unit, pts[unit], target)
            elif reg.scoring.target_progress and period.kind == "quarter":
                _progress_remark(ctx, stage, unit, pts[unit])
        if year:
            rec["first"] = unit in stage.first
        records.append(rec)
    df = pl.DataFrame(records) if year else E.scores_frame(records)
    df = df.with_columns(rank=E.shared_rank(df, ["points"]))
    for rule, fn in _hooks(reg, "assess"):
        df = fn(ctx, rule, stage, df)
    if year:
        df = df.with_columns(rank=E.shared_rank(df, ["first", *reg.scoring.year_rank_by]))
    for rule, fn in _hooks(reg, "judge"):
        df = fn(ctx, rule, stage, df)
    return df.drop("first") if year else df


def _year_of_quarters(ctx: Context, year: Period) -> tuple[Stage, pl.DataFrame]:
    """The year as the sum of its quarters (`scoring.year = "quarters"`): their rows (with
    their adjustments), notes and remarks (not their target remarks), then `close_year`."""
    stage = Stage(year)
    for _, q_stage, _ in ctx.quarters:
        stage.rows += q_stage.rows
        stage.notes += q_stage.notes
        stage.remarks += [r for r in q_stage.remarks if r.kind not in _NOT_CARRIED]
    for rule, fn in _hooks(ctx.reg, "close_year"):
        fn(ctx, rule, stage)
    return stage, _frame(ctx, stage)


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
    notices = None
    for rule, fn in _hooks(reg, "notices"):
        if (rows := fn(ctx, rule, period)) is not None:
            notices = (notices or []) + rows
    return ScoreResult(
        period=period,
        ledger=E.to_ledger(stage.rows, reg.id, period),
        scores=E.scores_frame(df.to_dicts()),
        notes=list(dict.fromkeys(stage.notes)),
        commissions=com_df,
        quarters=quarters,
        quotas=E.quotas_frame(quota_rows) if has_quotas else None,
        notices=None if notices is None else pl.DataFrame(notices, schema=NOTICES),
        remarks=remarks_frame(stage.remarks),
    )


def score(reg, inputs: ScoringInputs, period: Period) -> ScoreResult:
    """Score `period` (a month, a quarter or the year) under the regulation `reg`."""
    prep = E.prepare(inputs, [g.name for g in reg.groups])
    if reg.adoptions.kind_words:
        for a in prep.adoptions:
            a["kind"] = E.kind_word(a.get("kind"))
    if reg.unscored_groups:
        prep = prep.without_groups(reg.unscored_groups)
    commissions = E.commission_status(
        prep.events, prep, event_type=reg.commissions.event, marker=reg.commissions.marker
    )
    ctx = Context(reg, prep, commissions, scored=commissions)
    for rule, fn in _hooks(reg, "commissions"):
        ctx.scored = fn(ctx, rule, ctx.scored)
    if period.kind == "month":
        stage, df = _period(ctx, period)
        return _finish(ctx, stage, df)
    whole = reg.scoring.year == "whole"
    for q in period.quarters_to_date():
        # the year of quarters closes each; a year scored whole lists its quarters' items
        stage, df = _period(ctx, q, close=q == period or not whole)
        ctx.quarters.append((q, stage, df))
    quarters = _quarters_frame(ctx.quarters)
    if period.kind == "quarter":
        _, stage, df = ctx.quarters[-1]
        return _finish(ctx, stage, df, quarters)
    if reg.scoring.year == "quarters":
        stage, df = _year_of_quarters(ctx, period)
    else:
        stage, df = _period(ctx, period)
    return _finish(ctx, stage, df, quarters)
