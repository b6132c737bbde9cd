"""What a rule kind is and what it works on.

A rule kind is a small set of hooks, each optional, that the period driver
(schemes.scoring) calls at fixed points of a period's scoring:

- `items(ctx, rules, period, stage)`: add the ledger rows and notes of `period` (a month,
  a quarter, or a year scored as one period). A `table` kind gets all its rules at once
  (one points table, one instruction table); other kinds get one rule.
- `commission_remark(ctx, rule, commission, stage)` and `event_remark(ctx, rule, event,
  stage)`: remarks (`stage.remark(…)`) on a commission or an event of the stage's period;
  the driver asks every rule, commissions first (those the rules score, `ctx.scored`), then
  events in date order.
- `commissions(ctx, rule, commissions)`: the commissions the rules score (a special rule
  may drop some, e.g. a second miss on the same topic); called once, in rule order.
- `notices(ctx, rule, period)`: ScoreResult.notices rows (NOTICES columns) the rule orders
  in `period`, or None when the rule orders none (then the result has no notices frame
  unless another rule has).
- `close_month(ctx, rule, stage)`, `close_quarter(ctx, rule, stage)`: after a month's or a
  quarter's items: adjustments (不得分 rows, units whose target fails whatever their points).
- `close_year(ctx, rule, stage)`: after the year's rows are gathered (the quarters' with
  `scoring.year = "quarters"`, else the year's items): year zeroing, units ranked first,
  yearly deductions.
- `assess(ctx, rule, stage, df)`: the scores' `assessment` (rank points …) → a new frame.
- `judge(ctx, rule, stage, df)`: after ranking: targets judged by rank (top share …).
- `quotas(ctx, rule, period)`: ScoreResult.quotas rows (QUOTAS columns) of the rule.

Kinds register with `register`; `fields` names the Rule keys a kind reads (a rule setting
another key is rejected by the check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from schemes import engine as E
from transforms.periods import Period


@dataclass(frozen=True)
class Remark:
    """One remark on a unit's score, as a record. `kind` says what it is (see
    REMARK_KINDS); `period` is the label of the period it was made in (a quarter's remark
    carried into the year keeps its quarter); `text` is the remark in Chinese."""

    unit: str
    period: str
    kind: str
    rule_id: str | None
    text: str


#: Remark kinds: what each remark record says.
REMARK_KINDS = {
    "commission": "a commission (约稿) late or missing and what it costs",
    "notice": "the unit is named publicly (通报) for what the rule counts",
    "assessment": "what the year's assessment (a deduction outside the points) charges",
    "progress": "the unit's progress against the year's count targets, or their result",
    "event": "an event that changes the period's or the year's result",
    "target_missed": "the period's points target was not reached (not carried into the year)",
    "target_met": "the period's points target was reached (`scoring.target_met`)",
    "target_progress": "a quarter: the share of the year's target reached so far (not carried)",
    "year_without_event": "the year holds no event the regulation asks for, and what it costs",
    "zeroed": "the year does not score (年度不得分)",
    "ranked_first": "the unit is ranked first for the year",
    "top_share": "the unit is within its group's top share",
    "successor": "the unit's records include its predecessors' (机构改革, transforms.roster_changes)",
}


@dataclass
class Stage:
    """The running result of one period: ledger rows (dicts with LEDGER columns), notes,
    remark records, and the units whose result a rule fixes whatever their points."""

    period: Period
    rows: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    #: units whose target is not met whatever their points (直报任务未完成)
    failed: set[str] = field(default_factory=set)
    #: units whose year does not score (年度不得分)
    zeroed: set[str] = field(default_factory=set)
    #: units ranked first of their group for the year
    first: set[str] = field(default_factory=set)

    def remark(self, unit: str, kind: str, rule_id: str | None, text: str) -> None:
        self.remarks.append(self.make_remark(unit, kind, rule_id, text))

    def make_remark(self, unit: str, kind: str, rule_id: str | None, text: str) -> Remark:
        """A remark of this stage's period (not added: `remarks[:0] = …` puts some first)."""
        return Remark(unit, self.period.label, kind, rule_id, text)


@dataclass
class Context:
    """What every hook may read: the regulation, the prepared inputs, the commissions with
    their status, the quarters already scored (for the year) and a cache for built tables."""

    reg: object  # schemes.regulation.Regulation
    prep: E.Prepared
    #: every commission with its status (the result's commission list, the notes)
    commissions: list[dict]
    #: the commissions the rules score (after the `commissions` hooks)
    scored: list[dict] = field(default_factory=list)
    quarters: list[tuple[Period, Stage, object]] = field(default_factory=list)
    cache: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """A rule kind: its name, what it does (the docstring of docs/regulations.md), the Rule
    keys it reads, and its hooks."""

    name: str
    doc: str
    fields: tuple[str, ...] = ()
    table: bool = False
    items: Callable | None = None
    commissions: Callable | None = None
    commission_remark: Callable | None = None
    event_remark: Callable | None = None
    close_month: Callable | None = None
    close_quarter: Callable | None = None
    close_year: Callable | None = None
    assess: Callable | None = None
    judge: Callable | None = None
    quotas: Callable | None = None
    notices: Callable | None = None


#: kind name -> Kind
KINDS: dict[str, Kind] = {}
#: special rule name -> Kind (schemes.specials)
SPECIALS: dict[str, Kind] = {}


def register(kind: Kind, registry: dict[str, Kind] | None = None) -> Kind:
    reg = KINDS if registry is None else registry
    if kind.name in reg:
        raise ValueError(f"rule kind {kind.name} registered twice")
    reg[kind.name] = kind
    return kind


register(Kind("note", "Documents a clause; the engine does nothing with it."))


def kind_of(rule) -> Kind:
    """The Kind of a rule (a special rule's own Kind for kind `special`)."""
    if rule.kind == "special":
        return SPECIALS[rule.special]
    return KINDS[rule.kind]


def title_of(item: dict) -> str:
    """「title」 of an event or commission, or nothing when it has none."""
    return f"「{item['title']}」" if item.get("title") else ""
