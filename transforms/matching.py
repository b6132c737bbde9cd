"""Unit-name matching (单位名称匹配): printed names → roster units.

Periodicals print a unit the way the editor likes: 「建德市发改局」「市发改局」「发改局（张三）」
「（建德市发改局供稿）」, 「财政局」 for 「财政（地税）局」, 「梅城」 for 「梅城镇」. This module
turns such names into the roster's canonical unit names, in this order:

1. decision  — the user's answer in decisions.csv (type `unit`, key = normalised name);
2. exact     — the name as printed is a roster name;
3. normalized — equal after `normalize_name` (with or without place prefixes);
4. alias     — a roster alias, or an abbreviation built the way periodicals print them;
5. fuzzy     — rapidfuzz similarity, accepted only when high and clearly ahead of the
               second-best unit.

Anything else goes to the review list (待核实清单). The name index is built once per roster
(`unit_index`) and shared by the calls of a run.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from rapidfuzz import fuzz, process

from transforms import roster_changes, schema
from transforms.errors import InputError
from transforms.review import about
from transforms.submissions import SAFE_TEXT

# --- normalisation ---------------------------------------------------------------------------

#: Brackets unified to ASCII ( ) after NFKC (which already maps （） to ()).
_BRACKETS = str.maketrans({"【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})
#: Words that end a writer attribution (供稿 …); dropped at the end of a name.
_SOURCE_WORDS = ("供稿", "提供", "报送", "整理", "来稿", "撰稿")
#: Last characters / words of a unit name (used to tell a unit from a person's name).
UNIT_ENDINGS = (
    "局",
    "办",
    "委",
    "会",
    "镇",
    "乡",
    "街道",
    "公司",
    "中心",
    "区",
    "院",
    "所",
    "站",
    "队",
    "部",
    "厅",
    "处",
    "室",
    "馆",
    "社",
    "行",
    "集团",
    "政府",
    "组",
)
#: Common Chinese surnames: a short name starting with one of these after a space or in
#: trailing brackets is taken for the writer (「发改局（张三）」「市发改局 李四」).
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤洪楼俞应章鲍翁舒"
)
#: Words starting with 市/区/县 that are not a place prefix (市场监管局 is not 场监管局).
# Words that begin with a place character but are not a place prefix. 市委/区委/县委 are
# party organs: 「市委宣传部」 is not 「委宣传部」.
_PREFIX_GUARDS = (
    "市场",
    "市政",
    "市民",
    "市容",
    "市级",
    "市委",
    "区域",
    "区划",
    "区委",
    "县域",
    "县级",
    "县委",
)
#: Generic level prefixes dropped from roster names and printed names (市农办 → 农办).
_GENERIC_PREFIXES = ("市", "区", "县")
#: Separators between units in an adoption's units field.
_SEPARATORS = "、；;,，/／"

_HAN = r"[\u4e00-\u9fff]"
_PERSON = re.compile(f"{_HAN}{{2,4}}")
_SPACES = re.compile(r"\s+")
_PERSON_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_TRAILING_BRACKET = re.compile(r"\(([^()]*)\)\s*$")
_OPENING = re.compile(r"[(（【\[]")


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s or "").translate(_BRACKETS)


def _is_person(s: str) -> bool:
    """A writer's name: 2–4 Han characters starting with a common surname, not a unit."""
    s = s.strip()
    return _PERSON.fullmatch(s) is not None and s[0] in SURNAMES and not s.endswith(UNIT_ENDINGS)


def _is_attribution(content: str) -> bool:
    """Bracket content that names the writer or source rather than the unit."""
    c = _SPACES.sub(" ", content).strip()
    if not c or any(w in c for w in _SOURCE_WORDS):
        return True
    parts = [p for p in _PERSON_SEPARATORS.split(c) if p]
    return bool(parts) and all(_is_person(p) for p in parts)


def strip_place_prefix(s: str, prefixes: tuple[str, ...], guard: bool = True) -> str:
    """Drop place prefixes (longest first, repeatedly) while something meaningful remains.
    With `guard`, words such as 市场 or 市委 keep their first character."""
    if not prefixes or not s.startswith(tuple(prefixes)):
        return s  # nothing to drop (most titles and names): skip the loop
    ordered = sorted(prefixes, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for p in ordered:
            if p and s.startswith(p):
                rest = s[len(p) :]
                if len(rest) >= 2 and not (guard and s.startswith(_PREFIX_GUARDS)):
                    s = rest
                    changed = True
                    break
    return s


def normalize_name(s: str, place_prefixes: tuple[str, ...] = ()) -> str:
    """Normalise a printed unit name: 「（建德市发改局供稿）」 → 发改局 (with prefix 建德市).

    NFKC (full width → half width), brackets unified to ( ), a trailing writer attribution
    dropped (in brackets or after a space), the suffixes 供稿/提供/报送/整理/来稿/撰稿
    dropped, whitespace removed, then place prefixes dropped (longest first) while at least
    two characters remain. Callers that must not lose a prefix (市农办 is itself a roster
    name) look a name up both with and without prefixes (see `UnitIndex`).
    """
    return strip_place_prefix(_normalized(s), tuple(place_prefixes))


@functools.lru_cache(maxsize=1 << 16)
def _normalized(s: str | None) -> str:
    """`normalize_name` before place prefixes (asked several times per distinct name)."""
    s = _nfkc(s).strip()
    # A name wholly in brackets: 「（建德市发改局供稿）」.
    while len(s) >= 2 and s[0] == "(" and s[-1] == ")" and s.count("(") == 1:
        s = s[1:-1].strip()
    # Writer after the last space: 「市发改局 李四」.
    parts = s.rsplit(None, 1)
    if len(parts) == 2 and _is_attribution(parts[1]):
        s = parts[0]
    # Trailing bracket with a writer or source: 「发改局（张三）」「发改局（李四供稿）」.
    while m := _TRAILING_BRACKET.search(s):
        if m.start() == 0 or not _is_attribution(m[1]):
            break
        s = s[: m.start()].rstrip()
    s = _SPACES.sub("", s)
    changed = True
    while changed:
        changed = False
        for w in _SOURCE_WORDS:
            if s.endswith(w) and len(s) > len(w):
                s = s[: -len(w)]
                changed = True
    if s.count("(") != s.count(")"):
        s = s.strip("()")
    return s


def split_units(field: str) -> list[str]:
    """Split an adoption's units field into printed names.

    Separators: 、 ； ; , ， / (outside brackets), and a whitespace run between two names
    (both sides at least two characters, the right side not a writer's name: 「市发改局 李四」
    stays one name whose writer `normalize_name` drops). 和/与 are not separators (too risky).
    """
    text = field or ""
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        if ch in "(（【[":
            depth += 1
        elif ch in ")）】]":
            depth = max(0, depth - 1)
        if depth == 0 and ch in _SEPARATORS:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        pieces = _SPACES.split(part) if not _OPENING.search(part) else [part]
        merged: list[str] = []
        for piece in pieces:
            if merged and (len(merged[-1]) < 2 or len(piece) < 2 or _is_attribution(piece)):
                # Justified spacing (「发 改 局」) or a writer: not a separator.
                merged[-1] = merged[-1] + " " + piece
            else:
                merged.append(piece)
        out.extend(p for p in merged if p.strip())
    return out


# --- the index -------------------------------------------------------------------------------


def _variants(s: str, prefixes: tuple[str, ...]) -> list[str]:
    """Lookup forms of a name: without prefixes, with place prefixes and generic 市/区/县
    dropped. The unstripped form comes first so that 市农办 matches 市农办 itself."""
    base = _normalized(s)
    out = [base]
    for p in (prefixes, _GENERIC_PREFIXES, (*prefixes, *_GENERIC_PREFIXES)):
        v = strip_place_prefix(base, tuple(p))
        if v not in out:
            out.append(v)
    # Last, without the guards: 「市民政局」 is 市 + 民政局 when no unit is called 市民政局.
    v = strip_place_prefix(base, (*prefixes, *_GENERIC_PREFIXES), guard=False)
    if v not in out:
        out.append(v)
    return [v for v in out if v]


def _abbreviations(unit: str) -> list[str]:
    """Abbreviations periodicals print for a roster name.

    「财政（地税）局」 → 财政局, 地税局; 「开发区（航空小镇）」 → 开发区, 航空小镇;
    「梅城镇」 → 梅城 (and 梅城镇人民政府); 「新安江街道」 → 新安江 (and …街道办事处).
    Dropping a trailing type word in general is not safe (发改局 vs 发改委), so only towns.
    """
    s = _nfkc(unit).strip()
    out: list[str] = []
    if m := re.fullmatch(r"([^()]*)\(([^()]+)\)([^()]*)", s):
        out += [m[1] + m[3], m[2] + m[3]]
    for name in [s, *out]:
        for end, long in (("镇", "人民政府"), ("乡", "人民政府"), ("街道", "办事处")):
            if name.endswith(end) and not name.endswith("小镇") and len(name) - len(end) >= 2:
                out += [name[: -len(end)], name + long]
    return [o for o in out if len(o) >= 2]


def printed_aliases(unit: str, aliases: Iterable[str] = ()) -> list[str]:
    """A roster row's aliases followed by the abbreviations periodicals print that the
    matcher derives (`_abbreviations`: 梅城 for 梅城镇, 财政局 and 地税局 for 财政（地税）局 …),
    without repeats and without the unit's own name: what `kaohe init` writes into units.csv."""
    names = [a for a in aliases if a]
    names += [b for n in (unit, *names) for b in _abbreviations(n)]
    return [n for n in dict.fromkeys(names) if n != unit]


def unit_spellings(units: pl.DataFrame, prefixes: tuple[str, ...] = ()) -> list[str]:
    """Every way the roster writes a unit: its name, its aliases, their abbreviations
    (`_abbreviations`) and each without the place prefix (区城市管理综合执法局 →
    城市管理综合执法局)."""
    names = [
        n
        for unit, aliases in units.select("unit", "aliases").iter_rows()
        for n in (unit, *(aliases or []))
        if n
    ]
    names += [a for n in names for a in _abbreviations(n)]
    names += [strip_place_prefix(_nfkc(n).strip(), prefixes) for n in names]
    return list(dict.fromkeys(names))


@dataclass
class UnitIndex:
    """Name index over a roster: built once, then `lookup` and `fuzzy` per distinct name."""

    units: list[str]
    place_prefixes: tuple[str, ...] = ()
    exact: dict[str, str] = field(default_factory=dict)
    normalized: dict[str, set[str]] = field(default_factory=dict)
    alias: dict[str, set[str]] = field(default_factory=dict)
    emails: dict[str, set[str]] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)
    choice_units: list[str] = field(default_factory=list)
    #: name → `lookup`'s answer (a log names the same few units a million times)
    looked: dict[str, tuple[str | None, str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, units: pl.DataFrame, place_prefixes: tuple[str, ...] = ()) -> UnitIndex:
        units = schema.conform(units, schema.UNITS)
        idx = cls(units=units["unit"].to_list(), place_prefixes=tuple(place_prefixes))
        for row in units.iter_rows(named=True):
            unit = row["unit"]
            idx.exact[unit.strip()] = unit
            for v in _variants(unit, idx.place_prefixes):
                idx.normalized.setdefault(v, set()).add(unit)
            for a in [*(row["aliases"] or []), *_abbreviations(unit)]:
                for v in _variants(a, idx.place_prefixes):
                    idx.alias.setdefault(v, set()).add(unit)
            for e in row["emails"] or []:
                if e and e.strip():
                    idx.emails.setdefault(e.strip().lower(), set()).add(unit)
        pairs = {
            (k, u) for layer in (idx.normalized, idx.alias) for k, us in layer.items() for u in us
        }
        for k, u in sorted(pairs):
            idx.choices.append(k)
            idx.choice_units.append(u)
        return idx

    def lookup(self, name: str) -> tuple[str | None, str]:
        """(unit, method) by exact, normalized or alias match; (None, 'none') otherwise.
        A key two units claim is ambiguous and not used."""
        hit = self.looked.get(name)
        if hit is None:
            hit = self.looked[name] = self._lookup(name)
        return hit

    def _lookup(self, name: str) -> tuple[str | None, str]:
        if name.strip() in self.exact:
            return self.exact[name.strip()], "exact"
        variants = _variants(name, self.place_prefixes)
        for method, layer in (("normalized", self.normalized), ("alias", self.alias)):
            for v in variants:
                hit = layer.get(v)
                if hit and len(hit) == 1:
                    return next(iter(hit)), method
        return None, "none"

    def scores(self, name: str) -> list[tuple[str, float]]:
        """Every unit with its best fuzzy score against `name`, best first.

        fuzz.WRatio: for short Chinese names it equals fuzz.ratio when lengths are close
        (市场监督管理局/市场监管局 83) and rewards containment when one is much longer
        (新安江街道办事处/新安江街道 90), which is how printed names differ."""
        key = normalize_name(name, self.place_prefixes)
        if not key or not self.choices:
            return []
        best: dict[str, float] = {}
        hits = process.extract(key, self.choices, scorer=fuzz.WRatio, limit=None)
        for _choice, score, i in hits:
            u = self.choice_units[i]
            if score > best.get(u, -1.0):
                best[u] = float(score)
        return sorted(best.items(), key=lambda t: (-t[1], t[0]))

    def email_unit(self, sender: str | None) -> str | None:
        addr = extract_email(sender)
        hit = self.emails.get(addr) if addr else None
        return next(iter(hit)) if hit and len(hit) == 1 else None


#: The last rosters indexed: (place prefixes, roster content) → UnitIndex.
_INDEXES: dict[tuple, UnitIndex] = {}


def unit_index(units: pl.DataFrame, place_prefixes: tuple[str, ...] = ()) -> UnitIndex:
    """`UnitIndex.build`, shared by calls over the same roster (adoptions, submissions and
    events of one run): keyed by the roster's names, aliases and emails and the prefixes."""
    conformed = schema.conform(units, schema.UNITS)
    key = (
        tuple(place_prefixes),
        *(
            tuple(tuple(v) if isinstance(v, list) else v for v in conformed[c].to_list())
            for c in ("unit", "aliases", "emails")
        ),
    )
    idx = _INDEXES.get(key)
    if idx is None:
        idx = UnitIndex.build(conformed, place_prefixes)
        if len(_INDEXES) >= 4:  # a few rosters at a time (tests and runs of other schemes)
            _INDEXES.clear()
        _INDEXES[key] = idx
    return idx


#: An e-mail address in a sender field.
_EMAIL = r"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+"


def extract_email(sender: str | None) -> str | None:
    """The address in 「张三 <a@b.cn>」 or 「a@b.cn」, lower-cased; None if there is none."""
    if not sender:
        return None
    m = re.search(_EMAIL, sender)
    return m[0].lower() if m else None


# --- decisions -------------------------------------------------------------------------------

IGNORE = "忽略"


def _decisions(
    decisions: pl.DataFrame | None, kind: str, normalize=None
) -> dict[str, tuple[str, int | None]]:
    """key → (answer, source row) for decisions of one type with a non-empty answer.
    `normalize` is applied to the keys (a user may retype a key from review.csv)."""
    if decisions is None or decisions.height == 0 or "type" not in decisions.columns:
        return {}
    has_row = "source_row" in decisions.columns
    out: dict[str, tuple[str, int | None]] = {}
    for i, row in enumerate(decisions.iter_rows(named=True)):
        answer = (row.get("answer") or "").strip()
        if (row.get("type") or "").strip() == kind and answer:
            key = (row.get("key") or "").strip()
            out[normalize(key) if normalize else key] = (
                answer,
                row["source_row"] if has_row else i + 2,
            )
    return out


def _decided_unit(idx: UnitIndex, answer: str, row: int | None) -> str | None:
    """The roster unit a decision names (None for 忽略); an unknown answer is an input error."""
    if answer == IGNORE:
        return None
    unit, _ = idx.lookup(answer)
    if unit is None:
        raise InputError(
            f"答复「{answer}」不是名单中的单位：请填写 units.csv（或考核办法名单）中的单位名称，"
            f"或填写「{IGNORE}」",
            file="decisions.csv",
            row=row,
        )
    return unit


# --- resolving names -------------------------------------------------------------------------

_REASON_NONE = "无法确定单位，请在 decisions.csv 中填写答复"
_REASON_DOUBT = "相似度不足，请在 decisions.csv 中填写答复"
_REASON_TIE = "多个单位同样相似，请在 decisions.csv 中填写答复"

_RESOLVED = {
    "name": pl.String,
    "key": pl.String,
    "unit": pl.String,
    "method": pl.String,
    "score": pl.Float64,
    "candidates": pl.String,
}


def _resolve_one(
    idx: UnitIndex,
    name: str,
    decided: dict[str, tuple[str, int | None]],
    accept: float,
    doubt: float,
    margin: float = 5.0,
) -> dict:
    key = normalize_name(name, idx.place_prefixes)
    row = {"name": name, "key": key, "unit": None, "method": "none", "score": 0.0}
    row["candidates"] = ""
    row["reason"] = ""
    if key in decided:
        answer, src = decided[key]
        unit = _decided_unit(idx, answer, src)
        row.update(unit=unit, method="decision" if unit else "ignored", score=100.0)
        return row
    unit, method = idx.lookup(name)
    if unit is not None:
        row.update(unit=unit, method=method, score=100.0)
        return row
    ranked = idx.scores(name)
    row["candidates"] = "；".join(f"{u}({s:.0f})" for u, s in ranked[:3] if s > 0)
    if ranked:
        best_unit, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        row["score"] = best
        if best >= accept and best - second >= margin:
            row.update(unit=best_unit, method="fuzzy")
        elif best >= accept:
            row["reason"] = _REASON_TIE
        elif best >= doubt:
            row["reason"] = _REASON_DOUBT
        else:
            row["reason"] = _REASON_NONE
    else:
        row["reason"] = _REASON_NONE
    return row


def _resolve_all(
    idx: UnitIndex,
    names: list[str],
    decisions: pl.DataFrame | None,
    accept: float,
    doubt: float,
) -> dict[str, dict]:
    """name → resolution, each distinct name resolved once."""
    decided = _decisions(decisions, "unit", lambda k: normalize_name(k, idx.place_prefixes))
    out: dict[str, dict] = {}
    for name in names:
        if name not in out:
            out[name] = _resolve_one(idx, name, decided, accept, doubt)
    return out


def resolve_names(
    names: list[str],
    units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    place_prefixes: tuple[str, ...] = (),
    accept: float = 90,
    doubt: float = 75,
) -> pl.DataFrame:
    """Resolve printed names to roster units.

    Columns: name, key (normalised), unit (null when unresolved or ignored), method
    (decision|ignored|exact|normalized|alias|fuzzy|none), score (0–100), candidates (the
    best three 「单位(分数)」 joined by 「；」, for unresolved names). One row per input name.
    """
    idx = unit_index(units, place_prefixes)
    res = _resolve_all(idx, names, decisions, accept, doubt)
    rows = [{k: res[n][k] for k in _RESOLVED} for n in names]
    return pl.DataFrame(rows, schema=_RESOLVED)


def _review_frame(rows: list[dict]) -> pl.DataFrame:
    """REVIEW frame, deduplicated per (type, key) keeping the first file/row; the count of
    further occurrences is noted in the reason."""
    seen: dict[tuple[str, str], dict] = {}
    counts: dict[tuple[str, str], int] = {}
    days: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        k = (r["type"], r["key"])
        counts[k] = counts.get(k, 0) + 1
        seen.setdefault(k, r)
        if r.get("date"):
            days.setdefault(k, set()).add(r["date"])
    out = []
    for k, r in seen.items():
        r = dict(r)
        if counts[k] > 1:
            r["reason"] = f"{r['reason']}（共{counts[k]}处）"
            # every day the name is printed on: the question is about each of them
            r["date"] = "、".join(sorted(days.get(k, ()))) or None
        r.setdefault("answer", "")
        out.append(r)
    if not out:
        return schema.empty(schema.REVIEW)
    return schema.conform(pl.DataFrame(out, infer_schema_length=None), schema.REVIEW)


# --- adoptions -------------------------------------------------------------------------------


def match_adoption_units(
    adoptions: pl.DataFrame,
    units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    place_prefixes: tuple[str, ...] = (),
    accept: float = 90,
    doubt: float = 75,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Match each adoption's printed units field to roster units.

    Returns (ADOPTION_UNITS, REVIEW). `position` is the index in the split field; `n_units`
    the number of names not ignored by a decision (unmatched names count: they are units we
    could not name). An adoption with no matched unit has no ADOPTION_UNITS row (it is not
    scored) and its names appear in the review list.
    """
    idx = unit_index(units, place_prefixes)
    adoptions = schema.conform(adoptions, schema.ADOPTIONS)
    fields = adoptions["units_raw"].fill_null("")
    # A periodical prints the same few fields for thousands of adoptions: each distinct
    # field is split and resolved once.
    distinct = fields.unique(maintain_order=True).to_list()
    split = {f: split_units(f) for f in distinct}
    res = _resolve_all(idx, [n for f in distinct for n in split[f]], decisions, accept, doubt)
    matched: dict[str, list] = {c: [] for c in ("field", *schema.ADOPTION_UNITS)}
    unmatched: dict[str, list[dict]] = {}
    for f in distinct:
        resolved = [res[p] for p in split[f]]
        # names not ignored; a unit printed twice (发改局、市发改局) counts once
        n_units = len({r["unit"] for r in resolved if r["unit"]}) + sum(
            r["method"] == "none" for r in resolved
        )
        seen: set[str] = set()
        for pos, r in enumerate(resolved):
            if r["unit"] is not None:
                if r["unit"] in seen:
                    continue
                seen.add(r["unit"])
                for c, v in (
                    ("field", f),
                    ("unit", r["unit"]),
                    ("position", pos),
                    ("n_units", n_units),
                    ("method", r["method"]),
                    ("score", r["score"]),
                ):
                    matched[c].append(v)
            elif r["method"] == "none":
                unmatched.setdefault(f, []).append(r)
    per_field = pl.DataFrame(
        {c: v for c, v in matched.items() if c != "adoption_id"},
        schema={
            "field": pl.String,
            **{c: t for c, t in schema.ADOPTION_UNITS.items() if c != "adoption_id"},
        },
    )
    au = (
        adoptions.select("adoption_id", field=fields)
        .join(per_field, on="field", how="inner", maintain_order="left_right")
        .select(list(schema.ADOPTION_UNITS))
    )
    review: list[dict] = []
    if unmatched:
        for a in adoptions.filter(fields.is_in(list(unmatched))).iter_rows(named=True):
            issue = a["issue"] or (a["date"].isoformat() if a["date"] else "")
            for r in unmatched[a["units_raw"] or ""]:
                review.append(
                    {
                        "type": "unit",
                        "key": r["key"],
                        "file": a["source_file"],
                        "row": a["source_row"],
                        "unit": r["name"],
                        **about(a["publication"], a["issue"], a["date"], a["title"]),
                        "text": f"《{a['publication']}》{issue} {a['title']}：{r['name']}",
                        "candidates": r["candidates"],
                        "reason": r["reason"],
                    }
                )
    return au, _review_frame(review)


# --- submissions -----------------------------------------------------------------------------

_SUBJECT_PATTERNS = (
    r"^\s*[【\[(（]([^】\])）]{2,30})[】\])）]",  # 【区发改局】… [发改局]…
    r"^\s*([^:：\s]{2,20})\s*[:：]",  # 发改局：…
)

_REASON_SUBMISSION = (
    "无法确定报送单位：请在 units.csv 的 emails 中登记发件地址，或在邮件日志中填写 unit 列，"
    "或在 decisions.csv 中填写答复"
)


def _subject_unit(idx: UnitIndex, subject: str | None) -> str | None:
    if not subject:
        return None
    s = unicodedata.normalize("NFKC", subject)
    for pat in _SUBJECT_PATTERNS:
        if m := re.search(pat, s):
            unit, _ = idx.lookup(m[1])
            if unit:
                return unit
    return None


def _subject_units(idx: UnitIndex, subjects: pl.Series) -> pl.Series:
    """`_subject_unit` of each subject: the labels found in polars for subjects in
    `submissions.SAFE_TEXT` (whose NFKC form and whitespace polars and Python see alike),
    in Python for any other."""
    frame = pl.DataFrame({"s": subjects}).select(
        pl.col("s").str.contains(SAFE_TEXT).fill_null(False).alias("safe"),
        *(
            pl.col("s").str.normalize("NFKC").str.extract(pat, 1).alias(f"l{i}")
            for i, pat in enumerate(_SUBJECT_PATTERNS)
        ),
    )
    labels = pl.concat([frame["l0"], frame["l1"]]).drop_nulls().unique().to_list()
    found = {label: idx.lookup(label)[0] or None for label in labels}
    units = frame.select(
        pl.coalesce(
            pl.col(f"l{i}").replace_strict(found, default=None, return_dtype=pl.String)
            for i in range(len(_SUBJECT_PATTERNS))
        )
    ).to_series()
    slow = (~frame["safe"]).arg_true()
    if slow.len():
        units = units.scatter(
            slow, [_subject_unit(idx, s) for s in subjects.gather(slow).to_list()]
        )
    return units


def _extract_emails(senders: pl.Series) -> pl.Series:
    """`extract_email` of each sender: in polars for ASCII text (where polars' and Python's
    \\w agree), in Python for any other."""
    frame = pl.DataFrame({"s": senders}).select(
        ascii=pl.col("s").str.contains(r"^[\x00-\x7F]*$").fill_null(False),
        address=pl.col("s").str.extract(_EMAIL, 0).str.to_lowercase(),
    )
    addresses = frame["address"]
    slow = (~frame["ascii"]).arg_true()
    if slow.len():
        addresses = addresses.scatter(
            slow, [extract_email(s) for s in senders.gather(slow).to_list()]
        )
    return addresses


def _review_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """`_review_frame` of a frame of review rows (columns type, key, file, row, text,
    candidates, reason), in polars."""
    if rows.is_empty():
        return schema.empty(schema.REVIEW)
    first = rows.group_by("type", "key", maintain_order=True).agg(
        pl.all().exclude("date").first(),
        date=pl.col("date").drop_nulls().unique().sort().str.join("、"),
        count=pl.len(),
    )
    first = first.with_columns(
        reason=pl.when(pl.col("count") > 1)
        .then(pl.format("{}（共{}处）", "reason", "count"))
        .otherwise("reason"),
        answer=pl.lit(""),
    )
    return schema.conform(first, schema.REVIEW)


def _days(submissions: pl.DataFrame) -> pl.Series:
    """Each submission's day (YYYY-MM-DD, its `time` as logged), for review rows."""
    if "time" not in submissions.columns:
        return pl.Series("day", [None] * submissions.height, dtype=pl.String)
    t = submissions["time"]
    if isinstance(t.dtype, pl.Datetime):
        t = t.dt.date()
    if t.dtype != pl.Date:
        return pl.Series("day", [None] * submissions.height, dtype=pl.String)
    return t.dt.to_string("%Y-%m-%d").alias("day")


def _shared_mailboxes(
    frame: pl.DataFrame, idx: UnitIndex, units: pl.DataFrame, open_rows: pl.Expr
) -> pl.DataFrame:
    """`frame` with `unit` set on the `open_rows` whose address several units of the roster
    share when only one of them exists on the message's day: a mailbox an old unit hands on
    to its successor (机构改革, units.csv's `from`/`until`). Without those dates, unchanged."""
    shared = {a: us for a, us in idx.emails.items() if len(us) > 1}
    if not shared or not roster_changes.has_changes(units):
        return frame
    rows = frame.filter(
        open_rows, pl.col("address").is_in(list(shared)), pl.col("day").is_not_null()
    )
    if not rows.height:
        return frame
    life = roster_changes.lives(units)
    found = {}
    for address, day in rows.select("address", "day").unique().iter_rows():
        on = date.fromisoformat(day)
        alive = [u for u in shared[address] if u in life and life[u].exists_on(on)]
        if len(alive) == 1:
            found[(address, day)] = alive[0]
    if not found:
        return frame
    table = pl.DataFrame(
        [(a, d, u) for (a, d), u in found.items()],
        schema={"address": pl.String, "day": pl.String, "_alive": pl.String},
        orient="row",
    )
    return (
        frame.join(table, on=["address", "day"], how="left", maintain_order="left")
        .with_columns(unit=pl.coalesce("unit", "_alive"))
        .drop("_alive")
    )


def assign_submission_units(
    submissions: pl.DataFrame,
    units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    place_prefixes: tuple[str, ...] = (),
    accept: float = 90,
    doubt: float = 75,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add column `unit` to submissions (报送).

    From `unit_raw` when given (resolved like printed names; unresolved → a `unit` review
    row); else the sender's address against the roster's emails; else a unit named at the
    start of the subject (【区发改局】…, [发改局]…, 发改局：…); else the unit a mail's body
    names (optional column `unit_hint`, e.g. 报送单位：区发改局, see flows.mail); else a
    decision of type `submission` keyed by the sender's address (or submission_id when there
    is none); else null and a `submission` review row. Returns (submissions with unit and
    `unit_decided`, true where a decision gave the unit; REVIEW).

    A province's log holds a million messages from a few thousand addresses and units: each
    step works on distinct values, and on only the rows the steps before left without a unit.
    """
    idx = unit_index(units, place_prefixes)
    n = submissions.height
    names = {
        "raw": "unit_raw",
        "sender": "sender",
        "subject": "subject",
        "hint": "unit_hint",
        "id": "submission_id",
        "file": "source_file",
    }
    frame = pl.DataFrame(
        {
            c: submissions[name].cast(pl.String)
            if name in submissions.columns
            else pl.Series(c, [None] * n, dtype=pl.String)
            for c, name in names.items()
        }
    ).with_columns(
        row=submissions["source_row"]
        if "source_row" in submissions.columns
        else pl.Series([None] * n, dtype=pl.Int64),
        day=_days(submissions),
    )
    unit = pl.col("unit")

    # A unit the log names (unit_raw).
    written = frame["raw"].drop_nulls().unique(maintain_order=True).to_list()
    written = [r for r in written if r.strip()]
    res = _resolve_all(idx, written, decisions, accept, doubt)
    resolved = pl.DataFrame(
        {
            "raw": written,
            "raw_unit": [res[r]["unit"] for r in written],
            "raw_none": [res[r]["method"] == "none" for r in written],
            "raw_decided": [res[r]["method"] in ("decision", "ignored") for r in written],
            "raw_key": [res[r]["key"] for r in written],
            "raw_candidates": [res[r]["candidates"] for r in written],
            "raw_reason": [res[r]["reason"] for r in written],
        },
        schema={"raw": pl.String, "raw_unit": pl.String, "raw_none": pl.Boolean,
                "raw_decided": pl.Boolean,
                "raw_key": pl.String, "raw_candidates": pl.String, "raw_reason": pl.String},
    )  # fmt: skip
    if written:
        frame = frame.join(resolved, on="raw", how="left", maintain_order="left")
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=resolved[c].dtype).alias(c) for c in resolved.columns[1:]
        )
    named = pl.col("raw_none").is_not_null()

    # The sender's address, one lookup per distinct sender.
    senders = frame.select(pl.col("sender").unique()).to_series()
    single = {a: next(iter(us)) for a, us in idx.emails.items() if len(us) == 1}
    addresses = _extract_emails(senders)
    by_sender = pl.DataFrame(
        {
            "sender": senders,
            "address": addresses,
            "unit": addresses.replace_strict(single, default=None, return_dtype=pl.String),
        }
    ).with_columns(unit=pl.when(unit != "").then(unit))
    frame = frame.join(by_sender, on="sender", how="left", nulls_equal=True, maintain_order="left")
    frame = frame.with_columns(unit=pl.when(~named).then(unit)).with_row_index("i")
    frame = _shared_mailboxes(frame, idx, units, ~named & unit.is_null())

    # Then the subject's label, then the unit a mail's body names.
    open_rows = frame.filter(~named & unit.is_null())["i"]
    if open_rows.len():
        found = _subject_units(idx, frame["subject"].gather(open_rows))
        frame = frame.with_columns(frame["unit"].scatter(open_rows, found))
    open_rows = frame.filter(~named & unit.is_null() & (pl.col("hint") != ""))["i"]
    if open_rows.len():
        hints = frame["hint"].gather(open_rows)
        found = {h: idx.lookup(h)[0] for h in hints.unique().to_list()}
        frame = frame.with_columns(
            frame["unit"].scatter(open_rows, hints.replace_strict(found, return_dtype=pl.String))
        )

    # Then a decision keyed by the address (or the submission's id).
    frame = frame.with_columns(
        key=pl.coalesce("address", pl.col("id").fill_null("")), decided=pl.lit(False)
    )
    decided = _decisions(decisions, "submission", lambda k: extract_email(k) or k)
    open_rows = frame.filter(~named & unit.is_null())["i"]
    if decided and open_rows.len():
        keys = frame["key"].gather(open_rows)
        answers = {
            k: _decided_unit(idx, *decided[k])
            for k in keys.unique(maintain_order=True).to_list()
            if k in decided
        }
        hit = keys.is_in(list(answers))
        rows = open_rows.filter(hit)
        frame = frame.with_columns(
            frame["unit"].scatter(
                rows, keys.filter(hit).replace_strict(answers, return_dtype=pl.String)
            ),
            frame["decided"].scatter(rows, True),
        )

    # Review: names not resolved, and submissions of no unit.
    review = frame.filter(
        (named & pl.col("raw_none")) | (~named & unit.is_null() & ~pl.col("decided"))
    ).select(
        type=pl.when(named).then(pl.lit("unit")).otherwise(pl.lit("submission")),
        key=pl.when(named).then("raw_key").otherwise("key"),
        file="file",
        row="row",
        text=pl.when(named)
        .then(pl.format("{}：{}", pl.col("subject").fill_null(""), "raw"))
        .otherwise(
            pl.format(
                "发件人：{}；主题：{}",
                pl.col("sender").fill_null(""),
                pl.col("subject").fill_null(""),
            )
        ),
        unit=pl.when(named).then("raw"),
        date="day",
        title=pl.col("subject"),
        candidates=pl.when(named).then("raw_candidates").otherwise(pl.lit("")),
        reason=pl.when(named).then("raw_reason").otherwise(pl.lit(_REASON_SUBMISSION)),
    )
    units_out = frame.select(pl.when(named).then("raw_unit").otherwise(unit)).to_series()
    by_answer = frame.select(
        pl.when(named).then("raw_decided").otherwise("decided").fill_null(False)
    ).to_series()
    with_unit = submissions.with_columns(units_out.alias("unit"), by_answer.alias("unit_decided"))
    return with_unit, _review_rows(review)


# --- events ----------------------------------------------------------------------------------

_UNRESOLVED = {"file": pl.String, "row": pl.Int64, "name": pl.String, "candidates": pl.String}


def resolve_event_units(
    events: pl.DataFrame,
    units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    place_prefixes: tuple[str, ...] = (),
    accept: float = 90,
    doubt: float = 75,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add column `unit` to events (事项) from `unit_raw`.

    Returns (events with unit, unresolved) where unresolved has columns file, row, name,
    candidates for names that could not be resolved (the pipeline reports them as an error).
    A name a decision answers with 忽略 gets a null unit and is not listed as unresolved.
    """
    idx = unit_index(units, place_prefixes)
    raws = events["unit_raw"].to_list() if "unit_raw" in events.columns else [None] * events.height
    res = _resolve_all(idx, [r for r in raws if r and r.strip()], decisions, accept, doubt)
    files = (
        events["source_file"].to_list() if "source_file" in events.columns else [None] * len(raws)
    )
    srows = events["source_row"].to_list() if "source_row" in events.columns else [None] * len(raws)
    out: list[str | None] = []
    bad: list[dict] = []
    for name, f, r in zip(raws, files, srows, strict=True):
        hit = res.get(name) if name and name.strip() else None
        out.append(hit["unit"] if hit else None)
        if hit is None or hit["method"] == "none":
            bad.append(
                {
                    "file": f,
                    "row": r,
                    "name": name or "",
                    "candidates": hit["candidates"] if hit else "",
                }
            )
    with_unit = events.with_columns(pl.Series("unit", out, dtype=pl.String))
    unresolved = pl.DataFrame(bad, schema=_UNRESOLVED) if bad else pl.DataFrame(schema=_UNRESOLVED)
    return with_unit, unresolved
