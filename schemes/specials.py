"""Named special rules (特殊规则): what a regulation says that is not a table of numbers.

A regulation file switches one on with a rule of `kind = "special"` and `special = "<name>"`,
citing its clause; the rule's other keys are the special's parameters. Each special is a
`schemes.kinds.Kind` registered here with its docstring (docs/regulations.md lists them).
A special must be general enough for the next office: parameters, not one office's words.
"""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.base import SPECIALS, Context, Kind, Stage, register, title_of
from schemes.kinds.instruction import instruction_table


def _top_level(ctx: Context, rule, e: dict) -> bool:
    table = instruction_table(ctx, rule.events[0] if rule.events else None)
    return e["type"] == table.event_type and table.read(e)[0] in rule.levels


def _first_remark(ctx: Context, rule, e: dict, stage: Stage) -> None:
    if _top_level(ctx, rule, e):
        stage.remark(
            e["unit"], "ranked_first", rule.id, f"{rule.name}{title_of(e)}：视为年度排名第一"
        )


def _first_close_year(ctx: Context, rule, stage: Stage) -> None:
    year = stage.period
    stage.first |= {
        e["unit"] for e in ctx.prep.events if year.contains(e["date"]) and _top_level(ctx, rule, e)
    }


register(
    Kind(
        "instruction_level_ranks_first",
        "An instruction (批示) of one of the `levels` (e.g. 国家: 被国务院领导批示的，报送单位"
        "视为年度排名第一) ranks the unit first of its group for the year, before any "
        "points; several such units share rank 1 by their assessment and points.",
        fields=("levels", "events"),
        event_remark=_first_remark,
        close_year=_first_close_year,
    ),
    SPECIALS,
)


def _distinct_topics(ctx: Context, rule, commissions: list[dict]) -> list[dict]:
    """A unit's commissions of the statuses `commissions` (default 逾期, 未报) count once per
    topic: a second one with the same title (spaces ignored) is dropped."""
    statuses = rule.commissions or (E.LATE, E.MISSING)
    seen: set = set()
    out = []
    for c in commissions:
        if c["status"] in statuses:
            key = (c["unit"], "".join((c.get("title") or c.get("event_id") or "").split()))
            if key in seen:
                continue
            seen.add(key)
        out.append(c)
    return out


register(
    Kind(
        "distinct_topic_commissions",
        "Missed commissions (statuses `commissions`, default 逾期 and 未报) count once per "
        "topic for every rule (e.g. 两次未按期完成约稿（两次约稿不同题材）): a unit's second "
        "miss on a title it already missed is not counted again.",
        fields=("commissions",),
        commissions=_distinct_topics,
    ),
    SPECIALS,
)
