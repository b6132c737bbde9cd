"""Commission answers (约稿) found the fast way equal the plain reading they replace.

`transforms.commissions.commission_rows` reads a frame of submissions in polars and turns
only the submissions that can be picked into dicts. `_plain_rows` below is the reading
before that change (every submission of a commissioned unit as a dict, every title
prepared); on awkward random inputs both give the same rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from schemes import engine as E
from transforms.commissions import (
    LATE,
    MISSING,
    ON_TIME,
    SAME_TITLE,
    STATUS_WORDS,
    UNKNOWN,
    WINDOW_DAYS,
    commission_rows,
)
from transforms.errors import InputError
from transforms.grouping import (
    NUMBER_PENALTY,
    _prepare,
    _similarity,
    normalize_title,
    similarity_bound,
)
from transforms.submissions import submission_titles


def _local_date(t):
    if t is None:
        return None
    return t.date() if isinstance(t, datetime) else t


def _plain_rows(
    events,
    submissions,
    *,
    event_type="约稿",
    marker="约稿",
    same=SAME_TITLE,
    window_days=WINDOW_DAYS,
    places=(),
):
    """commission_rows as it was before the fast path (a verbatim copy)."""
    evs = [e for e in (dict(r) for r in events) if e.get("type") == event_type]
    asking = {e.get("unit") for e in evs if not (e.get("status") or "").strip()}
    if submissions is None:
        subs = []
    elif isinstance(submissions, pl.DataFrame):
        subs = submissions.iter_rows(named=True)
    else:
        subs = submissions

    log_months = set()
    by_unit = defaultdict(list)
    for s in subs:
        d = s.get("date") or _local_date(s.get("time"))
        if d is None:
            continue
        log_months.add((d.year, d.month))
        if not s.get("unit") or s["unit"] not in asking:
            continue
        text = (s.get("kind") or "") + (s.get("subject") or "")
        titles = submission_titles(s.get("subject"), s.get("attachments"))
        by_unit[s["unit"]].append(
            {
                **s,
                "date": d,
                "_marked": marker in text,
                "_titles": [_prepare(normalize_title(t, places)) for t in titles],
            }
        )
    for v in by_unit.values():
        v.sort(key=lambda s: (s["date"], str(s.get("time") or ""), s.get("submission_id") or ""))

    evs.sort(key=lambda e: (e["date"], e.get("source_file") or "", e.get("source_row") or 0))
    out = []
    derived = []
    for e in evs:
        given = (e.get("status") or "").strip()
        r = dict(e)
        r.update(submission_id=None, sent=None)
        if given:
            if given not in STATUS_WORDS:
                raise InputError("unknown status", file=e.get("source_file"))
            r["status"], r["derived"] = STATUS_WORDS[given], False
        else:
            r["status"], r["derived"] = None, True
            derived.append(r)
        out.append(r)

    def score(c, s):
        t = c.get("_title")
        if not t or not t[0]:
            return 0.0
        return max((_similarity(t, st) for st in s["_titles"]), default=0.0)

    for c in derived:
        c["_title"] = _prepare(normalize_title(c.get("title"), places)) if c.get("title") else None

    used = set()
    last_due = {}
    mine = defaultdict(list)
    for c in derived:
        mine[c.get("unit")].append(c)
    for c in derived:
        unit, due = c.get("unit"), c["date"]
        after = last_due.get(unit)
        last_due[unit] = due
        earliest = due - timedelta(days=window_days)
        cands = [s for s in by_unit.get(unit, []) if id(s) not in used and s["date"] >= earliest]
        pick = None
        scored = [(score(c, s), s) for s in cands]
        best = max((sc for sc, _ in scored), default=0.0)
        if best >= same:
            pick = next(s for sc, s in scored if sc == best)
        else:
            others = [o for o in mine[unit] if o is not c and o["status"] is None]
            for s in cands:
                if not s["_marked"] or (after is not None and s["date"] <= after):
                    continue
                if any(score(o, s) >= same for o in others):
                    continue
                pick = s
                break
        if pick is not None:
            used.add(id(pick))
            c["status"] = ON_TIME if pick["date"] <= due else LATE
            c["submission_id"] = pick.get("submission_id")
            c["sent"] = pick.get("time")
        elif (due.year, due.month) in log_months:
            c["status"] = MISSING
        else:
            c["status"] = UNKNOWN
    for c in derived:
        c.pop("_title", None)
    return out


# --- awkward random inputs ----------------------------------------------------------------

TOPICS = [
    "物流园区建设情况",
    "关于全市营商环境的调研",
    "一季度经济运行分析",
    "二季度经济运行分析",
    "古镇保护利用取得明显成效",
    "背街小巷改造提升工程全面推进",
    "乡村振兴示范带建设稳步推进",
    "养老服务",
    "推进工作",
    "关于",
    "建德市梅城镇春季农业生产",
    "２０１８年防汛防台工作",
    "垃圾分类①号行动",
    "𠮷祥社区邻里节",
    "ﬁnance report ABC",
]
UNITS = ["发改局", "教育局", "梅城镇", "审计局"]
PREFIXES = [
    "",
    "",
    "【发改局】",
    "答复约稿：",
    "约稿：",
    "转发：",
    "发改局：",
    "Re: ",
    "【约稿】",
    "稿",
]
SUFFIXES = ["", "", "（发改局）", "（区教育局供稿）", "　", " 约稿"]
ZONES = ["Asia/Shanghai", "Asia/Shanghai", "Europe/Berlin", "UTC"]


def _mutate(rng: random.Random, s: str) -> str:
    chars = list(s)
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        op = rng.random()
        k = rng.randrange(len(chars) + 1)
        if op < 0.4 and chars:
            del chars[min(k, len(chars) - 1)]
        elif op < 0.7:
            chars.insert(k, rng.choice("的和与县村镇局一二三0１"))
        elif chars:
            chars[min(k, len(chars) - 1)] = rng.choice("新老大小")
    return "".join(chars)


def _subject(rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.12:
        return rng.choice(["报送信息", "约稿", "约稿信息", "", "信息"])
    body = _mutate(rng, rng.choice(TOPICS))
    return rng.choice(PREFIXES) + body + rng.choice(SUFFIXES)


def _case(rng: random.Random, shape: str | None = None):
    """(events, submissions frame, keyword arguments) of one random case; `shape` the
    frame's columns (random when None)."""
    units = UNITS[: rng.randint(1, len(UNITS))]
    year = date(2018, 1, 1)
    events = []
    for k in range(rng.randint(1, 7)):
        title = rng.choice([None, "", _mutate(rng, rng.choice(TOPICS)), rng.choice(TOPICS)])
        status = rng.choice([None, None, None, "", " ", "　", "按时", "迟报", "未报"])
        events.append(
            {
                "event_id": f"e{k}",
                "date": year + timedelta(days=rng.choice([rng.randrange(365), 300, 301, 59])),
                "type": rng.choice(["约稿"] * 6 + ["领导批示"]),
                "unit": rng.choice([*units, *units, None, ""]),
                "title": title,
                "status": status,
                "source_file": rng.choice(["events/e.csv", "events/f.csv", None]),
                "source_row": rng.choice([None, 2, 3, 3, 7]),
            }
        )
    zone = rng.choice(ZONES)
    n = rng.randint(0, 60)
    base = datetime(2018, 1, 1, tzinfo=ZoneInfo("UTC"))
    instants = [
        base + timedelta(seconds=rng.choice([rng.randrange(365 * 86400), 25 * 86400 + 3600]))
        for _ in range(n)
    ]
    # Berlin's autumn hour twice (2018-10-28 00:00–02:00 UTC), microseconds, equal times
    instants = [
        rng.choice(
            [t, datetime(2018, 10, 28, 0, 30, tzinfo=ZoneInfo("UTC")), t.replace(microsecond=5)]
        )
        for t in instants
    ]
    frame = pl.DataFrame(
        {
            "submission_id": [rng.choice([f"s{i}", f"s{i % 5}", None]) for i in range(n)],
            "time": pl.Series(instants, dtype=pl.Datetime("us", "UTC")).dt.convert_time_zone(zone),
            "unit": [rng.choice([*units, *units, "其他局", None, ""]) for _ in range(n)],
            "subject": [_subject(rng) for _ in range(n)],
            "kind": [rng.choice([None, None, "约稿", "信息", "约", ""]) for _ in range(n)],
            "attachments": [
                rng.choice(
                    [None] * 6 + ["", "附件1：物流园区建设情况.doc;其他.pdf", "养老服务.docx"]
                )
                for _ in range(n)
            ],
        },
        schema_overrides={"submission_id": pl.String, "unit": pl.String, "subject": pl.String},
    )
    shape = shape or rng.choice(["tz", "tz", "date", "naive", "day", "bare"])
    if shape == "date":  # a local date column, sometimes empty or off by days
        day = pl.col("time").dt.date()
        frame = frame.with_columns(
            date=pl.when(pl.int_range(pl.len()) % 4 == 0)
            .then(None)
            .when(pl.int_range(pl.len()) % 4 == 1)
            .then(day + pl.duration(days=2))
            .otherwise(day)
        )
    elif shape == "naive":
        frame = frame.with_columns(pl.col("time").dt.replace_time_zone(None))
    elif shape == "day":
        frame = frame.with_columns(pl.col("time").dt.date())
    elif shape == "bare":
        frame = frame.drop("kind", "attachments")
    kwargs = {
        "same": rng.choice([SAME_TITLE] * 4 + [60.0, 95.0, 100.0, 0.5]),
        "window_days": rng.choice([WINDOW_DAYS] * 3 + [30, 0, 400]),
        "places": rng.choice([(), ("建德市", "梅城")]),
        "marker": rng.choice(["约稿"] * 4 + [""]),
    }
    return events, frame, kwargs


@pytest.mark.parametrize("seed", range(12))
def test_fast_answers_equal_the_plain_reading(seed):
    rng = random.Random(seed)
    statuses = set()
    for _ in range(25):
        events, frame, kwargs = _case(rng)
        want = _plain_rows(events, frame, **kwargs)
        assert commission_rows(events, frame, **kwargs) == want
        assert commission_rows(events, list(frame.iter_rows(named=True)), **kwargs) == want
        statuses |= {r["status"] for r in want}
    assert statuses >= {ON_TIME, LATE, MISSING}


def test_fast_answers_equal_the_plain_reading_among_many_submissions():
    # a unit logging hundreds of submissions: most are screened out before any dict
    rng = random.Random(99)
    for shape in ("tz", "date", "naive", "day", "bare", "tz"):
        events, frame, kwargs = _case(rng, shape)
        frames = [frame]
        for _ in range(8):
            frames.append(_case(rng, shape)[1].cast(frame.schema))
        frame = pl.concat(frames)
        kwargs["same"] = SAME_TITLE
        assert commission_rows(events, frame, **kwargs) == _plain_rows(events, frame, **kwargs)


def test_similarity_bound_is_a_bound():
    # short and long titles, shared numbers and not, a small alphabet for long common runs
    rng = random.Random(7)
    alphabet = "一二三县村镇局改革发展建设0123"
    pairs = []
    for _ in range(20000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        b = _mutate(rng, a) if rng.random() < 0.5 else a[rng.randrange(len(a)) :] + "村镇"
        pairs.append((a, b))
    prepared = [(_prepare(a), _prepare(b)) for a, b in pairs]
    common = np.array([LCSseq.similarity(a[0], b[0]) for a, b in prepared])
    la = np.array([len(a[0]) for a, _ in prepared])
    lb = np.array([len(b[0]) for _, b in prepared])
    bound = similarity_bound(common, la, lb)
    exact = np.array([_similarity(a, b) for a, b in prepared])
    assert (exact <= bound + 1e-9).all()
    raw = np.array([max(fuzz.ratio(a, b), fuzz.partial_ratio(a, b)) for a, b in pairs])
    assert (raw >= 80).sum() > 1000  # the pairs reach the threshold often
    assert NUMBER_PENALTY <= 1  # the bound ignores the penalty: it only lowers a score


def test_months_with_mail_logs_are_an_argument():
    # March has no submission of its own: 未知 by the logs, 未报 when the office says its
    # logs cover March (C5); an empty set makes every unanswered commission 未知
    events = [
        {"date": date(2018, 3, 15), "type": "约稿", "unit": "发改局", "title": "物流园区"},
        {"date": date(2018, 5, 15), "type": "约稿", "unit": "发改局", "title": "营商环境"},
    ]
    subs = pl.DataFrame(
        {
            "submission_id": ["s1"],
            "time": [datetime(2018, 5, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))],
            "unit": ["教育局"],
            "subject": ["招生"],
        }
    )

    def status(**kw):
        return [r["status"] for r in commission_rows(events, subs, **kw)]

    assert status() == [UNKNOWN, MISSING]
    assert status(log_months={(2018, 3), (2018, 5)}) == [MISSING, MISSING]
    assert status(log_months=set()) == [UNKNOWN, UNKNOWN]
    assert status(log_months=[(2018, 3)]) == [MISSING, UNKNOWN]


def test_engine_passes_the_months_of_its_log():
    # the engine hands commission_rows its log and the months of that log: no dated rows
    events = [
        {"date": date(2018, 3, 15), "type": "约稿", "unit": "发改局", "title": "物流园区"},
        {"date": date(2018, 5, 15), "type": "约稿", "unit": "发改局", "title": "营商环境"},
    ]
    log = pl.DataFrame(
        {
            "time": [datetime(2018, 5, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))],
            "unit": ["教育局"],
            "subject": ["招生"],
        }
    )
    prep = E.Prepared({"发改局": "A", "教育局": "A"}, [], events, *E.prepare_submissions(log))
    assert [c["status"] for c in E.commission_status(events, prep)] == [UNKNOWN, MISSING]
