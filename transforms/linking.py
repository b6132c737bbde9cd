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

from collections import defaultdict
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from transforms import schema
from transforms.grouping import (
    _LEADING_SELF,
    _STOCK,
    DEFAULT_WINDOW_DAYS,
    NUMBER_PENALTY,
    PARTIAL_MIN_LEN,
    _prepare,
    _strip_leading,
    normalize_title,
)
from transforms.submissions import SAFE_TEXT, submission_titles

#: Titles at least this similar (0–100) link an adoption to a submission.
LINK_ACCEPT = 70.0

LINKS = {"adoption_id": pl.String, "submission_id": pl.String, "score": pl.Float64}


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


#: Python's str.strip() whitespace (str.isspace), for polars' strip_chars.
_PY_SPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
_HAN = r"\x{4E00}-\x{9FFF}"
_NO_NUMBERS: frozenset[str] = frozenset()


def _subject_step(s: pl.Expr) -> pl.Expr:
    """One round of `subject_title`'s loop (a round that changes nothing changes nothing
    when repeated, so the loop's early exit needs no test)."""
    s = s.str.replace(r"^\s*[【\[〔(（]([^】\]〕)）]{1,30})[】\]〕)）]\s*", "")
    s = s.str.replace(
        r"(?i)^\s*(?:(?:回复|答复|转发|报送|上报|呈报|呈送|re|fw|fwd|转)\s*[:：]?\s*)+", ""
    )
    s = s.str.replace_all(
        r"[【\[〔(（](?:约稿|答复约稿|信息|动态|专报|调研|简讯|应急信息)[】\]〕)）]", ""
    )
    label = s.str.extract(r"^([^:：]{1,12}[:：]\s*)", 1).str.len_chars()
    s = (
        pl.when(label.is_not_null() & (s.str.len_chars() - label >= 4))
        .then(s.str.slice(label))
        .otherwise(s)
    )
    return s.str.strip_chars(_PY_SPACE)


_TRAILING_SOURCE_RS = r"[(\[【〔]([^()\[\]【】〔〕]{1,20})[)\]】〕]\s*$"
_SOURCE_HINT_RS = (
    r"(局|办|委|会|镇|乡|街道|公司|中心|区|院|所|站|队|部|供稿|提供|报送|整理|来稿|撰稿)$"
)


def _has_source(s: pl.Expr) -> pl.Expr:
    inner = s.str.extract(_TRAILING_SOURCE_RS, 1).str.strip_chars(_PY_SPACE)
    return inner.str.contains(_SOURCE_HINT_RS).fill_null(False)


def _source_step(s: pl.Expr) -> pl.Expr:
    """One round of `normalize_title`'s loop over trailing sources."""
    cut = s.str.replace(_TRAILING_SOURCE_RS, "").str.strip_chars_end(_PY_SPACE)
    return pl.when(_has_source(s)).then(cut).otherwise(s)


def _streamed(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """`frame.with_columns(**columns)` on polars' streaming engine, which spreads string
    work on one column over the cores (the in-memory engine runs it on one)."""
    return frame.lazy().with_columns(**columns).collect(engine="streaming")


def _repeat(values: pl.Series, step, rounds: int) -> pl.Series:
    """`step` applied `rounds` times, each round only to the values the previous one
    changed (a round that changes nothing changes nothing when repeated). Each round is
    materialised: an expression repeating its input would grow exponentially."""
    out, part, rows = values, values, None
    for _ in range(rounds):
        new = pl.DataFrame({"t": part}).lazy().select(step(pl.col("t")))
        new = new.collect(engine="streaming").to_series().alias(values.name)
        out = new if rows is None else out.scatter(rows, new)
        changed = (new != part).fill_null(False).arg_true()
        if changed.len() == 0:
            break
        rows = changed if rows is None else rows.gather(changed)
        part = new.gather(changed)
    return out


def _prepared_titles(
    texts: pl.Series, places: tuple[str, ...], subjects: bool = True
) -> pl.DataFrame:
    """Frame (safe, core, numbers): `_prepare(normalize_title(subject_title(s), places))` of
    each subject, or with `subjects=False` `_prepare(normalize_title(s, places))` of each
    title (numbers as `_number_key`), valid where `safe`; elsewhere only the Python
    functions may answer (text outside `SAFE_TEXT`, or a title still ending in a source
    after three rounds). The regex steps run in polars; the leading words of
    `_strip_leading` in Python, for the titles starting with one."""
    s, t = pl.col("s"), pl.col("t")
    if not subjects:
        texts = texts.fill_null("")
    frame = _streamed(
        pl.DataFrame({"s": texts}, schema={"s": pl.String}),
        safe=s.str.contains(SAFE_TEXT).fill_null(False),
        t=s.str.normalize("NFKC").str.strip_chars(_PY_SPACE),
    ).drop("s")
    if subjects:
        generic = ["", "信息", "报送信息", "稿件", "材料", "约稿", "信息报送", "政务信息"]
        frame = frame.with_columns(t=_repeat(frame["t"], _subject_step, 3))
        frame = _streamed(
            frame,
            t=pl.when(t.is_in(generic)).then(pl.lit("")).otherwise(t)
            .str.normalize("NFKC").str.strip_chars(_PY_SPACE)
        )  # fmt: skip
    frame = frame.with_columns(t=_repeat(frame["t"], _source_step, 3))
    frame = _streamed(
        frame,
        safe=pl.col("safe") & ~_has_source(t),
        t=t.str.replace(r"^[^:：]{1,8}[:：]", "").str.replace_all(r"[^\p{L}\p{N}]", ""),
    )
    # `_strip_leading`'s first round in polars when it only drops 关于 and a leading place
    # (「晋阜县」); a title starting with a self word or a given place before that place,
    # or with any leading word after it, takes the Python function from the start.
    live = [p for p in places if p]

    def starts(c: str) -> list[pl.Expr]:
        return [pl.col(c).str.starts_with(w) for w in (*_LEADING_SELF, *live)]

    place = f"^[{_HAN}]{{2}}[市区县][{_HAN}]{{4}}"
    about = pl.col("t").str.starts_with("关于")
    frame = _streamed(frame, t1=pl.when(about).then(pl.col("t").str.slice(2)).otherwise("t"))
    frame = _streamed(
        frame,
        t2=pl.when(pl.col("t1").str.contains(place))
        .then(pl.col("t1").str.slice(3))
        .otherwise("t1"),
    )
    again = [pl.col("t2").str.starts_with("关于"), pl.col("t2").str.contains(place)]
    lead = _streamed(frame, lead=pl.any_horizontal(*starts("t1"), *starts("t2"), *again))
    lead = lead["lead"]
    lead = lead.arg_true()
    t2 = frame["t2"]
    if lead.len():
        done = [_strip_leading(x, places) for x in frame["t"].gather(lead).to_list()]
        t2 = t2.scatter(lead, done)
    frame = frame.with_columns(t=t2)
    stock = pl.col("t").str.replace_all("|".join(_STOCK), "")
    frame = _streamed(
        frame, core=pl.when(stock.str.len_chars() >= 2).then(stock).otherwise(pl.col("t"))
    )
    return _streamed(
        frame.select("safe", "core"),
        numbers=pl.col("core")
        .str.extract_all(_NUMERALS_RS)
        .list.unique()
        .list.sort()
        .list.join("|"),
    )


#: `grouping._NUMERALS` for polars.
_NUMERALS_RS = r"[0-9]+|[〇零一二三四五六七八九十百千万两]+"


def _number_key(numbers: frozenset[str]) -> str:
    """The numbers of a prepared title as one comparable string ("" when none): the
    `numbers` column of `_prepared_titles` (polars sorts strings by code point too)."""
    return "|".join(sorted(numbers))


def _best(
    core: str,
    numbers: str,
    cores: list[str],
    cand_numbers: list[str],
    cutoff: float,
):
    """(index, score) of the candidate title most similar to `core`, or None below
    `cutoff`; of equal scores the last candidate (the candidates come by date, so the one
    nearest the issue). Same measure as transforms.grouping.title_similarity, run inside
    rapidfuzz; numbers as `_number_key` strings."""
    if not core or not cores:
        return None
    # A raw score under the cutoff cannot reach it: the number penalty only lowers it.
    scores: dict[int, float] = {}
    for _c, sc, j in process.extract(
        core, cores, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
    ):
        scores[j] = sc
    if len(core) >= PARTIAL_MIN_LEN:
        for _c, sc, j in process.extract(
            core, cores, scorer=fuzz.partial_ratio, score_cutoff=cutoff, limit=None
        ):
            if len(cores[j]) >= PARTIAL_MIN_LEN and sc > scores.get(j, -1.0):
                scores[j] = sc
    top = None
    for j, sc in scores.items():
        nb = cand_numbers[j]
        if numbers and nb and numbers != nb:
            sc *= NUMBER_PENALTY
        if sc >= cutoff and (top is None or (sc, j) > (top[1], top[0])):
            top = (j, float(sc))
    return top


#: Characters are counted in this many buckets for `_similarity_bound`: the most frequent
#: characters get a bucket of their own, the rest share the others.
_BUCKETS = 256
#: Longer titles are not bounded (their bucket counts could overflow a byte).
_BOUND_MAX_LEN = 255
#: Pairs whose bound is checked at once (memory: 2 × _BOUND_CHUNK × _BUCKETS bytes).
_BOUND_CHUNK = 250_000


def _bucket_counts(texts: list[str], table: np.ndarray | None = None):
    """(counts, lengths, table): per text, how many of its characters fall in each of
    `_BUCKETS` buckets (uint8, texts longer than `_BOUND_MAX_LEN` left at zero), its length,
    and the code point → bucket table (built from these texts when not given)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    if table is None:
        freq = np.bincount(codes, minlength=0x110000)
        order = np.argsort(-freq, kind="stable")
        rank = np.empty(0x110000, dtype=np.int64)
        rank[order] = np.arange(0x110000)
        half = _BUCKETS // 2
        table = np.where(rank < half, rank, half + rank % half).astype(np.uint8)
    counts = np.zeros(len(texts) * _BUCKETS, dtype=np.uint8)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    # Characters taken by their position in the text: within one position every text has
    # one character, so `counts[keys] += 1` counts each exactly once (no np.add.at).
    position = np.arange(len(codes), dtype=np.int64) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    short = np.repeat(lengths <= _BOUND_MAX_LEN, lengths)
    position = position[short].astype(np.uint16)
    keys = rows[short] * _BUCKETS + table[codes[short]]
    order = np.argsort(position, kind="stable")  # a radix sort for 16-bit keys
    keys = keys[order]
    bounds = np.searchsorted(position[order], np.arange(_BOUND_MAX_LEN + 1), side="left")
    for j in range(_BOUND_MAX_LEN):
        counts[keys[bounds[j] : bounds[j + 1]]] += 1
    return counts.reshape(len(texts), _BUCKETS), lengths, table


def _similarity_bound(
    a_counts: np.ndarray, a_len: np.ndarray, b_counts: np.ndarray, b_len: np.ndarray
) -> np.ndarray:
    """An upper bound of `_best`'s raw score (before the number penalty) for each pair.

    Both rapidfuzz scores are 200·L/(m+k), L the longest common subsequence of the shorter
    title (m characters) and the whole or a window (k characters) of the other; L is at
    most I, the characters the two titles share (counted with repeats), and at most k, so
    ratio ≤ 200·I/(la+lb) and partial_ratio ≤ 200·I/(m+I). The bucket counts overcount I
    (Σ min over buckets ≥ Σ min over characters), which keeps the bound a bound."""
    # Σ min over the buckets, eight buckets per uint64 word: a text's counts add up to its
    # length (≤ 255), so byte lanes never carry into each other, and multiplying by
    # 0x0101…01 adds the eight lanes up into the top byte.
    lanes = np.minimum(a_counts, b_counts).view(np.uint64).sum(axis=1, dtype=np.uint64)
    shared = ((lanes * np.uint64(0x0101010101010101)) >> np.uint64(56)).astype(np.int64)
    m = np.minimum(a_len, b_len)
    partial = 200.0 * shared / np.maximum(m + shared, 1)
    ratio = 200.0 * shared / np.maximum(a_len + b_len, 1)
    bound = np.where(m >= PARTIAL_MIN_LEN, np.maximum(partial, ratio), ratio)
    unbounded = (a_len > _BOUND_MAX_LEN) | (b_len > _BOUND_MAX_LEN)
    return np.where(unbounded, np.inf, bound)


def _submission_titles(
    submissions: pl.DataFrame, adoption_days: dict[str, list[int]], window_days: int, places
) -> pl.DataFrame:
    """Frame (unit, day, submission_id, core, numbers), one row per prepared title of a
    submission, sorted by unit, day, submission_id (then the order of the logs and of the
    submission's titles). Only submissions with an adoption of their unit in
    [their day, their day + window_days] (a join_asof); subjects without attachments are
    prepared in polars (`_prepared_titles`), the others in Python."""

    def col(name: str) -> pl.Expr:
        if name in submissions.columns:
            return pl.col(name).cast(pl.String)
        return pl.lit(None, dtype=pl.String)

    frame = submissions.select(
        sid=col("submission_id"),
        unit=col("unit"),
        day=_day_numbers(submissions),
        subject=col("subject"),
        att=col("attachments"),
    ).with_row_index("i")
    seen = (
        pl.DataFrame(
            [(u, d) for u, ds in adoption_days.items() for d in ds],
            schema={"unit": pl.String, "next": pl.Int64},
            orient="row",
        )
        .unique()
        .sort("next")
    )
    frame = (
        frame.filter(
            pl.col("unit").is_not_null() & pl.col("day").is_not_null() & pl.col("sid").is_not_null()
        )
        .sort("day")
        .join_asof(
            seen,
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
    fast = pl.concat(
        [plain.select("i"), _prepared_titles(plain["subject"], places)], how="horizontal"
    )
    titles = schema_of_titles = {
        "i": pl.UInt32,
        "k": pl.Int64,
        "core": pl.String,
        "numbers": pl.String,
    }
    slow_rows = []
    slow = frame.join(fast.filter("safe").select("i"), on="i", how="anti")
    for i, subj, att in slow.select("i", "subject", "att").iter_rows():
        for k, title in enumerate(submission_titles(subj, att)):
            core, numbers = _prepare(normalize_title(title, places))
            slow_rows.append((i, k, core, _number_key(numbers)))
    titles = pl.concat(
        [
            fast.filter("safe").select("i", pl.lit(0, pl.Int64).alias("k"), "core", "numbers"),
            pl.DataFrame(slow_rows, schema=schema_of_titles, orient="row"),
        ]
    )
    return (
        titles.filter(pl.col("core") != "")
        .join(frame.select("i", "unit", "day", "sid"), on="i")
        .sort("unit", "day", "sid", "i", "k")
        .select("unit", "day", pl.col("sid").alias("submission_id"), "core", "numbers")
    )


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
    (ties: the later submission, the one nearest the issue, then the greater
    submission_id). Several adoptions may link to one submission (the same article in
    several periodicals).

    Every candidate pair is first bounded in bulk (`_similarity_bound`, numpy); rapidfuzz
    scores only the pairs whose bound reaches the cutoff, which gives the same links as
    scoring every pair."""
    if adoptions.height == 0 or submissions.height == 0 or "unit" not in submissions.columns:
        return pl.DataFrame(schema=LINKS)

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

    # Every title of the candidate submissions, sorted by (unit, day): a unit's window is a
    # range of rows, found by binary search on unit number × 2^21 + day.
    titles = _submission_titles(submissions, adoption_days, window_days, places)
    if titles.height == 0:
        return pl.DataFrame(schema=LINKS)
    unit_names = titles["unit"].unique(maintain_order=True).to_list()
    unit_no = {u: k for k, u in enumerate(unit_names)}
    keys = (
        titles.select(pl.col("unit").rank("dense").cast(pl.Int64) - 1).to_series().to_numpy()
        * (1 << 21)
        + titles["day"].to_numpy()
    )

    # The adoptions (in their order) and, per adoption, one window per unit (units sorted).
    ad = schema.conform(adoptions, schema.ADOPTIONS)
    a_ids, a_cores, a_numbers = [], [], []
    pair_adoption, pair_lo, pair_hi = [], [], []
    fast = _prepared_titles(ad["title"], places, subjects=False)
    for aid, title, d, safe, core, nums in zip(
        *(ad[c].to_list() for c in ("adoption_id", "title", "date")),
        *(fast[c].to_list() for c in ("safe", "core", "numbers")),
        strict=True,
    ):
        if d is None or aid not in units_of:
            continue
        if not safe:
            core, prepared_numbers = _prepare(normalize_title(title, places))
            nums = _number_key(prepared_numbers)
        if not core:
            continue
        hi = d.toordinal()
        lo = (d - timedelta(days=window_days)).toordinal()
        k = len(a_ids)
        a_ids.append(aid)
        a_cores.append(core)
        a_numbers.append(nums)
        for unit in sorted(units_of[aid]):
            if unit in unit_no:
                pair_adoption.append(k)
                pair_lo.append(unit_no[unit] * (1 << 21) + lo)
                pair_hi.append(unit_no[unit] * (1 << 21) + hi)
    if not pair_adoption:
        return pl.DataFrame(schema=LINKS)
    starts = np.searchsorted(keys, np.array(pair_lo, dtype=np.int64), side="left")
    ends = np.searchsorted(keys, np.array(pair_hi, dtype=np.int64), side="right")

    # Every (window, title) pair, bounded in chunks; only pairs that may reach the cutoff
    # are kept.
    sizes = ends - starts
    n_pairs = len(pair_adoption)
    t_counts, t_len, table = _bucket_counts(titles["core"].to_list())
    a_counts, a_len, _ = _bucket_counts(a_cores, table)
    pair_adoption_np = np.array(pair_adoption, dtype=np.int64)
    kept_window = [np.empty(0, dtype=np.int64)]
    kept_title = [np.empty(0, dtype=np.int64)]
    cutoff = accept - 1e-6  # rounding: a bound equal to the cutoff is kept
    window_of = np.repeat(np.arange(n_pairs, dtype=np.int64), sizes)
    first = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    for lo in range(0, len(window_of), _BOUND_CHUNK):
        w = window_of[lo : lo + _BOUND_CHUNK]
        t = np.arange(lo, lo + len(w), dtype=np.int64) + first[lo : lo + _BOUND_CHUNK]
        a = pair_adoption_np[w]
        keep = _similarity_bound(a_counts[a], a_len[a], t_counts[t], t_len[t]) >= cutoff
        kept_window.append(w[keep])
        kept_title.append(t[keep])
    kept_w = np.concatenate(kept_window)
    kept_t = np.concatenate(kept_title)
    offsets = np.concatenate(([0], np.cumsum(np.bincount(kept_w, minlength=n_pairs)))).tolist()
    # What the loop reads, for the kept pairs only (a window's pairs are consecutive).
    kept = titles.select("day", "submission_id", "core", "numbers")[kept_t]
    days, sids, cores, numbers = (kept[c].to_list() for c in kept.columns)

    out = []
    best = None  # (score, day, submission_id) of the current adoption
    for p in range(n_pairs + 1):
        k = pair_adoption[p] if p < n_pairs else -1
        if p and k != pair_adoption[p - 1]:
            if best is not None:
                aid = a_ids[pair_adoption[p - 1]]
                out.append({"adoption_id": aid, "submission_id": best[2], "score": best[0]})
            best = None
        if p == n_pairs:
            break
        lo, hi = offsets[p], offsets[p + 1]
        if lo == hi:
            continue
        hit = _best(a_cores[k], a_numbers[k], cores[lo:hi], numbers[lo:hi], accept)
        if hit is None:
            continue
        e = lo + hit[0]
        cand = (hit[1], days[e], sids[e])
        if best is None or cand > best:
            best = cand
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
    days = _local_dates(submissions)
    logged = set(
        pl.DataFrame(
            {"unit": submissions["unit"], "year": days.dt.year(), "month": days.dt.month()}
        )
        .drop_nulls()
        .unique()
        .iter_rows()
    )
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
