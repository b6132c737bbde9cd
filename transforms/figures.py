"""Figures of the bulletin (通报), computed from frames: the overall counts (item 2), the
ranking tables of the attachments, adoption rates, the year to date, the highlights, the
list of adopted articles and what the public bulletin leaves out. Pure functions: no
files, no rendering. `flows.render` feeds their results to the templates, and tests check
the numbers here without rendering anything.

Adoption counts by level are counts of adoptions (采用篇次: one article printed in two
periodicals counts once in each); `adopted` in SCORES counts distinct articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from transforms.periods import Period
from transforms.schema import (
    ADOPTION_UNITS,
    ADOPTIONS,
    SCORES,
    SUBMISSIONS,
    conform,
)
from transforms.submissions import count_per_unit
from transforms.wording import short_text

#: The three categories of the overall adoption figures in the bulletin's first paragraph.
OWN, UPWARD, ABOVE = "本级", "上报", "上级"

#: Unit of a group that the bulletin cannot place (a submission from an unknown sender).
#: Never printed in public: unresolved senders and names belong in review.csv and the
#: office's note (`left_out`); the bulletin's figures count resolved units only.
UNKNOWN_GROUP = "未识别单位"


# --------------------------------------------------------------------------- periodicals


def own_level(publications: Sequence[Any]) -> str:
    """The level word of the office's own periodicals: 本级 when a scheme uses that word,
    else the level of its first periodical (schemes list their own periodicals first)."""
    levels = [p.level for p in publications]
    if "本级" in levels:
        return "本级"
    return levels[0] if levels else "本级"


def levels(publications: Sequence[Any]) -> list[str]:
    """Distinct periodical levels in the scheme's order (the columns 本级/市/省 …)."""
    out: list[str] = []
    for p in publications:
        if p.level not in out:
            out.append(p.level)
    return out


def level_category(pub: Any, own: str) -> str:
    """本级 (own periodicals), 上报 (reported up: periodicals named 上报…), 上级 (adopted above)."""
    if pub.name.startswith("上报"):
        return UPWARD
    return OWN if pub.level == own else ABOVE


def _publication_frame(publications: Sequence[Any]) -> pl.DataFrame:
    own = own_level(publications)
    return pl.DataFrame(
        {
            "publication": [p.name for p in publications],
            "level": [p.level for p in publications],
            "category": [level_category(p, own) for p in publications],
            "pub_order": list(range(len(publications))),
        },
        schema={
            "publication": pl.String,
            "level": pl.String,
            "category": pl.String,
            "pub_order": pl.Int64,
        },
    )


# --------------------------------------------------------------------------- frames of the period


def period_adoptions(adoptions: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Adoptions whose issue date falls in `period` (C3), with `article_id` kept if present."""
    cols = dict(ADOPTIONS)
    if "article_id" in adoptions.columns:
        cols["article_id"] = pl.String
    df = conform(adoptions, cols)
    return df.filter(pl.col("date").is_between(period.start, period.end))


def period_submissions(submissions: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Submissions whose local date falls in `period`, with their resolved `unit`."""
    cols = dict(SUBMISSIONS)
    cols["unit"] = pl.String
    df = conform(submissions, cols)
    return df.filter(pl.col("time").dt.date().is_between(period.start, period.end))


def _adoption_unit_rows(
    adoptions: pl.DataFrame, adoption_units: pl.DataFrame, publications: Sequence[Any]
) -> pl.DataFrame:
    """One row per (adoption of the period, unit it names) with the periodical's level."""
    au = conform(adoption_units, ADOPTION_UNITS).filter(pl.col("unit").is_not_null())
    au = au.select("adoption_id", "unit").unique()
    return adoptions.join(au, on="adoption_id", how="inner").join(
        _publication_frame(publications), on="publication", how="left"
    )


# --------------------------------------------------------------------------- overview


@dataclass
class Overview:
    """Overall figures of the bulletin (item 2). Counts cover the units of the roster only
    (as the tables do): submissions from unknown senders and adoptions naming no known unit
    are left out (they are in review.csv and the office's note, `left_out`)."""

    has_submissions: bool
    submissions_total: int
    #: (group, count) in the scheme's group order
    submissions_by_group: list[tuple[str, int]]
    adoptions_total: int  # adoptions (篇次) in the period
    articles_total: int  # distinct articles
    #: 本级 / 上报 / 上级 → adoptions
    by_category: dict[str, int]
    #: periodical → adoptions, in the scheme's order, only periodicals with adoptions
    by_publication: list[tuple[str, int]]
    instructions: int
    issues: int  # distinct (publication, issue) of the office's own periodicals


def group_order(scheme_groups: Sequence[Any], scores: pl.DataFrame) -> list[str]:
    """Group names in the scheme's order, then any other group found in the scores."""
    names = [g.name for g in scheme_groups]
    if "group" in scores.columns:
        for g in scores["group"].drop_nulls().unique(maintain_order=True).to_list():
            if g not in names:
                names.append(g)
    return names


def _instruction_events(events: pl.DataFrame | None, period: Period) -> pl.DataFrame | None:
    """The events of type 领导批示 dated in `period`; None without events."""
    if events is None or not events.height or "type" not in events.columns:
        return None
    ev = events.filter(pl.col("type") == "领导批示")
    if "date" in ev.columns:
        ev = ev.filter(pl.col("date").is_between(period.start, period.end))
    return ev


def instruction_count(events: pl.DataFrame | None, period: Period) -> int:
    """Leader instructions (领导批示) of the period: the events of that type."""
    ev = _instruction_events(events, period)
    return 0 if ev is None else ev.height


def overview(
    *,
    scheme_groups: Sequence[Any],
    publications: Sequence[Any],
    period: Period,
    units: pl.DataFrame,
    scores: pl.DataFrame,
    adoptions: pl.DataFrame,
    submissions: pl.DataFrame,
    events: pl.DataFrame | None = None,
    adoption_units: pl.DataFrame | None = None,
) -> Overview:
    """Item 2 of the bulletin. `adoptions`, `submissions` and `events` (EVENTS + unit; the
    leader instructions are counted from them) are all the workspace's rows; they are cut
    to `period` here. Only submissions of roster units count, and, when
    `adoption_units` is given, only adoptions naming at least one roster unit."""
    subs = period_submissions(submissions, period)
    group_of = _group_map(units, scores)
    subs = subs.filter(pl.col("unit").is_in(list(group_of)))
    counts: dict[str, int] = {}
    for u in subs["unit"].to_list():
        counts[group_of[u]] = counts.get(group_of[u], 0) + 1
    order = group_order(scheme_groups, scores)
    by_group = [(g, counts.get(g, 0)) for g in order]
    by_group += [(g, n) for g, n in counts.items() if g not in order]

    ad = period_adoptions(adoptions, period)
    every = ad
    if adoption_units is not None:
        ad = ad.filter(pl.col("adoption_id").is_in(_resolved_ids(adoption_units)))
    ad = ad.join(_publication_frame(publications), on="publication", how="left")
    by_category = {OWN: 0, UPWARD: 0, ABOVE: 0}
    for cat, n in ad.group_by("category").len().iter_rows():
        by_category[cat or ABOVE] = by_category.get(cat or ABOVE, 0) + n
    by_pub = (
        ad.group_by("publication", "pub_order")
        .len()
        .sort("pub_order", "publication", nulls_last=True)
        .select("publication", "len")
        .rows()
    )
    if "article_id" in ad.columns and ad["article_id"].null_count() < ad.height:
        articles = ad.select(pl.coalesce("article_id", "adoption_id")).n_unique()
    else:
        articles = ad.height
    # issues the office printed: every adoption of its periodicals, named unit or not
    own = every.join(_publication_frame(publications), on="publication", how="left").filter(
        pl.col("category") == OWN
    )
    issues = own.select(
        "publication", pl.coalesce(pl.col("issue"), pl.col("date").cast(pl.String))
    ).n_unique()
    return Overview(
        has_submissions=subs.height > 0,
        submissions_total=subs.height,
        submissions_by_group=by_group,
        adoptions_total=ad.height,
        articles_total=articles,
        by_category=by_category,
        by_publication=[(p, n) for p, n in by_pub],
        instructions=instruction_count(events, period),
        issues=issues if own.height else 0,
    )


def _resolved_ids(adoption_units: pl.DataFrame) -> list[str]:
    """Adoptions naming at least one roster unit (others wait in review.csv)."""
    au = conform(adoption_units, ADOPTION_UNITS).filter(pl.col("unit").is_not_null())
    return au["adoption_id"].unique().to_list()


def _group_map(units: pl.DataFrame, scores: pl.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for df in (units, scores):
        if {"unit", "group"} <= set(df.columns):
            for u, g in df.select("unit", "group").iter_rows():
                if u is not None and g is not None:
                    out.setdefault(u, g)
    return out


# --------------------------------------------------------------------------- score tables


@dataclass
class ScoreTable:
    """Attachment table of one group (附件: 得分情况)."""

    group: str
    levels: list[str]
    show_ytd: bool
    show_assessment: bool
    show_remark: bool
    has_submissions: bool
    #: some unit of the group has a points target (else the 目标 column is left out)
    show_target: bool = True
    #: dicts: rank, unit, submitted, by_level{level: n}, rate (采用率, None → —), points,
    #: ytd, target, target_met, assessment, remark, remark_short (at most REMARK_CHARS)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def remarks_cut(self) -> bool:
        """Some remark is shown shortened (the statements show it whole)."""
        return any(r["remark_short"] != (r["remark"] or "") for r in self.rows)


def unit_level_counts(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    publications: Sequence[Any],
    period: Period,
) -> dict[str, dict[str, int]]:
    """unit → {level → adoptions of the period naming the unit}."""
    rows = _adoption_unit_rows(period_adoptions(adoptions, period), adoption_units, publications)
    out: dict[str, dict[str, int]] = {}
    for unit, level, n in rows.group_by("unit", "level").len().iter_rows():
        out.setdefault(unit, {})[level or "其他"] = n
    return out


def ytd_points(quarters: pl.DataFrame | None, period: Period) -> dict[str, float] | None:
    """Year-to-date points per unit (sum of the quarters so far); None for a year bulletin
    (its points are already the year's) or when the scheme gives no quarters."""
    if quarters is None or period.kind == "year" or not quarters.height:
        return None
    agg = quarters.group_by("unit").agg(pl.col("points").cast(pl.Float64).sum())
    return dict(agg.iter_rows())


def submitted_counts(submissions: pl.DataFrame, period: Period) -> dict[str, int]:
    """Per unit, its submissions of the period (`transforms.submissions.count_per_unit`)."""
    cols = dict(SUBMISSIONS)
    cols["unit"] = pl.String
    return count_per_unit(conform(submissions, cols), period.start, period.end)


def _scores(scores: pl.DataFrame) -> pl.DataFrame:
    return conform(scores, SCORES)


def ordered_scores(scores: pl.DataFrame, groups: Sequence[str] | None = None) -> pl.DataFrame:
    """SCORES sorted by group (in `groups` order, else by name), rank, unit."""
    sc = _scores(scores)
    names = list(groups or []) + sorted(
        g for g in sc["group"].drop_nulls().unique().to_list() if g not in (groups or [])
    )
    order = pl.DataFrame(
        {"group": names, "_g": list(range(len(names)))},
        schema={"group": pl.String, "_g": pl.Int64},
    )
    return (
        sc.join(order, on="group", how="left")
        .sort("_g", "rank", "unit", nulls_last=True)
        .drop("_g")
    )


def score_tables(
    *,
    scheme_groups: Sequence[Any],
    publications: Sequence[Any],
    period: Period,
    scores: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    quarters: pl.DataFrame | None = None,
    links: pl.DataFrame | None = None,
) -> list[ScoreTable]:
    """One table per group with scored units, ordered by rank then unit name. `rate` is
    the unit's 采用率 (`adoption_rate`): None without mail logs for the period or when the
    unit sent nothing."""
    sc = _scores(scores)
    lvls = levels(publications)
    per_level = unit_level_counts(adoptions, adoption_units, publications, period)
    extra = sorted({lv for d in per_level.values() for lv in d} - set(lvls))
    lvls += extra
    ytd = ytd_points(quarters, period)
    has_subs = period_submissions(submissions, period).height > 0
    sub_counts = submitted_counts(submissions, period)
    rates = unit_rates(submissions, adoptions, adoption_units, period, links)
    show_assessment = sc["assessment"].null_count() < sc.height
    tables = []
    for g in group_order(scheme_groups, sc):
        part = sc.filter(pl.col("group") == g).sort("rank", "unit", nulls_last=True)
        if not part.height:
            continue
        rows = []
        for r in part.iter_rows(named=True):
            submitted = r["submitted"]
            if submitted is None:
                submitted = sub_counts.get(r["unit"], 0)
            rows.append(
                {
                    "rank": r["rank"],
                    "unit": r["unit"],
                    "submitted": submitted if has_subs else None,
                    "by_level": {lv: per_level.get(r["unit"], {}).get(lv, 0) for lv in lvls},
                    "rate": (rates.get(r["unit"]) or {}).get("rate") if has_subs else None,
                    "points": r["points"],
                    "ytd": None if ytd is None else ytd.get(r["unit"], 0.0),
                    "target": r["target"],
                    "target_met": r["target_met"],
                    "assessment": r["assessment"],
                    "remark": r["remark"],
                    "remark_short": short_text(r["remark"]),
                }
            )
        tables.append(
            ScoreTable(
                group=g,
                levels=lvls,
                show_ytd=ytd is not None,
                show_assessment=show_assessment,
                show_remark=part["remark"].null_count() < part.height
                and any(part["remark"].drop_nulls().str.len_chars() > 0),
                has_submissions=has_subs,
                show_target=part["target"].null_count() < part.height,
                rows=rows,
            )
        )
    return tables


def adopted_articles(
    adoptions: pl.DataFrame, adoption_units: pl.DataFrame, period: Period
) -> list[dict[str, Any]]:
    """The list of adopted articles of the period (采用信息目录): date, publication, issue,
    title, units (roster names in printed order). An adoption naming no roster unit is not
    listed: its printed name is unresolved (review.csv, the office's note), never public;
    a joint article lists its resolved units only."""
    ad = period_adoptions(adoptions, period)
    au = (
        conform(adoption_units, ADOPTION_UNITS)
        .filter(pl.col("unit").is_not_null())
        .sort("adoption_id", "position", "unit", nulls_last=True)
        .group_by("adoption_id", maintain_order=True)
        .agg(pl.col("unit").unique(maintain_order=True).str.join("、").alias("units"))
    )
    df = ad.join(au, on="adoption_id", how="inner")
    df = df.sort("date", "publication", "issue", "title", nulls_last=True)
    return df.select("date", "publication", "issue", "title", "units").to_dicts()


def left_out(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    submissions: pl.DataFrame,
    period: Period,
) -> dict[str, Any]:
    """What the public bulletin leaves out because a name is unresolved (for the office's
    note, never public): `adoptions` of the period naming no roster unit and `partial`
    joint adoptions of which some printed name is unresolved (dicts source_file,
    source_row, publication, issue, date, title, units_raw, resolved: the roster units
    named), `submissions` of the period from an unknown sender (dicts source_file, count)."""
    ad = period_adoptions(adoptions, period)
    au = conform(adoption_units, ADOPTION_UNITS)
    per = au.group_by("adoption_id").agg(
        pl.col("unit").drop_nulls().unique(maintain_order=True).str.join("、").alias("resolved"),
        pl.col("unit").drop_nulls().n_unique().alias("n_resolved"),
        pl.col("n_units").max().fill_null(1).alias("n_printed"),
    )
    df = ad.join(per, on="adoption_id", how="left").with_columns(
        pl.col("n_resolved").fill_null(0), pl.col("n_printed").fill_null(1)
    )
    df = df.sort("source_file", "source_row", "date", "title", nulls_last=True)
    cols = ["source_file", "source_row", "publication", "issue", "date", "title"]
    cols += ["units_raw", "resolved"]
    none = df.filter(pl.col("n_resolved") == 0).select(cols).to_dicts()
    partial = (
        df.filter((pl.col("n_resolved") > 0) & (pl.col("n_resolved") < pl.col("n_printed")))
        .select(cols)
        .to_dicts()
    )
    subs = period_submissions(submissions, period).filter(pl.col("unit").is_null())
    files = subs.group_by("source_file").len().sort("source_file", nulls_last=True).rows()
    return {
        "adoptions": none,
        "partial": partial,
        "submissions": [{"source_file": f, "count": n} for f, n in files],
    }


# --------------------------------------------------------------------------- highlights


def top_adoptions(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    publications: Sequence[Any],
    period: Period,
    limit: int = 10,
) -> tuple[str | None, list[dict[str, Any]], int]:
    """Articles adopted highest (亮点): the adoptions of the period at the highest level
    reached above the office's own periodicals (levels ordered as the scheme lists its
    periodicals, lowest first). Returns (level, rows, total) where rows (at most `limit`,
    by date) are dicts date, publication, issue, title, units; (None, [], 0) when nothing
    was adopted above the own level."""
    lvls = levels(publications)
    own = own_level(publications)
    rank = {lv: i for i, lv in enumerate(lvls)}
    level_of = {p.name: p.level for p in publications}
    arts = [
        a
        for a in adopted_articles(adoptions, adoption_units, period)
        if level_of.get(a["publication"]) not in (None, own)
    ]
    if not arts:
        return None, [], 0
    best = max(rank.get(level_of[a["publication"]], -1) for a in arts)
    top = [a for a in arts if rank.get(level_of[a["publication"]], -1) == best]
    return lvls[best] if best >= 0 else None, top[:limit], len(top)


def instruction_list(events: pl.DataFrame | None, period: Period) -> list[dict[str, Any]]:
    """Leader instructions (领导批示) of the period, from the events of that type: dicts
    date, unit (the roster's, else as typed), title, level, in date order."""
    ev = _instruction_events(events, period)
    if ev is None:
        return []
    for c in ("unit", "unit_raw", "title", "level", "date"):
        if c not in ev.columns:
            ev = ev.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    ev = ev.with_columns(pl.coalesce(pl.col("unit"), pl.col("unit_raw")).alias("unit"))
    return (
        ev.sort("date", "unit", nulls_last=True).select("date", "unit", "title", "level").to_dicts()
    )


def instruction_digest(items: Sequence[dict[str, Any]], limit: int = 10) -> dict[str, Any]:
    """The leader instructions (`instruction_list`) as the bulletin names them: all of them
    when at most `limit`; else the count per level and only the instructions above the
    most common level (the office's own, e.g. 萧山区 51 of 57), at most `limit`, by date.
    Returns dict total, by_level [(level, n)] (most first), shown, complete (all shown)."""
    counts: dict[str, int] = {}
    for x in items:
        counts[x.get("level") or "其他"] = counts.get(x.get("level") or "其他", 0) + 1
    by_level = sorted(counts.items(), key=lambda kv: -kv[1])
    if len(items) <= limit:
        return {"total": len(items), "by_level": by_level, "shown": list(items), "complete": True}
    common = by_level[0][0]
    shown = [x for x in items if (x.get("level") or "其他") != common][:limit]
    return {"total": len(items), "by_level": by_level, "shown": shown, "complete": False}


# --------------------------------------------------------------------------- year to date


@dataclass
class YearToDate:
    """The quarters of the year so far (全年累计): per group, each quarter's total points,
    and the units leading the year."""

    quarters: list[str]  # 一季度 … 四季度
    #: (group, [total points per quarter or None when the quarter is not scored yet])
    totals: list[tuple[str, list[float | None]]]
    #: (group, [(unit, year-to-date points)]) — the first three of each group, with
    #: every unit that ties the third
    leaders: list[tuple[str, list[tuple[str, float]]]]

    @property
    def tied(self) -> bool:
        """Some group lists more than three leaders (a tie for the third place)."""
        return any(len(units) > 3 for _, units in self.leaders)


def year_to_date(
    quarters: pl.DataFrame | None, scores: pl.DataFrame, groups: Sequence[str], year: int
) -> YearToDate | None:
    """From ScoreResult.quarters; None when the scheme gives no quarters."""
    if quarters is None or not quarters.height:
        return None
    group_of = _group_map(pl.DataFrame(schema={"unit": pl.String}), _scores(scores))
    labels = [f"{year}Q{i}" for i in range(1, 5)]
    q = quarters.with_columns(
        pl.col("unit")
        .replace_strict(group_of, default=None, return_dtype=pl.String)
        .alias("group"),
        pl.col("points").cast(pl.Float64),
    ).filter(pl.col("group").is_not_null())
    sums = {
        (g, p): v for g, p, v in q.group_by("group", "period").agg(pl.col("points").sum()).rows()
    }
    scored = set(q["period"].unique().to_list())
    totals = []
    leaders = []
    ytd = q.group_by("group", "unit").agg(pl.col("points").sum())
    for g in groups:
        if not any((g, p) in sums for p in labels):
            continue
        totals.append((g, [sums.get((g, p), 0.0) if p in scored else None for p in labels]))
        top = ytd.filter(pl.col("group") == g).sort(["points", "unit"], descending=[True, False])
        # the first three and whoever ties the third (never three of four equals)
        third = top["points"].head(3).min()
        top = top.filter(pl.col("points") >= third) if third is not None else top.head(0)
        leaders.append((g, top.select("unit", "points").rows()))
    cn = "一二三四"
    return YearToDate([f"{cn[i]}季度" for i in range(4)], totals, leaders)


# --------------------------------------------------------------------------- adoption rate

ADOPTION_RATE = {
    "unit": pl.String,
    "submitted": pl.Int64,
    "adopted": pl.Int64,
    "linked": pl.Int64,
    "rate": pl.Float64,
}


def adoption_rate(
    submissions: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    period: Period,
    links: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """采用率 per unit (ADOPTION_RATE): `submitted` submissions of the period (local date),
    `adopted` distinct articles adopted in the period (article_id, else adoption_id),
    `linked` submissions of the period that an adoption is linked to
    (transforms.linking), `rate` = adopted / submitted (null when nothing was submitted).
    One row per unit with a submission or an adoption, sorted by unit."""
    subs = period_submissions(submissions, period).filter(pl.col("unit").is_not_null())
    sub_n = dict(subs.group_by("unit").len().iter_rows())
    linked_ids = (
        set(links["submission_id"].to_list()) if links is not None and links.height else set()
    )
    link_n: dict[str, int] = {}
    for unit, sid in subs.select("unit", "submission_id").iter_rows():
        if sid in linked_ids:
            link_n[unit] = link_n.get(unit, 0) + 1
    ad = period_adoptions(adoptions, period)
    art = pl.col("article_id") if "article_id" in ad.columns else pl.col("adoption_id")
    ad = ad.select("adoption_id", pl.coalesce(art, pl.col("adoption_id")).alias("article"))
    au = conform(adoption_units, ADOPTION_UNITS).filter(pl.col("unit").is_not_null())
    adopted = dict(
        ad.join(au.select("adoption_id", "unit"), on="adoption_id")
        .group_by("unit")
        .agg(pl.col("article").n_unique())
        .iter_rows()
    )
    rows = []
    for unit in sorted(set(sub_n) | set(adopted)):
        s, a = sub_n.get(unit, 0), adopted.get(unit, 0)
        rows.append(
            {
                "unit": unit,
                "submitted": s,
                "adopted": a,
                "linked": link_n.get(unit, 0),
                "rate": a / s if s else None,
            }
        )
    return pl.DataFrame(rows, schema=ADOPTION_RATE) if rows else pl.DataFrame(schema=ADOPTION_RATE)


def unit_rates(
    submissions: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    period: Period,
    links: pl.DataFrame | None = None,
) -> dict[str, dict[str, Any]]:
    """unit → its `adoption_rate` row (submitted, adopted, linked, rate)."""
    df = adoption_rate(submissions, adoptions, adoption_units, period, links)
    return {r["unit"]: r for r in df.iter_rows(named=True)}
