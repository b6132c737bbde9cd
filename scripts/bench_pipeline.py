"""Pipeline speed at province scale (`make bench`): a year at 500 and at 5,000 units.

For each size a synthetic workspace is written (`kaohe synth`, scheme jiande-2018, seed 1:
200 submissions and about 20 adoptions per unit and year), then a fresh process runs the
steps of `flows.steps` one by one and reports the seconds of each and its peak memory
(ru_maxrss of that process):

- ingest: reading every input file (units, adoptions, mail logs, events, decisions);
- matching: printed unit names → roster units (adoptions, submissions, events);
- linking: adoptions → the submissions they came from;
- grouping: adoptions → articles (C1), events → articles;
- scoring: the year (`--period 2018`), which scores its four quarters too.

The stages call the same functions in the same order as `flows.steps.match_and_group`.
Targets (issue 8, on a 2-core machine): the 5,000-unit year in ≤ 30 s with ≤ 4 GiB peak,
and 10× the data in ≤ 12× the time.

Quality (issue 16): after the timed stages, kaohe's own decisions are compared with the
truth `kaohe synth` wrote (`synth-truth/`, transforms.quality): of the printed names
(adoption → unit), the senders (message → unit), the links (adoption → submission) and
the articles (pairs of adoptions of one article), how many kaohe decided, how many of them
are wrong, how many true ones it missed and how many it asked about in review.csv. The
default profile (the timing baseline) and the hard one (`--profile hard`: noise as hard as
real periodicals) are both measured; the hard one is not timed.

A benchmark, never a test. Usage:
    .venv/bin/python scripts/bench_pipeline.py [--units 500 5000] [--scheme ID] [--keep DIR]
        [--profiles default hard] [--cases DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ("ingest", "matching", "linking", "grouping", "scoring")
TARGET_SECONDS = 30.0
TARGET_GIB = 4.0


def _peak_mib() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quality(ws, matched, cases: str | None) -> list[dict] | None:
    """transforms.quality's counts of `matched` against the workspace's synth-truth/ (None
    without one); every wrong and missed case written to `cases` when given."""
    from flows.synth import TRUTH_DIR, judge, read_truth

    if not (ws.root / TRUTH_DIR).is_dir():
        return None
    q = judge(read_truth(ws.root), matched, ws.scheme.place_prefixes)
    if cases:
        q.cases.write_csv(cases)
    return q.counts.to_dicts()


def run_stages(workspace: str, period: str, cases: str | None = None) -> dict:
    """Run the pipeline's steps on `workspace` in this process; seconds per stage, then
    the quality counts (not timed)."""

    from flows import steps
    from flows.workspace import Workspace
    from transforms.periods import Period

    ws = Workspace.load(workspace)
    scheme = ws.scheme
    out: dict = {}

    t = time.perf_counter()
    inputs = steps.ingest(ws)
    out["ingest"] = time.perf_counter() - t

    # The pipeline's own step, timing its stages (matching, linking, grouping).
    matched = steps.match_and_group(inputs, scheme, timings=out)
    t = time.perf_counter()
    result = steps.score(matched, scheme, Period.parse(period))
    out["scoring"] = time.perf_counter() - t

    out["total"] = sum(out[s] for s in STAGES)
    out["peak_mib"] = _peak_mib()
    out["quality"] = _quality(ws, matched, cases)
    out["counts"] = {
        "units": inputs.units.height,
        "adoptions": inputs.adoptions.height,
        "submissions": inputs.submissions.height,
        "events": inputs.events.height,
        "links": matched.links.height,
        "articles": matched.inputs.adoptions["article_id"].n_unique(),
        "review": matched.review.height,
        "ledger": result.ledger.height,
    }
    return out


def measure(
    n_units: int,
    scheme: str,
    year: int,
    keep: Path | None,
    profile: str = "default",
    cases: Path | None = None,
) -> dict:
    from flows.synth import SynthSpec, write_workspace

    base = keep or Path(tempfile.mkdtemp(prefix="kaohe-bench-"))
    name = f"{scheme}-{n_units}" + ("" if profile == "default" else f"-{profile}")
    ws = base / name
    if not (ws / "kaohe.toml").exists():
        t = time.perf_counter()
        write_workspace(ws, SynthSpec(scheme, n_units, year, seed=1, profile=profile))
        synth_s = time.perf_counter() - t
    else:
        synth_s = float("nan")
    # A fresh process per size: its peak memory is this size's alone.
    extra = ["--cases", str(cases / f"{name}.csv")] if cases else []
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(ws), "--period", str(year), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"stage run failed for {n_units} units")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["synth"] = synth_s
    res["units"] = n_units
    res["profile"] = profile
    if keep is None:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return res


def table(results: list[dict]) -> str:
    head = (
        "| units | submissions | adoptions | synth s | "
        + " | ".join(f"{s} s" for s in STAGES)
        + " | total s | peak MiB |"
    )
    sep = "|" + "---|" * (len(STAGES) + 6)
    lines = [head, sep]
    for r in results:
        c = r["counts"]
        lines.append(
            f"| {r['units']:,} | {c['submissions']:,} | {c['adoptions']:,} | {r['synth']:.1f} | "
            + " | ".join(f"{r[s]:.1f}" for s in STAGES)
            + f" | {r['total']:.1f} | {r['peak_mib']:,.0f} |"
        )
    return "\n".join(lines)


def quality_table(results: list[dict]) -> str:
    """One line per profile, size and measure: truth, decided, wrong, missed, review."""
    lines = [
        "| profile | units | decision | true | kaohe decided | wrong | missed | asked (true) "
        "| questions |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for q in r.get("quality") or ():
            lines.append(
                f"| {r['profile']} | {r['units']:,} | {q['measure']} | {q['truth']:,} | "
                f"{q['decided']:,} | {q['wrong']:,} | {q['missed']:,} | {q['review']:,} | "
                f"{q['asked']:,} |"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, nargs="+", default=[500, 5000])
    ap.add_argument("--scheme", default="jiande-2018")
    ap.add_argument("--year", type=int, default=2018)
    ap.add_argument("--keep", type=Path, default=None, help="keep the workspaces here")
    ap.add_argument(
        "--profiles",
        nargs="+",
        default=["default", "hard"],
        help="noise profiles (default: timed and measured; others: quality only)",
    )
    ap.add_argument("--cases", type=Path, default=None, help="write wrong/missed cases here")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--period", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_stages(args.child, args.period, args.cases)))
        return
    if args.cases:
        args.cases.mkdir(parents=True, exist_ok=True)

    every = []
    for profile in args.profiles:
        for n in args.units:
            print(f"… {n:,} 个单位（{profile}）", file=sys.stderr, flush=True)
            every.append(measure(n, args.scheme, args.year, args.keep, profile, args.cases))
    print(quality_table(every) + "\n")
    results = [r for r in every if r["profile"] == "default"]
    if not results:
        return
    print(table(results))
    big = max(results, key=lambda r: r["units"])
    small = min(results, key=lambda r: r["units"])
    ok = big["total"] <= TARGET_SECONDS and big["peak_mib"] <= TARGET_GIB * 1024
    print(
        f"\n{big['units']:,} units: {big['total']:.1f} s (target ≤ {TARGET_SECONDS:.0f} s), "
        f"peak {big['peak_mib'] / 1024:.2f} GiB (target ≤ {TARGET_GIB:.0f} GiB): "
        + ("met" if ok else "NOT met")
    )
    if big is not small:
        data = big["counts"]["submissions"] / max(1, small["counts"]["submissions"])
        ratio = big["total"] / max(1e-9, small["total"])
        print(
            f"{data:.0f}× the data took {ratio:.1f}× the time "
            f"(target ≤ {1.2 * data:.0f}×): " + ("met" if ratio <= 1.2 * data else "NOT met")
        )


if __name__ == "__main__":
    main()
