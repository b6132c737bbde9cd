"""Named special rules (特殊规则): what a regulation says that is not a table of numbers.

A regulation file switches one on with a rule of `kind = "special"` and `special = "<name>"`,
citing its clause; the rule's other keys are the special's parameters. Each special is a
`schemes.kinds.Kind` registered here with its docstring (docs/regulations.md lists them).
A special must be general enough for the next office: parameters, not one office's words.
"""

from __future__ import annotations

from schemes.kinds.base import SPECIALS, Context, Kind, Stage, register, title_of
from schemes.kinds.instruction import instruction_table


def _top_level(ctx: Context, rule, e: dict) -> bool:
    table = instruction_table(ctx, rule.events[0] if rule.events else None)
    return e["type"] == table.event_type and table.read(e)[0] in rule.levels


def _first_remark(ctx: Context, rule, e: dict, period) -> str | None:
    if _top_level(ctx, rule, e):
        return f"{rule.name}{title_of(e)}：视为年度排名第一"
    return None


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
