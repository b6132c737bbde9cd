"""The roster changes within a year (机构改革): units renamed, merged or split mid-year.

`units.csv` may say from when a unit exists (`from`), its last day (`until`) and which roster
unit takes over its work (`successor`: the new name of a rename, the unit a merge forms, and
for a split the part that takes the year's record). Matching ignores these dates: a printed
name is matched to its own unit whatever the date (old bulletins print old names); this
module decides, for one scoring period, which units are scored and whose records count for
whom, before the regulation scores it:

- a unit that exists at no day of the period is not scored in it (not listed, no rank);
- a month or a quarter lists every unit that exists on some day of it, each with the
  records of the days it existed: the quarter of a change still names the old units;
- a record dated after its unit's last day (the old name printed after the change) counts
  for the unit that succeeded it;
- with the regulation's `successor = "sum"` the successor takes over: in every period in
  which its predecessor is no longer listed, and in the year, the predecessor's records of
  the year count for the successor (its totals, year to date and targets include them, and
  the year ranks it with them); with `"none"` each unit keeps its own records and a unit
  gone by the year's end is listed in the year with what it had.

Pure functions over ScoringInputs and plain values; `check_roster` is the validation the
reader of units.csv reports row by row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import polars as pl

from schemes.contract import ScoreResult, ScoringInputs
from transforms.periods import Period
from transforms.schema import UNIT_CHANGES

#: the regulation's choices for a successor: take over its predecessors' records, or not
SUCCESSOR_MODES = ("sum", "none")

#: the kind of the remark records (ScoreResult.remarks) on whose records a unit took over
SUCCESSOR_REMARK = "successor"

#: the roster's columns this module reads (besides `unit`)
CHANGE_COLUMNS = tuple(UNIT_CHANGES)


@dataclass(frozen=True)
class Life:
    """When a unit exists (both ends inclusive, None = open) and who succeeds it."""

    start: date | None = None
    end: date | None = None
    successor: str | None = None

    def exists(self, first: date, last: date) -> bool:
        """True when the unit exists on at least one day from `first` to `last`."""
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )

    def exists_on(self, day: date) -> bool:
        return self.exists(day, day)


def lives(units: pl.DataFrame) -> dict[str, Life]:
    """unit → Life, in roster order (units without dates or successor exist always)."""
    cols = units.columns
    out: dict[str, Life] = {}
    for r in units.iter_rows(named=True):
        out[r["unit"]] = Life(
            r["from"] if "from" in cols else None,
            r["until"] if "until" in cols else None,
            r["successor"] if "successor" in cols else None,
        )
    return out


def has_changes(units: pl.DataFrame) -> bool:
    """True when any unit of the roster has a date or a successor."""
    present = [c for c in CHANGE_COLUMNS if c in units.columns]
    return bool(present) and bool(
        units.select(pl.any_horizontal(pl.col(present).is_not_null()).any()).item()
    )


# --------------------------------------------------------------------------- validation


def check_roster(rows: Iterable[Mapping], known: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The problems of the roster's dates and successors, as (unit, Chinese message).

    `rows` are dicts with `unit`, `from`, `until` (dates or None) and `successor`; `known`
    are further names of the roster (rows left out for other problems, so that their
    successors are not reported as unknown). Checked: until ≥ from; a successor is another
    unit of the roster; a unit with a successor has an until; the successor exists on the
    day after it; successors form no cycle."""
    rows = list(rows)
    life = {r["unit"]: Life(r.get("from"), r.get("until"), r.get("successor")) for r in rows}
    names = set(life) | set(known)
    problems: list[tuple[str, str]] = []
    for unit, u in life.items():
        if u.start and u.end and u.end < u.start:
            problems.append(
                (
                    unit,
                    f"单位「{unit}」的截止日期 {u.end} 早于起始日期 {u.start}："
                    "请改正其中一个（截止日期是该单位存在的最后一天）",
                )
            )
            continue
        s = u.successor
        if s is None:
            continue
        if s == unit:
            problems.append(
                (
                    unit,
                    f"单位「{unit}」的继任单位是它自己：请在继任单位（successor 列）填写另一单位或留空",
                )
            )
            continue
        if s not in names:
            problems.append(
                (
                    unit,
                    f"单位「{unit}」的继任单位「{s}」不在名单中：请把「{s}」也列入 units.csv"
                    "（并填写其起始日期），或改正继任单位的名称",
                )
            )
            continue
        if u.end is None:
            problems.append(
                (
                    unit,
                    f"单位「{unit}」填写了继任单位「{s}」，却没有截止日期：请在截止日期（until 列）"
                    f"填写「{unit}」存在的最后一天，「{s}」从次日起接替",
                )
            )
            continue
        nxt = life.get(s)
        day = u.end + timedelta(days=1)
        if nxt is not None and not nxt.exists_on(day):
            if nxt.start and nxt.start > day:
                when = f"它起始于 {nxt.start}"
                fix = f"请把「{s}」的起始日期改为不晚于 {day}，或改正「{unit}」的截止日期"
            else:
                when = f"它截止于 {nxt.end}"
                fix = f"请改正「{s}」的截止日期，或为「{unit}」填写改革后仍存在的继任单位"
            problems.append(
                (
                    unit,
                    f"单位「{unit}」截止于 {u.end}，其继任单位「{s}」在次日 {day} 却不存在（{when}）：{fix}",
                )
            )
    reported = {u for u, _ in problems}
    for unit in life:
        chain, cur = [unit], life[unit].successor
        while cur is not None and cur in life and cur not in chain:
            chain.append(cur)
            cur = life[cur].successor
        if cur == unit and unit not in reported:
            reported.update(chain)
            problems.append(
                (
                    unit,
                    f"继任关系成环：{' → '.join([*chain, unit])}：请改正这些单位的继任单位"
                    "（successor 列），让改革后的单位不再以改革前的单位为继任",
                )
            )
    return problems


# --------------------------------------------------------------------------- one period


@dataclass
class Handover:
    """Which records of a period were counted for another unit than the one they name.

    - `moved`: (source, ref, unit counted for) → the units the records named, in order;
      `source` is adoption or event as in the ledger, `ref` the adoption or event id.
    - `taken`: unit → the units whose records it took in the period, in roster order.
    - `notes`: Chinese sentences for the bulletin (who took over whose records)."""

    moved: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    taken: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class PeriodRoster:
    """The inputs to score one period with, and what was handed over."""

    inputs: ScoringInputs
    handover: Handover


def listed_units(life: Mapping[str, Life], period: Period, successor: str) -> list[str]:
    """The units scored in `period`, in roster order: each that exists on some day of it;
    in the year with `successor = "sum"`, not a unit gone before the year's end whose
    successor is scored in the year (the year follows the successor)."""
    _check_mode(successor)
    listed = [u for u, x in life.items() if x.exists(period.start, period.end)]
    if period.kind != "year" or successor != "sum":
        return listed
    kept = set(listed)
    changed = True
    while changed:  # a chain A → B → C: A goes when B (or, B gone too, C) stays
        changed = False
        for u in list(kept):
            x = life[u]
            if x.successor and x.end and x.end < period.end and _heir(life, u, kept) is not None:
                kept.discard(u)
                changed = True
    return [u for u in listed if u in kept]


def _heir(life: Mapping[str, Life], unit: str, kept: set[str]) -> str | None:
    """The first successor of `unit` (following the chain) that is in `kept`."""
    seen = {unit}
    cur = life[unit].successor
    while cur is not None and cur in life and cur not in seen:
        if cur in kept:
            return cur
        seen.add(cur)
        cur = life[cur].successor
    return None


def _check_mode(successor: str) -> None:
    if successor not in SUCCESSOR_MODES:
        raise ValueError(f"successor must be one of {SUCCESSOR_MODES}, not {successor!r}")


def owner(life: Mapping[str, Life], listed: set[str], unit: str, day: date, successor: str) -> str:
    """The unit a record of `unit` dated `day` counts for in a period scoring `listed`:
    the successor when the record is dated after its unit's last day, and, with
    `successor = "sum"`, when its unit is not scored in the period; otherwise its own."""
    cur, seen = unit, {unit}
    while True:
        x = life.get(cur)
        if x is None or x.successor is None or x.successor in seen:
            return cur
        gone = x.end is not None and day > x.end
        if not gone and (cur in listed or successor == "none"):
            return cur
        cur = x.successor
        seen.add(cur)


def for_period(inputs: ScoringInputs, period: Period, successor: str = "sum") -> PeriodRoster:
    """The inputs to score `period` with: the roster of the units scored in it, and the
    records of the period's year counted for the units `owner` says (see the module's
    docstring). A roster without dates and successors gives the inputs unchanged."""
    _check_mode(successor)
    if not has_changes(inputs.units):
        return PeriodRoster(inputs, Handover())
    life = lives(inputs.units)
    listed = listed_units(life, period, successor)
    kept = set(listed)
    year = period.year_period
    movable = {u for u, x in life.items() if x.successor is not None}

    def reassign(
        frame: pl.DataFrame, day: pl.Expr | pl.Series
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """`frame` with `unit` counted for its owner, and the moved rows (with `named`)."""
        if frame is None or frame.height == 0 or "unit" not in frame.columns:
            return frame, pl.DataFrame()
        frame = frame.with_columns(_day=day)
        candidates = frame.filter(
            pl.col("unit").is_in(list(movable)), pl.col("_day").is_between(year.start, year.end)
        )
        pairs = candidates.select("unit", "_day").unique()
        mapping = [
            (r["unit"], r["_day"], owner(life, kept, r["unit"], r["_day"], successor))
            for r in pairs.iter_rows(named=True)
        ]
        mapping = [m for m in mapping if m[2] != m[0]]
        if not mapping:
            return frame.drop("_day"), pl.DataFrame()
        table = pl.DataFrame(
            mapping,
            schema={"unit": pl.String, "_day": pl.Date, "_owner": pl.String},
            orient="row",
        )
        joined = frame.join(table, on=["unit", "_day"], how="left", maintain_order="left")
        moved = joined.filter(pl.col("_owner").is_not_null()).rename({"unit": "named"})
        out = joined.with_columns(unit=pl.coalesce("_owner", "unit")).drop("_owner", "_day")
        return out, moved.rename({"_owner": "unit"})

    handover = Handover()
    days = inputs.adoptions.select("adoption_id", "date").unique("adoption_id", keep="last")
    adoption_units = inputs.adoption_units
    if adoption_units is not None and adoption_units.height:
        with_day = adoption_units.join(days, on="adoption_id", how="left", maintain_order="left")
        adoption_units, moved = reassign(with_day.drop("date"), with_day["date"])
        _record(handover, moved, "adoption", "adoption_id")
    events, moved = reassign(inputs.events, pl.col("date"))
    _record(handover, moved, "event", "event_id")
    submissions = inputs.submissions
    if submissions is not None and submissions.height and "time" in submissions.columns:
        submissions, moved = reassign(submissions, pl.col("time").dt.date())
        _record(handover, moved, "submission", None)
    units = inputs.units.filter(pl.col("unit").is_in(listed))
    order = {u: i for i, u in enumerate(life)}
    for unit, names in handover.taken.items():
        handover.taken[unit] = sorted(set(names), key=lambda u: order.get(u, len(order)))
        handover.notes += _notes(life, unit, handover.taken[unit], kept, period)
    return PeriodRoster(
        replace(
            inputs,
            units=units,
            adoption_units=adoption_units,
            events=events,
            submissions=submissions,
        ),
        handover,
    )


def _record(handover: Handover, moved: pl.DataFrame, source: str, ref: str | None) -> None:
    if moved.height == 0:
        return
    for r in moved.select("unit", "named").unique().iter_rows(named=True):
        handover.taken.setdefault(r["unit"], []).append(r["named"])
    if ref is None:
        return
    for r in moved.select(ref, "unit", "named").iter_rows(named=True):
        names = handover.moved.setdefault((source, r[ref], r["unit"]), [])
        if r["named"] not in names:
            names.append(r["named"])


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _notes(
    life: Mapping[str, Life], unit: str, named: list[str], listed: set[str], period: Period
) -> list[str]:
    """The bulletin's sentences on the records `unit` took from `named` in `period`: the
    year's records of predecessors not listed in it, or the records printed or sent under
    the old name after a listed predecessor's last day."""
    notes = []
    gone = [n for n in named if n not in listed]
    if gone:
        ends = {life[n].end for n in gone if n in life and life[n].end}
        until = f"（{_cn(ends.pop())}止）" if len(ends) == 1 else ""
        olds = "、".join(
            f"原{n}" + (f"（{_cn(life[n].end)}止）" if not until and life[n].end else "")
            for n in gone
        )
        notes.append(
            f"机构改革：{olds}{until}的工作由{unit}承继，其{period.year}年的记录计入{unit}。"
        )
    for n in named:
        if n in listed and n in life and life[n].end:
            notes.append(
                f"机构改革：{_cn(life[n].end)}以后仍以原{n}名义刊发、报送的记录计入{unit}。"
            )
    return notes


# --------------------------------------------------------------------------- the result


def annotate(result: ScoreResult, handover: Handover) -> ScoreResult:
    """`result` with the handover said: a ledger row counted from a predecessor's record
    names it (「（原文广新局）」 after its note), the successor's remark (the scores' column
    and a `successor` record of ScoreResult.remarks) says whose records it includes, and
    the notes say who took over whose records."""
    if not handover.taken:
        return result
    ledger = result.ledger
    if handover.moved and ledger.height:
        # a ledger row per record: the k-th row of a (source, ref, unit) names the k-th
        # unit (a joint article of two predecessors is two rows); otherwise all of them
        keys = pl.DataFrame(
            [(source, ref, unit, names) for (source, ref, unit), names in handover.moved.items()],
            schema={
                "source": pl.String,
                "ref": pl.String,
                "unit": pl.String,
                "_names": pl.List(pl.String),
            },
            orient="row",
        )
        by = ["source", "ref", "unit"]
        names = pl.col("_names")
        one = pl.concat_str(
            pl.lit("（原"), names.list.get(pl.col("_k"), null_on_oob=True), pl.lit("）")
        )
        every = pl.concat_str(
            pl.lit("（"), names.list.eval(pl.lit("原") + pl.element()).list.join("、"), pl.lit("）")
        )
        said_from = (
            pl.when(names.is_null())
            .then(None)
            .when(pl.col("_n") == names.list.len())
            .then(one)
            .otherwise(every)
        )
        ledger = (
            ledger.with_columns(_k=pl.int_range(pl.len()).over(by), _n=pl.len().over(by))
            .join(keys, on=by, how="left", maintain_order="left")
            .with_columns(
                note=pl.when(said_from.is_null())
                .then(pl.col("note"))
                .otherwise(pl.concat_str(pl.col("note").fill_null(""), said_from))
            )
            .drop("_k", "_n", "_names")
        )
    listed = set(result.scores["unit"])
    said = {
        u: "含" + "、".join(f"原{n}" for n in names) + "的记录"
        for u, names in handover.taken.items()
        if u in listed
    }
    scores = result.scores
    if said:
        remark = pl.col("remark")
        extra = pl.col("unit").replace_strict(said, default=None, return_dtype=pl.String)
        scores = scores.with_columns(
            remark=pl.when(extra.is_null())
            .then(remark)
            .when(remark.is_null() | (remark == ""))
            .then(extra)
            .otherwise(pl.concat_str(remark, pl.lit("；"), extra))
        )
    remarks = result.remarks
    if remarks is not None:
        said_rows = pl.DataFrame(
            [(u, result.period.label, SUCCESSOR_REMARK, None, t) for u, t in said.items()],
            schema=remarks.schema,
            orient="row",
        )
        remarks = pl.concat([remarks, said_rows])
    return replace(
        result,
        ledger=ledger,
        scores=scores,
        notes=[*result.notes, *handover.notes],
        remarks=remarks,
    )
