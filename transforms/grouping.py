"""Article grouping (信息归并, reading C1) and linking events to articles.

An *article* (一篇信息) is one piece of information; its adoptions by several periodicals
(建德政务·动态, then 杭州政务 …) are one article when they come from the same unit, their
titles are similar (editors shorten and retitle) and their dates are within 120 days.
Titles are similar only when they are about the same thing: titles naming different
villages, towns, streets or communities (`title_places`) are two articles however alike
(docs/readings.md, C1). Pairs that are only fairly similar go to the review list; the
user's answers in decisions.csv (是/否) settle them, and also override an automatic merge.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from transforms import schema
from transforms.bulk import PY_SPACE, repeated, streamed
from transforms.errors import InputError
from transforms.matching import strip_place_prefix
from transforms.review import about
from transforms.submissions import SAFE_TEXT

# A trailing bracket naming the source: 「（区发改局）」「（建德市农办供稿）」「【梅城镇】」.
_TRAILING_SOURCE = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]{1,20})[)\]】〕]\s*$")
_SOURCE_HINT = re.compile(
    r"(局|办|委|会|镇|乡|街道|公司|中心|区|院|所|站|队|部|供稿|提供|报送|整理|来稿|撰稿)$"
)
# A short label before a colon: 「建德：三举措…」「梅城镇：…」.
_LEADING_LABEL = re.compile(r"^[^:：]{1,8}[:：]")
# 「我市」「我区」…: editors write the place either way, so it carries no information.
_LEADING_SELF = ("我市", "我区", "我县", "我镇", "我乡", "全市", "全区", "全县")
# 「建德市」「萧山区」 at the start: two characters and 市/区/县 before a real title.
_LEADING_PLACE = re.compile(r"^[\u4e00-\u9fff]{2}[市区县](?=[\u4e00-\u9fff]{4})")
# Runs of numerals: 一季度 and 二季度 are different reports even though the titles are alike.
_NUMERALS = re.compile(r"[0-9]+|[〇零一二三四五六七八九十百千万两]+")
# Stock phrases of government-information titles (多措并举, 扎实推进, 成效明显 …). Editors
# add, drop and swap them freely, and two different articles of a unit often share them
# (「多措并举做好防汛工作」/「多措并举做好森林防火工作」), so titles are compared without them.
_STOCK = sorted(
    (
        "多措并举 多举措 扎实推进 全力推进 积极推进 大力推进 加快推进 稳步推进 深入推进 全面推进 "
        "着力 全力 扎实 积极 大力 加快 深入 全面 切实 持续 不断 进一步 推进 推动 做好 抓好 打好 "
        "开展 工作 取得 成效明显 成效显著 新成效 成效 明显 显著 初见 深化 强化 加强 打造 助力 "
        "有序 稳步 情况 的"
    ).split(),
    key=len,
    reverse=True,
)
_STOCK_RE = re.compile("|".join(_STOCK))

#: After stock phrases are removed, partial_ratio counts only when the shorter title still
#: has this many characters.
PARTIAL_MIN_LEN = 8
#: Factor applied when both titles carry numbers and the numbers differ.
NUMBER_PENALTY = 0.75

DEFAULT_WINDOW_DAYS = 120


class _LettersAndNumbers(dict):
    """str.translate table keeping letters and numbers (Unicode categories L*, N*) and
    deleting everything else; filled per character on first sight (a C-speed loop instead
    of one Python call per character)."""

    def __missing__(self, code: int) -> int | None:
        value = code if unicodedata.category(chr(code))[0] in "LN" else None
        self[code] = value
        return value


_KEEP_LN = _LettersAndNumbers()


def normalize_title(s: str | None, places: tuple[str, ...] = ()) -> str:
    """Normalise a title for comparison.

    NFKC, a trailing bracketed source (「（区发改局）」) dropped, a short leading label
    before a colon (「建德：」) dropped, whitespace and punctuation (Chinese and ASCII)
    removed, a leading 「关于」 removed, and the place the title starts with (我市, 全市, 建德市,
    萧山区 …, and the given place names such as the scheme's place prefixes) removed: editors
    write it or leave it out as they like.
    """
    s = unicodedata.normalize("NFKC", s or "").strip()
    while (m := _TRAILING_SOURCE.search(s)) and _SOURCE_HINT.search(m[1].strip()):
        s = s[: m.start()].rstrip()
    s = _LEADING_LABEL.sub("", s, count=1)
    s = s.translate(_KEEP_LN)
    return _strip_leading(s, places)


def _strip_leading(s: str, places: tuple[str, ...] = ()) -> str:
    """The end of `normalize_title`: 关于, 我市/全市 …, the given places and a leading
    「建德市」-like place dropped from a title already reduced to letters and numbers."""
    for _ in range(2):
        if s.startswith("关于"):
            s = s[2:]
        if s.startswith(_LEADING_SELF):
            for w in _LEADING_SELF:
                if s.startswith(w) and len(s) > len(w) + 1:
                    s = s[len(w) :]
        if places:
            s = strip_place_prefix(s, tuple(places))
        s = _LEADING_PLACE.sub("", s, count=1)
    return s


def _core(s: str) -> str:
    """A normalised title without stock phrases (kept whole if too little would remain)."""
    c = _STOCK_RE.sub("", s)
    return c if len(c) >= 2 else s


def _prepare(normalised: str) -> tuple[str, frozenset[str]]:
    """What the comparison needs of a normalised title: its core and its numbers."""
    core = _core(normalised)
    return core, frozenset(_NUMERALS.findall(core))


def _similarity(a: tuple[str, frozenset[str]], b: tuple[str, frozenset[str]]) -> float:
    """title_similarity on prepared titles (see `_prepare`)."""
    (ca, na), (cb, nb) = a, b
    if not ca or not cb:
        return 0.0
    score = fuzz.ratio(ca, cb)
    # Editors shorten titles: 「寿昌镇小城镇环境综合整治」 inside 「…小城镇环境综合整治成效明显」.
    # partial_ratio scores the best window of the longer title against the shorter one, which
    # catches that; on short titles it is too generous (any short phrase in common scores
    # high), so it counts only when the shorter one keeps PARTIAL_MIN_LEN characters.
    if min(len(ca), len(cb)) >= PARTIAL_MIN_LEN:
        score = max(score, fuzz.partial_ratio(ca, cb))
    if na and nb and na != nb:
        score *= NUMBER_PENALTY
    return float(score)


def similarity_bound(common: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """An upper bound of `_similarity` of prepared titles of `la` and `lb` characters whose
    longest common subsequence has `common` characters (numpy arrays, broadcast).

    `_similarity` is at most the higher of fuzz.ratio and, when both titles keep
    PARTIAL_MIN_LEN characters, fuzz.partial_ratio: the number penalty only lowers it.
    ratio is 200·L/(la+lb); partial_ratio, the best ratio of the shorter title (m
    characters) against a window of the other (at most m characters, sharing at most L of
    them), is at most 200·L/(m+L)."""
    m = np.minimum(la, lb)
    partial = np.where(m >= PARTIAL_MIN_LEN, 200.0 * common / np.maximum(m + common, 1), 0.0)
    return np.maximum(200.0 * common / np.maximum(la + lb, 1), partial)


def title_similarity(a: str | None, b: str | None, places: tuple[str, ...] = ()) -> float:
    """Similarity 0–100 of two titles.

    Both are normalised (`normalize_title`) and stripped of stock phrases (推进, 多措并举 …);
    the score is fuzz.ratio, or max(fuzz.ratio, fuzz.partial_ratio) when the shorter title
    keeps PARTIAL_MIN_LEN characters; times NUMBER_PENALTY when both titles carry numbers
    and the numbers differ (一季度 vs 二季度).
    """
    return _similarity(_prepare(normalize_title(a, places)), _prepare(normalize_title(b, places)))


# --- titles in bulk --------------------------------------------------------------------------

_HAN_RS = r"\x{4E00}-\x{9FFF}"
#: `_LEADING_PLACE` without the look-ahead (polars has none): the place is the first three.
_LEADING_PLACE_RS = f"^[{_HAN_RS}]{{2}}[市区县][{_HAN_RS}]{{4}}"
_NO_NUMBERS: frozenset[str] = frozenset()
#: A character `_NUMERALS` matches.
_NUMERAL_CHARS = "[0-9〇零一二三四五六七八九十百千万两]"


def _has_source(s: pl.Expr) -> pl.Expr:
    """`normalize_title`'s loop test: a trailing bracket whose content names a source."""
    inner = s.str.extract(_TRAILING_SOURCE.pattern, 1).str.strip_chars(PY_SPACE)
    return inner.str.contains(_SOURCE_HINT.pattern).fill_null(False)


def _source_step(s: pl.Expr) -> pl.Expr:
    """One round of `normalize_title`'s loop over trailing sources."""
    cut = s.str.replace(_TRAILING_SOURCE.pattern, "").str.strip_chars_end(PY_SPACE)
    return pl.when(_has_source(s)).then(cut).otherwise(s)


def prepared_titles(titles: pl.Series, places: tuple[str, ...] = ()) -> list:
    """`_prepare(normalize_title(t, places))` of each title, in bulk.

    The regex steps run in polars for titles in `submissions.SAFE_TEXT` (text whose NFKC
    form, whitespace and letter/number classes polars and Python see alike). Any other
    title, a title still ending in a source after three rounds, and a title starting with
    a word `_strip_leading` drops, other than 关于 and a leading 「晋阜县」-like place in its
    first round, take the Python functions: same answers, title by title."""
    return list(zip(*prepare_titles(titles, places), strict=True))


def prepare_titles(
    titles: pl.Series, places: tuple[str, ...], keyed: bool = False
) -> tuple[list[str], list]:
    """`prepared_titles` as two lists, cores and numbers (no tuple per title). With `keyed`,
    each title's numbers as `_number_key` (a string: no object for the garbage collector
    to track)."""
    titles = titles.cast(pl.String).fill_null("")
    t, t1, t2 = pl.col("t"), pl.col("t1"), pl.col("t2")
    frame = streamed(
        pl.DataFrame({"t": titles}),
        safe=t.str.contains(SAFE_TEXT),
        t=t.str.normalize("NFKC").str.strip_chars(PY_SPACE),
    )
    frame = frame.with_columns(t=repeated(frame["t"], _source_step, 3))
    frame = streamed(
        frame,
        safe=pl.col("safe") & ~_has_source(t),
        t=t.str.replace(_LEADING_LABEL.pattern, "").str.replace_all(r"[^\p{L}\p{N}]", ""),
    )
    frame = streamed(frame, t1=pl.when(t.str.starts_with("关于")).then(t.str.slice(2)).otherwise(t))
    frame = streamed(
        frame,
        t2=pl.when(t1.str.contains(_LEADING_PLACE_RS)).then(t1.str.slice(3)).otherwise(t1),
    )
    words = [*_LEADING_SELF, *(p for p in places if p)]
    lead = frame.select(
        pl.col("safe")
        & pl.any_horizontal(
            *(c.str.starts_with(w) for c in (t1, t2) for w in words),
            t2.str.starts_with("关于"),
            t2.str.contains(_LEADING_PLACE_RS),
        )
    ).to_series()
    done = frame["t2"]
    if (rows := lead.arg_true()).len():
        again = [_strip_leading(x, places) for x in frame["t"].gather(rows).to_list()]
        done = done.scatter(rows, again)
    stock = t.str.replace_all(_STOCK_RE.pattern, "")
    frame = frame.select("safe", t=done).with_columns(
        core=pl.when(stock.str.len_chars() >= 2).then(stock).otherwise(t)
    )
    as_numbers = _number_key if keyed else frozenset
    nums = [as_numbers(_NO_NUMBERS)] * frame.height
    counted = frame.select(pl.col("core").str.contains(_NUMERAL_CHARS)).to_series().arg_true()
    if counted.len():
        found = frame["core"].gather(counted).str.extract_all(_NUMERALS.pattern).to_list()
        for i, n in zip(counted.to_list(), found, strict=True):
            nums[i] = as_numbers(n)
    cores = frame["core"].to_list()
    for i in (~frame["safe"]).arg_true().to_list():
        cores[i], n = _prepare(normalize_title(titles[i], places))
        nums[i] = as_numbers(n)
    return cores, nums


def _number_key(numbers) -> str:
    """The numbers of a title as one string: equal strings for equal sets, "" for none."""
    return "\x1f".join(sorted(set(numbers)))


# --- what a title is about: the places it names ----------------------------------------------

#: General Chinese toponym suffixes of the places below a county (a village, a town, a
#: township, a street, an urban community), where one unit's articles differ: two titles that
#: name different places of one kind are about different things, however alike the rest
#: (C1). Longer suffixes first.
PLACE_SUFFIXES = ("街道", "社区", "村", "镇", "乡")
#: Suffixes of county-level places. Their characters also end or start common words that name
#: no place (市场, 区域, 县域, 小区): two titles naming different ones are only doubtful.
WEAK_PLACE_SUFFIXES = ("县", "区", "市")
#: A name is a place's when more than this share of its occurrences in the titles compared
#: stand right before a place suffix (碧坝 in 「碧坝村」 always; 聚焦 in 「聚焦社区矫正」 rarely).
PLACE_NAME_SHARE = 0.2

_SUFFIX_CHARS = "村镇乡县区市"
# Two Han characters that are no suffix characters, then a suffix: 「碧坝村」「梅城镇」
# 「新安街道」; not the 村 of 「深化乡村振兴」 (its name 「化乡」 holds a suffix character).
_PLACE_RE = re.compile(
    f"((?:(?![{_SUFFIX_CHARS}])[\u4e00-\u9fff]){{2}})"
    f"({'|'.join((*PLACE_SUFFIXES, *WEAK_PLACE_SUFFIXES))})"
)
_WEAK = frozenset(WEAK_PLACE_SUFFIXES)
#: General Chinese words that end or start with a place suffix and name no place: the 村 of
#: 「电商进农村」 would name 「进农」, the 乡 of 「乡村振兴」 「…乡」.
_NOT_PLACES = frozenset(
    ("农村", "城乡", "下乡", "家乡", "城市", "都市", "超市")
    + ("乡村", "乡镇", "村镇", "镇村", "县市", "市县", "县区", "区县", "市区", "县乡")
)


def _place_mentions(cores: list[str]) -> list[list[tuple[str, str]]]:
    """(name, suffix) of each place-like mention in each prepared title (`_prepare`'s core):
    not where the name's last character and the suffix, or the suffix and the next
    character, make a word of _NOT_PLACES."""
    out = []
    for c in cores:
        found = []
        for m in _PLACE_RE.finditer(c) if c else ():
            name, suffix = m[1], m[2]
            if (
                name[-1] + suffix[0] in _NOT_PLACES
                or suffix[-1] + c[m.end() : m.end() + 1] in _NOT_PLACES
            ):
                continue
            found.append((name, suffix))
        out.append(found)
    return out


def _bigram_codes(texts: list[str]) -> np.ndarray:
    """Every pair of adjacent characters of `texts`, as one integer (code × 2²¹ + code)."""
    joined = "\x00".join(texts)
    if len(joined) < 2:
        return np.empty(0, np.int64)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    return codes[:-1] * (1 << 21) + codes[1:]


def title_places(
    cores: list[str],
) -> tuple[list[dict[str, frozenset[str]] | None], list[dict[str, frozenset[str]] | None]]:
    """The places each prepared title (`_prepare`'s core) is about, as {suffix: names},
    strong (PLACE_SUFFIXES) and weak (WEAK_PLACE_SUFFIXES); None where it names none.

    What counts as a place's name is derived from the titles themselves: two characters
    before a suffix of which more than PLACE_NAME_SHARE of the occurrences in `cores` stand
    before a place suffix. A village's name (碧坝) occurs nowhere else; a verb
    (聚焦, 创新) or a topic's first word stands before many other words too."""
    # Each distinct title is read once (retitles and the mails they came from repeat).
    index: dict[str, int] = {}
    of = [index.setdefault(c, len(index)) for c in cores]
    mentions = _place_mentions(list(index))
    copies = np.bincount(np.asarray(of, dtype=np.int64), minlength=len(index)).tolist()
    names = sorted({n for found in mentions for n, _ in found})
    if not names:
        return [None] * len(cores), [None] * len(cores)
    # How often each candidate name occurs at all, and how often before a suffix.
    codes = _bigram_codes(cores)
    keys = np.array([ord(n[0]) * (1 << 21) + ord(n[1]) for n in names], dtype=np.int64)
    values, counts = np.unique(codes, return_counts=True)
    at = np.clip(np.searchsorted(values, keys), 0, max(len(values) - 1, 0))
    total = np.where(values[at] == keys, counts[at], 0) if len(values) else np.zeros(len(keys))
    before: dict[str, int] = {}
    for found, k in zip(mentions, copies, strict=True):
        for n, _ in found:
            before[n] = before.get(n, 0) + k
    placed = {
        n for n, t in zip(names, total.tolist(), strict=True) if before[n] > PLACE_NAME_SHARE * t
    }
    strong: list[dict[str, frozenset[str]] | None] = []
    weak: list[dict[str, frozenset[str]] | None] = []
    for found in mentions:
        kinds: dict[str, set[str]] = {}
        for n, s in found:
            if n in placed:
                kinds.setdefault(s, set()).add(n)
        s_part = {k: frozenset(v) for k, v in kinds.items() if k not in _WEAK}
        w_part = {k: frozenset(v) for k, v in kinds.items() if k in _WEAK}
        strong.append(s_part or None)
        weak.append(w_part or None)
    return [strong[i] for i in of], [weak[i] for i in of]


def _not_own(places: dict | None, units) -> dict | None:
    """`places` ({suffix: names}) without the places that are part of a name in `units`."""
    if not places or not units:
        return places
    kept = {}
    for suffix, names in places.items():
        left = frozenset(n for n in names if not any(n + suffix in u for u in units))
        if left:
            kept[suffix] = left
    return kept or None


def places_differ(a: dict | None, b: dict | None) -> bool:
    """Whether two titles' places ({suffix: names}, `title_places`) differ: both name a
    place of one kind and no name of that kind in common (「碧坝村」 and 「白寨村」). A title
    that names none (「我县…垃圾分类」) differs from none."""
    if not a or not b:
        return False
    return any(k in b and v.isdisjoint(b[k]) for k, v in a.items())


def any_places_differ(found: list) -> bool:
    """Whether two of the titles' places `found` differ (`places_differ`): a title alike to
    all of them could be about either."""
    return any(places_differ(p, q) for i, p in enumerate(found) for q in found[i + 1 :])


# --- grouping --------------------------------------------------------------------------------


def _pair_decisions(decisions: pl.DataFrame | None) -> dict[tuple[str, str], bool]:
    """(id, id) sorted → True for 是, False for 否."""
    out: dict[tuple[str, str], bool] = {}
    if decisions is None or decisions.height == 0 or "type" not in decisions.columns:
        return out
    for row in decisions.iter_rows(named=True):
        if (row.get("type") or "").strip() != "same_article":
            continue
        answer = (row.get("answer") or "").strip()
        ids = [p.strip() for p in (row.get("key") or "").split("|")]
        if len(ids) != 2 or answer not in ("是", "否"):
            continue
        a, b = sorted(ids)
        out[(a, b)] = answer == "是"
    return out


class _Groups:
    """Union-find over adoption indices with cannot-link constraints (否 answers; one
    publication issue). A group's issue set is made when it first grows (until then an
    adoption is printed in its own issue); member sets are kept only when some pair is
    forbidden (forbids come before any union).

    Each group also knows what it is about (`about`): the places its titles name
    (`title_places`, strong) and the submission its adoptions came from. A union on title
    similarity alone (`on_title`) is refused when the two groups differ in either
    (`differ`), so that no chain of similar titles (「碧坝村…」~「我县…」~「白寨村…」) joins
    two places or two submissions."""

    def __init__(self, issues: list[int]):
        self.parent = list(range(len(issues)))
        self.size = [1] * len(issues)
        self.issue_of = issues
        self.issues: dict[int, set[int]] = {}
        self.members: dict[int, set[int]] | None = None
        self.forbidden: dict[int, set[int]] = {}
        self.places: list[dict[str, frozenset[str]] | None] = [None] * len(issues)
        self.sources: list[str | None] = [None] * len(issues)

    def about(self, places: list, sources: list) -> None:
        """Each adoption's places ({suffix: names} or None) and submission (or None)."""
        self.places = list(places)
        self.sources = list(sources)

    def differ(self, a: int, b: int) -> bool:
        """Whether the groups of a and b name different places (`places_differ`), or come
        from two submissions while only one of them names a place: the title that names
        none (「我县…垃圾分类」) cannot tell which piece of information it is, its
        submission can. Two submissions under titles alike in what they name are the
        same information sent twice (a resend, or each author of a joint article sending
        it): their titles decide."""
        ra, rb = self.find(a), self.find(b)
        pa, pb = self.places[ra], self.places[rb]
        if places_differ(pa, pb):
            return True
        sa, sb = self.sources[ra], self.sources[rb]
        return sa is not None and sb is not None and sa != sb and (pa is None) != (pb is None)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def forbid(self, a: int, b: int) -> None:
        if self.members is None:
            if self.issues:
                raise RuntimeError("forbid after union")
            self.members = {}
        self.forbidden.setdefault(a, set()).add(b)
        self.forbidden.setdefault(b, set()).add(a)

    def union(self, a: int, b: int, check_issue: bool = True, on_title: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if on_title and self.differ(ra, rb):
            return False
        members = self.members
        if members is not None:
            ma, mb = members.get(ra) or {ra}, members.get(rb) or {rb}
            fa, fb = self.forbidden.get(ra), self.forbidden.get(rb)
            if (fa and not fa.isdisjoint(mb)) or (fb and not fb.isdisjoint(ma)):
                return False
        ia = self.issues.get(ra) or {self.issue_of[ra]}
        ib = self.issues.get(rb) or {self.issue_of[rb]}
        if check_issue and not ia.isdisjoint(ib):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb, ia, ib = rb, ra, ib, ia
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        if self.sources[ra] is None:
            self.sources[ra] = self.sources[rb]
        pa, pb = self.places[ra], self.places[rb]
        if pb:
            self.places[ra] = (
                {k: pa.get(k, frozenset()) | pb.get(k, frozenset()) for k in {*pa, *pb}}
                if pa
                else pb
            )
        ia |= ib
        self.issues[ra] = ia
        self.issues.pop(rb, None)
        if members is not None:
            merged = members.get(ra) or {ra}
            merged |= members.pop(rb, None) or {rb}
            members[ra] = merged
            if fb := self.forbidden.pop(rb, None):
                self.forbidden.setdefault(ra, set()).update(fb)
        return True


def _describe(a: dict) -> str:
    issue = a["issue"] or (a["date"].isoformat() if a["date"] else "")
    return f"《{a['publication']}》{issue}「{a['title']}」"


def _pair_about(first: dict, second: dict) -> dict[str, str | None]:
    """The columns unit, title, date, publication of a same_article question: both
    adoptions' values, 「 / 」 between them."""
    a = about(first["publication"], first["issue"], first["date"], first["title"])
    b = about(second["publication"], second["issue"], second["date"], second["title"])
    out = {k: f"{a[k] or '—'} / {b[k] or '—'}" for k in a}
    units = [first["units_raw"], second["units_raw"]]
    out["unit"] = units[0] if units[0] == units[1] else " / ".join(u or "—" for u in units)
    return out


#: date.toordinal() of 1970-01-01 (polars counts days from it) and of date.max (no date).
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FAR = date.max.toordinal()


def _day_numbers(dates: pl.Series) -> pl.Series:
    """`date.toordinal()` of each date, date.max's for a missing one."""
    return (dates.cast(pl.Int64) + _EPOCH_ORDINAL).fill_null(_FAR)


def _window_ranges(
    members: pl.DataFrame, window_days: int
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    """The pairs of adoptions (columns k) that share a unit where b comes after a (by day,
    then adoption_id) and at most window_days later, as ranges: (ordered, starts, counts),
    `ordered` the members sorted by unit, day and adoption_id, and the partners of its row
    x its rows starts[x] … starts[x] + counts[x] − 1 (`WindowPairs`). `members`: columns
    unit, k, day (`_day_numbers`), adoption_id. The pairs themselves are never all held."""
    empty = np.empty(0, np.int64)
    if members.is_empty():
        return members, empty, empty
    window = max(min(window_days, _FAR), -1)
    # Unit and day in one sorted key: the partners of row x are rows x + 1 up to the first
    # key above key(x) + window.
    ordered = members.sort("unit", "day", "adoption_id")
    unit_no = ordered.select((pl.col("unit") != pl.col("unit").shift(1)).fill_null(True).cum_sum())
    key = unit_no.to_series().cast(pl.Int64) * (1 << 32) + ordered["day"].cast(pl.Int64)
    ends = key.search_sorted(key + window, side="right").to_numpy().astype(np.int64)
    rows = np.arange(len(ends), dtype=np.int64)
    return ordered, rows + 1, np.maximum(ends - rows - 1, 0)


#: Pairs formed and scored at once: the memory of comparing titles stays bounded (a few
#: hundred MB) however many rows a unit has; the results do not depend on it.
PAIR_CHUNK = 1 << 20


class WindowPairs:
    """Pairs given as ranges: for each i, (left[i], right[starts[i] + j]) for j < counts[i].

    The pairs of a unit's adoptions (or of an adoption and the mail of its unit) within a
    date window grow with the square of the unit's rows: they are counted first
    (`check_bound`) and formed only chunk by chunk (`chunks`), never all at once."""

    def __init__(self, left: np.ndarray, starts: np.ndarray, counts: np.ndarray, right):
        self.left = np.asarray(left, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.right = np.asarray(right, dtype=np.int64)
        self.ends = np.cumsum(self.counts)
        self.total = int(self.ends[-1]) if len(self.ends) else 0

    def chunks(self, size: int):
        """(a, b) arrays of at most `size` pairs each, in order (row i's pairs, then i+1's)."""
        for first in range(0, self.total, size):
            q = np.arange(first, min(first + size, self.total), dtype=np.int64)
            i = np.searchsorted(self.ends, q, side="right")
            j = q - (self.ends[i] - self.counts[i])
            yield self.left[i], self.right[self.starts[i] + j]

    def covered(self, n: int) -> np.ndarray:
        """The sorted values (< n) of left and right that take part in some pair."""
        used = np.zeros(n, dtype=bool)
        used[self.left[self.counts > 0]] = True
        # right[starts[i] … starts[i] + counts[i]): a difference array over right's rows
        mark = np.zeros(len(self.right) + 1, dtype=np.int64)
        some = self.counts > 0
        np.add.at(mark, self.starts[some], 1)
        np.add.at(mark, self.starts[some] + self.counts[some], -1)
        used[self.right[np.cumsum(mark[:-1]) > 0]] = True
        return np.flatnonzero(used)

    def check_bound(self, max_pairs: int | None, owners, files, what: str) -> None:
        """An InputError when there are more than `max_pairs` pairs ([limits]
        max_title_pairs), before any is formed: naming the unit with the most pairs (`owners`
        names each i's unit) and the files its rows come from (`files`: unit → files)."""
        if max_pairs is None or self.total <= max_pairs:
            return
        per_unit = (
            pl.DataFrame(
                {"unit": owners, "n": self.counts}, schema={"unit": pl.String, "n": pl.Int64}
            )
            .group_by("unit")
            .agg(pl.col("n").sum())
            .sort("n", "unit", descending=[True, False])
        )
        unit, most = per_unit.row(0)
        where = files(unit)
        shown = "、".join(where[:3]) + (f" 等 {len(where)} 个文件" if len(where) > 3 else "")
        shown = f"（{shown}）" if shown else ""
        raise InputError(
            f"{what}需两两比较的标题有 {self.total:,} 对，超过上限 {max_pairs:,} 对"
            f"（kaohe.toml [limits] max_title_pairs），未比较；其中单位「{unit}」一家就有"
            f" {most:,} 对{shown}。请检查这些文件是否重复粘贴了行、或把许多行填成了同一"
            "单位；确属正常数据时在 kaohe.toml 的 [limits] 中调高 max_title_pairs 后重新运行",
            file=where[0] if where else None,
        )


#: rapidfuzz threads for bulk scoring (-1: every core); the scores do not depend on it.
_WORKERS = -1


def scored_pairs(
    a: np.ndarray, b: np.ndarray, cores: list[str], nums: list, cutoff: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, score) of the pairs whose title similarity (`_similarity` of the prepared
    titles (cores[a], nums[a]) and (cores[b], nums[b])) is at least `cutoff`, as arrays.
    `nums`: each title's numbers, as sets or as `_number_key`s.

    Scored in bulk (`process.cpdist`): fuzz.ratio, and fuzz.partial_ratio where both titles
    keep PARTIAL_MIN_LEN characters, each with the cutoff, for the pairs that can reach it.
    With L the length of the titles' longest common subsequence, ratio is 200·L/(la+lb);
    partial_ratio is the best ratio of the shorter title (m characters) against a part of
    the longer one (k characters) with which it shares L' <= min(L, k) characters,
    200·L'/(m+k) <= 200·L'/(m+L') <= 200·L/(m+L)."""
    return _Titles(cores, nums).scored(np.asarray(a), np.asarray(b), cutoff)


def scored_window_pairs(
    pairs: WindowPairs, cores: list[str], nums: list, cutoff: float, chunk: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`scored_pairs` of every pair of `pairs`, formed and scored `chunk` (PAIR_CHUNK)
    pairs at a time: the same arrays, in the same order, in bounded memory."""
    titles = _Titles(cores, nums)
    found = [titles.scored(a, b, cutoff) for a, b in pairs.chunks(chunk or PAIR_CHUNK)]
    if not found:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]


class _Titles:
    """Prepared titles (cores and numbers) as arrays, scored pair by pair in bulk."""

    def __init__(self, cores: list[str], nums: list):
        self.lens = np.fromiter(map(len, cores), np.int64, len(cores))
        self.texts = np.array(cores, dtype=object)
        self.numbers = np.empty(len(nums), dtype=object)
        self.numbers[:] = nums
        self.some = np.fromiter(map(bool, nums), bool, len(nums))

    def scored(
        self, a: np.ndarray, b: np.ndarray, cutoff: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lens, texts = self.lens, self.texts
        keep = lens[a] > 0  # a title reduced to nothing is like no other
        a, b = a[keep], b[keep]
        if not len(a):
            return a, b, np.empty(0)
        common = process.cpdist(
            texts[a], texts[b], scorer=LCSseq.similarity, dtype=np.int64, workers=_WORKERS
        )
        la, lb = lens[a], lens[b]
        reach = cutoff - 0.5  # a margin for rounding
        scores = np.full(len(a), -1.0)
        for scorer, rows in (
            (fuzz.ratio, np.flatnonzero(200.0 * common >= reach * (la + lb))),
            (
                fuzz.partial_ratio,
                np.flatnonzero(
                    (la >= PARTIAL_MIN_LEN)
                    & (lb >= PARTIAL_MIN_LEN)
                    & (200.0 * common >= reach * (np.minimum(la, lb) + common))
                ),
            ),
        ):
            if len(rows):
                found = process.cpdist(
                    texts[a[rows]],
                    texts[b[rows]],
                    scorer=scorer,
                    score_cutoff=cutoff,
                    dtype=np.float64,
                    workers=_WORKERS,
                )
                found[found < cutoff] = -1.0
                scores[rows] = np.maximum(scores[rows], found)
        hits = np.flatnonzero(scores >= cutoff)
        a, b, scores = a[hits], b[hits], scores[hits]
        # Both titles carry numbers and they differ (一季度, 二季度): NUMBER_PENALTY.
        numbers, some = self.numbers, self.some
        differ = some[a] & some[b] & (numbers[a] != numbers[b])
        scores = np.where(differ, scores * NUMBER_PENALTY, scores)
        kept = scores >= cutoff
        return a[kept], b[kept], scores[kept]


def _files_of(adoptions: pl.DataFrame, adoption_units: pl.DataFrame, unit: str) -> list[str]:
    """The files (most rows first) of the adoptions of `unit`."""
    ids = adoption_units.filter(pl.col("unit") == unit)["adoption_id"]
    return (
        adoptions.filter(pl.col("adoption_id").is_in(ids.implode()))
        .group_by("source_file")
        .len()
        .drop_nulls()
        .sort("len", "source_file", descending=[True, False])["source_file"]
        .to_list()
    )


def _unsure(ranked: tuple[list, list, list], places: list, least: float) -> set[int]:
    """The adoptions whose title names no place (`title_places`) and is similar (>= least)
    to titles naming different places (`places_differ`)."""
    named: dict[int, list] = {}
    for a, b, s in zip(*ranked, strict=True):
        if s < least:
            continue
        for x, y in ((a, b), (b, a)):
            if places[x] is None and places[y] is not None:
                named.setdefault(x, []).append(places[y])
    return {x for x, found in named.items() if any_places_differ(found)}


def group_articles(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    same: float = 80,
    doubt: float = 65,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
    links: pl.DataFrame | None = None,
    max_pairs: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Group adoptions into articles (C1). Returns (ARTICLES, REVIEW).

    `max_pairs` ([limits] max_title_pairs): more candidate pairs than this stop with an
    InputError naming the unit with the most and its files, before any is compared; the
    pairs are formed and compared in chunks (PAIR_CHUNK), in bounded memory.

    `links` (optional, columns adoption_id, submission_id, as from
    transforms.linking.link_adoptions_to_submissions): adoptions that came from the same
    submission are one article (C1, first half), whatever their titles; a 否 answer and the
    one-issue rule still keep two adoptions apart.

    Two adoptions are one article when they share a unit, their titles are similar
    (title_similarity >= same) and their dates are at most window_days apart; groups are
    the connected components (union-find), merging the most similar pairs first. Pairs are
    only formed within a unit's adoptions inside the date window, so the work stays
    near-linear. Two adoptions of the same issue of the same periodical are never one
    article.

    Titles are similar only when they are about the same thing (C1): groups whose titles
    name different villages, towns, streets or communities (`title_places`,
    `places_differ`: 「碧坝村开展垃圾分类」/「白寨村开展垃圾分类」), or whose adoptions are
    linked to two different submissions while only one of them names a place
    (`_Groups.differ`), are never merged on their titles, nor asked about. Titles naming different county-level places (县/区/市, whose characters also
    make words such as 市场) are doubtful, however similar.

    Doubtful pairs (scoring in [doubt, same), or naming different county-level places) that
    end up apart go to review (type `same_article`, key 「<id>|<id>」 sorted) unless
    decisions.csv answers them: 是 merges, 否 keeps apart (also against an automatic merge).
    `article_id` is the adoption_id of the group's earliest member (by date, then
    adoption_id); every adoption gets a row.
    """
    adoptions = schema.conform(adoptions, schema.ADOPTIONS)
    # One entry per adoption_id: the last row of a repeated id, at the id's first place.
    last = dict(zip(adoptions["adoption_id"].to_list(), range(adoptions.height), strict=True))
    if len(last) < adoptions.height:
        adoptions = adoptions[list(last.values())]
    ids = list(last)
    index = {aid: k for k, aid in enumerate(ids)}
    days = _day_numbers(adoptions["date"])
    # The issue an adoption was printed in, as a number: (publication, issue), or
    # (publication, date) where the issue is not written.
    printed = adoptions.select(
        pl.struct(
            "publication",
            issue=pl.when(pl.col("issue") != "").then("issue"),
            date=pl.when(pl.col("issue").fill_null("") == "").then("date"),
        ).alias("printed")
    ).to_series()
    issue_of = printed.unique(maintain_order=True)
    issue_no = printed.replace_strict(issue_of, pl.int_range(issue_of.len(), eager=True))
    issue_no = issue_no.to_list()
    groups = _Groups(issue_no)

    # Candidate pairs, blocked by unit and by the date window.
    x, y, score = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    strong_places: list = [None] * len(ids)
    weak_places: list = [None] * len(ids)
    if adoption_units.height:
        members = (
            adoption_units.select("adoption_id", "unit")
            .unique()
            .filter(pl.col("unit").is_not_null())
            .join(
                pl.DataFrame(
                    {"adoption_id": ids, "k": range(len(ids)), "day": days},
                    schema={"adoption_id": pl.String, "k": pl.Int64, "day": pl.Int64},
                ),
                on="adoption_id",
                nulls_equal=True,
            )
        )
        ordered, starts, counts = _window_ranges(members, window_days)
        k = ordered["k"].to_numpy().astype(np.int64) if len(counts) else counts
        pairs = WindowPairs(k, starts, counts, k)
        pairs.check_bound(
            max_pairs,
            ordered["unit"] if len(counts) else [],
            lambda unit: _files_of(adoptions, adoption_units, unit),
            "把录用归并为同一篇信息时，",
        )
        # Titles are prepared for the adoptions in some pair, numbered 0… in `needed`.
        needed = pairs.covered(len(ids))
        if len(needed):
            cores, nums = prepare_titles(adoptions["title"].gather(needed), places, keyed=True)
            # A place that is one of the adoption's own units (「河上镇…」 by 河上镇) names who
            # wrote it, not what it is about.
            units_of: dict[int, list[str]] = {}
            for k_, unit in members.select("k", "unit").iter_rows():
                units_of.setdefault(k_, []).append(unit)
            for i, strong, weak in zip(needed.tolist(), *title_places(cores), strict=True):
                own = units_of.get(i, ())
                strong_places[i] = _not_own(strong, own)
                weak_places[i] = _not_own(weak, own)
            number = np.zeros(len(ids), dtype=np.int64)
            number[needed] = np.arange(len(needed))
            numbered = WindowPairs(number[k], starts, counts, number[k])
            x, y, score = scored_window_pairs(numbered, cores, nums, min(doubt, same))
            x, y = needed[x], needed[y]
    # Pairs keyed by their ids in order (a pair of adoptions sharing several units is scored
    # once per unit, alike), the most similar first, then by ids.
    rank = (
        pl.Series(ids, dtype=pl.String).rank("ordinal").cast(pl.Int64).to_numpy()
        if ids
        else np.empty(0, np.int64)
    )
    swap = rank[x] > rank[y]
    x, y = np.where(swap, y, x), np.where(swap, x, y)
    _, first = np.unique(x * len(ids) + y, return_index=True)
    x, y, score = x[first], y[first], score[first]
    order = np.lexsort((rank[y], rank[x], -score))
    ranked = (x[order].tolist(), y[order].tolist(), score[order].tolist())

    # What each adoption is about: the places its title names, the submission it came from.
    sources: list[str | None] = [None] * len(ids)
    if links is not None and links.height:
        for aid, sid in links.select("adoption_id", "submission_id").iter_rows():
            if sid is not None and (k := index.get(aid)) is not None:
                sources[k] = sid
    groups.about(strong_places, sources)
    # Only doubtful, however similar: titles naming different county-level places (weak:
    # 市场, 区域 name none), and a title that names no place, as similar to titles naming
    # different places (「我县…垃圾分类」 beside 「…碧坝村垃圾分类」 and 「…白寨村垃圾分类」):
    # it could be either.
    unsure = _unsure(ranked, strong_places, min(doubt, same))
    weak_apart = [
        places_differ(weak_places[a], weak_places[b])
        or (a in unsure and strong_places[b] is not None)
        or (b in unsure and strong_places[a] is not None)
        for a, b in zip(*ranked[:2], strict=True)
    ]

    # The user's answers first: 否 forbids, 是 merges.
    answers = {
        k: v for k, v in _pair_decisions(decisions).items() if k[0] in index and k[1] in index
    }
    for (a, b), yes in answers.items():
        if not yes:
            groups.forbid(index[a], index[b])
    for (a, b), yes in sorted(answers.items()):
        if yes:
            groups.union(index[a], index[b], check_issue=False)

    # Adoptions from the same submission are one article.
    if links is not None and links.height:
        shared = (
            links.select("adoption_id", "submission_id")
            .filter(pl.col("submission_id").is_not_null())
            .join(
                pl.DataFrame(
                    {"adoption_id": ids, "k": range(len(ids))},
                    schema={"adoption_id": pl.String, "k": pl.Int64},
                ),
                on="adoption_id",
            )
            .unique()
            .filter(pl.len().over("submission_id") > 1)
            .sort("submission_id", "adoption_id")
        )
        sids, ks = shared["submission_id"].to_list(), shared["k"].to_list()
        for i, (sid, k) in enumerate(zip(sids, ks, strict=True)):
            if i and sids[i - 1] == sid:
                groups.union(first, k)
            else:
                first = k

    # Automatic merges, most similar first; never across places or submissions (C1).
    for a, b, s, w in zip(*ranked, weak_apart, strict=True):
        if s >= same and not w and (ids[a], ids[b]) not in answers:
            groups.union(a, b, on_title=True)

    # Doubtful pairs left apart → review; not those whose groups differ in place or
    # submission: they are two articles.
    doubtful = [
        (a, b, s)
        for a, b, s, w in zip(*ranked, weak_apart, strict=True)
        if doubt <= s
        and (s < same or w)
        and (ids[a], ids[b]) not in answers
        and issue_no[a] != issue_no[b]
        and groups.find(a) != groups.find(b)
        and not groups.differ(a, b)
    ]
    review = []
    if doubtful:
        shown = sorted({k for a, b, _ in doubtful for k in (a, b)})
        seen = adoptions[shown].with_columns(day=days.gather(shown))
        of = dict(zip(shown, seen.iter_rows(named=True), strict=True))
        for a, b, s in doubtful:
            first, second = sorted((of[a], of[b]), key=lambda r: (r["day"], r["adoption_id"]))
            review.append(
                {
                    "type": "same_article",
                    "key": f"{ids[a]}|{ids[b]}",
                    "file": first["source_file"],
                    "row": first["source_row"],
                    **_pair_about(first, second),
                    "text": f"{_describe(first)} 与 {_describe(second)}",
                    "candidates": f"标题相似度{s:.0f}",
                    "reason": "同一单位、标题相近，是否为同一篇信息？请在 decisions.csv 中答复「是」或「否」",
                    "answer": "",
                }
            )

    # article_id: the earliest member of each group (by date, then adoption_id).
    find = groups.find
    articles = (
        pl.DataFrame(
            {"adoption_id": ids, "root": [find(k) for k in range(len(ids))], "day": days},
            schema={"adoption_id": pl.String, "root": pl.Int64, "day": pl.Int64},
        )
        .select(
            "adoption_id",
            article_id=pl.col("adoption_id").sort_by("day", "adoption_id").first().over("root"),
        )
        .pipe(schema.conform, schema.ARTICLES)
    )
    review_df = (
        pl.DataFrame(review, schema=schema.REVIEW) if review else schema.empty(schema.REVIEW)
    )
    return articles, review_df


# --- events ----------------------------------------------------------------------------------


def _event_files(events: pl.DataFrame, unit: str) -> list[str]:
    """The files (most rows first) of the events of `unit`."""
    if "source_file" not in events.columns or "unit" not in events.columns:
        return []
    return (
        events.filter(pl.col("unit") == unit)
        .group_by("source_file")
        .len()
        .drop_nulls()
        .sort("len", "source_file", descending=[True, False])["source_file"]
        .to_list()
    )


def link_events_to_articles(
    events_with_unit: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    articles: pl.DataFrame,
    same: float = 80,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
    max_pairs: int | None = None,
) -> pl.DataFrame:
    """Add `article_id` to events (领导批示, 约稿 …) whose title names an article.

    `max_pairs` ([limits] max_title_pairs): more (event, adoption of its unit) pairs than
    this stop with an InputError naming the unit with the most, before any is formed.

    An event is linked to the article of the most similar adoption title (>= same) among the
    adoptions of the event's unit dated at most window_days before or after the event (a
    leader instruction follows the adoption, a commission precedes it). Ties: the nearer
    date, then the smaller adoption_id. Events without title, unit or match get null.
    """
    n = events_with_unit.height

    def col(name: str, dtype: pl.DataType) -> pl.Series:
        if name in events_with_unit.columns:
            return events_with_unit[name].cast(dtype)
        return pl.Series(name, [None] * n, dtype=dtype)

    events = pl.DataFrame(
        {"unit": col("unit", pl.String), "title": col("title", pl.String),
         "when": col("date", pl.Date)}
    ).with_row_index("e").filter(pl.col("title").is_not_null() & (pl.col("title") != ""))  # fmt: skip
    out = pl.Series("article_id", [None] * n, dtype=pl.String)
    if events.is_empty() or adoption_units.is_empty():
        return events_with_unit.with_columns(out)
    # The adoptions of the events' units; each one's date and title from its last row, its
    # article from the last row too.
    of_units = (
        adoption_units.select("adoption_id", "unit")
        .join(events.select(pl.col("unit").unique()), on="unit", nulls_equal=True)
        .unique()
    )
    looked = pl.col("adoption_id").is_in(of_units["adoption_id"].unique().implode())
    adoptions = schema.conform(adoptions, schema.ADOPTIONS)
    info = (
        adoptions.select("adoption_id", "date", "title")
        .filter(looked)
        .unique("adoption_id", keep="last", maintain_order=False)
    )
    article_of = (
        articles.select("adoption_id", "article_id")
        .filter(looked)
        .unique("adoption_id", keep="last", maintain_order=False)
    )
    if max_pairs is not None:
        counted = (
            events.group_by("unit")
            .len()
            .join(of_units.group_by("unit").len(), on="unit", nulls_equal=True)
            .select("unit", n=pl.col("len") * pl.col("len_right"))
        )
        owners = counted["unit"].to_list()
        WindowPairs(
            np.zeros(len(owners), np.int64), np.zeros(len(owners), np.int64), counted["n"], []
        ).check_bound(
            max_pairs,
            owners,
            lambda unit: _event_files(events_with_unit, unit),
            "把事项（领导批示、约稿等）与录用信息对应时，",
        )
    # Candidates: the adoptions of the event's unit within the window.
    near = (
        events.join(of_units, on="unit", nulls_equal=True)
        .join(info, on="adoption_id", nulls_equal=True)
        .join(article_of, on="adoption_id", nulls_equal=True)
        .with_columns(gap=(pl.col("date") - pl.col("when")).dt.total_days().abs().fill_null(0))
        .filter(pl.col("gap") <= window_days)
    )
    if near.is_empty():
        return events_with_unit.with_columns(out)
    adopted = near.select(pl.col("adoption_id").unique())
    prepared = dict(
        zip(
            adopted["adoption_id"].to_list(),
            prepared_titles(
                adopted.join(info, on="adoption_id", nulls_equal=True, maintain_order="left")[
                    "title"
                ],
                places,
            ),
            strict=True,
        )
    )
    named = prepared_titles(events["title"], places)
    event_pos = dict(zip(events["e"].to_list(), range(events.height), strict=True))
    left = [named[event_pos[e]] for e in near["e"].to_list()]
    right = [prepared[a] for a in near["adoption_id"].to_list()]
    near = near.with_columns(score=pl.Series(_similarities(left, right), dtype=pl.Float64))
    best = (
        near.filter(pl.col("score") >= same)
        .sort("e", pl.col("score"), "gap", "adoption_id", descending=[False, True, False, False])
        .unique("e", keep="first", maintain_order=False)
    )
    out = out.scatter(best["e"], best["article_id"])
    return events_with_unit.with_columns(out)


def _similarities(left: list[tuple], right: list[tuple]) -> list[float]:
    """`_similarity` of each pair of prepared titles, the rapidfuzz passes in bulk."""
    ca = np.array([c for c, _ in left], dtype=object)
    cb = np.array([c for c, _ in right], dtype=object)
    la = np.fromiter(map(len, ca), np.int64, len(ca))
    lb = np.fromiter(map(len, cb), np.int64, len(cb))
    scores = process.cpdist(ca, cb, scorer=fuzz.ratio, dtype=np.float64) if len(ca) else []
    scores = np.asarray(scores, dtype=np.float64)
    long = np.flatnonzero((la >= PARTIAL_MIN_LEN) & (lb >= PARTIAL_MIN_LEN))
    if len(long):
        partial = process.cpdist(ca[long], cb[long], scorer=fuzz.partial_ratio, dtype=np.float64)
        scores[long] = np.maximum(scores[long], partial)
    out = scores.tolist()
    for i, ((c1, n1), (c2, n2)) in enumerate(zip(left, right, strict=True)):
        if not c1 or not c2:
            out[i] = 0.0
        elif n1 and n2 and n1 != n2:
            out[i] *= NUMBER_PENALTY
    return out
