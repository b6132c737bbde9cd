"""Leader instructions (领导批示) and other bonuses by level (媒体报道)."""

from __future__ import annotations

from schemes import engine as E
from schemes.kinds.adoption import no_bonus_kinds
from schemes.kinds.base import Context, Kind, Stage, register


def instruction_table(ctx: Context, event: str | None = None) -> E.InstructionTable:
    """The table of `[[instructions]]` scoring `event` (the first table when None), with
    the lines of every `instruction` rule whose `events` name it (or name nothing, for the
    first table)."""
    reg = ctx.reg
    spec = next((t for t in reg.instructions if event in (None, t.event)), None)
    if spec is None:
        raise KeyError(event)
    key = ("instructions", spec.event)
    if key not in ctx.cache:
        first = reg.instructions[0].event
        levels = {w: lv.level for lv in reg.levels for w in lv.words}
        entries = tuple(
            E.InstructionEntry(level, r.points or 0.0, r, r.main)
            for r in reg.rules_of("instruction")
            if (r.events[0] if r.events else first) == spec.event
            for level in r.levels
        )
        ctx.cache[key] = E.InstructionTable(
            levels, entries, spec.combine, spec.event, spec.actor, spec.verb
        )
    return ctx.cache[key]


def once_per_level(ctx: Context, table: E.InstructionTable, period, stage: Stage) -> E.Prepared:
    """The inputs without a repeated instruction: one per article and level in the year
    scores (每篇); a repeat falling in `period` is noted."""
    year = period.year_period
    seen: set = set()
    kept = []
    for e in ctx.prep.events:
        if e["type"] == table.event_type and year.contains(e["date"]) and e.get("article_id"):
            key = (e["unit"], e["article_id"], table.read(e)[0])
            if key in seen:
                if period.contains(e["date"]):
                    stage.notes.append(
                        f"{e['unit']}「{e.get('title') or ''}」另有{e.get('level')}{table.actor}"
                        f"{table.verb}（{e['date']:%Y年%-m月%-d日}），同一信息同级{table.verb}只加分一次。"
                    )
                continue
            seen.add(key)
        kept.append(e)
    return ctx.prep.with_events(kept)


def _items(ctx: Context, rules, period, stage: Stage) -> None:
    kinds = no_bonus_kinds(ctx.reg)
    no_bonus = {a["article_id"] for a in ctx.prep.adoptions if a.get("kind") in kinds}
    for spec in ctx.reg.instructions:
        table = instruction_table(ctx, spec.event)
        prep = once_per_level(ctx, table, period, stage) if spec.once_per_level else ctx.prep
        stage.rows += E.instruction_rows(prep, period, table, no_bonus_articles=no_bonus)


register(
    Kind(
        "instruction",
        "A bonus for an instruction (批示) of the `levels`, `points` each (`main`: main "
        "leaders only / others only); all instruction rules of one event type form one "
        "table, combined as its `[[instructions]]` says.",
        fields=("levels", "points", "main", "events"),
        table=True,
        items=_items,
    )
)
