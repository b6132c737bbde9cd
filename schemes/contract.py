"""The contract every scheme module follows (考核办法模块约定).

A scheme is one regulation. Its module is mostly data — groups, periodicals, event types,
the roster and the rules with their clauses — plus a `score` function composed from the
building blocks in `schemes.engine`. The pipeline only talks to a scheme through `Scheme`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from transforms.periods import Period


@dataclass(frozen=True)
class Rule:
    """One scoring rule. `id` is unique within the scheme (e.g. `J-3.1.1`); `clause` cites
    the regulation (「三（一）1」); `name` is a short Chinese name shown in statements; `text`
    quotes or paraphrases the clause; `reading` names the readings applied (J1 …, see
    docs/readings.md)."""

    id: str
    clause: str
    name: str
    text: str = ""
    reading: str = ""


@dataclass(frozen=True)
class Group:
    """A scoring group (考核类别) with its target for the scheme's target period."""

    name: str
    target: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Publication:
    """A periodical (刊物). `level` is 本级 / 市 / 省 / 国家 (the scheme's own words);
    `default_kind` is the article class when the row leaves it empty."""

    name: str
    level: str
    default_kind: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass
class ScoringInputs:
    """Everything a scheme scores, already matched and grouped; no IO.

    - `units`: UNITS frame (the roster in force).
    - `adoptions`: ADOPTIONS columns plus `article_id`.
    - `adoption_units`: ADOPTION_UNITS (which units each adoption names).
    - `events`: EVENTS columns plus `unit` (resolved roster name) and `article_id`
      (the article the event's title refers to, or null).
    - `submissions`: SUBMISSIONS columns plus `unit` (resolved, or null if unknown).
    """

    units: pl.DataFrame
    adoptions: pl.DataFrame
    adoption_units: pl.DataFrame
    events: pl.DataFrame
    submissions: pl.DataFrame


@dataclass
class ScoreResult:
    """What a scheme returns for one period.

    - `ledger`: LEDGER rows of the period (for a year: all rows of the year).
    - `scores`: SCORES rows, one per scored unit.
    - `notes`: Chinese sentences for the bulletin and statements (e.g. that the monthly
      submission rule was skipped for months without mail logs, C5).
    - `commissions`: one row per commission (约稿) in the period:
      unit, date, title, status (按时/逾期/未报/未知), points.
    - `quarters`: for a quarter or year, the scores of each quarter of the year so far
      (columns unit, period, points, rank, assessment, target_met) — the year to date.
    - `quotas`: one row per unit and judged quota window (报送任务/定额): columns unit,
      period (the window's label: 2018-05, 2018Q2, 2018), rule (the rule's short name),
      clause, required (submissions needed), count (submissions counted), points (what
      it cost or earned; 0 when met without a bonus). Windows without mail logs are not
      judged (C5) and have no rows. None when the scheme has no submission rules. Built by
      `schemes.engine.quota_table` / `silent_month_table`; `SchemeSpec.score` fills it from
      the spec's `quotas` and `silent_month` when the scorer leaves it None. The renderer
      lists a unit's rows in its statement.
    - `notices`: NOTICES rows, one per public naming (通报批评 / 予以通报) the regulation
      orders and that falls in the period: columns unit, period (the label of the quarter
      or month it falls in; a year lists all of the year), rule_id (as in the ledger),
      clause, reason (a Chinese sentence: why the unit is named). None when the scheme has
      no such rule; an empty frame when it has but nobody is named. The bulletin's problems
      section names the units (通报批评) and each unit's statement shows its own.
    - `remarks`: the remarks on the scores as records (schemes.scoring.REMARKS): unit,
      period (where the remark was made: a quarter's remark in the year keeps its quarter),
      kind (schemes.kinds.base.REMARK_KINDS: commission, event, target_missed, zeroed,
      ranked_first, top_share …), rule_id (the regulation's rule, or null), text. The
      scores' `remark` column is joined from them. None for a scheme without records.
    """

    period: Period
    ledger: pl.DataFrame
    scores: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    commissions: pl.DataFrame | None = None
    quarters: pl.DataFrame | None = None
    quotas: pl.DataFrame | None = None
    notices: pl.DataFrame | None = None
    remarks: pl.DataFrame | None = None


class Scheme(Protocol):
    """What the pipeline needs from a scheme module."""

    id: str
    #: regulation title, e.g. 2018年全市政务信息工作考核办法
    title: str
    #: document number, e.g. 建政办函〔2018〕22号
    doc_number: str
    #: the issuing office used when kaohe.toml sets none
    office: str
    groups: tuple[Group, ...]
    publications: tuple[Publication, ...]
    #: the words allowed in events' `type` column
    event_types: frozenset[str]
    #: place prefixes dropped when matching printed unit names (建德市, 市 …), longest first
    place_prefixes: tuple[str, ...]
    rules: tuple[Rule, ...]
    #: the title of the scores' `assessment` column (建德: 排名得分)
    assessment_label: str
    #: roster groups that are listed but never scored (萧山: 不列入考核)
    unscored_groups: tuple[str, ...]

    def roster(self) -> pl.DataFrame:
        """The regulation's own roster (UNITS frame)."""
        ...

    def score(self, inputs: ScoringInputs, period: Period) -> ScoreResult:
        """Score `period` (a month, a quarter or the year)."""
        ...
