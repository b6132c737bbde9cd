"""Who the bulletin (通报) praises and who it names (通报表扬, 存在问题): the units ranked
first, the units with no submission or no adoption, below their target, below a
submission quota, the commissions done and not done, the public notices. Pure functions
over the result's frames.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from transforms.errors import InputError
from transforms.figures import (
    group_order,
    ordered_scores,
    period_adoptions,
    period_submissions,
    submitted_counts,
)
from transforms.periods import Period
from transforms.schema import ADOPTION_UNITS, NOTICES, SCORES, conform
from transforms.wording import fmt_points, rule_heading, rule_item, window_title

if TYPE_CHECKING:
    from schemes.contract import ScoreResult


def praise(scheme_groups: Sequence[Any], scores: pl.DataFrame, n: int = 3) -> list[dict[str, Any]]:
    """Praise (通报表扬) per group, in the scheme's group order: dicts group, judged (some
    unit's `target_met` is known, so only units that met their target are praised),
    points_target (the target is a number of points), units (dicts unit, points, rank,
    tied: another unit of the group shares the rank). Named: units ranked 1..n (ties
    included) with positive points and, when judged, `target_met` true. A judged group
    where nobody qualifies has no units (the bulletin says so); a group not judged and
    without positive points is left out."""
    sc = conform(scores, SCORES)
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


def below_quota(result: ScoreResult, groups: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Units below a submission quota or basic task (未完成报送任务), one entry per unit in
    group then rank order: dicts unit, missed (windows or tasks missed), points (their
    total, ≤ 0), details (one text per miss), label (the section's words: 基本任务,
    全年目标任务, else 报送任务), summarised and note, the line the bulletin
    prints: the misses themselves when no unit missed more than SHORTFALLS_NAMED
    (「报送149/150条（扣2分）；综合类报送3/6条」), else 「未完成基本任务3项，扣15分」 for every
    unit (summarised; the statements list every miss). `groups`: the scheme's group order.

    A miss is a row of `result.quotas` whose `count` is below `required` in a window that
    has ended with the period; its `points` are what it cost. No quotas (None: the scheme
    has no submission rules), no misses."""
    misses: list[dict[str, Any]] = []
    quotas = result.quotas
    period = result.period
    if quotas is not None and quotas.height:
        df = quotas.filter(pl.col("count").fill_null(0) < pl.col("required"))
        for r in df.sort("unit", "period", nulls_last=True).iter_rows(named=True):
            end = _window_end(r["period"])
            if end is not None and end > period.end:
                continue  # a window still open (青山's year in a quarter): progress, no miss
            pts = float(r["points"] or 0.0)
            # 全年目标任务·综合类报送 → 综合类报送; the window only when it is not the period's
            what = rule_item(r["rule"] or "报送")
            window = "" if r["period"] == period.label else window_title(r["period"])
            text = f"{window}{what}{r['count'] or 0}/{fmt_points(r['required'])}条"
            if pts < 0:
                text += f"（扣{fmt_points(-pts)}分）"
            misses.append({"unit": r["unit"], "rule": r["rule"], "points": pts, "text": text})
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
        # the scheme's remark on the unit as it wrote it, without closing punctuation
        reason = (r["remark"] or "").strip().rstrip("。；;")
        out[-1]["units"].append({**r, "reason": reason or "未完成目标任务"})
    return {"points": False, "groups": out}


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


def _quota_label(rules: Sequence[str | None]) -> str:
    """The words for a unit's missed submission tasks: the rules' common heading
    (基本任务·动态信息, 基本任务·专报信息 → 基本任务), else 报送任务."""
    heads = [rule_heading(r) for r in rules]
    if heads and None not in heads and len(set(heads)) == 1:
        return str(heads[0])
    return "报送任务"
