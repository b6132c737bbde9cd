"""Class quotas (报送任务): submissions of a class per month, two months, quarter or year,
each missing one costing points."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import Context, Kind, Stage, register
from transforms.periods import Period, quarter_of


def _quotas(ctx: Context, rule) -> list[E.Quota]:
    """The rule's quotas, one per window (the lines of one window together, so that a
    window's rows follow the roster's order), in the order the lines name the windows."""
    key = ("class_quota", rule.id)
    if key not in ctx.cache:
        subs = ctx.reg.submissions
        cls, words = rule.submission_class, rule.words

        def counts(s: dict) -> bool:
            if cls is not None and subs.class_of(s) != cls:
                return False
            text = (s.get("kind") or "") + (s.get("subject") or "")
            return not words or any(w in text for w in words)

        windows: dict[str, dict[str, float]] = {}
        for line in rule.counts:
            windows.setdefault(line.window, {}).update(dict.fromkeys(line.groups, line.count))
        ctx.cache[key] = [
            E.Quota(rule, thresholds, window, per_missing=rule.per_missing or 0.0, match=counts)
            for window, thresholds in windows.items()
        ]
    return ctx.cache[key]


def _spans(ctx: Context, rules, period: Period) -> list[tuple[E.Quota, Period]]:
    """(quota, the period its windows are taken from) for `period`: a window is judged in
    the period holding its end, so a month ending a quarter judges the quarter's window and
    December the year's."""
    out = []
    for rule in rules:
        for quota in _quotas(ctx, rule):
            over = period
            if period.kind == "month" and quota.window in ("quarter", "year"):
                whole = (
                    quarter_of(period.start) if quota.window == "quarter" else period.year_period
                )
                if whole.end != period.end:
                    continue
                over = whole
            elif period.kind == "quarter" and quota.window == "year":
                if period.year_period.end != period.end:
                    continue
                over = period.year_period
            out.append((quota, over))
    return out


def _items(ctx: Context, rules, period: Period, stage: Stage) -> None:
    """The quotas' rows of `period`, each note saying what it counts (`what`). C5: a window
    without mail logs is not judged; one note names the period's months without logs."""
    for quota, over in _spans(ctx, rules, period):
        what = quota.rule.what
        for r in E.quota_rows(ctx.prep, over, quota)[0]:
            if what:
                r["note"] = r["note"].replace("报送 ", f"报送{what} ", 1)
            stage.rows.append(r)
    missing = [m for m in period.months() if not ctx.prep.has_logs(m)]
    if missing:
        months = "、".join(m.title for m in missing)
        stage.notes.append(
            f"{months}没有报送记录（邮件日志），这些月份未考核{ctx.reg.submissions.tasks}；"
            "跨月的任务按有记录的月份计算。"
        )


def _table(ctx: Context, rule, period: Period) -> list[dict]:
    """ScoreResult.quotas: each judged window of every class_quota rule per unit (the ledger's
    windows; the driver calls a table kind's hooks at its first rule)."""
    rows: list[dict] = []
    for quota, over in _spans(ctx, ctx.reg.rules_of(rule.kind), period):
        rows += E.quota_table(ctx.prep, over, quota)
    return rows


register(
    Kind(
        "class_quota",
        "Each unit of the `counts` lines' groups sends `count` submissions per window "
        "(`month`, `bimonth`, `quarter`, `year`; judged in the period holding the window's "
        "end); only submissions of `submission_class` (`[submissions]`) and holding one of "
        "`words` count; each missing one costs `per_missing`. The note says `what` is "
        "counted. All class_quota rules form one table: C5, one note names the months without "
        "mail logs (`submissions.tasks`).",
        fields=("counts", "submission_class", "words", "what", "per_missing"),
        table=True,
        items=_items,
        quotas=_table,
    )
)
