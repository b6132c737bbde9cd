"""Article grouping (信息归并, reading C1) and linking events to articles.

An *article* (一篇信息) is one piece of information; its adoptions by several periodicals
(建德政务·动态, then 杭州政务 …) are one article when they come from the same unit, their
titles are similar (editors shorten and retitle) and their dates are within 120 days.
Pairs that are only fairly similar go to the review list; the user's answers in
decisions.csv (是/否) settle them, and also override an automatic merge.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date

import polars as pl
from rapidfuzz import fuzz, process

from transforms import schema
from transforms.matching import strip_place_prefix

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


def title_similarity(a: str | None, b: str | None, places: tuple[str, ...] = ()) -> float:
    """Similarity 0–100 of two titles.

    Both are normalised (`normalize_title`) and stripped of stock phrases (推进, 多措并举 …);
    the score is fuzz.ratio, or max(fuzz.ratio, fuzz.partial_ratio) when the shorter title
    keeps PARTIAL_MIN_LEN characters; times NUMBER_PENALTY when both titles carry numbers
    and the numbers differ (一季度 vs 二季度).
    """
    return _similarity(_prepare(normalize_title(a, places)), _prepare(normalize_title(b, places)))


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
    """Union-find with cannot-link constraints (否 answers; one publication issue)."""

    def __init__(self, ids: list[str], issues: list[tuple]):
        self.parent = {i: i for i in ids}
        self.members = {i: {i} for i in ids}
        self.issues = {i: {iss} for i, iss in zip(ids, issues, strict=True)}
        self.forbidden: dict[str, set[str]] = {i: set() for i in ids}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def forbid(self, a: str, b: str) -> None:
        self.forbidden[a].add(b)
        self.forbidden[b].add(a)

    def union(self, a: str, b: str, check_issue: bool = True) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.forbidden[ra] & self.members[rb] or self.forbidden[rb] & self.members[ra]:
            return False
        if check_issue and self.issues[ra] & self.issues[rb]:
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.issues[ra] |= self.issues.pop(rb)
        self.forbidden[ra] |= self.forbidden.pop(rb)
        return True


def _describe(a: dict) -> str:
    issue = a["issue"] or (a["date"].isoformat() if a["date"] else "")
    return f"《{a['publication']}》{issue}「{a['title']}」"


def _window_pairs(
    members: list[str],
    days: list[int],
    titles: dict[str, tuple[str, frozenset[str]]],
    window_days: int,
    cutoff: float,
):
    """For each member (sorted by date), the later members within the window whose title
    similarity is at least `cutoff`: [(id, [(other_id, score), …]), …].

    Same as `_similarity` pair by pair, but the ratio and partial_ratio passes run inside
    rapidfuzz with a score cutoff, which keeps thousands of adoptions well under a second.
    """
    cores = [titles[m][0] for m in members]
    end = 0
    for x, a in enumerate(members):
        end = max(end, x + 1)
        while end < len(members) and days[end] - days[x] <= window_days:
            end += 1
        ca, na = titles[a]
        if not ca or end <= x + 1:
            yield a, []
            continue
        window = cores[x + 1 : end]
        best: dict[int, float] = {}
        for _c, sc, j in process.extract(
            ca, window, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        ):
            best[j] = sc
        if len(ca) >= PARTIAL_MIN_LEN:
            for _c, sc, j in process.extract(
                ca, window, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None
            ):
                if len(window[j]) >= PARTIAL_MIN_LEN and sc > best.get(j, -1.0):
                    best[j] = sc
        out = []
        for j, sc in best.items():
            b = members[x + 1 + j]
            nb = titles[b][1]
            if na and nb and na != nb:
                sc *= NUMBER_PENALTY
            if sc >= cutoff:
                out.append((b, float(sc)))
        yield a, out


def group_articles(
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    decisions: pl.DataFrame | None,
    same: float = 80,
    doubt: float = 65,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
    links: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Group adoptions into articles (C1). Returns (ARTICLES, REVIEW).

    `links` (optional, columns adoption_id, submission_id, as from
    transforms.linking.link_adoptions_to_submissions): adoptions that came from the same
    submission are one article (C1, first half), whatever their titles; a 否 answer and the
    one-issue rule still keep two adoptions apart.

    Two adoptions are one article when they share a unit, their titles are similar
    (title_similarity >= same) and their dates are at most window_days apart; groups are
    the connected components (union-find), merging the most similar pairs first. Pairs are
    only formed within a unit's adoptions inside the date window, so the work stays
    near-linear. Two adoptions of the same issue of the same periodical are never one
    article. Pairs scoring in [doubt, same) that end up apart go to review (type
    `same_article`, key 「<id>|<id>」 sorted) unless decisions.csv answers them: 是 merges,
    否 keeps apart (also against an automatic merge). `article_id` is the adoption_id of the
    group's earliest member (by date, then adoption_id); every adoption gets a row.
    """
    adoptions = schema.conform(adoptions, schema.ADOPTIONS)
    recs = list(adoptions.iter_rows(named=True))
    by_id = {r["adoption_id"]: r for r in recs}
    ids = list(by_id)
    titles = {i: _prepare(normalize_title(by_id[i]["title"], places)) for i in ids}

    def issue_key(r: dict) -> tuple:
        return (r["publication"], r["issue"] if r["issue"] else r["date"])

    groups = _Groups(ids, [issue_key(by_id[i]) for i in ids])

    # Candidate pairs, blocked by unit and by the date window.
    by_unit: dict[str, list[str]] = defaultdict(list)
    if adoption_units.height:
        for aid, unit in adoption_units.select("adoption_id", "unit").unique().iter_rows():
            if aid in by_id and unit is not None:
                by_unit[unit].append(aid)
    far = date.max.toordinal()
    scored: dict[tuple[str, str], float] = {}
    for members in by_unit.values():
        members.sort(key=lambda i: (by_id[i]["date"] or date.max, i))
        days = [by_id[i]["date"].toordinal() if by_id[i]["date"] else far for i in members]
        for a, pairs in _window_pairs(members, days, titles, window_days, min(doubt, same)):
            for b, s in pairs:
                key = (a, b) if a < b else (b, a)
                scored.setdefault(key, s)

    # The user's answers first: 否 forbids, 是 merges.
    answers = {
        k: v for k, v in _pair_decisions(decisions).items() if k[0] in by_id and k[1] in by_id
    }
    for (a, b), yes in answers.items():
        if not yes:
            groups.forbid(a, b)
    for (a, b), yes in sorted(answers.items()):
        if yes:
            groups.union(a, b, check_issue=False)

    # Adoptions from the same submission are one article.
    if links is not None and links.height:
        by_submission: dict[str, list[str]] = defaultdict(list)
        for aid, sid in links.select("adoption_id", "submission_id").iter_rows():
            if aid in by_id and sid is not None:
                by_submission[sid].append(aid)
        for sid in sorted(by_submission):
            members = sorted(set(by_submission[sid]))
            for other in members[1:]:
                groups.union(members[0], other)

    # Automatic merges, most similar first.
    for (a, b), s in sorted(scored.items(), key=lambda t: (-t[1], t[0])):
        if s >= same and (a, b) not in answers:
            groups.union(a, b)

    # Doubtful pairs left apart → review.
    review = []
    for (a, b), s in sorted(scored.items(), key=lambda t: (-t[1], t[0])):
        if not (doubt <= s < same) or (a, b) in answers:
            continue
        ra, rb = by_id[a], by_id[b]
        if issue_key(ra) == issue_key(rb) or groups.find(a) == groups.find(b):
            continue
        first, second = sorted((ra, rb), key=lambda r: (r["date"] or date.max, r["adoption_id"]))
        review.append(
            {
                "type": "same_article",
                "key": f"{a}|{b}",
                "file": first["source_file"],
                "row": first["source_row"],
                "text": f"{_describe(first)} 与 {_describe(second)}",
                "candidates": f"标题相似度{s:.0f}",
                "reason": "同一单位、标题相近，是否为同一篇信息？请在 decisions.csv 中答复「是」或「否」",
                "answer": "",
            }
        )

    # article_id: the earliest member of each group.
    earliest: dict[str, tuple] = {}
    for i in ids:
        root = groups.find(i)
        k = (by_id[i]["date"] or date.max, i)
        if root not in earliest or k < earliest[root]:
            earliest[root] = k
    articles = pl.DataFrame(
        {"adoption_id": ids, "article_id": [earliest[groups.find(i)][1] for i in ids]},
        schema=schema.ARTICLES,
    )
    review_df = (
        pl.DataFrame(review, schema=schema.REVIEW) if review else schema.empty(schema.REVIEW)
    )
    return articles, review_df


# --- events ----------------------------------------------------------------------------------


def link_events_to_articles(
    events_with_unit: pl.DataFrame,
    adoptions: pl.DataFrame,
    adoption_units: pl.DataFrame,
    articles: pl.DataFrame,
    same: float = 80,
    window_days: int = DEFAULT_WINDOW_DAYS,
    places: tuple[str, ...] = (),
) -> pl.DataFrame:
    """Add `article_id` to events (领导批示, 约稿 …) whose title names an article.

    An event is linked to the article of the most similar adoption title (>= same) among the
    adoptions of the event's unit dated at most window_days before or after the event (a
    leader instruction follows the adoption, a commission precedes it). Ties: the nearer
    date, then the smaller adoption_id. Events without title, unit or match get null.
    """
    article_of = dict(articles.select("adoption_id", "article_id").iter_rows())
    adoptions = schema.conform(adoptions, schema.ADOPTIONS)
    info = {
        r["adoption_id"]: (r["date"], _prepare(normalize_title(r["title"], places)))
        for r in adoptions.iter_rows(named=True)
    }
    by_unit: dict[str, list[str]] = defaultdict(list)
    if adoption_units.height:
        for aid, unit in adoption_units.select("adoption_id", "unit").unique().iter_rows():
            if aid in info and aid in article_of:
                by_unit[unit].append(aid)
    n = events_with_unit.height

    def col(name: str) -> list:
        return events_with_unit[name].to_list() if name in events_with_unit.columns else [None] * n

    out: list[str | None] = []
    for unit, title, when in zip(col("unit"), col("title"), col("date"), strict=True):
        t = _prepare(normalize_title(title, places)) if title else None
        best: tuple | None = None
        if t and unit in by_unit:
            for aid in by_unit[unit]:
                d, at = info[aid]
                gap = abs((d - when).days) if d and when else 0
                if gap > window_days:
                    continue
                s = _similarity(t, at)
                if s >= same:
                    k = (-s, gap, aid)
                    if best is None or k < best:
                        best = k
        out.append(article_of[best[2]] if best else None)
    return events_with_unit.with_columns(pl.Series("article_id", out, dtype=pl.String))
