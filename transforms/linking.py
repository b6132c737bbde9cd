"""Linking adoptions to the submissions they came from (采用—报送关联).

An adoption is linked to the submission of one of its units, sent on or before the issue
date and at most `window_days` (120, as C1) before it, whose title is the most similar
(editors shorten and retitle: titles are compared after `transforms.grouping` normalises
them and drops stock phrases). A submission's titles are its subject without the unit
label and each attachment's name (`transforms.submissions.submission_titles`).

The work is blocked by unit and, within a unit, by a date window over the unit's
submissions sorted by date, so it stays near linear in the number of adoptions; the
candidate pairs are scored in bulk (`transforms.grouping.scored_pairs`).

Links feed C1 grouping (adoptions from one submission are one article,
`transforms.grouping.group_articles(links=…)`), the adoption rate per unit (采用率,
`transforms.figures.adoption_rate`) and the review list (`no_submission_review`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from transforms import schema
from transforms.grouping import (
    DEFAULT_WINDOW_DAYS,
    WindowPairs,
    any_places_differ,
    places_differ,
    prepare_titles,
    scored_window_pairs,
    title_places,
)
from transforms.review import about
from transforms.submissions import subject_titles, submission_titles

#: Titles at least this similar (0–100) link an adoption to a submission.
LINK_ACCEPT = 70.0

LINKS = {"adoption_id": pl.String, "submission_id": pl.String, "score": pl.Float64}

#: Windows are found by binary search on unit number × _UNIT_STRIDE + day number.
_UNIT_STRIDE = 1 << 22


def _local_date(t) -> date | None:
    if t is None:
        return None
    return t.date() if isinstance(t, datetime) else t


#: date.toordinal() of 1970-01-01 (polars counts days from it).
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _local_dates(submissions: pl.DataFrame) -> pl.Series:
    """Each submission's local date (its `time` in the office zone, as `_local_date` reads
    it), computed in polars."""
    t = submissions["time"]
    if isinstance(t.dtype, pl.Datetime):
        return t.dt.date()
    if t.dtype == pl.Date:
        return t
    return pl.Series("time", [_local_date(x) for x in t.to_list()], dtype=pl.Date)


def _day_numbers(submissions: pl.DataFrame) -> pl.Series:
    """`date.toordinal()` of each submission's local date."""
    return (_local_dates(submissions).cast(pl.Int64) + _EPOCH_ORDINAL).alias("day")


def _submission_titles(
    submissions: pl.DataFrame, adoption_days: pl.DataFrame, window_days: int, places
) -> pl.DataFrame:
    """Frame (unit, day, submission_id, core, numbers), one row per prepared title of a
    submission (`grouping.prepare_titles`), sorted by unit, day, submission_id (then the
    order of the logs and of the submission's titles). Only submissions with an adoption of
    their unit (`adoption_days`: unit, next) in [their day, their day + window_days] (a
    join_asof); subjects without attachments have their title taken in polars
    (`submissions.subject_titles`), the others in Python."""

    def col(name: str) -> pl.Expr:
        if name in submissions.columns:
            return pl.col(name).cast(pl.String)
        return pl.lit(None, dtype=pl.String)

    frame = (
        submissions.select(
            sid=col("submission_id"),
            unit=col("unit"),
            day=_day_numbers(submissions),
            subject=col("subject"),
            att=col("attachments"),
        )
        .with_row_index("i")
        .drop_nulls(["sid", "unit", "day"])
        .sort("day")
        .join_asof(
            adoption_days.unique().sort("next"),
            left_on="day",
            right_on="next",
            by="unit",
            strategy="forward",
            check_sortedness=False,  # both sorted above
        )
        .filter(pl.col("next") <= pl.col("day") + window_days)
        .sort("i")
    )
    plain = frame.filter(pl.col("att").is_null())
    slow = [
        (i, k, title)
        for i, subject, att in frame.filter(pl.col("att").is_not_null())
        .select("i", "subject", "att")
        .iter_rows()
        for k, title in enumerate(submission_titles(subject, att))
    ]
    titles = pl.concat(
        [
            plain.select("i", k=pl.lit(0, pl.Int64), title=subject_titles(plain["subject"])),
            pl.DataFrame(
                slow, schema={"i": pl.UInt32, "k": pl.Int64, "title": pl.String}, orient="row"
            ),
        ]
    )
    cores, numbers = prepare_titles(titles["title"], places, keyed=True)
    return (
        titles.select(
            "i",
            "k",
            core=pl.Series(cores, dtype=pl.String),
            numbers=pl.Series(numbers, dtype=pl.String),
        )
        .filter(pl.col("core") != "")
        .join(frame.select("i", "unit", "day", "sid"), on="i")
        .sort("unit", "day", "sid", "i", "k")
        .select("unit", "day", pl.col("sid").alias("submission_id"), "core", "numbers")
    )


def _files_of(
    adoptions: pl.DataFrame, owned: pl.DataFrame, submissions: pl.DataFrame, unit: str
) -> list[str]:
    """The files (most rows first) of `unit`'s adoptions, then of its submissions."""
    ids = owned.filter(pl.col("unit") == unit)["adoption_id"]
    frames = [adoptions.filter(pl.col("adoption_id").is_in(ids.implode()))]
    if "source_file" in submissions.columns:
        frames.append(submissions.filter(pl.col("unit") == unit))
    out: list[str] = []
    for frame in frames:
        out += (
            frame.group_by("source_file")
            .len()
            .drop_nulls()
            .sort("len", "source_file", descending=[True, False])["source_file"]
            .to_list()
        )
    return out


def _same_places(
    a: np.ndarray, b: np.ndarray, score: np.ndarray, cores: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scored pairs (a, b, score) of prepared titles `cores` (a: adoptions, b:
    submissions' titles) left once places are read (`grouping.title_places`, strong places;
    a name counts as a place's by the titles of these pairs): no pair whose titles name
    different places, and no pair of an adoption whose best titles (equal scores) name
    different places among themselves (「我县…垃圾分类」 against 「…碧坝村垃圾分类」 and
    「…白寨村垃圾分类」: a guess either way, so no link, and the adoption is asked about)."""
    used = np.unique(np.concatenate([a, b]))
    strong, _ = title_places([cores[i] for i in used.tolist()])
    if not any(strong):
        return a, b, score
    place = dict(zip(used.tolist(), strong, strict=True))
    keep = np.fromiter(
        (
            not places_differ(place[x], place[y])
            for x, y in zip(a.tolist(), b.tolist(), strict=True)
        ),
        bool,
        len(a),
    )
    a, b, score = a[keep], b[keep], score[keep]
    best = np.full(int(a.max()) + 1 if len(a) else 0, -1.0)
    np.maximum.at(best, a, score)
    top = np.flatnonzero(score >= best[a])
    named: dict[int, list] = defaultdict(list)
    for x, y in zip(a[top].tolist(), b[top].tolist(), strict=True):
        if place[y]:
            named[x].append(place[y])
    unsure = [x for x, found in named.items() if any_places_differ(found)]
    if unsure:
        keep = ~np.isin(a, unsure)
        a, b, score = a[keep], b[keep], score[keep]
    return a, b, score


def link_adoptions_to_submissions(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    accept: float = LINK_ACCEPT,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
    max_pairs: int | None = None,
) -> pl.DataFrame:
    """Frame (adoption_id, submission_id, score): for each adoption, the submission it came
    from, if any reaches `accept`.

    `max_pairs` ([limits] max_title_pairs): more (adoption, submission) pairs than this
    stop with an InputError naming the unit with the most and its files, before any is
    compared; the pairs are formed and compared in chunks, in bounded memory.

    Candidates: submissions whose resolved `unit` is one of the adoption's units, sent on
    a local date in [issue date − window_days, issue date]. The most similar title wins
    (`grouping.title_similarity`; ties: the title more alike as a whole (fuzz.ratio), then
    the later submission, the one nearest the issue, then the greater submission_id).
    Several adoptions may link to one submission (the same article in several
    periodicals). A submission whose title names another village, town, street or
    community than the adoption's (`grouping.places_differ`) is never its source; an
    adoption whose most similar submissions name different places is linked to none."""
    if adoptions.height == 0 or submissions.height == 0 or "unit" not in submissions.columns:
        return pl.DataFrame(schema=LINKS)
    ad = schema.conform(adoptions, schema.ADOPTIONS).with_row_index("r")
    # (adoption row, unit, issue day) of every adoption with a date and a unit.
    owned = (
        ad.filter(pl.col("date").is_not_null())
        .select("r", "adoption_id", day=(pl.col("date").cast(pl.Int64) + _EPOCH_ORDINAL))
        .join(
            adoption_units.select("adoption_id", "unit").drop_nulls().unique(),
            on="adoption_id",
        )
        .sort("r", "unit")
    )
    titles = _submission_titles(submissions, owned.select("unit", next="day"), window_days, places)
    if titles.height == 0 or owned.height == 0:
        return pl.DataFrame(schema=LINKS)

    # A unit's window is a range of the sorted titles: binary search on unit × stride + day.
    units = titles["unit"].unique(maintain_order=True)
    numbered = pl.DataFrame({"unit": units, "u": pl.int_range(units.len(), eager=True)})
    keys = (
        titles.join(numbered, on="unit", maintain_order="left")
        .select(pl.col("u") * _UNIT_STRIDE + pl.col("day"))
        .to_series()
        .to_numpy()
    )
    windows = owned.join(numbered, on="unit", maintain_order="left")
    base = windows["u"].to_numpy() * _UNIT_STRIDE
    day = windows["day"].to_numpy()
    starts = np.searchsorted(keys, base + day - window_days, side="left")
    ends = np.searchsorted(keys, base + day, side="right")
    sizes = ends - starts
    # Adoptions and titles in one list: adoption r is r, title t is n_adoptions + t; every
    # (adoption, title) pair of every window, counted first and formed chunk by chunk.
    n = ad.height
    pairs = WindowPairs(
        windows["r"].to_numpy(), starts, sizes, np.arange(titles.height, dtype=np.int64) + n
    )
    pairs.check_bound(
        max_pairs,
        windows["unit"],
        lambda unit: _files_of(ad, owned, submissions, unit),
        "把录用与报送邮件对应时，",
    )
    a_cores, a_numbers = prepare_titles(ad["title"], places, keyed=True)
    cores = a_cores + titles["core"].to_list()
    a, b, score = scored_window_pairs(pairs, cores, a_numbers + titles["numbers"].to_list(), accept)
    if not len(a):
        return pl.DataFrame(schema=LINKS)
    # A submission about another village or town (「…白寨村…」 for 「…碧坝村…」) is another
    # piece of information, however alike the rest of the title (C1).
    a, b, score = _same_places(a, b, score, cores)
    if not len(a):
        return pl.DataFrame(schema=LINKS)
    # Of equal scores, the title more alike as a whole wins (the same title over one that
    # merely contains it), then the later submission.
    texts = np.array(cores, dtype=object)
    whole = process.cpdist(texts[a], texts[b], scorer=fuzz.ratio, dtype=np.float64, workers=-1)
    hits = (
        pl.DataFrame({"r": a, "score": score, "whole": whole})
        .hstack(titles.select("day", "submission_id")[b - n])
        .sort("r", "score", "whole", "day", "submission_id")
        .group_by("r", maintain_order=True)
        .last()
    )
    return hits.select(
        adoption_id=ad["adoption_id"].gather(hits["r"]),
        submission_id="submission_id",
        score=pl.col("score").cast(pl.Float64),
    )


def no_submission_review(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    links: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
    decided: Iterable[str] = (),
) -> pl.DataFrame:
    """Review rows (type `no_submission`, key the adoption_id) for adoptions linked to no
    submission although one of their units has submissions in the issue's month (so the
    logs should show where it came from).

    The question is informational (transforms.review: it changes no points, an adoption
    counts whether or not its mail is logged) and is answered 已核实. It depends only on
    what the files print, never on other answers: units named by a decision (method
    `decision`), adoptions in `decided` (articles whose unit an `article_source` answer
    gave) and submissions whose unit a decision gave (`unit_decided`) are left out, since
    the person who answered has looked at them; so answering other questions never adds
    or changes a row of this kind (a row goes when an answer links its adoption to a
    submission). An adoption answered in decisions.csv is not asked again."""
    if adoptions.height == 0 or "unit" not in submissions.columns or submissions.height == 0:
        return schema.empty(schema.REVIEW)
    days = _local_dates(submissions)
    by_answer = (
        submissions["unit_decided"].fill_null(False)
        if "unit_decided" in submissions.columns
        else pl.repeat(False, submissions.height, eager=True)
    )
    logged = set(
        pl.DataFrame(
            {"unit": submissions["unit"], "year": days.dt.year(), "month": days.dt.month()}
        )
        .filter(~by_answer)
        .drop_nulls()
        .unique()
        .iter_rows()
    )
    linked = set(links["adoption_id"].to_list()) if links.height else set()
    answered = set(decided)
    if decisions is not None and decisions.height:
        answered |= set(
            decisions.filter(pl.col("type") == "no_submission")["key"].cast(pl.String).to_list()
        )
    printed = adoption_units
    if "method" in printed.columns:
        printed = printed.filter(pl.col("method").fill_null("") != "decision")
    units_of: dict[str, list[str]] = defaultdict(list)
    for aid, unit in printed.select("adoption_id", "unit").iter_rows():
        if unit is not None and unit not in units_of[aid]:
            units_of[aid].append(unit)
    rows = []
    ad = schema.conform(adoptions, schema.ADOPTIONS)
    for r in ad.iter_rows(named=True):
        aid, d = r["adoption_id"], r["date"]
        if aid in linked or aid in answered or d is None:
            continue
        with_logs = [u for u in units_of.get(aid, []) if (u, d.year, d.month) in logged]
        if not with_logs:
            continue
        issue = r["issue"] or d.isoformat()
        rows.append(
            {
                "type": "no_submission",
                "key": aid,
                "file": r["source_file"],
                "row": r["source_row"],
                "unit": "、".join(with_logs),
                **about(r["publication"], r["issue"], d, r["title"]),
                "text": f"《{r['publication']}》{issue}「{r['title']}」（{'、'.join(with_logs)}）",
                "candidates": "",
                "reason": (
                    "报送记录中找不到与该采用信息对应的报送邮件（同一单位、刊发前120天内、"
                    "标题相近）；得分不受影响（采用照常计分）："
                    "如属漏记，请在报送记录中补登；核实后在答复列填写“已核实”，不再提示"
                ),
                "answer": "",
            }
        )
    return pl.DataFrame(rows, schema=schema.REVIEW) if rows else schema.empty(schema.REVIEW)
