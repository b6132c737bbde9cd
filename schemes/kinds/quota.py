"""Submission quotas (报送数量): a count per window against each group's number, and the
public naming of units that miss several windows in a row (连续N个季度未完成)."""

from __future__ import annotations

import polars as pl

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Remark, Stage, register
from schemes.kinds.notice import naming, record_notice

#: the word of each window, as titles end (第一季度) and quota names start (季度报送数量)
_WORD = {"month": "月", "quarter": "季度", "year": "年度"}
_NAME_WORD = {"month": "月度", "quarter": "季度", "year": "年度"}


def quota_of(rule) -> E.Quota:
    """The engine's Quota of a `quota` rule."""
    return E.Quota(
        rule,
        {g.group: g.count for g in rule.by_group},
        window=rule.window or "quarter",
        met_points=rule.points or 0.0,
        missed_points=rule.missed_points or 0.0,
    )


def _judged(rule, qw: E.QuotaWindow) -> bool:
    """C5: a window is judged when any of its months holds mail logs, or with
    `whole_window` when every one does."""
    return not qw.missing if rule.whole_window else not qw.skipped


def outcomes(ctx: Context, rule) -> dict[str, tuple[object, dict[str, bool] | None]]:
    """window label -> (window, unit -> met, or None when the window was not judged), for
    the windows closed so far, in time order."""
    return ctx.cache.setdefault(("quota", rule.id), {})


def _label(w) -> str:
    """A window's label (2018Q2, 2018-05, 2018, 2018-01~02)."""
    return w.label if hasattr(w, "label") else f"{w.year}-{w.first:02d}~{w.last:02d}"


def _short(w) -> str:
    """A window's title without the year (第二季度, 5月, 1—2月)."""
    return w.short_title if hasattr(w, "short_title") else f"{w.first}—{w.last}月"


def _close(ctx: Context, rule, stage: Stage) -> None:
    """The quota's windows ending in the stage's period and not judged before: a row per
    unit judged (met: `points`, missed: `missed_points`; a window met without points has
    no row), the missed ones' remark first, and a note for a window not judged (C5) or a
    period shorter than the window."""
    period, quota = stage.period, quota_of(rule)
    windows = E.quota_windows(ctx.prep, period, quota)
    if not windows and rule.short_period_note:
        stage.notes.append(f"{rule.name}（{rule.clause}）{rule.short_period_note}。")
    done = outcomes(ctx, rule)
    first: list[Remark] = []
    for qw in windows:
        w = qw.window
        if _label(w) in done:  # a quarter's windows, when the year is summed from them
            continue
        if not _judged(rule, qw):
            missing = "、".join(m.title for m in qw.missing)
            more = f"：{rule.unjudged_note}" if rule.unjudged_note else ""
            where = "" if len(w.months()) == 1 else w.title
            stage.notes.append(
                f"{missing}没有报送记录（邮件日志），{where}未执行“{rule.name}”规则"
                f"（{rule.clause}）{more}。"
            )
            done[_label(w)] = (w, None)
            continue
        if qw.missing:
            months = "、".join(m.title for m in qw.missing)
            stage.notes.append(f"{months}没有报送记录，“{rule.name}”按已有记录计算。")
        met = {}
        for unit, need, got, pts in qw.judged:
            met[unit] = got >= need
            if got >= need:
                if pts == 0:
                    continue
                text = f"报送 {got} 条，达到 {E.fmt(need)} 条"
            else:
                text = f"报送 {got} 条，少于 {E.fmt(need)} 条（差 {E.fmt(need - got)} 条）"
                first.append(
                    stage.make_remark(
                        unit,
                        "target_missed",
                        rule.id,
                        f"未完成{rule.name}（报送{got}条，应不少于{E.fmt(need)}条）",
                    )
                )
            note = f"{w.title}{text}：{E.fmt(pts)} 分"
            stage.rows.append(E.row(unit, w.end, rule, pts, note, "quota", None))
        done[_label(w)] = (w, met)
    stage.remarks[:0] = first


def _in(period, w) -> bool:
    return period.start <= w.end <= period.end


def _assess(ctx: Context, rule, stage: Stage, df: pl.DataFrame) -> pl.DataFrame:
    """`target_met`: the quota met in every window of the period judged (None when none
    was judged); a month shorter than the window keeps its frame."""
    period = stage.period
    mine = [m for w, m in outcomes(ctx, rule).values() if _in(period, w)]
    if not mine:
        return (
            df
            if "target_met" in df.columns
            else df.with_columns(target_met=pl.lit(None, pl.Boolean))
        )
    judged = [m for m in mine if m is not None]
    met = [(all(m.get(u, True) for m in judged) if judged else None) for u in df["unit"].to_list()]
    return df.with_columns(target_met=pl.Series(met, dtype=pl.Boolean))


def _close_year(ctx: Context, rule, stage: Stage) -> None:
    """The year's windows not judged yet (a yearly quota), then the year's first remark
    names the shorter windows missed (第一、第二季度未完成报送数量)."""
    _close(ctx, rule, stage)
    year = stage.period
    windows = [
        (w, m)
        for w, m in outcomes(ctx, rule).values()
        if _in(year, w) and m and _label(w) != year.label
    ]
    word = _WORD.get(rule.window or "quarter", "")
    what = rule.name.removeprefix(_NAME_WORD.get(rule.window or "quarter", ""))
    first = []
    for unit in ctx.prep.units:
        missed = [_short(w) for w, m in windows if m.get(unit) is False]
        if not missed:
            continue
        if word and all(t.endswith(word) for t in missed):
            which = "、".join(t.removesuffix(word) for t in missed) + word
        else:
            which = "、".join(missed)
        first.append(stage.make_remark(unit, "target_missed", rule.id, f"{which}未完成{what}"))
    stage.remarks[:0] = first


def _quotas(ctx: Context, rule, period) -> list[dict]:
    """ScoreResult.quotas: each judged window of `period` (as `_close` judges it)."""
    quota = quota_of(rule)
    rows: list[dict] = []
    for qw in E.quota_windows(ctx.prep, period, quota):
        if _judged(rule, qw):
            rows += E.quota_table(ctx.prep, qw.window, quota)
    return rows


register(
    Kind(
        "quota",
        "Submissions counted per `window` against each group's number (`by_group`): a "
        "window met earns `points`, a missed one `missed_points` (C5: judged when a month "
        "of it holds mail logs, with `whole_window` only when all do; `unjudged_note` and "
        "`short_period_note` complete the notes); the period's `target_met` is the quota "
        "met in all its windows. A missed window's remark (`target_missed`) comes first; "
        "the year's first remark names the shorter windows missed.",
        fields=(
            "window",
            "by_group",
            "points",
            "missed_points",
            "whole_window",
            "unjudged_note",
            "short_period_note",
        ),
        close_month=_close,
        close_quarter=_close,
        close_year=_close_year,
        assess=_assess,
        quotas=_quotas,
    )
)


def _misses(ctx: Context, rule, stage: Stage) -> None:
    """Units whose quota (rule `quota`) is missed in `run` windows in a row, the last
    ending in the stage's period: a row (`points`, default 0), a remark and a public
    naming by the regulation's `notice` rule. A window not judged breaks the run; after a
    completed run counting starts afresh."""
    quota = ctx.reg.rule(rule.quota)
    seq = list(outcomes(ctx, quota).values())
    what = quota.name.removeprefix(_NAME_WORD.get(quota.window or "quarter", ""))
    word, cost = naming(ctx)
    note_cost = f"，{cost}，不计入信息得分" if cost else ""
    remark_cost = f"（{cost}）" if cost else ""
    n = rule.run or 2
    for unit in ctx.prep.units:
        hits = E.consecutive_misses(
            [(i, m.get(unit) if m is not None else None) for i, (_, m) in enumerate(seq)], n
        )
        for i in hits:
            w = seq[i][0]
            if not _in(stage.period, w):
                continue
            run = [x for x, _ in seq[i - n + 1 : i + 1]]
            shorts = "、".join(_short(x) for x in run)
            note = f"{shorts}连续未完成{what}：{word}{note_cost}"
            stage.rows.append(E.row(unit, w.end, rule, rule.points or 0.0, note, "quota", None))
            rest = "、".join(_short(x) for x in run[1:])
            record_notice(ctx, stage, unit, w.end, rule, f"{run[0].title}、{rest}{rule.name}")
            stage.remark(unit, "notice", rule.id, f"{rule.name}，{word}{remark_cost}")


def _misses_in_a_whole_year(ctx: Context, rule, stage: Stage) -> None:
    """A year scored whole (`scoring.year = "whole"`) finds its runs itself; a year summed
    from its quarters has theirs."""
    if ctx.reg.scoring.year != "quarters":
        _misses(ctx, rule, stage)


register(
    Kind(
        "consecutive_misses",
        "A unit missing the quota of rule `quota` in `run` windows in a row is named "
        "publicly (通报批评, as the regulation's `notice` rule counts it): a ledger row "
        "(`points`, default 0), a remark and a notice. A window not judged breaks the run; "
        "after a completed run counting starts afresh.",
        fields=("quota", "run", "points"),
        close_month=_misses,
        close_quarter=_misses,
        close_year=_misses_in_a_whole_year,
    )
)
