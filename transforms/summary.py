"""Figures and tables of the bulletin (通报) and the unit statements (得分说明), computed from
frames. Pure functions: no files, no rendering. `flows.render` feeds their results to the
templates, and tests check the numbers here without rendering anything.

Adoption counts by level are counts of adoptions (采用篇次: one article printed in two
periodicals counts once in each); `adopted` in SCORES counts distinct articles.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from transforms.errors import InputError
from transforms.periods import Period
from transforms.schema import (
    ADOPTION_UNITS,
    ADOPTIONS,
    LEDGER,
    NOTICES,
    SCORES,
    SUBMISSIONS,
    conform,
)

_CN_DIGITS = "〇一二三四五六七八九"

#: The three categories of the overall adoption figures in the bulletin's first paragraph.
OWN, UPWARD, ABOVE = "本级", "上报", "上级"

#: Unit of a group that the bulletin cannot place (a submission from an unknown sender).
#: Never printed in public: unresolved senders and names belong in review.csv and the
#: office's note (`left_out`); the bulletin's figures count resolved units only.
UNKNOWN_GROUP = "未识别单位"

#: Default paragraph for 下一步工作要求 (requirements for the next period).
DEFAULT_REQUIREMENTS = (
    "各单位要进一步提高思想认识，把政务信息工作摆上重要位置，明确分管领导和专职信息员，"
    "紧扣党委、政府中心工作和重点任务，多报送有深度、有分析、有建议的综合性信息，"
    "及时反映苗头性、倾向性问题和基层创新做法，切实提高信息报送的时效性和质量。"
    "零报送、零采用和未完成目标任务的单位要认真查找原因，落实改进措施，"
    "确保下一阶段政务信息工作有明显提升。"
)


# --------------------------------------------------------------------------- wording


def area_word(office: str) -> str:
    """区 when the issuing office is a district's (its name contains 区), else 市."""
    return "区" if "区" in (office or "") else "市"


def bulletin_title(period: Period, office: str) -> str:
    """「关于2018年第二季度全市政务信息报送采用情况的通报」 (without the quotes)."""
    return f"关于{period.title}全{area_word(office)}政务信息报送采用情况的通报"


def recipients(office: str, groups: Iterable[str] = ()) -> str:
    """The 主送 line, e.g. 各乡镇人民政府、街道办事处，市政府各部门、单位：

    A roster with county-level units (县（市）区, 银川) gets the county wording.
    """
    area = area_word(office)
    names = "".join(groups)
    if "县" in names:
        return f"各县（市）区人民政府，{area}政府各部门、各直属机构："
    towns = "各乡镇人民政府" if area == "市" else "各镇人民政府"
    return f"{towns}、街道办事处，{area}政府各部门、单位："


def _cn_number(n: int) -> str:
    """1..99 in Chinese counting words: 5 → 五, 10 → 十, 21 → 二十一."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: date) -> str:
    """2018-07-05 → 二〇一八年七月五日 (the style of the date under the issuing office)."""
    year = "".join(_CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_cn_number(d.month)}月{_cn_number(d.day)}日"


def fmt_points(x: Any) -> str:
    """Points as people write them: 38.0 → 38, 12.5 → 12.5, -10.0 → -10, None → —."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    x = float(x)
    if x == int(x):
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def fmt_rate(x: Any) -> str:
    """A rate as a percentage with one decimal: 0.35 → 35.0%, 2.0 → 200.0%, None → —."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{float(x) * 100:.1f}%"


#: characters of a remark shown in a ranking table; the statements show it whole
REMARK_CHARS = 30


def short_text(text: str | None, limit: int = REMARK_CHARS) -> str:
    """`text` cut to `limit` characters (the last one an ellipsis …) when longer."""
    if not text:
        return ""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # never end inside brackets: 「…完成年度目标（90…」 → 「…完成年度目标…」
    for left, right in ("（）", "()", "「」", "《》"):
        if cut.count(left) > cut.count(right):
            cut = cut[: cut.rindex(left)]
    return cut.rstrip("，,；;、。：: ") + "…"


#: an issue number however it is typed: 12, 012, 第12期, 12期, No.12, No. 12, #12
_ISSUE_NUMBER = re.compile(r"(?:第|no\.?|n°|#)?0*(\d+)期?", re.IGNORECASE)
#: an issue number within its year: 2018年第12期, 2018年12期, 2018-12, 2018.12, 2018/12
_ISSUE_OF_YEAR = re.compile(r"((?:19|20)\d\d)(?:年|[-./])第?0*(\d+)期?")


def issue_number(issue: str | None) -> str:
    """An issue number printed one way: 第12期 (or 2018年第12期 when it counts within its
    year), whether it was typed 12, 第12期, 12期, No.12 or 2018-12. Any other text (总第300期,
    增刊) is kept as typed."""
    if issue is None:
        return ""
    text = str(issue).strip()
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _ISSUE_NUMBER.fullmatch(plain):
        return f"第{int(m[1])}期"
    if m := _ISSUE_OF_YEAR.fullmatch(plain):
        return f"{m[1]}年第{int(m[2])}期"
    return text


def issue_label(publication: str | None, issue: str | None) -> str:
    """《建德政务·动态》第12期: the issue as `issue_number` prints it."""
    pub = f"《{publication}》" if publication else ""
    return f"{pub}{issue_number(issue)}"


#: an issue number inside a text, as `issue_number` prints it: 第12期, and the year of
#: 2018年第12期 apart (each kept on one line; a narrow column may break between the two)
ISSUE_IN_TEXT = re.compile(r"(?:19|20)\d\d年(?=第\d+期)|第\d+期")


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


def instruction_count(ledger: pl.DataFrame, events: pl.DataFrame | None, period: Period) -> int:
    """Leader instructions (领导批示) of the period: from the events when given, else from
    the ledger (rows whose rule names 批示, one per referenced record)."""
    if events is not None and "type" in events.columns and events.height:
        ev = events.filter(pl.col("type") == "领导批示")
        if "date" in ev.columns:
            ev = ev.filter(pl.col("date").is_between(period.start, period.end))
        return ev.height
    led = conform(ledger, LEDGER).filter(pl.col("rule").str.contains("批示"))
    if not led.height:
        return 0
    key = pl.coalesce(pl.col("ref"), pl.col("article_id"), pl.col("title"))
    return led.select(key.alias("k")).unique().height


def overview(
    *,
    scheme_groups: Sequence[Any],
    publications: Sequence[Any],
    period: Period,
    units: pl.DataFrame,
    scores: pl.DataFrame,
    ledger: pl.DataFrame,
    adoptions: pl.DataFrame,
    submissions: pl.DataFrame,
    events: pl.DataFrame | None = None,
    adoption_units: pl.DataFrame | None = None,
) -> Overview:
    """Item 2 of the bulletin. `adoptions` and `submissions` are all the workspace's rows;
    they are cut to `period` here. Only submissions of roster units count, and, when
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
        instructions=instruction_count(ledger, events, period),
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
    subs = period_submissions(submissions, period).filter(pl.col("unit").is_not_null())
    return dict(subs.group_by("unit").len().iter_rows())


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


def period_word(period: Period) -> str:
    """本季度, 本月 or 本年度: how the bulletin names its own period in a sentence."""
    return {"quarter": "本季度", "month": "本月", "year": "本年度"}.get(period.kind, "本期")


def praise(scheme_groups: Sequence[Any], scores: pl.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    """Praise (通报表扬) per group, in the scheme's group order: dicts group, judged (some
    unit's `target_met` is known, so only units that met their target are praised),
    points_target (the target is a number of points), units (dicts unit, points, rank,
    tied: another unit of the group shares the rank). Named: units ranked 1..n (ties
    included) with positive points and, when judged, `target_met` true. A judged group
    where nobody qualifies has no units (the bulletin says so); a group not judged and
    without positive points is left out."""
    sc = _scores(scores)
    out = []
    for g in group_order(scheme_groups, sc):
        part = sc.filter(pl.col("group") == g)
        if not part.height:
            continue
        judged = part["target_met"].null_count() < part.height
        rank_n = dict(part.group_by("rank").len().iter_rows())
        named = part.filter((pl.col("rank") <= n) & (pl.col("points") > 0))
        if judged:
            named = named.filter(pl.col("target_met") == True)  # noqa: E712
        if not named.height and not judged:
            continue
        out.append(
            {
                "group": g,
                "judged": judged,
                "points_target": part["target"].null_count() < part.height,
                "units": [
                    {**r, "tied": rank_n.get(r["rank"], 0) > 1}
                    for r in named.sort("rank", "unit").select("unit", "points", "rank").to_dicts()
                ],
            }
        )
    return out


def zero_submission_units(
    scores: pl.DataFrame,
    submissions: pl.DataFrame,
    period: Period,
    groups: Sequence[str] | None = None,
) -> list[str] | None:
    """Units with no submission in the period (零报送); None when the workspace holds no
    mail log for the period (then nobody can be named, C5)."""
    if period_submissions(submissions, period).height == 0:
        return None
    counts = submitted_counts(submissions, period)
    out = []
    for unit, submitted in ordered_scores(scores, groups).select("unit", "submitted").rows():
        n = submitted if submitted is not None else counts.get(unit, 0)
        if n == 0:
            out.append(unit)
    return out


def zero_adoption_units(
    scores: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    period: Period,
    groups: Sequence[str] | None = None,
) -> list[str]:
    """Units with no article adopted in the period (零采用)."""
    ad = period_adoptions(adoptions, period).select("adoption_id")
    au = conform(adoption_units, ADOPTION_UNITS).join(ad, on="adoption_id", how="inner")
    adopted_units = set(au["unit"].drop_nulls().to_list())
    out = []
    for unit, adopted in ordered_scores(scores, groups).select("unit", "adopted").rows():
        n = adopted if adopted is not None else (1 if unit in adopted_units else 0)
        if n == 0:
            out.append(unit)
    return out


def below_target_units(
    scores: pl.DataFrame, groups: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Units whose `target_met` is false: unit, group, points, target."""
    sc = ordered_scores(scores, groups).filter(pl.col("target_met") == False)  # noqa: E712
    return sc.select("unit", "group", "points", "target").to_dicts()


def below_target_by_group(
    scores: pl.DataFrame, groups: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Units below target per group: group, target (when the same for the whole group, else
    None) and units (dicts unit, points, target), in group then rank order."""
    out: list[dict[str, Any]] = []
    for row in below_target_units(scores, groups):
        if not out or out[-1]["group"] != row["group"]:
            out.append({"group": row["group"], "units": []})
        out[-1]["units"].append(row)
    for g in out:
        targets = {u["target"] for u in g["units"]}
        g["target"] = targets.pop() if len(targets) == 1 else None
    return out


def commissions_split(
    commissions: pl.DataFrame | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """约稿 rows (unit, date, title, status, points) split into done on time (按时), not done
    as required (逾期, 未报 …) and unknown (未知: not recorded, no mail logs; not scored)."""
    if commissions is None or not commissions.height:
        return [], [], []
    df = commissions
    for c in ("unit", "date", "title", "status", "points"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None).alias(c))
    df = df.sort("date", "unit", nulls_last=True)
    rows = df.select("unit", "date", "title", "status", "points").to_dicts()
    done = [r for r in rows if r["status"] == "按时"]
    unknown = [r for r in rows if r["status"] in (None, "", "未知")]
    not_done = [r for r in rows if r not in done and r not in unknown]
    return done, not_done, unknown


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


# --------------------------------------------------------------------------- statements


@dataclass
class Statement:
    """One unit's statement (得分说明): every ledger row and the total."""

    unit: str
    group: str | None
    points: float
    rank: int | None
    group_size: int
    target: float | None
    target_met: bool | None
    assessment: float | None
    submitted: int | None
    adopted: int | None
    remark: str | None
    #: dicts: date, source (刊物及期号), title, rule, clause, points, note, shared
    rows: list[dict[str, Any]]
    total: float  # sum of the rows

    @property
    def consistent(self) -> bool:
        return abs(self.total - (self.points or 0.0)) < 1e-6


def statements(
    scores: pl.DataFrame, ledger: pl.DataFrame, groups: Sequence[str] | None = None
) -> list[Statement]:
    """One statement per scored unit, in group then rank order."""
    sc = _scores(scores)
    led = conform(ledger, LEDGER)
    sizes = dict(sc.group_by("group").len().iter_rows())
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for r in led.sort("date", "publication", "issue", "rule_id", nulls_last=True).iter_rows(
        named=True
    ):
        by_unit.setdefault(r["unit"], []).append(
            {
                "date": r["date"],
                "source": issue_label(r["publication"], r["issue"]),
                "title": r["title"],
                "rule": r["rule"],
                "rule_id": r["rule_id"],
                "clause": r["clause"],
                "points": r["points"] or 0.0,
                "note": r["note"],
                "shared": bool(r["shared"]),
            }
        )
    out = []
    for r in ordered_scores(sc, groups).iter_rows(named=True):
        rows = by_unit.get(r["unit"], [])
        out.append(
            Statement(
                unit=r["unit"],
                group=r["group"],
                points=r["points"] if r["points"] is not None else 0.0,
                rank=r["rank"],
                group_size=sizes.get(r["group"], 0),
                target=r["target"],
                target_met=r["target_met"],
                assessment=r["assessment"],
                submitted=r["submitted"],
                adopted=r["adopted"],
                remark=r["remark"],
                rows=rows,
                total=math.fsum(x["points"] for x in rows),
            )
        )
    return out


# --------------------------------------------------------------------------- spreadsheet safety

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """A text that a spreadsheet would run as a formula (CSV injection)."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_safe(value: Any) -> Any:
    """Text cells starting with = + - @ tab or CR get a leading apostrophe; others unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_value(value: Any) -> str:
    """One CSV field: numbers as numbers (38 not 38.0), dates ISO, booleans true/false,
    None empty, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else fmt_points(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return csv_safe(str(value))


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


def instruction_list(
    ledger: pl.DataFrame, events: pl.DataFrame | None, period: Period
) -> list[dict[str, Any]]:
    """Leader instructions (领导批示) of the period: dicts date, unit, title, level, in date
    order; from the events when given, else from the ledger rows whose rule names 批示."""
    if events is not None and "type" in events.columns and events.height:
        ev = events.filter(pl.col("type") == "领导批示")
        if "date" in ev.columns:
            ev = ev.filter(pl.col("date").is_between(period.start, period.end))
        for c in ("unit", "unit_raw", "title", "level", "date"):
            if c not in ev.columns:
                ev = ev.with_columns(pl.lit(None, dtype=pl.String).alias(c))
        ev = ev.with_columns(pl.coalesce(pl.col("unit"), pl.col("unit_raw")).alias("unit"))
        return (
            ev.sort("date", "unit", nulls_last=True)
            .select("date", "unit", "title", "level")
            .to_dicts()
        )
    led = conform(ledger, LEDGER).filter(pl.col("rule").str.contains("批示"))
    led = led.unique(subset=["unit", "ref", "article_id"], keep="first", maintain_order=True)
    return [
        {"date": r["date"], "unit": r["unit"], "title": r["title"], "level": r["note"]}
        for r in led.sort("date", "unit", nulls_last=True).iter_rows(named=True)
    ]


def _quota_label(rules: Sequence[str | None]) -> str:
    """The words for a unit's missed submission tasks: the rules' common head before ·
    (基本任务·动态信息, 基本任务·专报信息 → 基本任务), else 报送任务."""
    heads = {str(r).split("·", 1)[0] for r in rules if r and "·" in str(r)}
    if len(heads) == 1 and all(r and "·" in str(r) for r in rules):
        return heads.pop()
    return "报送任务"


def _quota_window_title(label: str | None) -> str:
    """2018-05 → 2018年5月, 2018Q2 → 2018年第二季度, 2018-01~02 → 2018年1—2月."""
    label = label or ""
    if m := re.fullmatch(r"(\d{4})-(\d{2})~(\d{2})", label):
        return f"{m[1]}年{int(m[2])}—{int(m[3])}月"
    try:
        return Period.parse(label).title
    except InputError:
        return label


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


#: misses of one unit named one by one in the bulletin; beyond, every unit gets a count
SHORTFALLS_NAMED = 3


def _window_end(label: str | None) -> date | None:
    """Last day of a quota window: 2018-05, 2018Q2, 2018, 2018-01~02; None if unreadable."""
    label = label or ""
    if m := re.fullmatch(r"(\d{4})-(\d{2})~(\d{2})", label):
        label = f"{m[1]}-{m[3]}"
    try:
        return Period.parse(label).end
    except InputError:
        return None


def below_quota(result: Any, groups: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Units below a submission quota or basic task (未完成报送任务), one entry per unit in
    group then rank order: dicts unit, missed (windows or tasks missed), points (their
    total, ≤ 0), details (one text per miss), label (the section's words: 基本任务,
    全年目标任务, else 报送任务), summarised and note, the line the bulletin
    prints: the misses themselves when no unit missed more than SHORTFALLS_NAMED
    (「报送149/150条（扣2分）；综合类报送3/6条」), else 「未完成基本任务3项，扣15分」 for every
    unit (summarised; the statements list every miss). `groups`: the scheme's group order.

    Uses `result.quotas` when a scheme provides it (rows whose count is below `required`
    in a window that has ended with the period),
    else the ledger rows of source `quota` that record a shortfall (their note says 少)."""
    quotas = getattr(result, "quotas", None)
    misses: list[dict[str, Any]] = []
    if (
        isinstance(quotas, pl.DataFrame)
        and quotas.height
        and {"unit", "count", "required"} <= set(quotas.columns)
    ):
        df = quotas.filter(pl.col("count").fill_null(0) < pl.col("required"))
        if "period" in df.columns:
            df = df.sort("unit", "period", nulls_last=True)
        period = getattr(result, "period", None)
        own = getattr(period, "label", None)
        for r in df.iter_rows(named=True):
            end = _window_end(r.get("period"))
            if period is not None and end is not None and end > period.end:
                continue  # a window still open (青山's year in a quarter): progress, no miss
            pts = float(r.get("points") or 0.0)
            # 全年目标任务·综合类报送 → 综合类报送; the window only when it is not the period's
            what = str(r.get("rule") or "报送").split("·")[-1]
            window = "" if r.get("period") == own else _quota_window_title(r.get("period"))
            text = f"{window}{what}{r['count'] or 0}/{fmt_points(r['required'])}条"
            if pts < 0:
                text += f"（扣{fmt_points(-pts)}分）"
            misses.append({"unit": r["unit"], "rule": r.get("rule"), "points": pts, "text": text})
    else:
        led = conform(result.ledger, LEDGER).filter(
            (pl.col("source") == "quota") & pl.col("note").str.contains("少")
        )
        for u, rule, pts, note in (
            led.sort("unit", "date", nulls_last=True)
            .select("unit", "rule", "points", "note")
            .rows()
        ):
            misses.append({"unit": u, "rule": rule, "points": float(pts or 0.0), "text": note})
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for m in misses:
        by_unit.setdefault(m["unit"], []).append(m)
    # in group then rank order, as the ranking tables list them
    order = {u: i for i, u in enumerate(ordered_scores(result.scores, groups)["unit"].to_list())}
    units = sorted(by_unit, key=lambda u: (order.get(u, len(order)), u))
    # few misses each (银川, 青山): the misses; else counts and points for every unit (萧山)
    summarised = any(len(ms) > SHORTFALLS_NAMED for ms in by_unit.values())
    # the section's words: 基本任务 (萧山), 全年目标任务 (青山), else 报送任务
    label = _quota_label([m["rule"] for m in misses])
    out = []
    for unit in units:
        ms = by_unit[unit]
        total = math.fsum(m["points"] for m in ms)
        if not summarised:
            note = "；".join(m["text"] or f"未完成{_quota_label([m['rule']])}" for m in ms)
        else:
            note = f"未完成{_quota_label([m['rule'] for m in ms])}{len(ms)}项"
            if total < 0:
                note += f"，扣{fmt_points(-total)}分"
        out.append(
            {
                "unit": unit,
                "missed": len(ms),
                "points": total,
                "details": [m["text"] for m in ms],
                "summarised": summarised,
                "label": label,
                "note": note,
            }
        )
    return out


def target_section(
    scores: pl.DataFrame,
    groups: Sequence[str] | None = None,
    named_for_quota: Iterable[str] = (),
) -> dict[str, Any] | None:
    """What the bulletin says about targets (未完成目标任务单位).

    - None when no unit's target is judged (every `target_met` null: 青山 quarters, 建德
      months): the bulletin says nothing about targets.
    - {"points": True, "groups": below_target_by_group(...)} when targets are points (some
      `target` set); empty groups mean every unit reached its target.
    - {"points": False, "groups": [...]} when `target` is null for every unit, so that
      `target_met` is the scheme's own reading (银川: the submission quota; 青山's year: the
      yearly submission targets): per group, the units whose `target_met` is false with
      their `remark` as the reason, leaving out the units the quota section already names
      (`named_for_quota`); empty groups mean there is nothing left to say.
    """
    sc = ordered_scores(scores, groups)
    if not sc.height or sc["target_met"].null_count() == sc.height:
        return None
    if sc["target"].null_count() < sc.height:
        return {"points": True, "groups": below_target_by_group(sc, groups)}
    skip = set(named_for_quota)
    out: list[dict[str, Any]] = []
    rows = sc.filter((pl.col("target_met") == False) & ~pl.col("unit").is_in(list(skip)))  # noqa: E712
    for r in rows.select("unit", "group", "points", "remark").iter_rows(named=True):
        if not out or out[-1]["group"] != r["group"]:
            out.append({"group": r["group"], "target": None, "units": []})
        # 「未完成全年目标任务：综合类报送5/6条」 → 「综合类报送5/6条」
        reason = re.sub(r"^未完成[^：:，。；]{0,12}[：:]", "", (r["remark"] or "").strip())
        reason = reason.rstrip("。；;")
        out[-1]["units"].append({**r, "reason": reason or "未完成目标任务"})
    return {"points": False, "groups": out}


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


# --------------------------------------------------------------------------- statement changes


def unit_changes(changes: dict | None, unit: str) -> dict[str, Any] | None:
    """What changed for one unit since the previous version (本单位更正情况): dict previous,
    before, after, rank_before, rank_after, added, removed (LEDGER row dicts); None when
    there is no previous version or nothing changed for the unit."""
    if not changes:
        return None
    entry = next((u for u in changes.get("units") or [] if u.get("unit") == unit), None)
    ledger = changes.get("ledger") or {}
    added = [r for r in (ledger.get("added") or []) if r.get("unit") == unit]
    removed = [r for r in (ledger.get("removed") or []) if r.get("unit") == unit]
    if entry is None and not added and not removed:
        return None
    entry = entry or {}
    return {
        "previous": changes.get("previous"),
        "before": entry.get("before"),
        "after": entry.get("after"),
        "rank_before": entry.get("rank_before"),
        "rank_after": entry.get("rank_after"),
        "added": added,
        "removed": removed,
    }


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


def unit_quotas(quotas: pl.DataFrame | None, unit: str) -> list[dict[str, Any]]:
    """A unit's rows of ScoreResult.quotas (period, period_title, rule, clause, required,
    count, points, met) for its statement, in period order."""
    if quotas is None or quotas.height == 0:
        return []
    out = []
    for r in quotas.filter(pl.col("unit") == unit).sort("period", "rule").iter_rows(named=True):
        out.append(
            {
                **r,
                "period_title": _quota_window_title(r["period"]),
                "met": r["count"] is not None and r["count"] >= (r["required"] or 0),
            }
        )
    return out


def notice_list(notices: pl.DataFrame | None) -> list[dict[str, Any]]:
    """The bulletin's 通报批评 paragraph (ScoreResult.notices): one dict per unit named, in
    the order of the notices, with `unit`, `reasons` (「reason（clause）」 each) and `text`
    (the reasons joined by ；). Empty when the scheme names nobody (or has no such rule)."""
    if notices is None or notices.height == 0:
        return []
    by_unit: dict[str, list[str]] = {}
    for r in conform(notices, NOTICES).iter_rows(named=True):
        clause = f"（{r['clause']}）" if r["clause"] else ""
        by_unit.setdefault(r["unit"], []).append(f"{r['reason']}{clause}")
    return [
        {"unit": u, "reasons": list(dict.fromkeys(rs)), "text": "；".join(dict.fromkeys(rs))}
        for u, rs in by_unit.items()
    ]


def unit_notices(notices: pl.DataFrame | None, unit: str) -> list[dict[str, Any]]:
    """A unit's notices (通报批评) for its statement: dicts period, period_title, clause,
    reason, in period order."""
    if notices is None or notices.height == 0:
        return []
    df = (
        conform(notices, NOTICES).filter(pl.col("unit") == unit).sort("period", maintain_order=True)
    )
    return [
        {**r, "period_title": _quota_window_title(r["period"])} for r in df.iter_rows(named=True)
    ]
