"""The pipeline's steps as plain functions (kedro's nodes): ingest → match → group → score.

`flows.pipeline` wires them into a Prefect flow; `kaohe score` calls them directly so that
printing scores needs no server. Only `ingest` reads files; the rest is pure.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from flows import issue_documents, mail, readers
from flows.workspace import DOCUMENT_SUFFIXES, Workspace
from schemes.contract import Scheme, ScoreResult, ScoringInputs
from transforms import commissions, grouping, linking, matching, schema
from transforms import submissions as submission_kinds
from transforms.errors import InputError
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


@dataclass
class Matched:
    """Inputs after matching names to units and grouping adoptions into articles."""

    inputs: ScoringInputs
    review: pl.DataFrame
    #: adoption → submission links (transforms.linking.LINKS); empty without mail logs
    links: pl.DataFrame | None = None


def publication_names(scheme: Scheme) -> dict[str, str]:
    """Every accepted spelling of the scheme's periodicals, normalised, → canonical name."""
    names = {}
    for pub in scheme.publications:
        for spelling in (pub.name, *pub.aliases):
            names[readers.normalize_publication(spelling)] = pub.name
    return names


def ingest(ws: Workspace) -> Inputs:
    """Read every input file of the workspace (the only step that does IO)."""
    scheme = ws.scheme
    units_path = ws.root / "units.csv"
    groups = [g.name for g in scheme.groups]
    units = readers.read_units(units_path, ws.root, groups)
    if units.is_empty():  # no roster of the workspace's own: the regulation's appendix
        units = scheme.roster()
    names = publication_names(scheme)
    issues, issue_review = issue_documents.read_issues(
        ws.files("adoptions", DOCUMENT_SUFFIXES), ws.root, names
    )
    adoptions = readers.read_adoptions(ws.files("adoptions"), ws.root, names, documents=issues)
    logs = readers.read_submissions(ws.files("submissions"), ws.root, tz=ws.timezone)
    # Mail: .eml, .mbox, Maildir folders, submissions/imap/… (kaohe fetch-mail).
    mailed = mail.read_mail(mail.mail_sources(ws.root / "submissions"), ws.root, tz=ws.timezone)
    if mailed.submissions.height:
        logs = pl.concat([logs, mailed.submissions], how="diagonal_relaxed")
    review = issue_documents.unresolved_sources(issue_review, adoptions)
    if mailed.review.height:
        review = pl.concat([schema.conform(review, schema.REVIEW), mailed.review])
    return Inputs(
        units=units,
        adoptions=adoptions,
        submissions=logs,
        events=readers.read_events(ws.files("events"), ws.root, scheme.event_types),
        decisions=readers.read_decisions(ws.root / "decisions.csv", ws.root),
        review=review,
    )


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
    with _timed(timings, "matching"):
        adoption_units, review_units, submissions, review_subs, events = _match(inputs, prefixes)
    with _timed(timings, "linking"):
        links = linking.link_adoptions_to_submissions(
            inputs.adoptions, adoption_units, submissions, places=prefixes
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
            inputs.adoptions, adoption_units, inputs.decisions, places=prefixes, links=links
        )
        adoptions = inputs.adoptions.join(articles, on="adoption_id", how="left")
        events = grouping.link_events_to_articles(
            events, inputs.adoptions, adoption_units, articles, places=prefixes
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


def _match(inputs: Inputs, prefixes: tuple[str, ...]):
    """Printed names → roster units for adoptions, submissions (and their kinds) and
    events; an event naming no known unit is an error naming its file and row."""
    adoption_units, review_units = matching.match_adoption_units(
        inputs.adoptions, inputs.units, inputs.decisions, prefixes
    )
    submissions, review_subs = matching.assign_submission_units(
        inputs.submissions, inputs.units, inputs.decisions, prefixes
    )
    own_names = submission_kinds.naming_words(matching.unit_spellings(inputs.units, prefixes))
    submissions = submission_kinds.fill_kinds(submissions, own_names)
    events, unresolved = matching.resolve_event_units(
        commissions.expand_commission_units(inputs.events), inputs.units, inputs.decisions, prefixes
    )
    if unresolved.height:
        first = unresolved.row(0, named=True)
        hint = f"（最接近的：{first['candidates']}）" if first.get("candidates") else ""
        raise InputError(
            f"未知单位「{first['name']}」{hint}：请改正单位名称，或在 units.csv 中为该单位添加别名",
            file=first["file"],
            row=first["row"],
        )
    return adoption_units, review_units, submissions, review_subs, events


def score(matched: Matched, scheme: Scheme, period: Period) -> ScoreResult:
    return scheme.score(matched.inputs, period)
