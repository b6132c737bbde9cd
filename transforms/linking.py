"""Linking adoptions to the submissions they came from (采用—报送关联).

An adoption is linked to the submission of one of its units, sent on or before the issue
date and at most `window_days` (120, as C1) before it, whose title is the most similar
(editors shorten and retitle: titles are compared after `transforms.grouping` normalises
them and drops stock phrases). A submission's titles are its subject without the unit
label and each attachment's name (`transforms.submissions.submission_titles`).

The work is blocked by unit and, within a unit, by a date window over the unit's
submissions sorted by date, so it stays near linear in the number of adoptions.

Links feed C1 grouping (adoptions from one submission are one article,
`transforms.grouping.group_articles(links=…)`), the adoption rate per unit (采用率,
`transforms.summary.adoption_rate`) and the review list (`no_submission_review`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, datetime, timedelta

import polars as pl
from rapidfuzz import fuzz, process

from transforms import schema
from transforms.grouping import (
    DEFAULT_WINDOW_DAYS,
    NUMBER_PENALTY,
    PARTIAL_MIN_LEN,
    _prepare,
    normalize_title,
)
from transforms.submissions import submission_titles

#: Titles at least this similar (0–100) link an adoption to a submission.
LINK_ACCEPT = 70.0

LINKS = {"adoption_id": pl.String, "submission_id": pl.String, "score": pl.Float64}


def _local_date(t) -> date | None:
    if t is None:
        return None
    return t.date() if isinstance(t, datetime) else t


#: date.toordinal() of 1970-01-01 (polars counts days from it).
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_numbers(submissions: pl.DataFrame) -> list[int | None]:
    """`date.toordinal()` of each submission's local date (its `time` in the office zone,
    as `_local_date` reads it), computed in polars."""
    t = submissions["time"]
    if isinstance(t.dtype, pl.Datetime):
        t = t.dt.date()
    elif t.dtype != pl.Date:
        return [None if x is None else _local_date(x).toordinal() for x in t.to_list()]
    return (t.cast(pl.Int32) + _EPOCH_ORDINAL).to_list()


def _best(
    core: str,
    nums: frozenset,
    cands: list[tuple[str, frozenset]],
    cutoff: float,
    cores: list[str] | None = None,
):
    """(index, score) of the candidate title most similar to `core`, or None below
    `cutoff`. Same measure as transforms.grouping.title_similarity, run inside rapidfuzz.
    `cores`: the candidates' cores, when the caller has them already."""
    if not core or not cands:
        return None
    if cores is None:
        cores = [c for c, _ in cands]
    best: dict[int, float] = {}
    for _c, sc, j in process.extract(core, cores, scorer=fuzz.ratio, score_cutoff=cutoff * 0.9):
        best[j] = sc
    if len(core) >= PARTIAL_MIN_LEN:
        for _c, sc, j in process.extract(
            core, cores, scorer=fuzz.partial_ratio, score_cutoff=cutoff * 0.9
        ):
            if len(cores[j]) >= PARTIAL_MIN_LEN and sc > best.get(j, -1.0):
                best[j] = sc
    top = None
    for j, sc in best.items():
        nb = cands[j][1]
        if nums and nb and nums != nb:
            sc *= NUMBER_PENALTY
        if sc >= cutoff and (top is None or sc > top[1]):
            top = (j, float(sc))
    return top


def link_adoptions_to_submissions(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    accept: float = LINK_ACCEPT,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Frame (adoption_id, submission_id, score): for each adoption, the submission it came
    from, if any reaches `accept`.

    Candidates: submissions whose resolved `unit` is one of the adoption's units, sent on
    a local date in [issue date − window_days, issue date]. The most similar title wins
    (ties: the later submission, the one nearest the issue). Several adoptions may link to
    one submission (the same article in several periodicals)."""
    if adoptions.height == 0 or submissions.height == 0 or "unit" not in submissions.columns:
        return pl.DataFrame(schema=LINKS)
    n = submissions.height

    def col(name: str) -> list:
        return submissions[name].to_list() if name in submissions.columns else [None] * n

    units_of: dict[str, list[str]] = defaultdict(list)
    if adoption_units.height:
        for aid, unit in adoption_units.select("adoption_id", "unit").unique().iter_rows():
            if unit is not None:
                units_of[aid].append(unit)

    # Per unit, the days of its adoptions: a submission matters only when one of them
    # falls in [its day, its day + window_days] (its titles are prepared only then).
    adoption_days: dict[str, list[int]] = defaultdict(list)
    for aid, d in adoptions.select("adoption_id", "date").iter_rows():
        if d is not None:
            for unit in units_of.get(aid, ()):
                adoption_days[unit].append(d.toordinal())
    for v in adoption_days.values():
        v.sort()

    # Per unit: submissions sorted by date, one entry per title they carry.
    per_unit: dict[str, list[tuple[int, str, tuple[str, frozenset]]]] = defaultdict(list)
    for sid, unit, day, subj, att in zip(
        col("submission_id"), col("unit"), _day_numbers(submissions), col("subject"),
        col("attachments"), strict=True,
    ):  # fmt: skip
        if unit is None or day is None or sid is None:
            continue
        ad_days = adoption_days.get(unit)
        if not ad_days:
            continue
        k = bisect.bisect_left(ad_days, day)
        if k == len(ad_days) or ad_days[k] > day + window_days:
            continue
        for title in submission_titles(subj, att):
            prepared = _prepare(normalize_title(title, places))
            if prepared[0]:
                per_unit[unit].append((day, sid, prepared))
    for v in per_unit.values():
        v.sort(key=lambda x: (x[0], x[1]))
    days = {u: [x[0] for x in v] for u, v in per_unit.items()}
    cores = {u: [x[2][0] for x in v] for u, v in per_unit.items()}
    titles = {u: [x[2] for x in v] for u, v in per_unit.items()}

    out = []
    ad = schema.conform(adoptions, schema.ADOPTIONS)
    for aid, title, d in ad.select("adoption_id", "title", "date").iter_rows():
        if d is None or aid not in units_of:
            continue
        core, nums = _prepare(normalize_title(title, places))
        hi = d.toordinal()
        lo = (d - timedelta(days=window_days)).toordinal()
        best = None  # (score, day, submission_id)
        for unit in sorted(units_of[aid]):
            entries = per_unit.get(unit)
            if not entries:
                continue
            i, j = bisect.bisect_left(days[unit], lo), bisect.bisect_right(days[unit], hi)
            window = entries[i:j]
            hit = _best(core, nums, titles[unit][i:j], accept, cores[unit][i:j])
            if hit is None:
                continue
            k, sc = hit
            cand = (sc, window[k][0], window[k][1])
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is not None:
            out.append({"adoption_id": aid, "submission_id": best[2], "score": best[0]})
    return pl.DataFrame(out, schema=LINKS) if out else pl.DataFrame(schema=LINKS)


def no_submission_review(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    links: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Review rows (type `no_submission`, key the adoption_id) for adoptions linked to no
    submission although one of their units has submissions in the issue's month (so the
    logs should show where it came from). An adoption answered in decisions.csv is not
    asked again."""
    if adoptions.height == 0 or "unit" not in submissions.columns or submissions.height == 0:
        return schema.empty(schema.REVIEW)
    logged = set()
    for unit, t in submissions.select("unit", "time").iter_rows():
        d = _local_date(t)
        if unit is not None and d is not None:
            logged.add((unit, d.year, d.month))
    linked = set(links["adoption_id"].to_list()) if links.height else set()
    answered = set()
    if decisions is not None and decisions.height:
        answered = set(
            decisions.filter(pl.col("type") == "no_submission")["key"].cast(pl.String).to_list()
        )
    units_of: dict[str, list[str]] = defaultdict(list)
    for aid, unit in adoption_units.select("adoption_id", "unit").iter_rows():
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
                "text": f"《{r['publication']}》{issue}「{r['title']}」（{'、'.join(with_logs)}）",
                "candidates": "",
                "reason": (
                    "报送记录中找不到与该采用信息对应的报送邮件（同一单位、刊发前120天内、标题相近）："
                    "请核实是否漏记报送；核实后可在 decisions.csv 中填写答复"
                ),
                "answer": "",
            }
        )
    return pl.DataFrame(rows, schema=schema.REVIEW) if rows else schema.empty(schema.REVIEW)
