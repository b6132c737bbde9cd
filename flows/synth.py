"""Synthetic workspaces (合成数据) of any size, for benchmarks and demonstrations.

`kaohe synth DIR --scheme ID --units N --year Y [--seed S]` writes a workspace for any
registered scheme: a roster of N units (names built from place names and department names,
with the abbreviations periodicals print), a year of adoptions (articles adopted by one to
three periodicals, retitled by their editors, some written jointly, units printed as
periodicals print them: abbreviated, with the writer, 「（…供稿）」), mail logs as CSV (one
file a month, about 200 submissions per unit and year, the adopted articles among them) and
events (leader instructions on adopted articles, commissions, penalties).

Generation is vectorised (numpy indices, polars string expressions): 5,000 units and a year
(1,000,000 submissions, 100,000 adoptions) take a few seconds. The same seed gives the same
files, byte for byte.

The generators (`roster`, `adoptions`, `submissions`, `events`) are pure: they return
frames; `write_workspace` does the IO.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from schemes import get_scheme
from transforms.errors import InputError

#: Submissions per unit and year, and adoptions per unit and year (issue 8's province).
SUBMISSIONS_PER_UNIT = 200
ADOPTIONS_PER_UNIT = 20

# Characters of place names (two of them, then 县/镇/街道/乡). Kept apart for counties and
# towns so that a town's short name (安平) is never a county's.
_COUNTY_FIRST = "安宝昌崇大丹德东凤富高广海和华怀嘉建江金晋景靖乐临龙隆庐鹿罗洛梅宁"
_COUNTY_SECOND = "安昌川丰阜谷和湖化兰陵宁平浦清泉山寿顺松台通溪祥兴阳义源州"
_TOWN_FIRST = "白碧长春翠洞峰关桂河红湖黄界柯兰里柳麻马南盘蒲桥沙石双松汤桃湾溪"
_TOWN_SECOND = "坝堡埠池村店墩岗沟口里林岭铺桥坪山塘田头湾圩峪源寨庄"
_TOWN_KINDS = ("镇", "镇", "街道", "乡")

#: Departments: (full name, the abbreviation periodicals print or None).
DEPARTMENTS = (
    ("发展和改革局", "发改局"),
    ("经济和信息化局", "经信局"),
    ("教育局", None),
    ("科学技术局", "科技局"),
    ("公安局", None),
    ("民政局", None),
    ("司法局", None),
    ("财政局", None),
    ("人力资源和社会保障局", "人社局"),
    ("自然资源和规划局", "自然资源局"),
    ("生态环境分局", "环境分局"),
    ("住房和城乡建设局", "住建局"),
    ("交通运输局", "交通局"),
    ("水利局", None),
    ("农业农村局", "农业局"),
    ("商务局", None),
    ("文化和广电旅游体育局", "文广旅体局"),
    ("卫生健康局", "卫健局"),
    ("退役军人事务局", "退役军人局"),
    ("应急管理局", "应急局"),
    ("审计局", None),
    ("市场监督管理局", "市场监管局"),
    ("统计局", None),
    ("医疗保障局", "医保局"),
    ("综合行政执法局", "执法局"),
    ("信访局", None),
    ("机关事务管理局", "机关事务局"),
    ("大数据发展管理局", "数据局"),
    ("林业局", None),
    ("供销合作社", "供销社"),
    ("总工会", None),
    ("妇联", None),
)

_VERBS = (
    "多措并举推进",
    "扎实开展",
    "全力打好",
    "创新推出",
    "聚焦",
    "深化",
    "积极探索",
    "着力破解",
    "以挂图作战助推",
    "三举措抓实",
    "“四个一”机制推动",
    "召开",
    "部署",
    "启动",
)
_TOPICS = (
    "“最多跑一次”改革",
    "垃圾分类",
    "河长制",
    "乡村振兴",
    "营商环境优化",
    "安全生产大检查",
    "森林防火",
    "防汛防台",
    "重大项目建设",
    "小城镇环境综合整治",
    "民生实事",
    "双招双引",
    "农房整治",
    "老旧小区改造",
    "“无违建”创建",
    "扫黑除恶专项斗争",
    "美丽乡村建设",
    "文明城市创建",
    "企业减负",
    "医保支付改革",
    "校园安全",
    "农村饮用水达标提标",
    "电商进农村",
    "社区矫正",
    "信访积案化解",
    "全域旅游",
    "养老服务",
    "“亩均论英雄”改革",
    "消防隐患排查",
    "食品安全",
)
_TAILS = ("", "取得实效", "见成效", "交出高分答卷", "工作会议", "经验做法", "走深走实", "开局良好")
_NUMBERS = ("", "", "", "", "", "今年以来", "首批", "第二批", "新一轮")
_WRITERS = "王芳 李强 张伟 刘洋 陈静 杨帆 赵敏 周杰 吴丹 徐磊 孙丽 朱婷 胡斌 郭亮".split()


#: Noise profiles: "default" (the timing baseline of `make bench`, unchanged since issue 8)
#: and "hard" (noise as hard as real periodicals, for the quality figures of issue 16).
PROFILES = ("default", "hard")

#: The folder beside the inputs where `write_workspace` writes the truth (kaohe reads only
#: kaohe.toml, units.csv, decisions.csv, adoptions/, submissions/ and events/).
TRUTH_DIR = "synth-truth"


@dataclass(frozen=True)
class SynthSpec:
    """What to generate: scheme, number of units, year, seed, noise profile."""

    scheme_id: str
    units: int
    year: int
    seed: int = 0
    profile: str = "default"

    @property
    def hard(self) -> bool:
        return self.profile == "hard"


def _tables(scheme_id: str) -> tuple[list[tuple[str | None, str | None]], dict[str, str]]:
    """The scheme's points lines as (periodical, class) — a level's line once per periodical
    of the level — and its instruction level words (word -> level)."""
    scheme = get_scheme(scheme_id)  # an unknown id raises the InputError naming the schemes
    of_level: dict[str, list[str]] = {}
    for pub in scheme.publications:
        of_level.setdefault(pub.level, []).append(pub.name)
    lines = [
        (name, p.kind)
        for r in scheme.rules_of("adoption")
        for p in r.table
        for name in ([p.publication] if p.level is None else of_level.get(p.level, []))
    ]
    return lines, {w: lv.level for lv in scheme.levels for w in lv.words}


def _places(first: str, second: str, n: int, rng: np.random.Generator, avoid) -> list[str]:
    names = [a + b for a in first for b in second if a != b]
    names = [s for s in names if not s.startswith(avoid)]
    rng.shuffle(names)
    if n > len(names):  # beyond the pool: three characters
        extra = [a + b + c for a in first for b in second for c in second if b != c]
        rng.shuffle(extra)
        names += [s for s in extra if not s.startswith(avoid)]
    return names[:n]


def _town_groups(groups: list[str]) -> list[str]:
    words = ("乡镇", "镇）", "县（市）区")
    found = [g for g in groups if any(w in g for w in words)]
    return found or groups[:1]


def roster(spec: SynthSpec) -> pl.DataFrame:
    """N units (unit, group, aliases, emails, short): about 30% towns and streets, the rest
    departments of counties (「安平县发展和改革局」, alias 「安平县发改局」). `short` is the
    name periodicals print most often (a department's abbreviation, a town without 镇)."""
    if spec.hard and spec.units >= 20:
        return _hard_roster(spec)
    scheme = get_scheme(spec.scheme_id)
    rng = np.random.default_rng([spec.seed, 1])
    avoid = tuple(p[:1] for p in scheme.place_prefixes) + ("市", "区", "县")
    scored = [g.name for g in scheme.groups if g.name not in scheme.unscored_groups]
    towns_g = _town_groups(scored)
    depts_g = [g for g in scored if g not in towns_g] or scored
    n_towns = max(1, round(spec.units * 0.3)) if spec.units > 1 else 0
    n_depts = spec.units - n_towns
    n_counties = max(1, math.ceil(n_depts / len(DEPARTMENTS)))
    counties = _places(_COUNTY_FIRST, _COUNTY_SECOND, n_counties, rng, avoid)
    town_places = _places(_TOWN_FIRST, _TOWN_SECOND, n_towns, rng, avoid)
    units, groups, aliases, shorts = [], [], [], []
    for i, place in enumerate(town_places):
        kind = _TOWN_KINDS[i % len(_TOWN_KINDS)]
        units.append(place + kind)
        groups.append(towns_g[i % len(towns_g)])
        aliases.append([])
        shorts.append(place)
    k = 0
    for county in counties:
        for full, abbr in DEPARTMENTS:
            if k >= n_depts:
                break
            units.append(f"{county}县{full}")
            # A few departments in the unscored group, where the scheme has one.
            if scheme.unscored_groups and k % 40 == 39:
                groups.append(scheme.unscored_groups[0])
            else:
                groups.append(depts_g[k % len(depts_g)])
            aliases.append([f"{county}县{abbr}"] if abbr else [])
            shorts.append(f"{county}县{abbr or full}")
            k += 1
    n = len(units)
    emails = [[f"xxk{i + 1:05d}@xx.gov.cn"] for i in range(n)]
    return pl.DataFrame(
        {"unit": units, "group": groups, "aliases": aliases, "emails": emails, "short": shorts},
        schema={
            "unit": pl.String,
            "group": pl.String,
            "aliases": pl.List(pl.String),
            "emails": pl.List(pl.String),
            "short": pl.String,
        },
    )


#: Hard profile: units under a county department whose names hold the department's
#: (full name, the abbreviation periodicals print).
_SUBUNITS = {
    "公安局": ("公安局交通警察大队", "交警大队"),
    "教育局": ("教育局教学研究室", "教研室"),
    "市场监督管理局": ("市场监督管理局城区市场监管所", "城区市场监管所"),
}


def _hard_roster(spec: SynthSpec) -> pl.DataFrame:
    """The hard profile's roster: 10% fewer units of the default kind, and in their place
    units whose names sit inside others' or repeat them at another level: the departments
    of the city above the counties (「江州市商务局」, printed 「市商务局」 or just 「商务局」
    beside every county's 「…县商务局」), units under a county department (「安平县公安局
    交通警察大队」, printed 「安平县公安局交警大队」, holding 「安平县公安局」) and towns named
    as a county (「安平镇」, printed 「安平」, beside 「安平县发改局」). With few counties for
    the units under them (a few thousand units), the roster holds somewhat fewer than N."""
    scheme = get_scheme(spec.scheme_id)
    rng = np.random.default_rng([spec.seed, 11])
    n_extra = max(3, spec.units // 10)
    base = roster(SynthSpec(spec.scheme_id, spec.units - n_extra, spec.year, spec.seed))
    scored = [g.name for g in scheme.groups if g.name not in scheme.unscored_groups]
    towns_g = _town_groups(scored)
    depts_g = [g for g in scored if g not in towns_g] or scored
    counties = sorted(
        {u[: u.index("县")] for u in base["unit"].to_list() if "县" in u and not u.endswith("镇")}
    )
    # The office's own place (建德市, 萧山区): its departments print as 市商务局 / 区商务局.
    own = [p for p in scheme.place_prefixes if len(p) >= 3 and p[-1] in "市区县"]
    city = min(own, key=len) if own else "江州市"
    units: list[str] = []
    groups: list[str] = []
    aliases: list[list[str]] = []
    shorts: list[str] = []
    # A third each: the city's departments, units under county departments, towns named
    # as a county.
    n_city = min(len(DEPARTMENTS), n_extra // 3 or 1)
    for full, abbr in DEPARTMENTS[:n_city]:
        units.append(f"{city}{full}")
        groups.append(depts_g[len(units) % len(depts_g)])
        aliases.append([f"{city}{abbr}"] if abbr else [])
        shorts.append(f"{city[-1]}{abbr or full}")
    order = rng.permutation(len(counties)).tolist()
    for county in [counties[i] for i in order[: (n_extra - n_city) // 2]]:
        units.append(f"{county}镇")
        groups.append(towns_g[len(units) % len(towns_g)])
        aliases.append([])
        shorts.append(county)
    subs = list(_SUBUNITS.values())
    k = 0
    while len(units) < n_extra and k < len(order) * len(subs):
        county = counties[order[k // len(subs) % len(order)]]
        full, abbr = subs[k % len(subs)]
        k += 1
        units.append(f"{county}县{full}")
        groups.append(depts_g[len(units) % len(depts_g)])
        head = full[: full.index("局") + 1]
        aliases.append([f"{county}县{abbr}", f"{county}县{head}{abbr}"])
        shorts.append(f"{county}县{head}{abbr}")
    n0 = base.height
    extra = pl.DataFrame(
        {
            "unit": units,
            "group": groups,
            "aliases": aliases,
            "emails": [[f"xxk{n0 + i + 1:05d}@xx.gov.cn"] for i in range(len(units))],
            "short": shorts,
        },
        schema=base.schema,
    )
    return pl.concat([base, extra])


def _pick(rng: np.random.Generator, options, n: int) -> pl.Series:
    return pl.Series(list(options), dtype=pl.String).gather(rng.integers(0, len(options), n))


def _title_parts(rng: np.random.Generator, who: pl.Series, n: int) -> pl.DataFrame:
    """The parts of n titles (who, number, verb, village, topic, tail, style)."""
    pool = [a + b for a in _TOWN_FIRST for b in _TOWN_SECOND if b != "村"]
    village = pl.Series(pool, dtype=pl.String).gather(rng.integers(0, len(pool), n))
    return pl.DataFrame(
        {
            "who": who,
            "number": _pick(rng, _NUMBERS, n),
            "verb": _pick(rng, _VERBS, n),
            "village": village,
            "topic": _pick(rng, _TOPICS, n),
            "tail": _pick(rng, _TAILS, n),
            "style": rng.integers(0, 4, n),
        }
    )


def _titles(rng: np.random.Generator, who: pl.Series, n: int) -> pl.DataFrame:
    """Columns title (as the unit wrote it) and retitle (as another editor printed it)."""
    return _compose(_title_parts(rng, who, n))


def _compose(df: pl.DataFrame) -> pl.DataFrame:
    """Titles from their parts (`_title_parts`): columns title and retitle."""
    core = pl.concat_str("number", "verb", "village", pl.lit("村"), "topic")
    title = pl.concat_str("who", core, "tail")
    # Editors retitle: 我县/全市 for the unit, the stock tail dropped, the source in brackets,
    # a 「关于…的情况」 frame.
    retitle = (
        pl.when(pl.col("style") == 0)
        .then(pl.concat_str(pl.lit("我县"), core))
        .when(pl.col("style") == 1)
        .then(pl.concat_str(core, pl.lit("（"), "who", pl.lit("）")))
        .when(pl.col("style") == 2)
        .then(pl.concat_str(pl.lit("关于"), "who", core, pl.lit("的情况")))
        .otherwise(pl.concat_str("who", core))
    )
    return df.select(title.alias("title"), retitle.alias("retitle"))


def _printed(rng: np.random.Generator, units: pl.DataFrame, idx: np.ndarray) -> pl.Series:
    """A unit's name as a periodical prints it: full name, abbreviation, with the writer
    「（王芳）」, or 「（…供稿）」."""
    n = len(idx)
    full = units["unit"].gather(idx)
    short = units["short"].gather(idx)
    writer = _pick(rng, _WRITERS, n)
    style = pl.Series(rng.choice(4, n, p=[0.55, 0.25, 0.1, 0.1]))
    return pl.DataFrame({"f": full, "s": short, "w": writer, "k": style}).select(
        pl.when(pl.col("k") == 0)
        .then("f")
        .when(pl.col("k") == 1)
        .then("s")
        .when(pl.col("k") == 2)
        .then(pl.concat_str("s", pl.lit("（"), "w", pl.lit("）")))
        .otherwise(pl.concat_str(pl.lit("（"), "f", pl.lit("供稿）")))
    )["f"]


def _kinds(scheme_id: str) -> dict[str, list[str]]:
    """Per periodical the article classes its points table knows (empty: the default)."""
    scheme = get_scheme(scheme_id)
    lines, _ = _tables(scheme_id)
    out: dict[str, list[str]] = {}
    for pub in scheme.publications:
        kinds = set()
        for publication, kind in lines:
            if publication == pub.name and kind:
                kinds.add(kind)
        if pub.default_kind:
            kinds.add(pub.default_kind)
        out[pub.name] = sorted(kinds)
    return out


def _dates(year: int, days: np.ndarray) -> pl.Series:
    """Dates of `year` from day offsets (0 = 1 January)."""
    epoch = (date(year, 1, 1) - date(1970, 1, 1)).days
    return pl.Series((days + epoch).astype("int32")).cast(pl.Date)


def _year_days(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def articles(spec: SynthSpec, units: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(adoptions, articles): about 20 adoptions per unit and year; see `_adoption_rows`."""
    ad, art = _adoption_rows(spec, units)
    return ad.select(*_ADOPTION_COLUMNS), art


_ADOPTION_COLUMNS = ("publication", "issue", "date", "title", "units", "kind")


def _adoption_rows(spec: SynthSpec, units: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(adoptions, articles): about 20 adoptions per unit and year.

    An article is written by one unit (5% jointly with a second unit), submitted on `sent`
    and adopted on `first` by one to three periodicals, each later one up to 60 days after
    and retitled. Returns the ADOPTIONS-like rows (publication, issue, date, title, units,
    kind) and one row per article (unit index, title, sent, first date) for the mail logs
    and events."""
    rng = np.random.default_rng([spec.seed, 2])
    scheme = get_scheme(spec.scheme_id)
    pubs = [p.name for p in scheme.publications]
    n_units = units.height
    n_adopt = ADOPTIONS_PER_UNIT * n_units
    # 1 + copies: 70% one periodical, 25% two, 5% three → 1.35 adoptions per article.
    n_art = max(1, round(n_adopt / 1.35))
    copies = rng.choice(3, n_art, p=[0.70, 0.25, 0.05])
    author = rng.integers(0, n_units, n_art)
    partner = (author + rng.integers(1, max(2, n_units), n_art)) % max(1, n_units)
    joint = (rng.random(n_art) < 0.05) & (n_units > 1)
    ndays = _year_days(spec.year)
    first = rng.integers(0, ndays, n_art)
    sent = np.maximum(first - rng.integers(1, 21, n_art), 0)
    who = units["short"].gather(author)
    if spec.hard:
        # Drawn apart, after the default draws: the default profile stays the baseline.
        hard = np.random.default_rng([spec.seed, 12])
        joint |= (hard.random(n_art) < 0.10) & (n_units > 1)
        t = _compose(_siblings(hard, _title_parts(rng, who, n_art), author, first))
    else:
        t = _titles(rng, who, n_art)
    art = pl.DataFrame(
        {
            "article": np.arange(n_art),
            "author": author,
            "partner": partner,
            "joint": joint,
            "first": first,
            "sent": sent,
            "copies": copies,
            "title": t["title"],
            "retitle": t["retitle"],
        }
    )
    # One row per adoption: copy 0 is the first periodical, later copies are retitled.
    rep = art.select(pl.col("article").repeat_by(pl.col("copies") + 1)).explode("article")
    ad = rep.with_columns(pl.int_range(pl.len()).over("article").alias("copy")).join(
        art, on="article", how="left"
    )
    m = ad.height
    # Lower periodicals (the first in the scheme's list) adopt most.
    weights = np.array([1.0 / (1 + i) for i in range(len(pubs))])
    base = rng.choice(len(pubs), n_art, p=weights / weights.sum())
    pub_idx = (base[ad["article"].to_numpy()] + ad["copy"].to_numpy()) % len(pubs)
    later = rng.integers(3, 61, m)
    day = np.where(
        ad["copy"].to_numpy() == 0, ad["first"].to_numpy(), ad["first"].to_numpy() + later
    )
    day = np.minimum(day, ndays - 1)
    printed = _printed(rng, units, ad["author"].to_numpy())
    printed2 = _printed(rng, units, ad["partner"].to_numpy())
    kinds = _kinds(spec.scheme_id)
    kind_options = {p: ([""] * 3 + kinds[p]) if kinds[p] else [""] for p in pubs}
    kind_pick = rng.random(m)
    kind = [
        kind_options[pubs[p]][int(r * len(kind_options[pubs[p]]))]
        for p, r in zip(pub_idx.tolist(), kind_pick.tolist(), strict=True)
    ]
    ad = ad.with_columns(
        publication=pl.Series(pubs, dtype=pl.String).gather(pub_idx),
        date=_dates(spec.year, day),
        day=pl.Series(day),
        shown=pl.when(pl.col("copy") == 0).then("title").otherwise("retitle"),
        units=pl.when(pl.col("joint"))
        .then(pl.concat_str(printed, pl.lit("、"), printed2))
        .otherwise(printed),
        kind=pl.Series(kind, dtype=pl.String),
    )
    # Issues: the periodicals appear on working days; the issue number counts them.
    ad = ad.with_columns(
        issue=pl.concat_str(
            pl.lit("第"),
            (pl.col("day").rank("dense").over("publication")).cast(pl.String),
            pl.lit("期"),
        )
    )
    if spec.hard:
        ad = _harden(hard, ad, units, printed, printed2)
    adoptions = ad.sort("date", "publication", "article", "copy").select(
        "publication",
        "issue",
        "date",
        pl.col("shown").alias("title"),
        "units",
        "kind",
        "article",
        "author",
        "partner",
        "joint",
    )
    return adoptions, art


_TAGS = ("【经验交流】", "【基层动态】", "【工作简讯】")


def _siblings(
    rng: np.random.Generator, parts: pl.DataFrame, author: np.ndarray, first: np.ndarray
) -> pl.DataFrame:
    """Hard profile: a third of a unit's articles follow its previous one (within 60 days)
    under the same title but another village (「…桂湾村垃圾分类」, then 「…汤口村垃圾分类」):
    two articles, never one."""
    n = parts.height
    order = np.lexsort((first, author))
    prev = np.full(n, -1)
    same = author[order][1:] == author[order][:-1]
    close = (first[order][1:] - first[order][:-1]) <= 60
    prev[order[1:]] = np.where(same & close, order[:-1], -1)
    follow = (prev >= 0) & (rng.random(n) < 0.33)
    src = np.where(follow, prev, np.arange(n))
    # Chains (a follow-up of a follow-up) take the parts of their own predecessor as drawn.
    cols = {c: parts[c].gather(src) for c in ("number", "verb", "topic", "tail")}
    return parts.with_columns(**cols)


def _harden(
    rng: np.random.Generator,
    ad: pl.DataFrame,
    units: pl.DataFrame,
    printed: pl.Series,
    printed2: pl.Series,
) -> pl.DataFrame:
    """Hard profile: editors' retitles (a column tag, another verb, the village or the unit
    left out, the first periodical editing too), county departments printed without 县
    (「安平发改局」), the city's departments as just 「商务局」, joint articles with every
    separator periodicals use and as one 「（A、B供稿）」."""
    m = ad.height
    author = ad["author"].to_numpy()
    name = units["unit"].gather(author)
    copy0 = ad["copy"].to_numpy() == 0
    style = np.where(copy0 & (rng.random(m) < 0.8), -1, rng.integers(0, 5, m))
    alt_verb = _pick(rng, _VERBS, m)
    tag = _pick(rng, _TAGS, m)
    t = ad.select(
        "title",
        "retitle",
        "shown",
        st=pl.Series(style),
        verb=alt_verb,
        tag=tag,
        who=units["short"].gather(author),
    )
    # Titles are who + number + verb + village村 + topic + tail: edits on the text itself.
    plain = pl.col("title").str.slice(pl.col("who").str.len_chars())
    village_topic = plain.str.extract(r"(\p{Han}{2}村.*)$", 1).fill_null(plain)
    topic = plain.str.extract(r"\p{Han}{2}村(.*)$", 1).fill_null(plain)
    shown = (
        pl.when(pl.col("st") == 0)
        .then(pl.concat_str("tag", "retitle"))
        .when(pl.col("st") == 1)
        .then(pl.concat_str("who", "verb", village_topic))
        .when(pl.col("st") == 2)
        .then(pl.concat_str(pl.lit("我县"), "verb", topic))
        .when(pl.col("st") == 3)
        .then(pl.concat_str(village_topic, pl.lit("（"), "who", pl.lit("）")))
        .otherwise("shown")
    )
    # Names: county departments without 县, the city's departments without 市.
    k = rng.random(m)
    county_dept = name.str.contains("县") & ~name.str.ends_with("镇")
    city_dept = units["short"].gather(author).str.contains(r"^[市区县]\p{Han}")
    city_dept &= ~name.str.contains("镇$")
    one = (
        pl.DataFrame({"p": printed, "c": county_dept, "y": city_dept, "k": k})
        .select(
            pl.when(pl.col("c") & (pl.col("k") < 0.15))
            .then(pl.col("p").str.replace("县", "", literal=True))
            .when(pl.col("y") & (pl.col("k") < 0.3))
            .then(pl.col("p").str.replace("^[市区县]", ""))
            .otherwise("p")
        )
        .to_series()
    )
    sep = rng.integers(0, 5, m)
    short1 = units["short"].gather(author)
    short2 = units["short"].gather(ad["partner"].to_numpy())
    both = (
        pl.DataFrame({"a": one, "b": printed2, "s1": short1, "s2": short2, "sep": sep})
        .select(
            pl.when(pl.col("sep") == 4)
            .then(pl.concat_str(pl.lit("（"), "s1", pl.lit("、"), "s2", pl.lit("供稿）")))
            .when(pl.col("sep") == 3)
            .then(pl.concat_str("s1", pl.lit(" "), "s2"))
            .otherwise(
                pl.concat_str("a", pl.Series(["、", "，", "/"]).gather(np.minimum(sep, 2)), "b")
            )
        )
        .to_series()
    )
    # A periodical never prints one title twice in an issue: an edit that would repeat
    # another article's title there (「我县深化乡村振兴」) is not made.
    edited = t.select(shown).to_series()
    clash = (
        ad.select("publication", "day", shown=edited)
        .select(pl.int_range(pl.len()).over("publication", "day", "shown") > 0)
        .to_series()
    )
    return ad.with_columns(
        shown=pl.when(clash).then(pl.col("shown")).otherwise(edited),
        units=pl.when(pl.col("joint")).then(both).otherwise(one),
    )


def _times(rng: np.random.Generator, year: int, days: np.ndarray) -> pl.Series:
    """Working-hours times on the given days, as mail logs write them."""
    n = len(days)
    secs = rng.integers(8 * 3600, 18 * 3600, n)
    epoch = (date(year, 1, 1) - date(1970, 1, 1)).days
    us = ((days + epoch).astype("int64") * 86400 + secs) * 1_000_000
    return pl.Series(us).cast(pl.Datetime("us"))


def submissions(spec: SynthSpec, units: pl.DataFrame, art: pl.DataFrame) -> pl.DataFrame:
    """Mail logs (time, sender, subject): every adopted article's submission, and ordinary
    submissions up to about 200 per unit and year. 90% come from the unit's registered
    address; the rest from a personal address with the unit in the subject (【…】 or …：)."""
    return _submission_rows(spec, units, art).select("time", "sender", "subject")


def _submission_rows(spec: SynthSpec, units: pl.DataFrame, art: pl.DataFrame) -> pl.DataFrame:
    """`submissions` with the truth: `author` (the unit's index in the roster) and
    `article` (the article's index, null for a submission never adopted)."""
    rng = np.random.default_rng([spec.seed, 3])
    n_units = units.height
    total = max(SUBMISSIONS_PER_UNIT * n_units, art.height)
    n_other = total - art.height
    ndays = _year_days(spec.year)
    unit_idx = np.concatenate([art["author"].to_numpy(), rng.integers(0, n_units, n_other)])
    days = np.concatenate([art["sent"].to_numpy(), rng.integers(0, ndays, n_other)])
    other = _titles(rng, units["short"].gather(unit_idx[art.height :]), n_other)["title"]
    title = pl.concat([art["title"], other])
    n = len(unit_idx)
    email = units["emails"].list.first().gather(unit_idx)
    label = units["short"].gather(unit_idx)
    personal = rng.random(n) < 0.10
    style = rng.integers(0, 3, n)
    df = pl.DataFrame(
        {
            "time": _times(rng, spec.year, days),
            "email": email,
            "label": label,
            "title": title,
            "personal": personal,
            "style": style,
            "pid": pl.Series(rng.integers(100000, 999999, n)),
        }
    )
    sender = (
        pl.when(pl.col("personal"))
        .then(pl.concat_str(pl.col("pid").cast(pl.String), pl.lit("@126.com")))
        .otherwise("email")
    )
    subject = (
        pl.when(pl.col("personal") | (pl.col("style") == 0))
        .then(pl.concat_str(pl.lit("【"), "label", pl.lit("】"), "title"))
        .when(pl.col("style") == 1)
        .then(pl.concat_str("label", pl.lit("："), "title"))
        .otherwise("title")
    )
    n_art = art.height
    return (
        df.select(
            "time",
            sender.alias("sender"),
            subject.alias("subject"),
            author=pl.Series(unit_idx),
            article=pl.Series(np.where(np.arange(n) < n_art, np.arange(n), -1)),
        )
        .with_columns(pl.col("article").replace(-1, None))
        .sort("time", maintain_order=True)
        .with_columns(pl.col("time").dt.strftime("%Y-%m-%d %H:%M:%S"))
    )


def _levels(scheme_id: str) -> list[str]:
    """Level words of the scheme's leader instructions, the lowest first."""
    _, levels = _tables(scheme_id)
    seen: dict[str, str] = {}
    for word, level in levels.items():
        if len(word) >= 2:
            seen.setdefault(level, word)
    return list(seen.values())


def events(spec: SynthSpec, units: pl.DataFrame, art: pl.DataFrame) -> pl.DataFrame:
    """Events (date, type, unit, title, level, value, status, note): leader instructions on
    3% of the articles (mostly at the lowest level), commissions (约稿) for 5% of the units a
    quarter (most on time), and a few penalties the scheme knows."""
    rng = np.random.default_rng([spec.seed, 4])
    scheme = get_scheme(spec.scheme_id)
    ndays = _year_days(spec.year)
    parts = []
    levels = _levels(spec.scheme_id)
    if "领导批示" in scheme.event_types and levels and art.height:
        pick = art.filter(pl.Series(rng.random(art.height) < 0.03))
        k = pick.height
        w = np.array([0.75] + [0.25 / max(1, len(levels) - 1)] * (len(levels) - 1))
        lv = rng.choice(len(levels), k, p=w[: len(levels)] / w[: len(levels)].sum())
        day = np.minimum(pick["first"].to_numpy() + rng.integers(2, 30, k), ndays - 1)
        parts.append(
            pl.DataFrame(
                {
                    "date": _dates(spec.year, day),
                    "type": ["领导批示"] * k,
                    "unit": units["unit"].gather(pick["author"].to_numpy()),
                    "title": pick["title"],
                    "level": pl.Series(levels, dtype=pl.String).gather(lv),
                    "value": [None] * k,
                    "status": [None] * k,
                    "note": ["分管领导批示"] * k,
                },
                schema=_EVENT_SCHEMA,
            )
        )
    if "约稿" in scheme.event_types:
        k = max(1, round(units.height * 0.05)) * 4
        who = rng.integers(0, units.height, k)
        day = np.minimum((np.arange(k) % 4) * (ndays // 4) + rng.integers(20, 80, k), ndays - 1)
        status = pl.Series(["按时", "按时", "按时", "逾期"], dtype=pl.String).gather(
            rng.integers(0, 4, k)
        )
        t = _titles(rng, units["short"].gather(who), k)["title"]
        parts.append(
            pl.DataFrame(
                {
                    "date": _dates(spec.year, day),
                    "type": ["约稿"] * k,
                    "unit": units["unit"].gather(who),
                    "title": t,
                    "level": [None] * k,
                    "value": pl.Series(rng.integers(5, 11, k)).cast(pl.String),
                    "status": status,
                    "note": [None] * k,
                },
                schema=_EVENT_SCHEMA,
            )
        )
    for kind in ("多头报送", "缺席会议", "总结计划迟报", "优秀信息", "把关不严"):
        if kind not in scheme.event_types:
            continue
        k = max(1, units.height // 100)
        who = rng.integers(0, units.height, k)
        parts.append(
            pl.DataFrame(
                {
                    "date": _dates(spec.year, rng.integers(0, ndays, k)),
                    "type": [kind] * k,
                    "unit": units["unit"].gather(who),
                    "title": [None] * k,
                    "level": [None] * k,
                    "value": [None] * k,
                    "status": [None] * k,
                    "note": [None] * k,
                },
                schema=_EVENT_SCHEMA,
            )
        )
    if not parts:
        return pl.DataFrame(schema=_EVENT_SCHEMA)
    return pl.concat(parts).sort("date", "type", "unit", maintain_order=True)


_EVENT_SCHEMA = {
    "date": pl.Date,
    "type": pl.String,
    "unit": pl.String,
    "title": pl.String,
    "level": pl.String,
    "value": pl.String,
    "status": pl.String,
    "note": pl.String,
}


@dataclass
class SynthCounts:
    units: int
    adoptions: int
    submissions: int
    events: int


def write_workspace(root: Path | str, spec: SynthSpec) -> SynthCounts:
    """Write a synthetic workspace at `root` (created; refused when it is a workspace)."""
    from flows.workspace import CONFIG, TOML_TEMPLATE

    if spec.units < 1:
        raise InputError("单位数量至少为 1")
    scheme = get_scheme(spec.scheme_id)
    root = Path(root)
    if (root / CONFIG).exists():
        raise InputError(f"{root} 已经是 kaohe 工作区（{CONFIG} 已存在），未做任何修改")
    if spec.profile not in PROFILES:
        raise InputError(f"未知的噪声类型「{spec.profile}」：可选 {'、'.join(PROFILES)}")
    units = roster(spec)
    adopt, art = _adoption_rows(spec, units)
    subs = _submission_rows(spec, units, art)
    evs = events(spec, units, art)
    root.mkdir(parents=True, exist_ok=True)
    for folder in ("adoptions", "submissions", "events"):
        (root / folder).mkdir(exist_ok=True)
    units.select(
        "unit",
        "group",
        pl.col("aliases").list.join(";"),
        pl.col("emails").list.join(";"),
    ).write_csv(root / "units.csv")
    adopt = adopt.with_columns(q=((pl.col("date").dt.month() - 1) // 3 + 1))
    for (q,), part in adopt.group_by("q", maintain_order=True):
        part.select(*_ADOPTION_COLUMNS).write_csv(root / "adoptions" / f"{spec.year}q{q}.csv")
    subs = subs.with_columns(m=pl.col("time").str.slice(0, 7))
    for (month,), part in subs.group_by("m", maintain_order=True):
        part.select("time", "sender", "subject").write_csv(root / "submissions" / f"{month}.csv")
    evs.write_csv(root / "events" / "events.csv")
    _write_truth(root / TRUTH_DIR, units, adopt, subs, spec)
    (root / "decisions.csv").write_text("type,key,answer\n", encoding="utf-8")
    (root / CONFIG).write_text(
        TOML_TEMPLATE.format(scheme=spec.scheme_id, office=scheme.office), encoding="utf-8"
    )
    return SynthCounts(units.height, adopt.height, subs.height, evs.height)


def _located(frame: pl.DataFrame, by: str, name: str) -> pl.DataFrame:
    """`frame` with columns file and row: where `write_workspace` wrote each row (the row
    as kaohe counts it, the header being row 1)."""
    return frame.with_columns(
        file=pl.format(name, pl.col(by)),
        row=pl.int_range(pl.len()).over(by) + 2,
    )


def _write_truth(
    folder: Path, units: pl.DataFrame, adopt: pl.DataFrame, subs: pl.DataFrame, spec: SynthSpec
) -> None:
    """The truth behind the workspace, in `synth-truth/` (never read by kaohe):

    - adoptions.csv — file, row (of adoptions/), article (the article's number: adoptions
      with one number are one article), units (the roster units behind the printed names,
      in print order, joined by 「;」), submission_file, submission_row (the mail log row
      the article was submitted in);
    - submissions.csv — file, row (of submissions/), unit (the roster unit that sent it),
      article (empty for a submission never adopted)."""
    folder.mkdir(exist_ok=True)
    names = units["unit"]
    s = _located(subs, "m", "submissions/{}.csv")
    s.select("file", "row", unit=names.gather(s["author"].to_numpy()), article="article").write_csv(
        folder / "submissions.csv"
    )
    sent = s.filter(pl.col("article").is_not_null()).select(
        "article", submission_file="file", submission_row="row"
    )
    a = _located(adopt, "q", f"adoptions/{spec.year}q{{}}.csv")
    author = names.gather(a["author"].to_numpy())
    partner = names.gather(a["partner"].to_numpy())
    a.select(
        "file",
        "row",
        "article",
        units=pl.when(pl.col("joint"))
        .then(pl.concat_str(author, pl.lit(";"), partner))
        .otherwise(author),
    ).join(sent, on="article", how="left", maintain_order="left").write_csv(
        folder / "adoptions.csv"
    )


def read_truth(root: Path | str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(adoptions, submissions) of a synthetic workspace's `synth-truth/`."""
    folder = Path(root) / TRUTH_DIR
    if not (folder / "adoptions.csv").is_file():
        raise InputError(f"{root} 没有合成数据的真值（{TRUTH_DIR}/）：请用 kaohe synth 重新生成")
    adoptions = pl.read_csv(
        folder / "adoptions.csv",
        schema_overrides={"units": pl.String, "submission_file": pl.String},
    )
    subs = pl.read_csv(folder / "submissions.csv", schema_overrides={"unit": pl.String})
    return adoptions, subs


def judge(truth: tuple[pl.DataFrame, pl.DataFrame], matched, places: tuple[str, ...] = ()):
    """kaohe's own decisions in `matched` (a `flows.steps.Matched`) against `truth`
    (`read_truth`): a `transforms.quality.Quality`. `places`: the scheme's place prefixes."""
    from transforms import quality

    truth_adoptions, truth_submissions = truth
    return quality.compare(
        truth_adoptions,
        truth_submissions,
        matched.inputs.adoptions,
        matched.inputs.adoption_units,
        matched.inputs.submissions,
        matched.links,
        matched.review,
        places,
    )
