"""A regulation (考核办法) as data: the dataclasses of a regulation file.

A regulation file (TOML, `schemes/regulations/<id>.toml` for the shipped ones, or a file in
a workspace) is read into these frozen dataclasses. `Regulation` satisfies
`schemes.contract.Scheme`: the pipeline scores it through `schemes.scoring` (the period
driver) and the rule kinds of `schemes.kinds` and `schemes.specials`; no Python is written
per regulation. docs/regulations.md lists every key (the `#:` comments below are its text).

Building a `Regulation` from a file's text goes through ONE function, `loads` (the generic
reader transforms.tomldata, then schemes.check; schemes.files); flows.workspace reads one
from disk.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import polars as pl

from schemes.contract import ScoreResult, ScoringInputs
from transforms.errors import InputError
from transforms.periods import Period
from transforms.roster_changes import SUCCESSOR_MODES
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
    #: what `target` counts: `points` (a points target the scores' `target` column holds),
    #: `submissions` or `adoptions` (a yearly count, judged by a `count_targets` rule)
    target_counts: str = "points"
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
    """One line of a points table: an adoption of `publication` (or of any periodical of
    `level`), of article class `kind`, by a unit of `category`, earns `points`. An empty key
    matches anything; the most specific line wins (periodical, class, category in that
    order of importance)."""

    #: the periodical; empty: any periodical (or every periodical of `level`)
    publication: str | None = None
    #: instead of a periodical, every periodical of this level (a `[[publications]]` level:
    #: 区级录用 …); a line naming the periodical itself wins
    level: str | None = None
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
class GroupCount:
    """A number for one group (a threshold of a count target)."""

    #: the group
    group: str
    #: the number
    count: float


@dataclass(frozen=True)
class CountTarget:
    """A yearly target on a count (全年上报信息不少于120条): submissions (报送, per mail) or
    adoptions (采用, per adoption), per group, optionally only some article classes."""

    #: the target's short name, shown in remarks and statements (报送, 综合类采用)
    name: str
    #: `submission` or `adoption`
    source: str
    #: the year's threshold of each group (groups not listed have none)
    by_group: tuple[GroupCount, ...] = ()
    #: only items of these classes count (a submission's kind or 【class】 mark in its
    #: subject; an adoption's class or its periodical's default); empty: all
    kinds: tuple[str, ...] = ()
    #: the counting word (条, 条（次）)
    unit_word: str = "条"


@dataclass(frozen=True)
class InForce:
    """When the regulation takes effect, and the note bulletins of earlier months carry."""

    #: the first month it applies to (2020-04)
    since: str
    #: the note for a period of that year starting before it
    note: str = ""


@dataclass(frozen=True)
class WindowCount:
    """One line of a class quota (报送任务): the units of `groups` send `count` submissions
    per `window`."""

    #: `month`, `bimonth` (1–2月, 3–4月 …), `quarter` or `year`; a window is judged in the
    #: period holding its end (a month ending a quarter judges the quarter's window too)
    window: str
    #: the groups owing it
    groups: tuple[str, ...]
    #: how many submissions each window needs
    count: float


@dataclass(frozen=True)
class StatusLabel:
    """Ledger words for the commissions of one status (逾期 → 逾期报送，)."""

    #: the commission status (按时, 逾期, 未报)
    status: str
    #: the words put in the ledger note before the arithmetic
    label: str


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
    #: words put in the ledger note before the arithmetic (按时报送，质量分 …); {status} is a
    #: commission's status. Kind `quota`: what is counted (报送动态信息 3 条)
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
    #: kind `instruction`: each further instruction of this rule on the same article in the
    #: year earns this instead of `points` (第一条批示计10分，其余每条计5分)
    others: float | None = None
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
    #: kind `top_share`: the top share of each group (0.3 = 前30%, rounded up); kind
    #: `adoption_rate`: the lowest rate that costs nothing (0.3 = 30%)
    share: float | None = None
    #: kind `base_score`: deductions stop at the base (扣完为止)
    floor: bool = False
    #: for commissions: the words after 「约稿「title」逾期」 in the unit's remark ("" for
    #: none); empty: no remark. Kind `top_share`: the words after 「组内前30%（前3名）」
    remark: str | None = None
    #: the n-th occurrence in a unit's year orders a public naming (予以通报)
    notice_at: int | None = None
    #: what the naming says (两次未按期完成约稿任务)
    notice: str = ""
    #: kind `count_targets`: the yearly targets
    targets: tuple[CountTarget, ...] = ()
    #: kind `count_targets`: the note of a month's or quarter's bulletin on the progress;
    #: {period} is the period's title, {counts} the units done per group
    progress_note: str = ""
    #: kind `target_shortfall`: the count target (its `name`) the rule charges
    target: str | None = None
    #: kind `quota`: the window submissions are counted in: `month`, `bimonth`, `quarter`,
    #: `year`
    window: str | None = None
    #: kind `quota`: the submissions each group must send in a window (groups not listed
    #: have no quota)
    by_group: tuple[GroupCount, ...] = ()
    #: kind `quota`: the points of a window missed (`points`: of a window met)
    missed_points: float | None = None
    #: kind `quota`: a window is judged only when every one of its months holds mail logs
    #: (else when any does, C5)
    whole_window: bool = False
    #: kind `quota`: what the note of a window not judged adds (本季度不计基础分 …)
    unjudged_note: str = ""
    #: kind `quota`: the note of a period shorter than the window (a month, for a
    #: quarterly quota), after the rule's name and clause
    short_period_note: str = ""
    #: kind `consecutive_misses`: the `quota` rule whose windows are counted
    quota: str | None = None
    #: kind `consecutive_misses`: how many windows missed in a row
    run: int | None = None
    #: kinds `notice`, `no_adoption`: what one occurrence adds to the assessment (a
    #: deduction outside the points: 年终绩效考核扣0.1分)
    assessment: float | None = None
    #: kind `event` over commissions: the ledger words per status, each status's commissions
    #: in this order (instead of `label`)
    status_labels: tuple[StatusLabel, ...] = ()
    #: kind `event`: the event's value is the size of a deduction whatever its sign (C6: 5
    #: and −5 both cost 5 × `per_value`)
    deduction: bool = False
    #: kind `class_quota`: the windows, groups and counts of this task
    counts: tuple[WindowCount, ...] = ()
    #: kind `class_quota`: only submissions of this class (`[submissions]`) count
    submission_class: str | None = None
    #: kind `class_quota`: only submissions whose kind or subject holds one of these words count
    words: tuple[str, ...] = ()
    #: kind `class_quota`: what is counted, in the ledger note 「报送{what} N 条」 (动态信息)
    what: str = ""
    #: kind `class_quota`: points per missing submission (negative)
    per_missing: float | None = None


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
    #: article classes are read without a trailing 信息 or 类 (调研类信息 → 调研)
    kind_words: bool = False


@dataclass(frozen=True)
class Instructions:
    """A table of bonuses by level: leader instructions (领导批示), or media coverage."""

    #: the event type it scores
    event: str = "领导批示"
    #: per article only the highest (`max`, across the year), every one (`sum`), or the
    #: highest of each level (`max_per_level`: each rule of the table once per article
    #: across the year, the levels adding up)
    combine: str = "max"
    #: who acts, in the ledger note 「{level}{actor}{verb}「title」」 (领导, 媒体)
    actor: str = "领导"
    #: what they do, in the same note (批示, 报道)
    verb: str = "批示"
    #: one instruction per article and level in the year scores (每篇); a second one of the
    #: same level on the same article is noted and adds nothing
    once_per_level: bool = False


@dataclass(frozen=True)
class Commissions:
    """Commissions (约稿): the event type and the word marking answers in the mail logs."""

    #: the event type of a commission in events/
    event: str = "约稿"
    #: a submission whose kind or subject holds this word answers a commission
    marker: str = "约稿"


@dataclass(frozen=True)
class SubmissionClass:
    """A class of submissions (动态, 专报, 总结计划 …) and the words marking it."""

    #: the class
    name: str
    #: a submission whose kind (else subject) holds one of these words is of this class
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submissions:
    """How submissions (报送) are classed for class quotas (`kind = "class_quota"`)."""

    #: the classes in the order they are tried: first on the submission's kind, then on its
    #: subject; the first class with a word in the text wins
    classes: tuple[SubmissionClass, ...] = ()
    #: the class of a submission whose kind and subject name none
    default_class: str | None = None
    #: the class quotas as a note names them when months lack mail logs (基本任务（一）)
    tasks: str = "报送任务"

    def class_of(self, s: dict) -> str | None:
        """The class of submission `s` (a dict with `kind` and `subject`)."""
        for text in (s.get("kind") or "", s.get("subject") or ""):
            for c in self.classes:
                if any(w in text for w in c.words):
                    return c.name
        return self.default_class


@dataclass(frozen=True)
class Scoring:
    """How the engine runs the periods."""

    #: the rules (ids) that give ledger rows, in the order they are computed: the order of a
    #: unit's rows on one day. A rule of a table kind (adoption, instruction) stands for its
    #: whole table. Rules left out follow in file order.
    order: tuple[str, ...] = ()
    #: the period the groups' targets are for: `quarter`, `year` or empty (no point target)
    target_period: str | None = None
    #: with `target_period = "year"`: a quarter's target is ¼ of the year's, a month's 1/12
    #: (a progress line)
    pro_rata: bool = False
    #: the remark on a unit below its target in the target period ({period}: 季度/年度,
    #: {target}, {points}, {gap}: what is missing); empty: none. A quarter's is not carried
    #: into the year
    target_missed: str = "未完成{period}目标（{target}分）"
    #: the remark on a unit that reached its target, in the same words; empty: none
    target_met: str = ""
    #: with `pro_rata`, the remark on a quarter: the year so far against the target
    #: ({period}: 年度, {target}, {points}: the year so far, {share}: 56%); empty: none. Not
    #: carried into the year
    target_progress: str = ""
    #: how the year is scored: `quarters` (the quarters' rows and adjustments, summed) or
    #: `whole` (the year's items as one period)
    year: str = "quarters"
    #: the year's ranking within each group, by these columns in order (higher first; units
    #: ranked first by a special rule come before all): `points`, `assessment`
    year_rank_by: tuple[str, ...] = ("points",)


@dataclass(frozen=True)
class Parameter:
    """A number the regulation's text leaves open (每季度报送数量标准未写明): the workspace's
    kaohe.toml sets it by `name`; the file gives the rule key it sets and a default."""

    #: the name kaohe.toml's `[parameters]` uses (季度报送数量)
    name: str
    #: the rule (its id) whose key it sets
    rule: str
    #: the key of that rule (a number: points, share, cap …)
    key: str
    #: the value when the workspace sets none
    default: float
    #: what the text says or leaves open
    text: str = ""


@dataclass(frozen=True)
class RosterChanges:
    """How the roster's changes within a year count (机构改革: units.csv's `from`, `until` and
    `successor`, transforms.roster_changes)."""

    #: `sum`: a successor takes over its predecessors' records of the year (the year, and
    #: each period after a predecessor's last day, count them for the successor: its totals,
    #: targets and rank); `none`: each unit keeps its own records, and a unit gone before the
    #: year's end is listed in the year with what it had
    successor: str = "sum"

    def __post_init__(self) -> None:
        if self.successor not in SUCCESSOR_MODES:
            raise ValueError(
                f'successor 应为 "sum"（继任单位承继前身单位全年的记录）或 "none"'
                f"（各单位只计自己的记录），实为「{self.successor}」"
            )


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
    #: where the assessment is taken when it is a deduction outside the points, as notes
    #: name it (年终绩效考核: 「年终绩效考核扣0.1分，不计入信息得分」)
    assessment_in: str = ""
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
    #: when the regulation takes effect (`[in_force]`); empty: the whole year
    in_force: InForce | None = None
    #: how submissions are classed for class quotas (`[submissions]`)
    submissions: Submissions = Submissions()
    #: how the periods run (`[scoring]`)
    scoring: Scoring = Scoring()
    #: how units renamed, merged or split within a year count (`[roster_changes]`)
    roster_changes: RosterChanges = RosterChanges()
    #: the rules (`[[rules]]`), in the regulation's order
    rules: tuple[Rule, ...] = ()
    #: numbers the text leaves open, set by the workspace (`[[parameters]]`)
    parameters: tuple[Parameter, ...] = ()

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

    def with_parameters(self, values: dict[str, float] | None = None) -> Regulation:
        """The regulation with its `parameters` set: `values` (by parameter name, from the
        workspace) or else each parameter's default. A name the file does not declare is an
        InputError."""
        values = dict(values or {})
        known = {p.name for p in self.parameters}
        unknown = [k for k in values if k not in known]
        if unknown:
            raise InputError(
                f"考核办法「{self.title}」没有参数「{'、'.join(unknown)}」，"
                f"可设的有：{'、'.join(known) or '（无）'}"
            )
        rules = {r.id: r for r in self.rules}
        for p in self.parameters:
            value = values.get(p.name, p.default)
            rules[p.rule] = replace(rules[p.rule], **{p.key: value})
        return replace(self, rules=tuple(rules.values()))

    def rules_of(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    @cached_property
    def default_kinds(self) -> dict[str, str | None]:
        return {p.name: p.default_kind for p in self.publications}


# --------------------------------------------------------------------------------------
# Reading a file


def loads(text: str, name: str = "考核办法文件") -> Regulation:
    """The one way a regulation file's text becomes a `Regulation`: read onto the
    dataclasses by transforms.tomldata and checked as a whole (schemes.files.read); every
    problem is an InputError naming `name` and the line."""
    from schemes import files

    return files.read(text, name).value
