"""Rendering speed (`make bench`): the bulletin and the statements of 1,000 synthetic units.

Builds a ScoreResult and a ledger in memory (a few rows per unit with realistic Chinese
titles, scheme jiande-2018), then measures:

- the median seconds per statement rendered in this process (warm: fonts and templates
  loaded), over a sample of statements;
- the bulletin and all 1,000 statements through `render_outputs` (the process pool with
  two workers, as a run of a province would use it), total seconds;
- the same statement rendered once in a fresh process (cold: imports, fonts, first PDF);
- the largest statement PDF.

A benchmark, never a test. Usage: `.venv/bin/python scripts/bench.py [--units N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from flows import render  # noqa: E402
from schemes import get_scheme  # noqa: E402
from schemes.contract import ScoreResult  # noqa: E402
from transforms.periods import Period  # noqa: E402
from transforms.schema import (  # noqa: E402
    ADOPTION_UNITS,
    ADOPTIONS,
    LEDGER,
    QUARTERS,
    REVIEW,
    SCORES,
    SUBMISSIONS,
    UNITS,
)

PERIOD = Period(2018, "quarter", 2)
TZ = ZoneInfo("Asia/Shanghai")

PLACES = ["新安江", "洋溪", "更楼", "寿昌", "乾潭", "梅城", "杨村桥", "下涯", "大洋", "三都"]
PLACES += ["大同", "李家", "航头", "莲花", "大慈岩", "钦堂", "富春", "桐庐", "淳安", "临安"]
KINDS = ["镇", "街道", "局", "办", "中心", "公司", "委员会"]
TOPICS = [
    "推进垃圾分类工作见实效",
    "“最多跑一次”改革再提速",
    "多措并举抓好防汛防台工作",
    "创新基层社会治理模式",
    "全力打好精准脱贫攻坚战",
    "优化营商环境助力企业发展",
    "扎实开展“无违建”创建",
    "深化农村集体产权制度改革",
    "打造“智慧城管”新平台",
    "全域旅游发展迈上新台阶",
    "切实加强安全生产监管",
    "推动乡村振兴战略落地见效",
]
PUBS = [
    ("建德政务·动态", "J-3.1.1", "三（一）1", "本级采用", 4.0),
    ("建德政务·情况专报", "J-3.1.2", "三（一）2", "本级专报", 8.0),
    ("杭州政务", "J-3.2.1", "三（二）1", "杭州政务采用", 8.0),
    ("浙江政务信息", "J-3.2.2", "三（二）2", "浙江政务信息采用", 16.0),
]


def frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def synthetic_context(n_units: int, seed: int = 7) -> render.ReportContext:
    """A quarter of `n_units` units in the four groups of jiande-2018."""
    rnd = random.Random(seed)
    scheme = get_scheme("jiande-2018")
    groups = [g.name for g in scheme.groups]
    targets = {g.name: g.target for g in scheme.groups}
    units, ledger, adoptions, au, subs, quarters = [], [], [], [], [], []
    names: list[tuple[str, str]] = []
    for i in range(n_units):
        name = f"{rnd.choice(PLACES)}{rnd.choice(['', '市'])}第{i + 1}{rnd.choice(KINDS)}"
        group = groups[i % len(groups)]
        names.append((name, group))
        units.append({"unit": name, "group": group, "aliases": [], "emails": []})
    start = PERIOD.start
    for k, (name, _group) in enumerate(names):
        for j in range(rnd.randint(2, 8)):
            pub, rule_id, clause, rule, pts = rnd.choice(PUBS)
            d = start + timedelta(days=rnd.randint(0, 89))
            aid = f"a{k}-{j}"
            title = f"{name}{rnd.choice(TOPICS)}"
            shared = rnd.random() < 0.1
            adoptions.append(
                {
                    "adoption_id": aid,
                    "publication": pub,
                    "issue": str(rnd.randint(1, 120)),
                    "date": d,
                    "title": title,
                    "units_raw": name,
                    "kind": None,
                    "source_file": "adoptions/2018q2.csv",
                    "source_row": len(adoptions) + 2,
                    "article_id": aid,
                }
            )
            au.append(
                {
                    "adoption_id": aid,
                    "unit": name,
                    "position": 0,
                    "n_units": 1,
                    "method": "exact",
                    "score": 1.0,
                }
            )
            ledger.append(
                {
                    "unit": name,
                    "period": PERIOD.label,
                    "date": d,
                    "rule_id": f"jiande-2018/{rule_id}",
                    "clause": clause,
                    "rule": rule,
                    "points": pts,
                    "note": "联合供稿，各计全分" if shared else f"《{pub}》采用",
                    "source": "adoption",
                    "ref": aid,
                    "article_id": aid,
                    "title": title,
                    "publication": pub,
                    "issue": adoptions[-1]["issue"],
                    "shared": shared,
                }
            )
        for _ in range(rnd.randint(1, 6)):
            t = datetime.combine(start + timedelta(days=rnd.randint(0, 89)), datetime.min.time())
            subs.append(
                {
                    "submission_id": f"s{len(subs)}",
                    "time": t.replace(hour=9, tzinfo=TZ),
                    "sender": f"u{k}@example.invalid",
                    "subject": "信息报送",
                    "unit_raw": None,
                    "kind": None,
                    "source_file": "submissions/2018-04.csv",
                    "source_row": len(subs) + 2,
                    "unit": name,
                }
            )
    led = frame(ledger, LEDGER)
    pts = dict(led.group_by("unit").agg(pl.col("points").sum()).iter_rows())
    n_adopted = dict(led.group_by("unit").len().iter_rows())
    n_sub = {}
    for s in subs:
        n_sub[s["unit"]] = n_sub.get(s["unit"], 0) + 1
    rows = []
    for name, group in names:
        p = pts.get(name, 0.0)
        rows.append(
            {
                "unit": name,
                "group": group,
                "points": p,
                "rank": None,
                "target": targets[group],
                "target_met": p >= (targets[group] or 0),
                "assessment": None,
                "submitted": n_sub.get(name, 0),
                "adopted": n_adopted.get(name, 0),
                "remark": None,
            }
        )
    scores = frame(rows, SCORES).with_columns(
        pl.col("points").rank("min", descending=True).over("group").cast(pl.Int64).alias("rank")
    )
    scores = scores.with_columns(
        pl.when(pl.col("target_met"))
        .then((16 - pl.col("rank")).clip(5, 15).cast(pl.Float64))
        .otherwise(0.0)
        .alias("assessment")
    )
    for name, _ in names:
        quarters.append(
            {
                "unit": name,
                "period": "2018Q1",
                "points": float(rnd.randint(0, 60)),
                "rank": None,
                "assessment": None,
                "target_met": None,
            }
        )
        quarters.append(
            {
                "unit": name,
                "period": "2018Q2",
                "points": pts.get(name, 0.0),
                "rank": None,
                "assessment": None,
                "target_met": None,
            }
        )
    result = ScoreResult(
        period=PERIOD,
        ledger=led,
        scores=scores,
        notes=["2018年4月、5月、6月已导入报送邮件记录。"],
        quarters=frame(quarters, QUARTERS),
    )
    return render.ReportContext(
        scheme=scheme,
        office="建德市人民政府办公室",
        period=PERIOD,
        result=result,
        units=frame(units, UNITS),
        adoptions=frame(adoptions, {**ADOPTIONS, "article_id": pl.String}),
        adoption_units=frame(au, ADOPTION_UNITS),
        submissions=frame(subs, {**SUBMISSIONS, "unit": pl.String}),
        review=pl.DataFrame(schema=REVIEW),
        issued=date(2018, 7, 5),
        version=1,
        doc_number="建政办〔2018〕15号",
    )


COLD = """
import sys, time, pickle
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
from flows import render
stem, data = pickle.load(open({job!r}, "rb"))
t1 = time.perf_counter()
render.render_statement(Path({out!r}), stem, data)
t2 = time.perf_counter()
print(f"{{t2 - t0:.3f}} {{t2 - t1:.3f}}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--sample", type=int, default=40, help="statements timed one by one")
    args = ap.parse_args()

    ctx = synthetic_context(args.units)
    jobs = render.statement_jobs(ctx)
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-") as tmp:
        tmp = Path(tmp)
        # Warm, one process: the median of a sample of statements.
        warm = tmp / "warm"
        warm.mkdir()
        render.render_statement(warm, *jobs[0])  # load fonts and templates
        times, cpu = [], []
        for stem, data in jobs[1 : 1 + args.sample]:
            t, c = time.perf_counter(), time.process_time()
            render.render_statement(warm, stem, data)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        median = statistics.median(times)

        # Cold: the first statement in a fresh interpreter.
        import pickle

        job = tmp / "job.pkl"
        job.write_bytes(pickle.dumps(jobs[0]))
        cold_dir = tmp / "cold"
        cold_dir.mkdir()
        code = COLD.format(root=str(ROOT), job=str(job), out=str(cold_dir))
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        cold_wall = time.perf_counter() - t
        if res.returncode:
            sys.exit(res.stderr)
        cold_in, cold_render = (float(x) for x in res.stdout.split())

        # Everything: bulletin, exports, and the statements through the pool.
        out = tmp / "v1"
        out.mkdir()
        t = time.perf_counter()
        paths = render.render_outputs(out, ctx)
        total = time.perf_counter() - t
        t = time.perf_counter()
        render.write_statements(tmp / "again", ctx)
        statements_only = time.perf_counter() - t

        pdfs = [p for p in paths if p.parent.name == "statements" and p.suffix == ".pdf"]
        sizes = sorted(p.stat().st_size for p in pdfs)
        bulletin = out / "bulletin.pdf"
        pages = subprocess.run(["pdfinfo", str(bulletin)], capture_output=True, text=True).stdout
        n_pages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages")), "?")

    workers = render._pool_workers()
    print(f"units: {args.units}, statements: {len(pdfs)}, pool workers: {workers}")
    print(
        f"statement, warm, median of {len(times)}: {median:.3f} s "
        f"(CPU {statistics.median(cpu):.3f} s; load average now {os.getloadavg()[0]:.1f})"
    )
    print(
        f"statement, cold (fresh process): {cold_wall:.2f} s wall "
        f"({cold_in:.2f} s from start of the interpreter's script, {cold_render:.2f} s render)"
    )
    print(f"{args.units} statements (pool): {statements_only:.1f} s")
    print(f"render_outputs total (bulletin {n_pages} pages + statements + exports): {total:.1f} s")
    print(f"statement PDF size: median {sizes[len(sizes) // 2] / 1024:.0f} KB, ", end="")
    print(f"largest {sizes[-1] / 1024:.0f} KB")


if __name__ == "__main__":
    main()
