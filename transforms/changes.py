"""What a rerun changed and why (更正说明), in words. Pure functions over plain records.

A version's manifest keeps the decisions in force (`decision_records`) and the adoption
rows of the period's files (`adoption_records`); comparing them with the previous
version's says which answer or which input row changed, instead of only which file.
`correction` turns a run's `changes` (flows.pipeline) into the one paragraph of the
bulletin and the rows of its attachment; `diff_scores` and `diff_ledgers` compare the
scores and ledgers of two versions, `unit_changes` says per unit what changed (its
statement's 本单位更正情况) and `change_lines` says it in the lines of its mail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from transforms.periods import Period
from transforms.publication_text import issue_label
from transforms.wording import fmt_points

#: decisions and rows named one by one in the paragraph; beyond, they are counted
NAMED = 3
#: adoption rows kept in a manifest at most (beyond, only the period's own rows)
RECORDS_MAX = 20_000

#: the Chinese name of each review question type (the decisions.csv `type`)
TYPE_LABELS = {
    "unit": "单位名称",
    "same_article": "同一篇信息",
    "no_submission": "采用信息的报送记录",
    "article_source": "信息来源单位",
    "submission": "报送邮件的单位",
    "date": "录用日期",
    "publication": "刊物名称",
}

_IGNORE = {"忽略", "ignore"}
_HASHLIKE = re.compile(r"[0-9a-f]{12,}(\|[0-9a-f]{12,})*")


# --------------------------------------------------------------------------- records


def decision_records(decisions: pl.DataFrame) -> list[dict[str, str]]:
    """The answered decisions (type, key, answer), sorted: what a manifest keeps."""
    if decisions is None or not decisions.height:
        return []
    rows = {
        (str(t), str(k)): str(a).strip()
        for t, k, a in decisions.select("type", "key", "answer").iter_rows()
        if t is not None and k is not None and a is not None and str(a).strip()
    }
    return [{"type": t, "key": k, "answer": a} for (t, k), a in sorted(rows.items())]


def adoption_records(
    adoptions: pl.DataFrame, period: Period, files: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The adoption rows of every file that holds a row of `period`, or is among `files`
    (those of the previous version), so that a row whose date moves into or out of the
    period is seen, as plain dicts file, row, publication, issue, date (ISO), title,
    units; only the period's rows beyond RECORDS_MAX."""
    if adoptions is None or not adoptions.height:
        return []
    in_period = pl.col("date").is_between(period.start, period.end)
    files = list(set(adoptions.filter(in_period)["source_file"].to_list()) | set(files))
    df = adoptions.filter(pl.col("source_file").is_in(files) | in_period)
    if df.height > RECORDS_MAX:
        df = adoptions.filter(in_period)
    df = df.sort("source_file", "source_row", nulls_last=True)
    return [
        {
            "file": r["source_file"],
            "row": r["source_row"],
            "publication": r["publication"],
            "issue": r["issue"],
            "date": r["date"].isoformat() if isinstance(r["date"], date) else r["date"],
            "title": r["title"],
            "units": r["units_raw"],
        }
        for r in df.select(
            "source_file", "source_row", "publication", "issue", "date", "title", "units_raw"
        ).iter_rows(named=True)
    ]


# --------------------------------------------------------------------------- diffs


def diff_decisions(before: list[dict] | None, after: list[dict]) -> dict[str, list[dict]] | None:
    """Decisions added, changed (dicts type, key, before, answer) and removed; None when
    the previous version kept no decisions (made by an older kaohe): then only the file
    can be named."""
    if before is None:
        return None
    b = {(d["type"], d["key"]): d["answer"] for d in before}
    a = {(d["type"], d["key"]): d["answer"] for d in after}
    return {
        "added": [{"type": t, "key": k, "answer": a[t, k]} for t, k in sorted(a.keys() - b.keys())],
        "changed": [
            {"type": t, "key": k, "before": b[t, k], "answer": a[t, k]}
            for t, k in sorted(a.keys() & b.keys())
            if a[t, k] != b[t, k]
        ],
        "removed": [
            {"type": t, "key": k, "answer": b[t, k]} for t, k in sorted(b.keys() - a.keys())
        ],
    }


def _title_key(r: dict) -> tuple:
    title = re.sub(r"\s+", "", str(r.get("title") or ""))
    return (r.get("publication"), str(r.get("issue") or ""), title)


def _in_period(r: dict, period: Period) -> bool:
    try:
        d = date.fromisoformat(str(r.get("date")))
    except ValueError:
        return False
    return period.start <= d <= period.end


def diff_adoption_rows(
    before: list[dict] | None, after: list[dict], period: Period
) -> dict[str, list[dict]]:
    """Adoption rows of the period that changed: `dates` (same periodical, issue and title,
    another date: dicts of the new row plus `before`, the old date), `units` (another
    printed unit), `added` and `removed` rows. A row counts when its old or new date is in
    `period`. All empty when the previous version kept no rows."""
    out: dict[str, list[dict]] = {"dates": [], "units": [], "added": [], "removed": []}
    if before is None:
        return out
    b: dict[tuple, list[dict]] = {}
    for r in before:
        b.setdefault(_title_key(r), []).append(r)
    a: dict[tuple, list[dict]] = {}
    for r in after:
        a.setdefault(_title_key(r), []).append(r)
    for key in sorted(set(a) | set(b), key=lambda k: tuple(str(x) for x in k)):
        old = {(r["date"], r.get("units")): r for r in b.get(key, [])}
        new = {(r["date"], r.get("units")): r for r in a.get(key, [])}
        gone = [old[k] for k in old if k not in new]
        came = [new[k] for k in new if k not in old]
        while gone and came:
            o, n = gone.pop(0), came.pop(0)
            if not (_in_period(o, period) or _in_period(n, period)):
                continue
            if o["date"] != n["date"]:
                out["dates"].append({**n, "before": o["date"]})
            else:
                out["units"].append({**n, "before": o.get("units")})
        out["added"] += [r for r in came if _in_period(r, period)]
        out["removed"] += [r for r in gone if _in_period(r, period)]
    return out


# --------------------------------------------------------------------------- words


def _article(r: dict, with_date: bool = False) -> str:
    when = f"，{r.get('date')}" if with_date else ""
    return f"《{r.get('title')}》（{issue_label(r.get('publication'), r.get('issue'))}{when}）"


def _where(r: dict) -> str:
    return f"{r['file']} 第{r['row']}行" if r.get("file") and r.get("row") else ""


def describe_decision(d: dict, titles: dict[str, str] | None = None) -> str:
    """One decision in words: 将“市文广局”认定为市文化广电新闻出版局. `titles` maps
    adoption ids to titles, for questions keyed by ids (same_article, no_submission)."""
    titles = titles or {}
    t, key, answer = d["type"], str(d["key"]), str(d.get("answer") or "")
    ignore = answer.strip().lower() in _IGNORE
    before = d.get("before")
    if t == "unit":
        if before is not None:
            return f"将“{key}”的认定由{before}改为{answer}"
        return f"“{key}”不计入任何单位" if ignore else f"将“{key}”认定为{answer}"
    if t == "same_article":
        ids = key.split("|")
        names = [f"《{titles[i]}》" for i in ids if i in titles]
        pair = "与".join(names) if len(names) == len(ids) else "两条采用信息"
        yes = answer in ("是", "yes", "y", "true", "1")
        return f"认定{pair}{'为' if yes else '不是'}同一篇信息"
    label = TYPE_LABELS.get(t, t)
    about = (
        f"《{titles[key]}》" if key in titles else ("" if _HASHLIKE.fullmatch(key) else f"“{key}”")
    )
    if t == "submission":
        about = ""  # a sender's address is not for a public text
    return f"对{label}的核实事项{about}答复为“{answer}”"


def describe_row(r: dict, kind: str) -> str:
    """One changed adoption row in words (kind: dates, units, added, removed)."""
    where = _where(r)
    if kind == "dates":
        return f"{where}{_article(r)}的日期由{r['before']}改为{r['date']}"
    if kind == "units":
        return f"{where}{_article(r)}的署名单位作了更正"
    word = "新增录用" if kind == "added" else "删除录用"
    return f"{word}{_article(r, with_date=True)}"


def _counted(items: list[str], word: str) -> list[str]:
    if len(items) <= NAMED:
        return items
    return items[:NAMED] + [f"另有{word}{len(items) - NAMED}项"]


@dataclass
class Correction:
    """The 更正说明 of a rerun: `reasons` (what changed, in words, for one paragraph),
    `units` (the attachment: units whose points changed; dicts unit, group, before, after,
    rank_before, rank_after, detail), `rank_only` (how many units changed rank only)."""

    previous: int | None
    reasons: list[str] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    rank_only: int = 0


def _ledger_detail(unit: str, ledger: dict) -> str:
    parts = []
    for key, sign in (("added", "＋"), ("removed", "－")):
        for r in ledger.get(key) or []:
            if r.get("unit") != unit:
                continue
            what = f"《{r['title']}》" if r.get("title") else (r.get("note") or r.get("rule_id"))
            pts = r.get("points")
            pts_s = "" if pts is None else f"{float(pts):g}分"
            parts.append(f"{sign}{what}{pts_s}")
    if len(parts) > NAMED:
        parts = parts[:NAMED] + [f"等{len(parts)}项"]
    return "；".join(parts)


def correction(
    changes: dict,
    groups: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
) -> Correction:
    """The 更正说明 from a run's `changes`: "decisions" (diff_decisions), "rows"
    (diff_adoption_rows), "inputs" (flows.outputs.diff_inputs, or a list of lines), "units"
    (diff_scores), "ledger" (diff_ledgers). `groups`: unit → group for the attachment.
    Files are named only for changes the decisions and rows do not explain (mail logs,
    events, the roster)."""
    groups = groups or {}
    reasons: list[str] = []
    dec = changes.get("decisions")  # None: not comparable, decisions.csv is named
    words = [
        describe_decision(d, titles)
        for key in ("added", "changed")
        for d in (dec or {}).get(key) or []
    ]
    words += [
        f"撤销对{TYPE_LABELS.get(d['type'], d['type'])}“{d['key']}”的认定"
        if d["type"] == "unit"
        else f"撤销对{TYPE_LABELS.get(d['type'], d['type'])}核实事项的答复"
        for d in (dec or {}).get("removed") or []
    ]
    reasons += _counted(words, "核实事项答复")
    rows = changes.get("rows") or {}
    for kind, word in (("dates", "日期更正"), ("units", "署名单位更正")):
        reasons += _counted([describe_row(r, kind) for r in rows.get(kind) or []], word)
    for kind, word in (("added", "新增录用"), ("removed", "删除录用")):
        items = rows.get(kind) or []
        if len(items) > NAMED:
            files = "、".join(dict.fromkeys(str(r.get("file")) for r in items))
            reasons.append(f"{word}{len(items)}条（{files}）")
        else:
            reasons += [describe_row(r, kind) for r in items]
    inputs = changes.get("inputs") or {}
    if isinstance(inputs, dict):
        # named by their rows or answers above: the adoption files whose rows of the
        # period changed, decisions.csv when the answers in force could be compared
        explained = {str(r.get("file")) for kind in rows.values() for r in kind or []}
        if dec is not None:
            explained.add("decisions.csv")
        for key, word in (("added", "新增"), ("changed", "修改"), ("removed", "删除")):
            files = [str(f) for f in inputs.get(key) or [] if str(f) not in explained]
            if files:
                reasons.append(f"{word}数据文件{'、'.join(files)}")
    else:
        reasons += [
            "，".join(str(v) for v in i.values() if v not in (None, ""))
            if isinstance(i, dict)
            else str(i)
            for i in inputs
        ]
    if not reasons and changes.get("reason"):
        reasons.append(str(changes["reason"]))
    out = Correction(previous=changes.get("previous"), reasons=reasons)
    ledger = changes.get("ledger") or {}
    for u in changes.get("units") or []:
        if u.get("before") == u.get("after"):
            out.rank_only += 1
            continue
        out.units.append(
            {
                **u,
                "group": groups.get(u.get("unit")),
                "detail": _ledger_detail(u.get("unit"), ledger),
            }
        )
    return out


def titles_of(adoptions: pl.DataFrame) -> dict[str, str]:
    """adoption_id → title, for describing decisions keyed by adoption ids."""
    if adoptions is None or not adoptions.height:
        return {}
    return dict(adoptions.select("adoption_id", "title").iter_rows())


# --------------------------------------------------------------------------- versions


def diff_scores(before: pl.DataFrame | None, after: pl.DataFrame) -> list[dict]:
    """Units whose points or rank changed between two versions."""
    if before is None or before.is_empty():
        return []
    joined = after.select("unit", "points", "rank").join(
        before.select("unit", pl.col("points").alias("before"), pl.col("rank").alias("rank_b")),
        on="unit",
        how="full",
        coalesce=True,
    )
    changed = joined.filter(
        (pl.col("points").fill_null(-1e18) != pl.col("before").fill_null(-1e18))
        | (pl.col("rank").fill_null(-1) != pl.col("rank_b").fill_null(-1))
    )
    return [
        {
            "unit": r["unit"],
            "before": r["before"],
            "after": r["points"],
            "rank_before": r["rank_b"],
            "rank_after": r["rank"],
        }
        for r in changed.sort("unit").iter_rows(named=True)
    ]


_LEDGER_KEY = ["unit", "rule_id", "ref", "points"]


def diff_ledgers(before: pl.DataFrame | None, after: pl.DataFrame) -> dict:
    """Ledger rows added and removed (by unit, rule, record and points)."""
    if before is None:
        return {"added": [], "removed": []}
    shown = _LEDGER_KEY + ["clause", "title", "note"]
    a = after.select(shown)
    b = before.select(shown)
    added = a.join(b.select(_LEDGER_KEY), on=_LEDGER_KEY, how="anti", nulls_equal=True)
    removed = b.join(a.select(_LEDGER_KEY), on=_LEDGER_KEY, how="anti", nulls_equal=True)
    return {"added": added.to_dicts(), "removed": removed.to_dicts()}


def describe_changes(changes: dict) -> str:
    """One Chinese line summing up what a rerun changed against the previous version."""
    inputs = changes.get("inputs") or {}
    ledger = changes.get("ledger") or {}
    files = "，".join(
        f"{word} {len(inputs.get(key) or [])} 个"
        for key, word in (("added", "新增"), ("changed", "修改"), ("removed", "删除"))
        if inputs.get(key)
    )
    decisions = sum(len(v) for v in (changes.get("decisions") or {}).values())
    rows = sum(len(v) for v in (changes.get("rows") or {}).values())
    units = changes.get("units") or []
    points = sum(1 for u in units if u.get("before") != u.get("after"))
    return (
        f"与 v{changes.get('previous')} 相比：数据文件{files or '无变化'}"
        + (f"，核实答复变动 {decisions} 项" if decisions else "")
        + (f"，本期录用行变动 {rows} 行" if rows else "")
        + f"；得分变化的单位 {points} 个、仅排名变化的 {len(units) - points} 个；"
        f"计分明细新增 {len(ledger.get('added') or [])} 条、撤销 {len(ledger.get('removed') or [])} 条"
    )


def unit_changes(changes: dict | None) -> dict[str, dict[str, Any]]:
    """What changed for each unit since the previous version (本单位更正情况): unit → dict
    previous, before, after, rank_before, rank_after, added, removed (LEDGER row dicts),
    from `changes` ("previous", "units": diff_scores, "ledger": diff_ledgers). A unit for
    which nothing changed has no entry; no entry at all without a previous version."""
    if not changes:
        return {}
    ledger = changes.get("ledger") or {}
    out: dict[str, dict[str, Any]] = {}

    def entry(unit: str) -> dict[str, Any]:
        if unit not in out:
            out[unit] = {
                "previous": changes.get("previous"),
                "before": None,
                "after": None,
                "rank_before": None,
                "rank_after": None,
                "added": [],
                "removed": [],
            }
        return out[unit]

    for u in changes.get("units") or []:
        if u.get("unit") not in out:  # the first entry of a unit counts
            e = entry(u.get("unit"))
            for k in ("before", "after", "rank_before", "rank_after"):
                e[k] = u.get(k)
    for key in ("added", "removed"):
        for r in ledger.get(key) or []:
            entry(r.get("unit"))[key].append(r)
    return out


def change_lines(change: dict[str, Any] | None) -> list[str]:
    """One unit's `unit_changes` entry as the lines of its mail (更正): points, rank, and
    the ledger rows (计分明细) added and removed."""
    if not change:
        return []
    lines = []
    if change["before"] != change["after"]:
        lines.append(
            f"得分由 {fmt_points(change['before'])} 分更正为 {fmt_points(change['after'])} 分"
        )
    if change["rank_before"] != change["rank_after"]:
        rb = f"第 {change['rank_before']} 名" if change["rank_before"] is not None else "未列入排名"
        ra = f"第 {change['rank_after']} 名" if change["rank_after"] is not None else "未列入排名"
        lines.append(f"排名由{rb}更正为{ra}")
    for key, word in (("added", "新增计分"), ("removed", "撤销计分")):
        for r in change[key]:
            note = f"（{r['note']}）" if r.get("note") else ""
            lines.append(f"{word}：{r['rule_id']} {fmt_points(r['points'])} 分{note}")
    return lines


__all__: Sequence[str] = [
    "adoption_records",
    "change_lines",
    "correction",
    "decision_records",
    "describe_changes",
    "describe_decision",
    "describe_row",
    "diff_adoption_rows",
    "diff_decisions",
    "diff_ledgers",
    "diff_scores",
    "titles_of",
    "unit_changes",
    "Correction",
]
