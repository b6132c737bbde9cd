"""A regulation (考核办法) as data: the dataclasses of a regulation file.

A regulation file (TOML, `schemes/regulations/<id>.toml` for the shipped ones, or a file in
a workspace) is read into these frozen dataclasses. `Regulation` satisfies
`schemes.contract.Scheme`: the pipeline scores it through `schemes.scoring` (the period
driver) and the rule kinds of `schemes.kinds` and `schemes.specials`; no Python is written
per regulation. docs/regulations.md lists every key (the `#:` comments below are its text).

Building a `Regulation` from a parsed file goes through ONE function, `from_dict`; `load`
and `loads` read a file or a text.
"""

from __future__ import annotations

import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from schemes.contract import ScoreResult, ScoringInputs
from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import UNITS


@dataclass(frozen=True)
class Alias:
    """Other names of one roster unit (full names, abbreviations periodicals print)."""

    #: the unit as the roster names it
    unit: str
    #: its other names
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A scoring group (考核类别, 考核序列): its units are ranked together."""

    #: the group's name as the regulation prints it (乡镇（街道）, A类 …); units.csv's `group`
    name: str
    #: the group's target in points for the regulation's target period (`scoring.target_period`),
    #: or the yearly count of submissions the group must reach; empty when none
    target: float | None = None
    #: the regulation's words about the group and its target (shown in statements)
    note: str = ""
    #: the unit category points tables are keyed by (`points.category`), e.g. 乡镇 or 部门;
    #: empty: the group has none
    category: str | None = None
    #: the regulation's own roster of the group, in the order printed (kaohe init copies
    #: it into units.csv)
    units: tuple[str, ...] = ()
    #: other names of some of the units (full names, abbreviations periodicals print)
    aliases: tuple[Alias, ...] = ()


@dataclass(frozen=True)
class CategoryLabel:
    """How a unit category is printed before its points in a ledger note."""

    #: the category (a group's `category`)
    category: str
    #: the words printed (乡镇（街道）)
    label: str


@dataclass(frozen=True)
class Publication:
    """A periodical (刊物) whose adoptions score."""

    #: the periodical's name (建德政务·动态)
    name: str
    #: its level in the regulation's own words (本级, 市, 省, 国家 …)
    level: str
    #: the article class (类别) an adoption has when its row leaves it empty
    default_kind: str | None = None
    #: short names offices type for it (each must fit this periodical only)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Level:
    """Words an event's `level` may say for one level of leader instructions (批示)."""

    #: the level as the rules name it (本级, 杭州, 省, 国家 …)
    level: str
    #: the words a workspace may write for it (建德市, 建德, 市 …); 领导, 政府, 人民政府 after
    #: them and 主要领导 are understood
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Points:
    """One line of a points table: an adoption of `publication`, of article class `kind`,
    by a unit of `category`, earns `points`. An empty key matches anything; the most
    specific line wins (periodical, class, category in that order of importance)."""

    #: the periodical; empty: any periodical
    publication: str | None = None
    #: the article class (动态, 简讯, 要情, 专报 …); empty: any class
    kind: str | None = None
    #: the unit category (a group's `category`); empty: any unit
    category: str | None = None
    #: the points of one adoption
    points: float = 0.0


@dataclass(frozen=True)
class RankPoints:
    """Rank points of one group: `first` for rank 1, one less for each rank down to
    `last`, then `rest` for every further rank."""

    #: the group
    group: str
    #: points of rank 1
    first: float
    #: points of the last rank counted down one by one
    last: float
    #: points of every rank after that
    rest: float = 0.0

    def for_rank(self, rank: int) -> float:
        """Points of `rank` (1-based)."""
        pts = self.first - (rank - 1)
        return float(pts) if 1 <= rank and pts >= self.last else float(self.rest)


@dataclass(frozen=True)
class Rule:
    """One rule of the regulation: where the text says it (`clause`) right beside the
    numbers it sets. `kind` names what the engine does with it (a rule kind of
    schemes/kinds/, see docs/regulations.md); the other keys are the kind's parameters
    (each kind reads only its own and `kaohe scheme check` rejects the others)."""

    #: unique within the regulation (J-3.1.1); the ledger's rule_id is `<regulation id>/<id>`
    id: str
    #: the clause cited (三（一）1)
    clause: str
    #: a short Chinese name shown in statements
    name: str
    #: the clause's words or a faithful summary
    text: str = ""
    #: the readings applied where the text is open (J1 …, docs/readings.md)
    reading: str = ""
    #: what the engine does with the rule (a kind of schemes/kinds/; `note` only documents)
    kind: str = "note"
    #: for kind `special`: the special rule's name (schemes/specials.py)
    special: str | None = None
    #: event types (the events' `type` words) the rule applies to
    events: tuple[str, ...] = ()
    #: commission statuses the rule applies to (按时, 逾期, 未报), for event-like kinds
    commissions: tuple[str, ...] = ()
    #: fixed points (a deduction is negative)
    points: float | None = None
    #: points per unit of the event's `value`
    per_value: float | None = None
    #: the value when the event leaves it empty
    default_value: float | None = None
    #: the most one event may earn or cost (absolute)
    cap: float | None = None
    #: words put in the ledger note before the arithmetic (按时报送，质量分 …)
    label: str = ""
    #: kind `adoption`: the points table lines of this clause
    table: tuple[Points, ...] = ()
    #: kind `adoption`: articles of these classes earn no leader instruction bonus
    no_instruction_bonus: bool = False
    #: kind `instruction`: the levels (`[[levels]]`) this clause scores
    levels: tuple[str, ...] = ()
    #: kind `instruction`: true for main leaders (主要领导) only, false for the others,
    #: empty for any leader
    main: bool | None = None
    #: kind `escalating`: the n-th occurrence in a unit's year costs `amounts[n-1]` (the last
    #: one repeats); with `cumulative` they are the totals after n occurrences
    amounts: tuple[float, ...] = ()
    #: kind `escalating`: `amounts` are the totals after n occurrences (each costs the
    #: difference)
    cumulative: bool = False
    #: kind `commission_multiplier`: the periodical whose adoption of a commissioned article
    #: is multiplied
    publication: str | None = None
    #: kind `commission_multiplier`: the factor (3: 三倍)
    factor: float | None = None
    #: kind `rank_points`: points by rank within each group
    ranks: tuple[RankPoints, ...] = ()
    #: kind `rank_points`: only units that met their target get rank points
    requires_target: bool = False
    #: kind `top_share`: the top share of each group (0.3 = 前30%, rounded up)
    share: float | None = None


@dataclass(frozen=True)
class Adoptions:
    """How adoptions score beyond the points tables."""

    #: joint articles (联合供稿): `full` (each unit the full points), `split` (points ÷
    #: units), `first` (the first unit named only)
    joint: str = "full"
    #: an article adopted by several periodicals: `sum` (累计) or `max` (就高, only the
    #: highest across the year)
    combine: str = "sum"
    #: categories printed before the points of a category-specific line, e.g.
    #: 乡镇 = 「乡镇（街道）」 (`category_labels`); a category not listed prints itself
    category_labels: tuple[CategoryLabel, ...] = ()


@dataclass(frozen=True)
class Instructions:
    """A table of bonuses by level: leader instructions (领导批示), or media coverage."""

    #: the event type it scores
    event: str = "领导批示"
    #: per article only the highest (`max`, across the year) or every one (`sum`)
    combine: str = "max"
    #: who acts, in the ledger note 「{level}{actor}{verb}「title」」 (领导, 媒体)
    actor: str = "领导"
    #: what they do, in the same note (批示, 报道)
    verb: str = "批示"


@dataclass(frozen=True)
class Commissions:
    """Commissions (约稿): the event type and the word marking answers in the mail logs."""

    #: the event type of a commission in events/
    event: str = "约稿"
    #: a submission whose kind or subject holds this word answers a commission
    marker: str = "约稿"


@dataclass(frozen=True)
class Scoring:
    """How the engine runs the periods."""

    #: the rules (ids) that give ledger rows, in the order they are computed: the order of a
    #: unit's rows on one day. A rule of a table kind (adoption, instruction) stands for its
    #: whole table. Rules left out follow in file order.
    order: tuple[str, ...] = ()
    #: the period the groups' targets are for: `quarter`, `year` or empty (no point target)
    target_period: str | None = None
    #: how the year is scored: `quarters` (the quarters' rows and adjustments, summed) or
    #: `whole` (the year's items as one period)
    year: str = "quarters"


@dataclass(frozen=True)
class Regulation:
    """One regulation (考核办法), read from its file; satisfies schemes.contract.Scheme."""

    #: the regulation's id (jiande-2018): kaohe.toml's `scheme`
    id: str
    #: the regulation's title
    title: str
    #: its document number (文号), e.g. 建政办函〔2018〕22号
    doc_number: str
    #: the issuing office used when kaohe.toml sets none
    office: str
    #: place prefixes dropped when matching printed unit names, longest first
    place_prefixes: tuple[str, ...] = ()
    #: what the scores' `assessment` column means (its title)
    assessment_label: str = "排名得分"
    #: groups listed in the roster but never scored
    unscored_groups: tuple[str, ...] = ()
    #: the words allowed in events' `type` column
    event_words: tuple[str, ...] = ()
    #: the groups (`[[groups]]`), in the order bulletins list them, with the default roster
    groups: tuple[Group, ...] = ()
    #: the periodicals (`[[publications]]`)
    publications: tuple[Publication, ...] = ()
    #: the level words of instructions (`[[levels]]`)
    levels: tuple[Level, ...] = ()
    #: how adoptions score (`[adoptions]`)
    adoptions: Adoptions = Adoptions()
    #: the instruction tables (`[[instructions]]`), one per event type scored by level
    instructions: tuple[Instructions, ...] = (Instructions(),)
    #: commissions (`[commissions]`)
    commissions: Commissions = Commissions()
    #: how the periods run (`[scoring]`)
    scoring: Scoring = Scoring()
    #: the rules (`[[rules]]`), in the regulation's order
    rules: tuple[Rule, ...] = ()

    # -- schemes.contract.Scheme --------------------------------------------------------

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self.event_words)

    def roster(self) -> pl.DataFrame:
        """The regulation's own roster (UNITS frame), groups in file order."""
        names = {a.unit: list(a.names) for g in self.groups for a in g.aliases}
        units = [(u, g.name) for g in self.groups for u in g.units]
        return pl.DataFrame(
            {
                "unit": [u for u, _ in units],
                "group": [g for _, g in units],
                "aliases": [names.get(u, []) for u, _ in units],
                "emails": [[] for _ in units],
            },
            schema=UNITS,
        )

    def score(self, inputs: ScoringInputs, period: Period) -> ScoreResult:
        from schemes.scoring import score

        return score(self, inputs, period)

    # -- lookups ------------------------------------------------------------------------

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(name)

    def rules_of(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    @cached_property
    def default_kinds(self) -> dict[str, str | None]:
        return {p.name: p.default_kind for p in self.publications}


# --------------------------------------------------------------------------------------
# Reading a file


def from_dict(data: dict, name: str = "考核办法文件") -> Regulation:
    """The one way a parsed regulation file (a dict as tomllib gives it) becomes a
    `Regulation`: keys onto the dataclasses' fields, lists onto tuples; an unknown key or a
    value of the wrong type is an InputError naming `name` and the key."""
    return _build(Regulation, data, name, "")


def loads(text: str, name: str = "考核办法文件") -> Regulation:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{name} 不是有效的 TOML：{e}") from None
    return from_dict(data, name)


def load(path: Path | str) -> Regulation:
    p = Path(path)
    return loads(p.read_text(encoding="utf-8"), p.name)


def _build(cls, data, name: str, where: str):
    if not isinstance(data, dict):
        raise InputError(f"{name}：{where or '文件'}应为表（table）")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise InputError(
            f"{name}：{where or '顶层'}有未知的键「{'、'.join(unknown)}」，"
            f"可用的有：{'、'.join(known)}"
        )
    kwargs = {}
    for key, value in data.items():
        kwargs[key] = _value(hints[key], value, name, f"{where}{key}")
    for f in known.values():
        if f.name not in kwargs and f.default is MISSING and f.default_factory is MISSING:
            raise InputError(f"{name}：{where or '顶层'}缺少必填的键「{f.name}」")
    return cls(**kwargs)


def _value(hint, value, name: str, key: str):
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _value(args[0], value, name, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise InputError(f"{name}：「{key}」应为列表")
        (item,) = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return tuple(_value(item, v, name, f"{key}[{i + 1}].") for i, v in enumerate(value))
    if is_dataclass(hint):
        return _build(hint, value, name, key + ("." if not key.endswith(".") else ""))
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{name}：「{key}」应为数字，实为「{value}」")
        return float(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise InputError(f"{name}：「{key}」应为 true 或 false，实为「{value}」")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise InputError(f"{name}：「{key}」应为文字，实为「{value}」")
        return value
    raise TypeError(hint)
