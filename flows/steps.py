"""The pipeline's steps as plain functions (kedro's nodes): ingest → match → group → score.

`flows.pipeline` wires them into a Prefect flow; `kaohe score` calls them directly so that
printing scores needs no server. Only `ingest` reads files; the rest is pure. `check`
reads and validates the inputs without Prefect, so that `kaohe run` reports every bad file
and row at once before any server starts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from flows import issue_documents, mail, readers
from flows.settings import LimitsSettings
from flows.workspace import DOCUMENT_SUFFIXES, Workspace
from schemes.contract import Scheme, ScoreResult, ScoringInputs
from schemes.regulation import Regulation
from transforms import (
    commissions,
    dates,
    figures,
    grouping,
    linking,
    matching,
    publications,
    roster_changes,
    schema,
)
from transforms import submissions as submission_kinds
from transforms.errors import InputError, Problems
from transforms.periods import Period


@dataclass
class Inputs:
    """Everything read from the workspace, before matching."""

    units: pl.DataFrame
    adoptions: pl.DataFrame
    submissions: pl.DataFrame
    events: pl.DataFrame
    decisions: pl.DataFrame
    #: review rows found while reading (articles of issue documents without a readable source)
    review: pl.DataFrame | None = None
    #: `Workspace.input_hashes()` taken before `check` read the files: a run whose inputs
    #: still have these hashes uses these frames instead of reading the files again
    hashes: dict[str, str] | None = None
    #: the workspace's [limits]: the bounds of the comparisons of titles when grouping
    limits: LimitsSettings | None = None


@dataclass
class Matched:
    """Inputs after matching names to units and grouping adoptions into articles."""

    inputs: ScoringInputs
    review: pl.DataFrame
    #: adoption → submission links (transforms.linking.LINKS); empty without mail logs
    links: pl.DataFrame | None = None


def publication_names(scheme: Scheme) -> publications.PublicationIndex:
    """Every accepted spelling of the scheme's periodicals (names, aliases, short forms) →
    canonical name (a Mapping; `resolve` also says which periodicals an ambiguous one fits)."""
    return publications.PublicationIndex.of(scheme.publications)


def ingest(ws: Workspace, problems: Problems | None = None) -> Inputs:
    """Read every input file of the workspace (the only step that does IO).

    Every bad file and row is found in one pass: each reader leaves it out, adds it to
    `problems` and goes on. Without `problems`, all of them are raised at the end as one
    InputError (`transforms.errors.InputErrors` when there are several)."""
    with readers.bounded(limits_of(ws)):  # [limits]: every file read within its bounds
        return _ingest(ws, problems)


def limits_of(ws: Workspace) -> LimitsSettings:
    """The workspace's [limits] (the defaults for a workspace loaded without settings)."""
    return ws.settings.limits if ws.settings is not None else LimitsSettings()


def _ingest(ws: Workspace, problems: Problems | None) -> Inputs:
    own = problems is None
    problems = Problems() if problems is None else problems
    scheme = ws.scheme
    units_path = ws.root / "units.csv"
    groups = [g.name for g in scheme.groups]
    units = readers.read_units(units_path, ws.root, groups, problems=problems)
    if units.is_empty():  # no roster of the workspace's own: the regulation's appendix
        units = scheme.roster()
    decisions = readers.read_decisions(ws.root / "decisions.csv", ws.root, problems=problems)
    # periodicals as typed; a short name that fits several is a `publication` question
    names = publication_names(scheme).answered(decisions)
    issues, issue_review = issue_documents.read_issues(
        ws.files("adoptions", DOCUMENT_SUFFIXES),
        ws.root,
        names,
        decisions,
        problems=problems,
        cache=True,
    )
    asked: list[dict] = []
    adoptions = readers.read_adoptions(
        ws.files("adoptions"),
        ws.root,
        names,
        documents=issues,
        questions=asked,
        problems=problems,
        cache=True,
    )
    # Doubtful and year-less dates: settled, or held back as `date` questions.
    adoption_dates = _settle_dates(dates.check_adoption_dates, adoptions, decisions, problems)
    adoptions = readers.restamp_adoptions(adoption_dates.frame)
    logs = readers.read_submissions(
        ws.files("submissions"), ws.root, tz=ws.timezone, problems=problems, cache=True
    )
    # Mail: .eml, .mbox, Maildir folders, submissions/imap/… (kaohe fetch-mail).
    mailed = mail.read_mail(
        mail.mail_sources(ws.root / "submissions"), ws.root, tz=ws.timezone, problems=problems
    )
    if mailed.submissions.height:
        logs = pl.concat([logs, mailed.submissions], how="diagonal_relaxed")
    is_question = pl.col("type") == publications.QUESTION_TYPE
    asked += issue_review.filter(is_question).to_dicts()
    review = issue_documents.unresolved_sources(issue_review.filter(~is_question), adoptions)
    if asked:
        found = pl.DataFrame(publications.publication_questions(asked), schema=schema.REVIEW)
        review = pl.concat([schema.conform(review, schema.REVIEW), found])
    if mailed.review.height:
        review = pl.concat([schema.conform(review, schema.REVIEW), mailed.review])
    events = readers.read_events(
        ws.files("events"), ws.root, scheme.event_types, problems, cache=True
    )
    tables = (ws.files(folder) for folder in ("adoptions", "submissions", "events"))
    readers.prune_table_cache(ws.root, [path for paths in tables for path in paths])
    event_dates = _settle_dates(dates.check_event_dates, events, decisions, problems)
    review = pl.concat(
        [schema.conform(review, schema.REVIEW), adoption_dates.review, event_dates.review]
    )
    if own:
        problems.raise_if_any()
    return Inputs(
        units=units,
        adoptions=adoptions,
        submissions=logs,
        events=readers.restamp_events(event_dates.frame),
        decisions=decisions,
        review=review,
        limits=limits_of(ws),
    )


def check(ws: Workspace) -> Inputs:
    """Read and validate every input of the workspace, without Prefect: the inputs, or one
    InputError reporting every bad file and row (grouped per file) — unreadable files,
    missing columns and cells, impossible dates, unknown periodicals and event types, and
    units of events that match no unit of the roster."""
    problems = Problems()
    hashes = ws.input_hashes()
    inputs = ingest(ws, problems)
    inputs.hashes = hashes
    # Against a roster that could not be read whole, an unknown name proves nothing.
    if not any(p.file == "units.csv" for p in problems.items):
        _match_event_units(inputs, ws.scheme.place_prefixes, problems)
    problems.raise_if_any()
    return inputs


def _settle_dates(check, frame: pl.DataFrame, decisions: pl.DataFrame, problems: Problems):
    """`check(frame, decisions)` (transforms.dates). An answer that is no date, or a
    year-less day its year does not have (2月29日 in 2018), is a problem like any other;
    the run stops with it, so the rows with a full date are all that is kept."""
    result = problems.attempt(check, frame, decisions)
    if result is None:
        typed = frame.filter(pl.col("date").is_not_null()).drop(dates.DATE_PARTS)
        result = dates.DateCheck(frame=typed, review=schema.empty(schema.REVIEW))
    return result


def period_is_empty(inputs: Inputs, period: Period) -> bool:
    """True when no adoption, submission or event falls in `period` (a quarter whose data
    is not imported yet, or a period outside the workspace's year): scoring it would mail
    every unit a bulletin of zeros."""
    start, end = period.start, period.end

    def dated(frame: pl.DataFrame, column: str) -> bool:
        if frame.height == 0 or column not in frame.columns:
            return False
        col = frame[column]
        if isinstance(col.dtype, pl.Datetime):
            col = col.dt.date()
        if col.dtype != pl.Date:
            return False
        return bool(col.is_between(start, end).any())

    return not (
        dated(inputs.adoptions, "date")
        or dated(inputs.submissions, "time")
        or dated(inputs.events, "date")
    )


def require_data(inputs: Inputs, period: Period) -> None:
    """The InputError of a period without any data (`period_is_empty`)."""
    if period_is_empty(inputs, period):
        raise InputError(
            f"{period.title}没有任何录用、报送或事项数据，未生成通报：请先把该期的录用表"
            "（adoptions/）和报送记录（submissions/）放进工作目录，再运行 kaohe run"
        )


@contextmanager
def _timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = time.perf_counter() - start


def match_and_group(
    inputs: Inputs, scheme: Scheme, timings: dict[str, float] | None = None
) -> Matched:
    """Match printed names to the roster, group adoptions into articles (C1), link events.

    `timings`, when given, receives the seconds of its stages (matching, linking, grouping)
    for the benchmark."""
    prefixes = scheme.place_prefixes
    max_pairs = (inputs.limits or LimitsSettings()).max_title_pairs
    with _timed(timings, "matching"):
        adoption_units, review_units, submissions, review_subs, events = _match(inputs, prefixes)
    with _timed(timings, "linking"):
        links = linking.link_adoptions_to_submissions(
            inputs.adoptions, adoption_units, submissions, places=prefixes, max_pairs=max_pairs
        )
        review_links = linking.no_submission_review(
            inputs.adoptions,
            adoption_units,
            submissions,
            links,
            inputs.decisions,
            decided=_answered_sources(inputs.adoptions, inputs.decisions),
        )
    with _timed(timings, "grouping"):
        articles, review_articles = grouping.group_articles(
            inputs.adoptions,
            adoption_units,
            inputs.decisions,
            places=prefixes,
            links=links,
            max_pairs=max_pairs,
        )
        adoptions = inputs.adoptions.join(articles, on="adoption_id", how="left")
        events = grouping.link_events_to_articles(
            events, inputs.adoptions, adoption_units, articles, places=prefixes, max_pairs=max_pairs
        )
    read_review = inputs.review if inputs.review is not None else schema.empty(schema.REVIEW)
    review = pl.concat(
        [
            schema.conform(r, schema.REVIEW)
            for r in (read_review, review_units, review_subs, review_articles, review_links)
        ]
    )
    return Matched(
        inputs=ScoringInputs(
            units=inputs.units,
            adoptions=adoptions,
            adoption_units=adoption_units,
            events=events,
            submissions=submissions,
        ),
        review=review,
        links=links,
    )


def _answered_sources(adoptions: pl.DataFrame, decisions: pl.DataFrame) -> set[str]:
    """adoption_ids of the articles whose unit an `article_source` answer gave."""
    if decisions.is_empty() or adoptions.is_empty():
        return set()
    keys = set(decisions.filter(pl.col("type") == "article_source")["key"].to_list())
    if not keys:
        return set()
    return {
        r["adoption_id"]
        for r in adoptions.iter_rows(named=True)
        if readers.adoption_key(r["publication"], r["issue"], r["date"], r["title"]) in keys
    }


def _match_event_units(
    inputs: Inputs, prefixes: tuple[str, ...], problems: Problems
) -> pl.DataFrame:
    """The events with their roster units; each event naming no known unit is a problem
    naming its file and row."""
    events, unresolved = matching.resolve_event_units(
        commissions.expand_commission_units(inputs.events), inputs.units, inputs.decisions, prefixes
    )
    for bad in unresolved.iter_rows(named=True):
        hint = f"（最接近的：{bad['candidates']}）" if bad.get("candidates") else ""
        problems.add(
            f"未知单位「{bad['name']}」{hint}：请改正单位名称，或在 units.csv 中为该单位添加别名",
            file=bad["file"],
            row=bad["row"],
        )
    return events


def _match(inputs: Inputs, prefixes: tuple[str, ...]):
    """Printed names → roster units for adoptions, submissions (and their kinds) and
    events; events naming no known unit are an error naming each file and row."""
    adoption_units, review_units = matching.match_adoption_units(
        inputs.adoptions, inputs.units, inputs.decisions, prefixes
    )
    submissions, review_subs = matching.assign_submission_units(
        inputs.submissions, inputs.units, inputs.decisions, prefixes
    )
    own_names = submission_kinds.naming_words(matching.unit_spellings(inputs.units, prefixes))
    submissions = submission_kinds.fill_kinds(submissions, own_names)
    problems = Problems()
    events = _match_event_units(inputs, prefixes, problems)
    problems.raise_if_any()
    return adoption_units, review_units, submissions, review_subs, events


def successor_mode(scheme: Scheme) -> str:
    """Whether a successor takes over its predecessors' records of the year (机构改革,
    transforms.roster_changes): the regulation file's `[roster_changes] successor`, `sum`
    (the year follows the successor) or `none` (each unit keeps its own); `sum` for a
    regulation still written as a Python module."""
    if isinstance(scheme, Regulation):
        return scheme.roster_changes.successor
    return "sum"


def period_inputs(matched: Matched, scheme: Scheme, period: Period) -> roster_changes.PeriodRoster:
    """The inputs of `period` (transforms.roster_changes.for_period): the units scored in it,
    each record counted for the unit it counts for in it. What `score` scores, and what the
    bulletin and the statements of the period describe."""
    return roster_changes.for_period(matched.inputs, period, successor_mode(scheme))


#: the columns of the submissions that the bulletin and the statements read
#: (transforms.figures, transforms.verdicts: counts and rates per unit, left-out files)
REPORT_SUBMISSIONS = ("submission_id", "time", "unit", "source_file")


def report_submissions(submissions: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The submissions the outputs of `period` read: those of the period (local date, as
    `transforms.figures.period_submissions` takes them), only `REPORT_SUBMISSIONS`. Every
    reader filters to the period itself, so the outputs are the same as from the year's
    log; the run holds a quarter of its rows and a third of its columns while it renders."""
    return figures.period_submissions(submissions, period).select(REPORT_SUBMISSIONS)


def release_submissions(inputs: Inputs, matched: Matched) -> None:
    """Empty the year's submission log in `inputs` and `matched` (keeping its columns) once
    the period's are taken (`report_submissions`): Prefect keeps every task's result until
    its flow ends, and the caller keeps the inputs it checked, so dropping the names is not
    enough for the log's memory (a million rows at 5,000 units) to be freed."""
    inputs.submissions = inputs.submissions.clear()
    matched.inputs.submissions = matched.inputs.submissions.clear()


def score(matched: Matched, scheme: Scheme, period: Period) -> ScoreResult:
    """Score `period` with its own roster (`period_inputs`); ledger notes, remarks and notes
    say which records a successor took over."""
    roster = period_inputs(matched, scheme, period)
    return roster_changes.annotate(scheme.score(roster.inputs, period), roster.handover)
