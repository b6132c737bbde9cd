"""The small scoring engine (计分引擎) the rule kinds (schemes/kinds/) compose.

A regulation is data (schemes/regulations/*.toml): tables of points, instruction bonuses,
event rules, penalties, quotas and rank points. This module turns such data into ledger rows
(计分明细) and scores; the period driver (schemes/scoring.py) runs the periods. Every
function is pure: frames and plain values in, rows and frames out.

Concepts (each one a small dataclass or function):

- `prepare`: the scoring inputs as plain rows (units with groups, adoptions joined with
  the units they name, events) and the submissions with local dates as a polars frame
  (`Prepared.log`: counts per unit and window in polars; dicts only where a rule reads
  them), with the months that hold mail logs.
- `PointsTable` + `adoption_rows`: points per (publication, kind, unit category), joint
  articles (`full` / `split` / `first`, C2) and the combine mode across publications of one
  article (`sum` = 累计, `max` = 就高).
- `InstructionTable` + `instruction_rows`: leader instructions (领导批示) by level and main
  leader flag, combined per article by `max` or `sum`; `normalize_level` reads the level words.
- `EventRule` + `event_rows`: fixed points per event, or points per unit of `value` with a
  default and a cap.
- `EscalatingPenalty` + `escalating_rows`: the n-th occurrence in the year costs more
  (per occurrence, or as totals after n occurrences).
- `zero_rows`: a period "does not score" (不得分): an adjustment row removes the positive
  points and keeps the deductions, so points always equal the sum of ledger rows.
- `Quota` + `quota_rows`: counts of submissions per month / quarter / year against a
  threshold per group: points when met, when missed, per missing submission (C5 aware);
  `quota_windows` is the one count that `quota_rows` and `quota_table` both read.
- `silent_month_rows`: a month with no submission from a unit (C5 aware).
- `quota_overview` (`quota_table`, `silent_month_table`): ScoreResult.quotas — each quota
  window, the count and the points, for statements.
- `consecutive_misses`: the windows at which N consecutive misses complete (连续N期未完成).
- `commission_status`: 约稿 status from the office's record or from the mail logs.
- `CountTarget` + `target_progress` + `shortfall_rows`: yearly targets on numbers of
  submissions or adoptions (optionally only some article classes), year-to-date progress,
  and a deduction per missing item; C5 scales a submission target to the log months.
- `RankPoints`, `shared_rank`, `top_share_count`: ranking (C4) and rank-point tables.
- `to_ledger`, `scores_frame`: the contract frames.

Rows are plain dicts with the LEDGER columns; `rule_id` holds the scheme's own rule id and
`to_ledger` prefixes the scheme id (`jiande-2018/J-3.1.1`), as transforms.schema.LEDGER says.
"""

from __future__ import annotations

import math
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from schemes.contract import Rule, ScoringInputs

# The status words live with the commissions transform; schemes read them from here (E.UNKNOWN).
from transforms.commissions import LATE, MISSING, ON_TIME, UNKNOWN, commission_rows  # noqa: F401
from transforms.errors import InputError
from transforms.periods import Period
from transforms.publication_text import issue_label
from transforms.schema import COMMISSIONS, LEDGER, SCORES, conform
from transforms.submissions import count_per_unit

ADJUST = "adjust"


def fmt(x: float | None) -> str:
    """Points as the bulletins print them: 8, 2.5, -10."""
    if x is None:
        return ""
    return f"{x:g}"


# --------------------------------------------------------------------------------------
# Prepared inputs


class Prepared:
    """The scoring inputs: units, adoptions and events as plain rows, submissions as a frame.

    - `units`: unit -> group, in roster order.
    - `adoptions`: one dict per (adoption, unit named): adoption columns, `article_id`,
      `unit`, `position`, `n_units`.
    - `events`: event dicts with `unit` and `article_id` (rows without a unit are dropped).
    - `log`: the submissions with `unit` (maybe null) and local `date`, in time order, as a
      polars frame (`prepare_submissions`): counts per unit are read from it (a province
      sends a million a year). `submissions` gives the same rows as dicts, built on first
      use; `submissions_in` the dicts of some months only. Rows are read, never changed.
    - `log_months`: (year, month) of every month holding at least one submission (C5).
    - `lifetimes`: unit → (first day, last day) of the units that do not always exist
      (机构改革, units.csv's `from`/`until`; None = open): `exists` says whether a unit
      exists in a window, and quotas are judged only in windows it exists in.
    """

    def __init__(
        self,
        units: dict[str, str],
        adoptions: list[dict],
        events: list[dict],
        log: pl.DataFrame | None = None,
        log_months: set[tuple[int, int]] | None = None,
        lifetimes: dict[str, tuple[date | None, date | None]] | None = None,
    ):
        self.units = units
        self.lifetimes = lifetimes or {}
        self.adoptions = adoptions
        self.events = events
        self.log = log if log is not None else prepare_submissions(None)[0]
        self.log_months = set(log_months) if log_months is not None else _months(self.log)
        self._rows: list[dict] | None = None
        self._month_rows: dict[tuple[int, int], list[dict]] = {}

    @property
    def submissions(self) -> list[dict]:
        """The submissions as dicts (every column of `log`), in time order."""
        if self._rows is None:
            self._rows = list(self.log.iter_rows(named=True))
        return self._rows

    def with_events(self, events: list[dict]) -> Prepared:
        """The same inputs with other events."""
        return Prepared(
            self.units, self.adoptions, events, self.log, self.log_months, self.lifetimes
        )

    def exists(self, unit: str, first: date, last: date) -> bool:
        """True when `unit` exists on at least one day from `first` to `last`."""
        start, end = self.lifetimes.get(unit, (None, None))
        return (start is None or start <= last) and (end is None or end >= first)

    def without_groups(self, groups: Iterable[str]) -> Prepared:
        """The same inputs without the units of `groups` (listed but not scored, e.g.
        萧山's 不列入考核) and their adoptions, events and submissions; `log_months` keeps
        every month with mail logs (C5 counts any submission)."""
        drop = {u for u, g in self.units.items() if g in set(groups)}
        unit = pl.col("unit")
        return Prepared(
            {u: g for u, g in self.units.items() if u not in drop},
            [a for a in self.adoptions if a["unit"] not in drop],
            [e for e in self.events if e["unit"] not in drop],
            self.log.filter(unit.is_null() | ~unit.is_in(list(drop))) if drop else self.log,
            set(self.log_months),
            self.lifetimes,
        )

    def events_of(self, *types: str) -> list[dict]:
        wanted = set(types)
        return [e for e in self.events if e["type"] in wanted]

    def has_logs(self, month: Period) -> bool:
        return (month.year, month.index) in self.log_months

    def submissions_in(self, months: Iterable[Period]) -> Iterable[dict]:
        """The submissions of the given months as dicts, month by month, in time order
        (each month's dicts built once)."""
        for m in months:
            key = (m.year, m.index)
            rows = self._month_rows.get(key)
            if rows is None:
                start, end = m.start, m.end
                if self._rows is not None:
                    rows = [s for s in self._rows if start <= s["date"] <= end]
                else:
                    log = self.log.filter(pl.col("date").is_between(start, end))
                    rows = list(log.iter_rows(named=True))
                self._month_rows[key] = rows
            yield from rows

    def count_submissions(
        self, start: date, end: date, where: pl.Expr | None = None
    ) -> dict[str, int]:
        """Per unit, its submissions with a local date from `start` to `end` (inclusive)
        and, when given, `where` (a polars filter on `log`'s columns); units without any
        are left out; submissions without a unit are not counted."""
        return count_per_unit(self.log, start, end, where)


def _months(log: pl.DataFrame) -> set[tuple[int, int]]:
    """(year, month) of the local dates in `log`."""
    return {(d.year, d.month) for d in log["date"].unique().drop_nulls().to_list()}


def _rows(df: pl.DataFrame | None) -> list[dict]:
    if df is None or df.height == 0:
        return []
    return list(df.iter_rows(named=True))


def prepare(inputs: ScoringInputs, groups: Iterable[str] | None = None) -> Prepared:
    """Plain rows from `inputs`; a roster group unknown to the scheme is an InputError."""
    units = prepare_units(inputs, groups)
    adoptions = prepare_adoptions(inputs.adoptions, inputs.adoption_units, units)
    events = []
    for e in _rows(inputs.events):
        if e.get("unit") is None or e.get("date") is None:
            continue
        e.setdefault("article_id", None)
        events.append(e)
    events.sort(key=lambda e: (e["date"], e.get("source_file") or "", e.get("source_row") or 0))

    return Prepared(
        units,
        adoptions,
        events,
        *prepare_submissions(inputs.submissions),
        lifetimes=prepare_lifetimes(inputs),
    )


def prepare_lifetimes(inputs: ScoringInputs) -> dict[str, tuple[date | None, date | None]]:
    """unit → (from, until) of the roster's units with either date (机构改革)."""
    cols = inputs.units.columns
    if "from" not in cols and "until" not in cols:
        return {}
    out = {}
    for r in _rows(inputs.units):
        start, end = r.get("from"), r.get("until")
        if start is not None or end is not None:
            out[r["unit"]] = (start, end)
    return out


def prepare_adoptions(
    adoptions: pl.DataFrame | None, adoption_units: pl.DataFrame | None, units: dict[str, str]
) -> list[dict]:
    """One dict per (adoption, roster unit it names): the adoption's columns (the last
    row of an adoption id), `article_id` (the adoption id when empty), `unit`, `position`
    (0 when empty) and `n_units` (1 when empty), sorted by date, source row, unit."""
    if adoptions is None or adoption_units is None or not adoptions.height:
        return []
    if not adoption_units.height:
        return []
    cols = adoptions.columns
    ad = adoptions.unique("adoption_id", keep="last", maintain_order=True)
    ad = ad.drop([c for c in ("unit", "position", "n_units") if c in cols])
    if "article_id" not in cols:
        ad = ad.with_columns(article_id=pl.lit(None, pl.String))
    au_cols = adoption_units.columns
    position, n_units = pl.col("position"), pl.col("n_units")
    au = adoption_units.select(
        "adoption_id",
        "unit",
        position=position.fill_null(0) if "position" in au_cols else pl.lit(0),
        n_units=(
            pl.when(n_units.is_null() | (n_units == 0)).then(1).otherwise(n_units)
            if "n_units" in au_cols
            else pl.lit(1)
        ),
    ).filter(pl.col("unit").is_in(list(units)))
    rows = au.join(ad, on="adoption_id", how="inner", nulls_equal=True, maintain_order="left")
    art, aid = pl.col("article_id"), pl.col("adoption_id")
    rows = rows.with_columns(
        article_id=pl.when(art.is_null() | (art == "")).then(aid).otherwise(art)
    )
    source_row = pl.col("source_row").fill_null(0) if "source_row" in cols else pl.lit(0)
    rows = rows.sort(pl.col("date"), source_row, pl.col("unit"), maintain_order=True)
    order = [*cols, *(c for c in ("article_id", "unit", "position", "n_units") if c not in cols)]
    return list(rows.select(order).iter_rows(named=True))


def prepare_units(inputs: ScoringInputs, groups: Iterable[str] | None = None) -> dict[str, str]:
    """unit -> group in roster order; a group not in `groups` (when given) is an InputError."""
    known = set(groups) if groups is not None else None
    units: dict[str, str] = {}
    for r in _rows(inputs.units):
        if known is not None and r["group"] not in known:
            raise InputError(
                f"单位「{r['unit']}」的类别「{r['group']}」不是本考核办法的类别，"
                f"可用的有：{'、'.join(sorted(known))}",
                file="units.csv",
            )
        units[r["unit"]] = r["group"]
    return units


#: The submissions last prepared: (weak reference to their frame, log, months). Scoring
#: every period of one workspace prepares the same inputs again and again.
_LAST_SUBMISSIONS: list[tuple[weakref.ref, pl.DataFrame, set[tuple[int, int]]]] = []


def prepare_submissions(df: pl.DataFrame | None) -> tuple[pl.DataFrame, set[tuple[int, int]]]:
    """The submissions with a time, with `unit` (null when the frame has none) and their
    local `date` (of `time` in its own zone), in time order (stable), and their months."""
    if _LAST_SUBMISSIONS and df is not None and _LAST_SUBMISSIONS[0][0]() is df:
        _, log, months = _LAST_SUBMISSIONS[0]
        return log, set(months)
    if df is None:
        log = pl.DataFrame(schema={"time": pl.Datetime("us"), "unit": pl.String, "date": pl.Date})
    elif "time" not in df.columns:
        log = df.clear().with_columns(date=pl.lit(None, pl.Date))
    else:
        t = pl.col("time")
        day = t.dt.date() if isinstance(df.schema["time"], pl.Datetime) else t
        log = df.filter(t.is_not_null()).with_columns(date=day)
        if not log["time"].is_sorted():
            log = log.sort("time", maintain_order=True)
    if "unit" not in log.columns:
        log = log.with_columns(unit=pl.lit(None, pl.String))
    months = _months(log)
    if df is not None:
        _LAST_SUBMISSIONS[:] = [(weakref.ref(df), log, set(months))]
    return log, months


# --------------------------------------------------------------------------------------
# Ledger rows


def row(
    unit: str,
    d: date,
    rule: Rule,
    points: float,
    note: str,
    source: str,
    ref: str | None = None,
    *,
    article_id: str | None = None,
    title: str | None = None,
    publication: str | None = None,
    issue: str | None = None,
    shared: bool = False,
) -> dict:
    """One ledger row (scheme-local rule id; `to_ledger` adds the scheme prefix)."""
    return {
        "unit": unit,
        "date": d,
        "rule_id": rule.id,
        "clause": rule.clause,
        "rule": rule.name,
        "points": float(points),
        "note": note,
        "source": source,
        "ref": ref,
        "article_id": article_id,
        "title": title,
        "publication": publication,
        "issue": issue,
        "shared": bool(shared),
    }


def to_ledger(rows: list[dict], scheme_id: str, period: Period) -> pl.DataFrame:
    """The LEDGER frame of `rows`, all labelled with `period`, sorted by unit and date."""
    if not rows:
        return pl.DataFrame(schema=LEDGER)
    try:  # column by column (faster than from dicts) when every row has every column
        cols = {k: [r[k] for r in rows] for k in LEDGER if k != "period"}
    except KeyError:
        cols = None
    if cols is not None:
        cols["rule_id"] = [f"{scheme_id}/{x}" for x in cols["rule_id"]]
        df = pl.DataFrame(cols, schema={k: LEDGER[k] for k in cols})
        df = df.with_columns(period=pl.lit(period.label, pl.String))
        return conform(df, LEDGER).sort(["unit", "date"], maintain_order=True)
    out = []
    for r in rows:
        r = dict(r)
        r["rule_id"] = f"{scheme_id}/{r['rule_id']}"
        r["period"] = period.label
        out.append(r)
    if not out:
        return pl.DataFrame(schema=LEDGER)
    df = pl.DataFrame(out, schema_overrides={k: v for k, v in LEDGER.items() if k in out[0]})
    return conform(df, LEDGER).sort(["unit", "date"], maintain_order=True)


def totals(rows: Iterable[dict]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        out[r["unit"]] += r["points"]
    return out


# --------------------------------------------------------------------------------------
# Adoptions: points tables


@dataclass(frozen=True)
class PointsEntry:
    """Points for an adoption. `publication`, `kind` or `category` None = any."""

    publication: str | None
    kind: str | None
    category: str | None
    points: float
    rule: Rule


@dataclass(frozen=True)
class PointsTable:
    """(publication, kind, unit category) -> points with its rule.

    `default_kinds` maps a publication to its default kind (used when the row's kind is
    empty, and — with a note — when the kind is not one the table knows).
    """

    entries: tuple[PointsEntry, ...]
    default_kinds: dict[str, str | None] = field(default_factory=dict)

    def _find(self, pub: str, kind: str | None, cat: str | None) -> PointsEntry | None:
        order = [(pub, kind, cat), (pub, kind, None), (None, kind, cat), (None, kind, None)]
        if kind is None:
            order = []
        order += [(pub, None, cat), (pub, None, None)]
        for key in order:
            for e in self.entries:
                if (e.publication, e.kind, e.category) == key:
                    return e
        return None

    def lookup(self, pub: str, kind: str | None, cat: str | None):
        """(entry, kind used, remark) or (None, kind, None) when the publication scores
        nothing. An unknown kind falls back to the default kind with a remark."""
        default = self.default_kinds.get(pub)
        used = kind or default
        e = self._find(pub, used, cat)
        if e is not None:
            return e, used, None
        if used is not None and used != default:
            e = self._find(pub, default, cat)
            if e is not None:
                shown = f"「{default}」" if default else ""
                return e, default, f"类别「{used}」未识别，按默认类别{shown}计分"
        return None, used, None


def issue_text(publication: str, issue: str | None) -> str:
    """《刊物》第N期, whether the issue was written 18, 第18期 or 2018年第18期."""
    return issue_label(publication, issue)


def keep_highest(candidates: list[dict], period: Period, key: Callable[[dict], object]):
    """就高: per key, only the highest row counts.

    `candidates` may start before `period` (e.g. at the start of the year): what earlier
    periods already gave is subtracted, so a higher row in this period adds the difference
    and a lower one adds nothing. Returns the rows of `period`.
    """
    groups: dict[object, list[dict]] = defaultdict(list)
    for c in candidates:
        groups[key(c)].append(c)
    out = []
    start, end = period.start, period.end
    for rows in groups.values():
        before = [r for r in rows if r["date"] < start]
        inside = [r for r in rows if start <= r["date"] <= end]
        if not inside:
            continue
        best = max(inside, key=lambda r: r["points"])  # max keeps the first on ties
        earlier = max((r["points"] for r in before), default=None)
        r = dict(best)
        others = len(inside) - 1
        if others:
            r["note"] += f"；同一信息另有{others}项，按最高分计，不重复累计"
        if earlier is not None:
            gain = best["points"] - earlier
            if gain <= 0:
                continue
            r["points"] = gain
            r["note"] += f"；此前已按{fmt(earlier)}分计，本期补计差额{fmt(gain)}分"
        out.append(r)
    return out


def adoption_rows(
    prep: Prepared,
    period: Period,
    table: PointsTable,
    category_of: Callable[[str], str | None],
    *,
    joint: str = "full",
    combine: str = "sum",
    category_label: Callable[[str | None], str] | None = None,
) -> list[dict]:
    """Ledger rows for the adoptions of `period` (C3: by issue date).

    `category_of(group)` gives the table's unit category; `joint` is `full` (each listed
    unit gets the full points), `split` (points / number of units) or `first` (the first
    named unit only) (C2); `combine` is `sum` (累计: one row per adoption) or `max` (就高: per
    article and unit only the highest adoption, across the year so far).
    """
    if joint not in ("full", "split", "first"):
        raise ValueError(joint)
    start = period.year_period.start if combine == "max" else period.start
    end = period.end
    categories: dict[str, str | None] = {}  # group -> category
    found: dict[tuple, tuple] = {}  # (publication, kind, category) -> table.lookup(…)
    cands = []
    for a in prep.adoptions:
        if not (start <= a["date"] <= end):
            continue
        n = a["n_units"] or 1
        if joint == "first" and a["position"] != 0:
            continue
        group = prep.units[a["unit"]]
        if group not in categories:
            categories[group] = category_of(group)
        key = (a["publication"], a.get("kind"), categories[group])
        if key not in found:
            found[key] = table.lookup(*key)
        entry, kind, remark = found[key]
        cat = key[2]
        if entry is None:
            continue
        pts = entry.points
        label = category_label(cat) + " " if category_label and entry.category else ""
        note = f"{issue_text(a['publication'], a.get('issue'))} {kind or ''}「{a['title']}」："
        note = note.replace(" 「", "「") if not kind else note
        if joint == "split" and n > 1:
            note += f"{label}{fmt(pts)} 分 ÷ {n} 个单位 = {fmt(pts / n)} 分"
            pts = pts / n
        else:
            note += f"{label}{fmt(pts)} 分"
        if n > 1:
            note += "（联合供稿，各单位均计全分）" if joint == "full" else "（联合供稿）"
        if remark:
            note += f"（{remark}）"
        cands.append(
            row(
                a["unit"],
                a["date"],
                entry.rule,
                pts,
                note,
                "adoption",
                a["adoption_id"],
                article_id=a["article_id"],
                title=a["title"],
                publication=a["publication"],
                issue=a.get("issue"),
                shared=n > 1,
            )
        )
    if combine == "max":
        return keep_highest(cands, period, key=lambda r: (r["unit"], r["article_id"]))
    return cands


def multiply_rows(
    rows: list[dict],
    match: Callable[[dict], bool],
    factor: float,
    rule: Rule,
    note: Callable[[dict, float], str],
) -> list[dict]:
    """Replace each matching row by one under `rule` worth `factor` × its points."""
    out = []
    for r in rows:
        if match(r):
            new = dict(r)
            new.update(rule_id=rule.id, clause=rule.clause, rule=rule.name)
            new["points"] = r["points"] * factor
            new["note"] = note(r, new["points"])
            out.append(new)
        else:
            out.append(r)
    return out


# --------------------------------------------------------------------------------------
# Leader instructions (领导批示)


MAIN_LEADER = "主要领导"


def normalize_level(word: str | None, levels: dict[str, str]) -> tuple[str | None, bool]:
    """(canonical level, main leader?) of an event's level word, per the scheme's map.

    `杭州市主要领导` -> (levels['杭州市'], True); `杭州市领导`, `杭州市政府` are read as
    `杭州市`. An unknown or empty word gives (None, flag).
    """
    if word is None:
        return None, False
    w = "".join(str(word).split())
    main = MAIN_LEADER in w
    w = w.replace(MAIN_LEADER, "")
    for suffix in ("领导", "人民政府", "政府"):
        if w.endswith(suffix) and w[: -len(suffix)]:
            w = w[: -len(suffix)]
    return levels.get(w), main


@dataclass(frozen=True)
class InstructionEntry:
    """Points for an instruction of `level`; `main` True/False for main/other leaders, None
    for any leader."""

    level: str
    points: float
    rule: Rule
    main: bool | None = None


@dataclass(frozen=True)
class InstructionTable:
    """Leader instruction bonuses. `levels` maps the level words a workspace may write to
    the canonical level; `combine` is `max` (per article only the highest) or `sum`."""

    levels: dict[str, str]
    entries: tuple[InstructionEntry, ...]
    combine: str = "max"
    event_type: str = "领导批示"
    #: the words of the ledger note「{level}{actor}{verb}「title」」: media coverage by level
    #: (萧山's 媒体报道) is the same table with actor 媒体 and verb 报道
    actor: str = "领导"
    verb: str = "批示"

    def entry(self, level: str, main: bool) -> InstructionEntry | None:
        for e in self.entries:
            if e.level == level and (e.main is None or e.main == main):
                return e
        return None

    def read(self, event: dict) -> tuple[str, bool]:
        """The event's canonical level and main flag; an unknown level is an InputError."""
        level, main = normalize_level(event.get("level"), self.levels)
        if level is None:
            words = "、".join(self.levels)
            raise InputError(
                f"{self.event_type}的级别「{event.get('level') or ''}」无法识别，"
                f"请填写：{words}（主要领导在级别后加“主要领导”）",
                file=event.get("source_file"),
                row=event.get("source_row"),
            )
        return level, main


def instruction_rows(
    prep: Prepared,
    period: Period,
    table: InstructionTable,
    *,
    no_bonus_articles: set | None = None,
) -> list[dict]:
    """Ledger rows for the leader instructions of `period`.

    With `combine="max"` only the highest instruction per (unit, article) counts, across
    the year so far; an instruction without `article_id` counts alone. `max_per_level`:
    the same per (unit, article, rule): each level's bonus once, the levels adding up.
    `no_bonus_articles`: articles whose instructions add nothing (e.g. 应急信息).
    """
    no_bonus = no_bonus_articles or set()
    year_to_date = table.combine in ("max", "max_per_level")
    start = period.year_period.start if year_to_date else period.start
    cands = []
    for e in prep.events_of(table.event_type):
        if not (start <= e["date"] <= period.end):
            continue
        level, main = table.read(e)
        entry = table.entry(level, main)
        if entry is None:
            continue
        who = e.get("level") or level
        who = who if who.endswith(table.actor) else who + table.actor
        title = e.get("title") or ""
        if e.get("article_id") is not None and e["article_id"] in no_bonus:
            continue
        note = f"{who}{table.verb}「{title}」：加 {fmt(entry.points)} 分"
        cands.append(
            row(
                e["unit"],
                e["date"],
                entry.rule,
                entry.points,
                note,
                "event",
                e.get("event_id"),
                article_id=e.get("article_id"),
                title=e.get("title"),
            )
        )
    if table.combine == "max":
        return keep_highest(
            cands, period, key=lambda r: (r["unit"], r["article_id"] or ("event", r["ref"]))
        )
    if table.combine == "max_per_level":
        return keep_highest(
            cands,
            period,
            key=lambda r: (r["unit"], r["article_id"] or ("event", r["ref"]), r["rule_id"]),
        )
    return cands


# --------------------------------------------------------------------------------------
# Other events


@dataclass(frozen=True)
class EventRule:
    """Points for each event of `types`: fixed `points`, or `per_value` × value (value
    defaulting to `default_value`), limited to ±`cap`."""

    types: tuple[str, ...]
    rule: Rule
    points: float = 0.0
    per_value: float | None = None
    default_value: float | None = None
    cap: float | None = None
    #: words put before the arithmetic in the note (e.g. 按时报送，质量分)
    label: str = ""

    def amount(self, value: float | None) -> tuple[float, str]:
        """(points, arithmetic in Chinese)."""
        if self.per_value is None:
            return self.points, f"{fmt(self.points)} 分"
        v = value if value is not None else self.default_value
        if v is None:
            return 0.0, "未填写分值，计 0 分"
        pts = self.per_value * v
        text = f"{fmt(v)}" if self.per_value == 1 else f"{fmt(self.per_value)} × {fmt(v)}"
        if value is None:
            text += "（未填写，按默认值）"
        if self.cap is not None and abs(pts) > self.cap:
            capped = math.copysign(self.cap, pts)
            return capped, f"{text}，单条最高 {fmt(self.cap)} 分，计 {fmt(capped)} 分"
        if text != fmt(pts):
            text += f" = {fmt(pts)}"
        return pts, text + " 分"


def event_rows(events: Iterable[dict], period: Period, rule: EventRule) -> list[dict]:
    """Ledger rows for the events of `period` of the rule's types."""
    out = []
    for e in events:
        if e["type"] not in rule.types or not period.contains(e["date"]):
            continue
        pts, text = rule.amount(e.get("value"))
        title = f"「{e['title']}」" if e.get("title") else ""
        out.append(
            row(
                e["unit"],
                e["date"],
                rule.rule,
                pts,
                f"{e['type']}{title}：{rule.label}{text}",
                "event",
                e.get("event_id"),
                article_id=e.get("article_id"),
                title=e.get("title"),
            )
        )
    return out


@dataclass(frozen=True)
class EscalatingPenalty:
    """The n-th event of `types` in a unit's year costs `amounts[n-1]` (the last amount
    repeats). With `cumulative`, `amounts` are the totals after n events (青山: one −30,
    two or more −80 in all): each event costs the difference."""

    types: tuple[str, ...]
    rule: Rule
    amounts: tuple[float, ...]
    cumulative: bool = False

    def nth(self, n: int) -> float:
        """Cost of the n-th occurrence (1-based)."""

        def at(i: int) -> float:
            return self.amounts[min(i, len(self.amounts)) - 1] if i > 0 else 0.0

        if self.cumulative:
            return at(n) - at(n - 1)
        return at(n)


def escalating_rows(events: Iterable[dict], period: Period, pen: EscalatingPenalty) -> list[dict]:
    """Ledger rows for the penalties of `period`, counting occurrences over the year in
    date order (events must be sorted, as `prepare` leaves them)."""
    counts: dict[str, int] = defaultdict(int)
    out = []
    year = period.year_period
    for e in events:
        if e["type"] not in pen.types or not year.contains(e["date"]):
            continue
        counts[e["unit"]] += 1
        n = counts[e["unit"]]
        if e["date"] > period.end:
            break
        if not period.contains(e["date"]):
            continue
        pts = pen.nth(n)
        title = f"「{e['title']}」" if e.get("title") else ""
        out.append(
            row(
                e["unit"],
                e["date"],
                pen.rule,
                pts,
                f"本年度第{n}次{pen.rule.name}（{e['type']}{title}）：{fmt(pts)} 分",
                "event",
                e.get("event_id"),
                article_id=e.get("article_id"),
                title=e.get("title"),
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Period-wide adjustments


def zero_rows(rows: list[dict], reasons: dict[str, str], period: Period, rule: Rule) -> list[dict]:
    """不得分: for each unit in `reasons` one adjustment row that removes its positive
    points of `period` and keeps its deductions, so that the unit's points become the sum
    of its deductions and still equal the sum of its ledger rows."""
    out = []
    of_unit: dict[str, list[dict]] = {unit: [] for unit in reasons}
    for r in rows:
        if r["unit"] in of_unit:
            of_unit[r["unit"]].append(r)
    for unit, reason in reasons.items():
        mine = of_unit[unit]
        total = sum(r["points"] for r in mine)
        kept = sum(r["points"] for r in mine if r["points"] < 0 and r["source"] != ADJUST)
        adj = kept - total
        note = f"{reason}：{period.title}信息考核不得分，冲减得分 {fmt(-adj)} 分"
        if kept:
            note += f"，保留扣分 {fmt(kept)} 分"
        out.append(row(unit, period.end, rule, adj, note, ADJUST, None))
    return out


def silent_month_rows(
    prep: Prepared, period: Period, rule: Rule, points: float
) -> tuple[list[dict], list[str]]:
    """A unit without any submission in a month: `points` (a deduction). C5: only months
    holding mail logs are judged; the others are named in the returned notes."""
    out, skipped = [], []
    for m in period.months():
        if not prep.has_logs(m):
            skipped.append(m)
            continue
        active = prep.count_submissions(m.start, m.end)
        for unit in prep.units:
            if unit not in active and prep.exists(unit, m.start, m.end):
                note = f"{m.title}无报送记录：{fmt(points)} 分"
                out.append(row(unit, m.end, rule, points, note, "submission", None))
    notes = []
    if skipped:
        months = "、".join(m.title for m in skipped)
        notes.append(
            f"{months}没有报送记录（邮件日志），未执行“{rule.name}”规则（{rule.clause}）。"
        )
    return out, notes


@dataclass(frozen=True)
class Quota:
    """Submissions counted per `window` (month | bimonth | quarter | year) against a
    threshold per group. Met: `met_points`; missed: `missed_points` + `per_missing` ×
    shortfall. `words`: only submissions whose kind or subject contains one of them count
    (empty: all); `match`, when given, decides instead (a predicate on the submission dict).
    `bimonth` windows are 1–2月, 3–4月 …; a period holds those that end in it."""

    rule: Rule
    thresholds: dict[str, float]
    window: str = "quarter"
    met_points: float = 0.0
    missed_points: float = 0.0
    per_missing: float = 0.0
    words: tuple[str, ...] = ()
    match: Callable[[dict], bool] | None = None

    def counts(self, s: dict) -> bool:
        if self.match is not None:
            return self.match(s)
        if not self.words:
            return True
        text = (s.get("kind") or "") + (s.get("subject") or "")
        return any(w in text for w in self.words)

    def where(self, columns: Iterable[str]) -> pl.Expr | None:
        """`counts` without `match` as a polars filter on submissions with `columns`
        (None: every submission counts)."""
        if self.match is not None:
            raise ValueError("a quota with a match predicate has no polars filter")
        if not self.words:
            return None
        text = pl.concat_str(_text_col("kind", columns), _text_col("subject", columns))
        return pl.any_horizontal(text.str.contains(w, literal=True) for w in self.words)


def _text_col(name: str, columns: Iterable[str]) -> pl.Expr:
    """A text column with null (or missing) read as the empty string."""
    if name not in columns:
        return pl.lit("")
    return pl.col(name).cast(pl.String).fill_null("")


@dataclass(frozen=True)
class MonthSpan:
    """Consecutive months `first`–`last` of one year (每两月: a bimonth window)."""

    year: int
    first: int
    last: int

    @property
    def start(self) -> date:
        return date(self.year, self.first, 1)

    @property
    def end(self) -> date:
        return Period(self.year, "month", self.last).end

    @property
    def title(self) -> str:
        return f"{self.year}年{self.first}—{self.last}月"

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def months(self) -> list[Period]:
        return [Period(self.year, "month", m) for m in range(self.first, self.last + 1)]


def _windows(period: Period, window: str) -> list:
    if window == "month":
        return period.months()
    if window == "bimonth":
        return [
            MonthSpan(period.year, m.index - 1, m.index)
            for m in period.months()
            if m.index % 2 == 0
        ]
    if window == "quarter":
        return period.quarters() if period.kind != "month" else []
    if window == "year":
        return [period] if period.kind == "year" else []
    raise ValueError(window)


@dataclass(frozen=True)
class QuotaWindow:
    """One window of a quota as judged: `missing` months without mail logs; `judged`
    (unit, required, count, points) per unit with a threshold, empty when not judged
    (C5: no month of the window holds mail logs)."""

    window: object
    missing: list
    judged: list[tuple[str, float, int, float]]

    @property
    def skipped(self) -> bool:
        return len(self.missing) == len(self.window.months())


def quota_windows(prep: Prepared, period: Period, quota: Quota) -> list[QuotaWindow]:
    """The one count behind `quota_rows` (ledger) and `quota_table` (statements): per
    window of `period`, the submissions counted per unit and what they cost or earned
    (met: `met_points`; missed: `missed_points` + `per_missing` × shortfall)."""
    out = []
    for w in _windows(period, quota.window):
        missing = [m for m in w.months() if not prep.has_logs(m)]
        if len(missing) == len(w.months()):
            out.append(QuotaWindow(w, missing, []))
            continue
        if quota.match is None:
            n = prep.count_submissions(w.start, w.end, quota.where(prep.log.columns))
        else:  # a predicate on the submission dicts
            n = defaultdict(int)
            start, end = w.start, w.end
            for s in prep.submissions_in(w.months()):
                if s["unit"] is not None and start <= s["date"] <= end and quota.counts(s):
                    n[s["unit"]] += 1
        judged = []
        for unit, group in prep.units.items():
            need = quota.thresholds.get(group)
            if need is None or not prep.exists(unit, w.start, w.end):
                continue
            got = n.get(unit, 0)
            if got >= need:
                pts = quota.met_points
            else:
                pts = quota.missed_points + quota.per_missing * (need - got)
            judged.append((unit, need, got, pts))
        out.append(QuotaWindow(w, missing, judged))
    return out


def quota_rows(prep: Prepared, period: Period, quota: Quota) -> tuple[list[dict], list[str]]:
    """Ledger rows (source `quota`) for each window of `period`. C5: a window without any
    mail logs is skipped; one with some months missing is judged and noted. A window met
    without a bonus has no row (`quota_table` shows it)."""
    out, notes = [], []
    for qw in quota_windows(prep, period, quota):
        w = qw.window
        if qw.skipped:
            notes.append(f"{w.title}没有报送记录（邮件日志），未执行“{quota.rule.name}”规则。")
            continue
        if qw.missing:
            months = "、".join(m.title for m in qw.missing)
            notes.append(f"{months}没有报送记录，“{quota.rule.name}”按已有记录计算。")
        for unit, need, got, pts in qw.judged:
            if got >= need:
                if pts == 0:
                    continue
                text = f"报送 {got} 条，达到 {fmt(need)} 条"
            else:
                text = f"报送 {got} 条，少于 {fmt(need)} 条（差 {fmt(need - got)} 条）"
            note = f"{w.title}{text}：{fmt(pts)} 分"
            out.append(row(unit, w.end, quota.rule, pts, note, "quota", None))
    return out, notes


def consecutive_misses(outcomes: Iterable[tuple[object, bool | None]], run: int = 2) -> list:
    """连续N期未完成: the windows at which `run` consecutive misses complete.

    `outcomes` are (window, met) in time order, `met` True (met), False (missed) or None
    (not judged, e.g. no mail logs, C5). A met or unjudged window breaks the run; after a
    completed run counting starts afresh, so four missed quarters with `run=2` give two
    (at the 2nd and the 4th) and three give one.
    """
    if run < 1:
        raise ValueError(run)
    hits, streak = [], 0
    for window, met in outcomes:
        streak = streak + 1 if met is False else 0
        if streak == run:
            hits.append(window)
            streak = 0
    return hits


# --------------------------------------------------------------------------------------
# Quota overview (ScoreResult.quotas): each quota, the count, what it cost or earned

#: Columns of ScoreResult.quotas.
QUOTAS = {
    "unit": pl.String,
    "period": pl.String,
    "rule": pl.String,
    "clause": pl.String,
    "required": pl.Float64,
    "count": pl.Int64,
    "points": pl.Float64,
}


def _window_label(w) -> str:
    if isinstance(w, MonthSpan):
        return f"{w.year}-{w.first:02d}~{w.last:02d}"
    return w.label


def quota_table(prep: Prepared, period: Period, quota: Quota) -> list[dict]:
    """Per judged window of `period` (C5: windows without any mail logs are not judged)
    and per unit with a threshold: QUOTAS columns — the same counts and points as
    `quota_rows` (both read `quota_windows`), including windows met without a bonus
    (points 0)."""
    out = []
    for qw in quota_windows(prep, period, quota):
        for unit, need, got, pts in qw.judged:
            out.append(
                dict(unit=unit, period=_window_label(qw.window), rule=quota.rule.name,
                     clause=quota.rule.clause, required=float(need), count=got,
                     points=float(pts))
            )  # fmt: skip
    return out


def silent_month_table(prep: Prepared, period: Period, rule: Rule, points: float) -> list[dict]:
    """Per month of `period` holding mail logs and per unit: required 1, the count, and
    `points` when nothing was sent (else 0) — what `silent_month_rows` charges."""
    out = []
    for m in period.months():
        if not prep.has_logs(m):
            continue
        n = prep.count_submissions(m.start, m.end)
        for unit in prep.units:
            if not prep.exists(unit, m.start, m.end):
                continue
            got = n.get(unit, 0)
            out.append(
                dict(unit=unit, period=m.label, rule=rule.name, clause=rule.clause,
                     required=1.0, count=got, points=float(points) if got == 0 else 0.0)
            )  # fmt: skip
    return out


def quota_overview(
    prep: Prepared,
    period: Period,
    quotas: Iterable[Quota] = (),
    silent_month: tuple[Rule, float] | None = None,
) -> pl.DataFrame:
    """ScoreResult.quotas of `period`: the status rows (QUOTAS) of every quota and of the
    months-without-submission rule, sorted by unit, then period, then rule."""
    rows: list[dict] = []
    for q in quotas:
        rows += quota_table(prep, period, q)
    if silent_month is not None:
        rows += silent_month_table(prep, period, *silent_month)
    return quotas_frame(rows)


def quotas_frame(rows: list[dict]) -> pl.DataFrame:
    """ScoreResult.quotas from QUOTAS rows (`quota_table`, `silent_month_table`, or a
    scheme's own), sorted by unit, then period, then rule."""
    if not rows:
        return pl.DataFrame(schema=QUOTAS)
    df = pl.DataFrame({k: [r.get(k) for r in rows] for k in QUOTAS}, schema=QUOTAS)
    return df.sort("unit", "period", "rule", maintain_order=True)


# --------------------------------------------------------------------------------------
# Commissions (约稿)


def commission_status(
    events: Iterable[dict] | pl.DataFrame,
    submissions: Prepared | Iterable[dict] | pl.DataFrame,
    *,
    event_type: str = "约稿",
    marker: str = "约稿",
) -> list[dict]:
    """Each commission event with `status` (按时/逾期/未报/未知), `derived` (True when
    it came from the mail logs), and `submission_id` / `sent` of the answer found.

    The event's date is the due date; a recorded status wins. Otherwise the answer is the
    unit's submission with the most similar title, else its first unused submission whose
    kind or subject contains `marker` sent after its previous commission's due date: on or
    before the due date -> 按时, later -> 逾期; none, and the due month holds mail logs
    (C5) -> 未报; else 未知. See transforms.commissions.commission_rows (the one
    implementation; `commission_table` gives the same as a COMMISSIONS frame). Given the
    `Prepared` inputs, its log is searched in polars and the months holding mail logs are
    the months of that log.
    """
    log_months = None
    if isinstance(submissions, Prepared):
        log_months = _months(submissions.log)
        submissions = submissions.log
    return commission_rows(
        events, submissions, event_type=event_type, marker=marker, log_months=log_months
    )


# --------------------------------------------------------------------------------------
# Ranking


@dataclass(frozen=True)
class RankPoints:
    """Points by rank: `points[0]` for rank 1 …, `rest` for any further rank."""

    points: tuple[float, ...]
    rest: float

    @classmethod
    def descending(cls, first: float, last: float, rest: float) -> RankPoints:
        return cls(tuple(float(p) for p in range(int(first), int(last) - 1, -1)), rest)

    def for_rank(self, rank: int) -> float:
        return self.points[rank - 1] if 1 <= rank <= len(self.points) else self.rest


def shared_rank(df: pl.DataFrame, by: list[str], group: str = "group") -> pl.Series:
    """Rank within `group`, higher values of `by` (in order) first; ties share the better
    rank (1,2,2,4) (C4)."""
    if df.height == 0:
        return pl.Series("rank", [], dtype=pl.Int64)
    return df.select(
        pl.struct(by).rank("min", descending=True).over(group).cast(pl.Int64).alias("rank")
    ).to_series()


def top_share_count(n: int, share: float) -> int:
    """How many of `n` units are in the top `share`, rounded up (30% of 7 -> 3)."""
    return math.ceil(round(n * share, 9))


# --------------------------------------------------------------------------------------
# Counts and scores


def submitted_counts(prep: Prepared, period: Period) -> dict[str, int]:
    return defaultdict(int, prep.count_submissions(period.start, period.end))


def adopted_counts(prep: Prepared, period: Period) -> dict[str, int]:
    arts: dict[str, set] = defaultdict(set)
    start, end = period.start, period.end
    for a in prep.adoptions:
        if start <= a["date"] <= end:
            arts[a["unit"]].add(a["article_id"])
    return {u: len(v) for u, v in arts.items()}


def scores_frame(records: list[dict]) -> pl.DataFrame:
    """SCORES frame from dicts (missing columns null)."""
    if not records:
        return pl.DataFrame(schema=SCORES)
    df = pl.DataFrame(
        records, schema_overrides={k: v for k, v in SCORES.items() if k in records[0]}
    )
    return conform(df, SCORES)


# --------------------------------------------------------------------------------------
# Count targets (目标任务): yearly numbers of submissions and adoptions


def kind_word(kind: str | None) -> str | None:
    """An article class without its trailing 信息 / 类 (调研类信息 → 调研); None if empty."""
    if kind is None:
        return None
    k = "".join(str(kind).split())
    for suffix in ("信息", "类"):
        if k.endswith(suffix) and k[: -len(suffix)]:
            k = k[: -len(suffix)]
    return k or None


@dataclass(frozen=True)
class CountTarget:
    """A target on a count per group over the year (全年上报信息不少于120条): `source`
    submission (报送, counted per mail) or adoption (采用, counted per adoption: 条（次）).

    `kinds`: only items of these classes count (empty: all): a submission's `kind`, or, when
    it is empty, a 【kind】 mark in its subject; an adoption's `kind`, or its periodical's
    default kind (`default_kinds`). Classes are compared by `kind_word` (调研类 = 调研).
    C5: a submission target is judged on the months holding mail logs only: the threshold
    is scaled to them (× months / 12) and rounded up (see `target_progress`)."""

    name: str
    source: str
    thresholds: dict[str, float]
    kinds: tuple[str, ...] = ()
    unit_word: str = "条"

    def counts(self, item: dict, default_kinds: dict[str, str | None] | None = None) -> bool:
        if not self.kinds:
            return True
        wanted = {kind_word(k) for k in self.kinds}
        kind = kind_word(item.get("kind"))
        if kind is None and self.source == "adoption":
            kind = kind_word((default_kinds or {}).get(item.get("publication")))
        if kind is not None:
            return kind in wanted
        subject = item.get("subject") or ""
        return any(f"【{k}" in subject for k in self.kinds)

    def where(self, log: pl.DataFrame) -> pl.Expr | None:
        """`counts` of a submission as a polars filter on `log` (None: all count): the
        class of each distinct `kind` is read by `kind_word`, the subject's 【kind】 marks
        by literal search."""
        if not self.kinds:
            return None
        wanted = {kind_word(k) for k in self.kinds}
        kinds = log["kind"].unique().drop_nulls().to_list() if "kind" in log.columns else []
        yes = [k for k in kinds if kind_word(k) in wanted]
        blank = [k for k in kinds if kind_word(k) is None]
        marked = pl.any_horizontal(
            _text_col("subject", log.columns).str.contains(f"【{k}", literal=True)
            for k in self.kinds
        )
        if "kind" not in log.columns:
            return marked
        kind = pl.col("kind")
        return kind.is_in(yes) | ((kind.is_null() | kind.is_in(blank)) & marked)


@dataclass(frozen=True)
class Progress:
    """A unit's count against one `CountTarget` from the year's start to a period's end.
    `need`: what the unit must reach (None: the group has no such target, or a submission
    target without any month of mail logs); `full`: the year's threshold; `months`: months
    the count covers (for submissions: months holding mail logs)."""

    target: CountTarget
    got: int
    need: float | None
    full: float | None
    months: int

    @property
    def met(self) -> bool | None:
        return None if self.need is None else self.got >= self.need

    @property
    def short(self) -> int:
        """Missing items (0 when met or not judged)."""
        if self.need is None:
            return 0
        return max(0, math.ceil(self.need) - self.got)

    def text(self) -> str:
        """「报送 35/120 条」; with a scaled need 「报送 80/90 条（按9个月）」."""
        if self.full is None:
            return ""
        shown = self.need if self.need is not None else self.full
        out = f"{self.target.name} {self.got}/{fmt(shown)} {self.target.unit_word}"
        if self.need is not None and self.need != self.full:
            out += f"（按{self.months}个月）"
        return out


def target_progress(
    prep: Prepared,
    period: Period,
    targets: Iterable[CountTarget],
    *,
    default_kinds: dict[str, str | None] | None = None,
    judge: bool = False,
) -> dict[str, list[Progress]]:
    """Per unit, the year-to-date count (the year's start to `period`'s end) against each
    target. With `judge` (the year's result), a submission target's need is the threshold
    scaled to the months holding mail logs, rounded up (C5: 9 months of logs and 150 a
    year → 113); without any log month it is not judged (need None). Without `judge` the
    need is the year's threshold (progress shown in quarterly bulletins)."""
    start, end = period.year_period.start, period.end
    covered = sum(1 for m in period.year_period.months() if m.start <= end and prep.has_logs(m))
    out: dict[str, list[Progress]] = {u: [] for u in prep.units}
    for t in targets:
        n: dict[str, int] = defaultdict(int)
        if t.source == "submission":
            n.update(prep.count_submissions(start, end, t.where(prep.log)))
        else:
            for it in prep.adoptions:
                if it.get("unit") is not None and start <= it["date"] <= end:
                    if t.counts(it, default_kinds):
                        n[it["unit"]] += 1
        for unit, group in prep.units.items():
            full = t.thresholds.get(group)
            need, months = full, 12
            if t.source == "submission":
                months = covered
                if judge and full is not None:
                    need = None if covered == 0 else math.ceil(round(full * covered / 12, 9))
            out[unit].append(Progress(t, n[unit], need, full, months))
    return out


def shortfall_rows(
    progress: dict[str, list[Progress]],
    target: CountTarget,
    period: Period,
    rule: Rule,
    per_missing: float,
) -> tuple[list[dict], list[str]]:
    """Per missing item below `target` (未完成目标任务，每少一条 …): `per_missing` points, one
    row per unit dated the period's last day (source quota). Notes name a target that
    could not be judged or was scaled to the months holding mail logs (C5)."""
    out, notes = [], []
    for unit, progs in progress.items():
        for p in progs:
            if p.target != target:
                continue
            if p.need is not None and p.need != p.full and not notes:
                notes.append(
                    f"{period.title}仅{p.months}个月有报送记录（邮件日志），"
                    f"“{rule.name}”按{p.months}个月折算全年目标（向上取整）。"
                )
            if p.full is not None and p.need is None and not notes:
                notes.append(
                    f"{period.title}没有报送记录（邮件日志），未执行“{rule.name}”规则（{rule.clause}）。"
                )
            if p.short:
                pts = per_missing * p.short
                note = (
                    f"{period.title}{target.name} {p.got} {target.unit_word}，"
                    f"目标 {fmt(p.need)} {target.unit_word}，少 {p.short} {target.unit_word}："
                    f"{fmt(per_missing)} × {p.short} = {fmt(pts)} 分"
                )
                out.append(row(unit, period.end, rule, pts, note, "quota", None))
    return out, notes


def with_counts(
    prep: Prepared, period: Period, df: pl.DataFrame, remarks: dict[str, list[str]]
) -> pl.DataFrame:
    """Add the scores' `submitted` and `adopted` counts of the period and `remark` (the
    unit's remarks joined by ；, each once)."""
    sub, ado = submitted_counts(prep, period), adopted_counts(prep, period)
    units = df["unit"].to_list()
    return df.with_columns(
        submitted=pl.Series([sub.get(u, 0) for u in units], dtype=pl.Int64),
        adopted=pl.Series([ado.get(u, 0) for u in units], dtype=pl.Int64),
        remark=pl.Series(
            ["；".join(dict.fromkeys(remarks.get(u, []))) or None for u in units], dtype=pl.String
        ),
    )


def event_points(rows: Iterable[dict], rule_ids: Iterable[str]) -> dict[str, float]:
    """Points of the ledger rows of `rule_ids`, summed per source record (event id)."""
    wanted = set(rule_ids)
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["rule_id"] in wanted and r.get("ref") is not None:
            out[r["ref"]] += r["points"]
    return out


def commission_frame(
    commissions: Iterable[dict], period: Period, points_of: Callable[[dict], float | None]
) -> pl.DataFrame:
    """ScoreResult.commissions: the commissions due in the period with what each earned or
    cost (`points_of(commission)`); null points for a status that is 未知 (not scored)."""
    com = [
        dict(
            unit=c["unit"],
            date=c["date"],
            title=c.get("title"),
            status=c["status"],
            points=None if c["status"] == UNKNOWN else points_of(c),
        )
        for c in commissions
        if period.contains(c["date"])
    ]
    return pl.DataFrame(com, schema=COMMISSIONS)
