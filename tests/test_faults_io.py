"""Faults of input and output (issue 13, points 6 and 7), against real components.

Oversized and hostile inputs ([limits]: an .xlsx/.docx zip bomb, a sheet declaring millions
of rows, a CSV past the size or row bound, a unit whose rows would need billions of title
comparisons), an encrypted PDF, impossible periods; a read-only workspace (a read-only
bind mount) and a full disk (a small tmpfs), both inside `unshare -m` since the tests run
as root and chmod does not stop root; a damaged and an unreachable database; `kill -9` of a
real `kaohe run` (its temporary Prefect server must go with it, its staging folder is
removed by the next run). Each ends with one Chinese line, exit status 2, and nothing
half-written. Only the killed run boots its own temporary Prefect server; the other runs
use the session's.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from datetime import date
from hashlib import md5
from pathlib import Path

import numpy as np
import polars as pl
import pytest

ROOT = Path(__file__).resolve().parent.parent
KAOHE = [sys.executable, "-m", "flows.cli"]


def kaohe(
    *args: str, timeout: float = 240, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*KAOHE, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout, env=env
    )


@pytest.fixture
def session_server_env(prefect_server) -> dict[str, str]:
    """The environment of a `kaohe run` whose fault is not about Prefect's server: it uses
    the session's (PREFECT_API_URL) instead of booting a temporary one (~5 s of CPU)."""
    from prefect.settings import get_current_settings

    return dict(os.environ, PREFECT_API_URL=str(get_current_settings().api.url))


def cpu_of_children() -> float:
    """CPU seconds (user and system) of this process's finished subprocesses: how long a
    `kaohe` subprocess worked, however loaded the machine (its wall time is not)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def one_chinese_line(result: subprocess.CompletedProcess, *words: str) -> str:
    """The run failed with status 2 and one line 「错误：…」 holding `words`, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("错误：")]
    assert len(lines) == 1, result.stderr[-3000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def small_workspace(root: Path, units: int = 3) -> Path:
    """A jiande-2018 workspace with `units` units and one adoption in 2018Q2 (a run of it
    renders in seconds)."""
    from flows.workspace import init_workspace

    init_workspace(root, "jiande-2018")
    rows = list(csv.reader((root / "units.csv").open(encoding="utf-8")))
    with (root / "units.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows[: units + 1])
    unit = rows[1][0]
    (root / "adoptions" / "2018q2.csv").write_text(
        f"publication,issue,date,title,units\n建德政务·动态,12,2018-04-02,森林消防一线工作法,{unit}\n",
        encoding="utf-8",
    )
    return root


def limits(root: Path, **bounds: int) -> None:
    text = (root / "kaohe.toml").read_text(encoding="utf-8")
    text += "\n[limits]\n" + "".join(f"{k} = {v}\n" for k, v in bounds.items())
    (root / "kaohe.toml").write_text(text, encoding="utf-8")


def nothing_written(root: Path) -> None:
    out = root / "out"
    left = sorted(p.relative_to(root).as_posix() for p in out.rglob("*")) if out.exists() else []
    assert not [p for p in left if "/v" in p or ".staging" in p], left


# ------------------------------------------------------------------ bounds of the inputs


def _sheet_zip(path: Path, sheet_bytes: int, dimension: str | None = None) -> None:
    """A real .xlsx (openpyxl) whose first sheet is replaced by `sheet_bytes` of rows
    (deflated: a zip bomb when large), declaring `dimension`."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["publication", "issue", "date", "title", "units"])
    plain = path.with_suffix(".plain.xlsx")
    wb.save(plain)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + "<sheetData>"
    ).encode()
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    tail = b"</sheetData></worksheet>"
    deflated = {"compression": zipfile.ZIP_DEFLATED, "compresslevel": 1}
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", **deflated) as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info))
                continue
            with dst.open(info.filename, "w", force_zip64=sheet_bytes > 1 << 30) as out:
                out.write(head)
                block = row * (1 << 14)
                for _ in range(max(sheet_bytes // len(block), 1)):
                    out.write(block)
                out.write(tail)
    plain.unlink()


def test_xlsx_zip_bomb_stops_in_seconds_naming_file_and_bound(tmp_path):
    """The issue's bomb, at the default bound: a small file whose sheet unpacks to 600 MB
    (past [limits] max_file_mb = 512) is refused from its zip's declared sizes, unread."""
    ws = small_workspace(tmp_path / "ws")
    bomb = ws / "adoptions" / "bomb.xlsx"
    _sheet_zip(bomb, 600 << 20)
    assert bomb.stat().st_size < 8 << 20
    with zipfile.ZipFile(bomb) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 512 << 20
    started = cpu_of_children()
    result = kaohe("score", str(ws), "--period", "2018Q2")
    assert cpu_of_children() - started < 30
    one_chinese_line(result, "adoptions/bomb.xlsx", "解压后", "512 MB", "max_file_mb")


def test_xlsx_bound_can_be_lowered_and_raised_in_kaohe_toml(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    _sheet_zip(ws / "adoptions" / "big.xlsx", 3 << 20)
    limits(ws, max_file_mb=2)
    one_chinese_line(kaohe("score", str(ws), "--period", "2018Q2"), "big.xlsx", "2 MB")
    (ws / "kaohe.toml").write_text(
        (ws / "kaohe.toml")
        .read_text(encoding="utf-8")
        .replace("max_file_mb = 2", "max_file_mb = 8"),
        encoding="utf-8",
    )
    result = kaohe("score", str(ws), "--period", "2018Q2")
    assert "max_file_mb" not in result.stderr  # read; its rows' own problems are another story


def test_sheet_declaring_millions_of_rows_is_refused_before_reading(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    _sheet_zip(ws / "adoptions" / "tall.xlsx", 1 << 16, dimension="A1:E3000000")
    one_chinese_line(
        kaohe("score", str(ws), "--period", "2018Q2"), "tall.xlsx", "3,000,000", "max_rows"
    )


def test_columns_in_use_are_bounded_not_formatted_ones(tmp_path):
    """A sheet with a value in column 1,200 is past [limits] max_columns = 1000; one whose
    rows are merely formatted out to column XFD (Excel's last) is read."""
    import openpyxl
    from openpyxl.styles import Font

    ws = small_workspace(tmp_path / "ws")
    header = ["publication", "issue", "date", "title", "units"]
    wide = openpyxl.Workbook()
    wide.active.append(header)
    wide.active.cell(row=2, column=1200, value="多余")
    wide.save(ws / "adoptions" / "wide.xlsx")
    one_chinese_line(
        kaohe("score", str(ws), "--period", "2018Q2"), "wide.xlsx", "1,200 列", "max_columns"
    )
    (ws / "adoptions" / "wide.xlsx").unlink()
    styled = openpyxl.Workbook()
    styled.active.append(header)
    styled.active.cell(row=1, column=16384).font = Font(bold=True)
    styled.save(ws / "adoptions" / "styled.xlsx")
    assert kaohe("score", str(ws), "--period", "2018Q2").returncode == 0


def test_docx_zip_bomb_is_refused(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    src = ROOT / "examples" / "jiande-2018" / "adoptions" / "2018-建德政务动态-第13期.docx"
    bomb = ws / "adoptions" / "2018-建德政务动态-第13期.docx"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            b.writestr(info, a.read(info))
        b.writestr("word/media/padding.bin", b"\0" * (3 << 20))
    limits(ws, max_file_mb=2)
    one_chinese_line(kaohe("score", str(ws), "--period", "2018Q2"), bomb.name, "解压后", "2 MB")


def test_csv_past_its_size_or_row_bound_names_file_and_bound(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    log = ws / "submissions" / "2018-04.csv"
    lines = ["sender,sent_at,subject"] + [
        f"a{i}@x.cn,2018-04-0{1 + i % 9} 09:00,标题{i}" for i in range(3000)
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limits(ws, max_rows=1000)
    one_chinese_line(
        kaohe("score", str(ws), "--period", "2018Q2"), "submissions/2018-04.csv", "1,000 行"
    )
    log.write_text(("x" * 1000 + "\n") * 2100, encoding="utf-8")  # 2.1 MB
    (ws / "kaohe.toml").write_text(
        (ws / "kaohe.toml")
        .read_text(encoding="utf-8")
        .replace("max_rows = 1000", "max_file_mb = 2"),
        encoding="utf-8",
    )
    one_chinese_line(kaohe("score", str(ws), "--period", "2018Q2"), "2018-04.csv", "max_file_mb")


def test_mail_file_past_the_size_bound_is_refused_unread(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    box = ws / "submissions" / "inbox.mbox"
    message = "From a@x.cn Mon Apr  2 09:00:00 2018\nFrom: a@x.cn\nSubject: 标题\n\n正文\n\n"
    box.write_text(message * 30000, encoding="utf-8")  # about 1.5 MB
    limits(ws, max_file_mb=1)
    one_chinese_line(
        kaohe("score", str(ws), "--period", "2018Q2"), "submissions/inbox.mbox", "max_file_mb"
    )


# ------------------------------------------------------------------ pairs of titles


def test_one_unit_with_thousands_of_rows_stops_before_comparing(tmp_path):
    """The issue's 200 MB adoptions file of 4 units, scaled: 12,000 rows of one unit on one
    day would be 72 million title pairs; the run stops in seconds naming the unit, the file
    and [limits] max_title_pairs instead of allocating them."""
    ws = small_workspace(tmp_path / "ws")
    unit = next(csv.reader((ws / "units.csv").open(encoding="utf-8").readlines()[1:]))[0]
    rows = [
        f"建德政务·动态,12,2018-04-02,第{i}篇关于工作的报道{i * 7919 % 10007},{unit}"
        for i in range(12000)
    ]
    (ws / "adoptions" / "2018q2.csv").write_text(
        "publication,issue,date,title,units\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    started = cpu_of_children()
    result = kaohe("score", str(ws), "--period", "2018Q2")
    assert cpu_of_children() - started < 60
    one_chinese_line(result, unit, "adoptions/2018q2.csv", "max_title_pairs", "50,000,000")


def _titles(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    words = ["乡村振兴", "农房整治", "森林消防", "最多跑一次", "防汛", "招商引资", "党建", "扶贫"]
    return [
        "".join(rng.choice(words, 3))
        + f"第{rng.integers(1, 5)}季度"
        + "".join(rng.choice(words, 2))
        for _ in range(n)
    ]


def test_chunked_comparison_gives_exactly_the_pairs_of_the_whole(monkeypatch):
    from transforms.grouping import (
        WindowPairs,
        prepare_titles,
        scored_pairs,
        scored_window_pairs,
    )

    cores, nums = prepare_titles(pl.Series(_titles(300)), (), keyed=True)
    # rows 0…299 of one unit; row x's partners are x+1 … x+40 (a date window)
    starts = np.arange(1, 301)
    counts = np.minimum(40, 299 - np.arange(300))
    pairs = WindowPairs(np.arange(300), starts, counts, np.arange(300))
    a = np.repeat(np.arange(300), counts)
    b = np.concatenate([np.arange(s, s + c) for s, c in zip(starts, counts, strict=True)])
    whole = scored_pairs(a, b, cores, nums, 65)
    assert len(whole[0]) > 50
    for chunk in (7, 1000, 1 << 20):
        got = scored_window_pairs(pairs, cores, nums, 65, chunk=chunk)
        for x, y in zip(whole, got, strict=True):
            np.testing.assert_array_equal(x, y)


def test_memory_of_comparing_one_units_rows_is_bounded(monkeypatch):
    """3 million pairs of one unit's 2,500 rows, compared in chunks of 65,536: the memory
    numpy and rapidfuzz hold at once stays a few MB, not the ~150 MB of all pairs."""
    import transforms.grouping as grouping

    monkeypatch.setattr(grouping, "PAIR_CHUNK", 1 << 16)
    n = 2500
    cores, nums = grouping.prepare_titles(pl.Series(_titles(n, seed=3)), (), keyed=True)
    rows = np.arange(n)
    pairs = grouping.WindowPairs(rows, rows + 1, n - 1 - rows, rows)
    assert pairs.total == n * (n - 1) // 2
    tracemalloc.start()
    try:
        grouping.scored_window_pairs(pairs, cores, nums, 99.5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 << 20, peak


def _adoptions(n: int) -> pl.DataFrame:
    """`n` adoptions of one issue date with random titles (the units are given apart)."""
    return pl.DataFrame(
        {
            "adoption_id": [f"a{i:03d}" for i in range(n)],
            "publication": ["建德政务·动态"] * n,
            "issue": [str(i) for i in range(n)],
            "date": [date(2018, 4, 2)] * n,
            "title": _titles(n),
        }
    )


def test_pair_cap_names_the_unit_with_most_pairs_and_its_file():
    from transforms.errors import InputError
    from transforms.grouping import group_articles

    n = 60
    adoptions = _adoptions(n).with_columns(
        source_file=pl.Series(["adoptions/many.csv"] * 50 + ["adoptions/few.csv"] * 10)
    )
    units = pl.DataFrame(
        {"adoption_id": adoptions["adoption_id"], "unit": ["甲局"] * 50 + ["乙镇"] * 10}
    )
    ok, _ = group_articles(adoptions, units, None, max_pairs=50 * 49 // 2 + 10 * 9 // 2)
    assert ok.height == n
    with pytest.raises(InputError) as err:
        group_articles(adoptions, units, None, max_pairs=1000)
    assert err.value.file == "adoptions/many.csv"
    assert "甲局" in str(err.value) and "1,270" in str(err.value) and "1,225" in str(err.value)


def test_events_against_a_units_adoptions_are_counted_before_pairing():
    from transforms.errors import InputError
    from transforms.grouping import group_articles, link_events_to_articles

    n = 40
    adoptions = _adoptions(n)
    units = pl.DataFrame({"adoption_id": adoptions["adoption_id"], "unit": ["甲局"] * n})
    articles, _ = group_articles(adoptions, units, None)
    events = pl.DataFrame(
        {
            "unit": ["甲局"] * 30,
            "title": _titles(30, seed=5),
            "date": [date(2018, 4, 9)] * 30,
            "source_file": ["events/批示.csv"] * 30,
        }
    )
    linked = link_events_to_articles(events, adoptions, units, articles, max_pairs=1200)
    assert linked.height == 30
    with pytest.raises(InputError) as err:
        link_events_to_articles(events, adoptions, units, articles, max_pairs=1199)
    assert err.value.file == "events/批示.csv" and "1,200" in str(err.value)


def test_examples_group_the_same_in_chunks(monkeypatch):
    """The bundled example, matched and grouped with chunks of 5 pairs, gives the frames it
    gives in one chunk (`kaohe score` of the four examples is unchanged)."""
    import transforms.grouping as grouping
    from flows import steps
    from flows.workspace import Workspace

    ws = Workspace.load(ROOT / "examples" / "jiande-2018")
    inputs = steps.check(ws)
    whole = steps.match_and_group(inputs, ws.scheme)
    monkeypatch.setattr(grouping, "PAIR_CHUNK", 5)
    chunked = steps.match_and_group(inputs, ws.scheme)
    assert whole.inputs.adoptions.equals(chunked.inputs.adoptions)
    assert whole.links.equals(chunked.links)
    assert whole.review.equals(chunked.review)


# ------------------------------------------------------------------ documents and periods


def _encrypted_pdf(path: Path, user: bytes = b"secret", owner: bytes = b"owner") -> None:
    """A one-page PDF under the standard security handler (RC4, revision 2) with an open
    password: readers without the password cannot read it."""
    from pdfminer.arcfour import Arcfour

    pad_bytes = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")

    def pad(p: bytes) -> bytes:
        return (p + pad_bytes)[:32]

    o_value = Arcfour(md5(pad(owner)).digest()[:5]).encrypt(pad(user))
    perms, file_id = -44, b"0123456789abcdef"
    key = md5(pad(user) + o_value + struct.pack("<i", perms) + file_id).digest()[:5]
    u_value = Arcfour(key).encrypt(pad_bytes)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + o_value.hex().encode()
        + b"> /U <"
        + u_value.hex().encode()
        + b"> /P -44 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    hex_id = file_id.hex().encode()
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        hex_id,
        hex_id,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))


def test_encrypted_pdf_issue_is_said_to_be_encrypted(tmp_path):
    ws = small_workspace(tmp_path / "ws")
    _encrypted_pdf(ws / "adoptions" / "2018-杭州政务-第139期.pdf")
    line = one_chinese_line(
        kaohe("score", str(ws), "--period", "2018Q2"), "2018-杭州政务-第139期.pdf", "加密"
    )
    assert "不是有效的 PDF" not in line


@pytest.mark.parametrize("period", ["0000", "0000Q1", "9999-12", "1899", "2018Q5", "2018-13"])
def test_impossible_periods_are_one_line(tmp_path, period):
    ws = small_workspace(tmp_path / "ws")
    for command in ("score", "run"):
        one_chinese_line(kaohe(command, str(ws), "--period", period), f"「{period}」")
    nothing_written(ws)


# ------------------------------------------------------------------ the database


def test_damaged_database_is_one_line_without_sql(tmp_path, session_server_env):
    ws = small_workspace(tmp_path / "ws")
    (ws / "kaohe.db").write_bytes(b"this is no sqlite file " * 200)
    result = kaohe("run", str(ws), "--period", "2018Q2", env=session_server_env)
    line = one_chinese_line(result, "损坏", "kaohe.db", "备份")
    for sql in ("SELECT", "INSERT", "CREATE", "[SQL"):
        assert sql not in result.stderr, line
    nothing_written(ws)


def test_unreachable_database_is_one_line(tmp_path, session_server_env):
    from smtp_server import free_port

    ws = small_workspace(tmp_path / "ws")
    text = (ws / "kaohe.toml").read_text(encoding="utf-8")
    url = f"postgresql+psycopg://kaohe:hush@127.0.0.1:{free_port()}/kaohe"
    (ws / "kaohe.toml").write_text(text + f'\n[database]\nurl = "{url}"\n', encoding="utf-8")
    result = kaohe("run", str(ws), "--period", "2018Q2", env=session_server_env)
    line = one_chinese_line(result, "[database] url", "127.0.0.1")
    assert "hush" not in result.stderr, line  # the password is never shown
    nothing_written(ws)


# ------------------------------------------------------------------ the disk (unshare -m)


def _unshare_or_skip() -> None:
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare -m is not permitted here ({probe.stderr.strip()}): no private mounts")


def _in_namespace(
    script: str, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess:
    """`script` (sh) in a private mount namespace: its mounts vanish with it."""
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**env, "PYTHONPATH": str(ROOT)},
    )


def test_read_only_workspace_is_one_line(tmp_path, session_server_env):
    _unshare_or_skip()
    ws = small_workspace(tmp_path / "ws")
    cmd = " ".join([*KAOHE, "run", str(ws), "--period", "2018Q2"])
    result = _in_namespace(
        f"mount --bind -o ro {ws} {ws} && mount -o remount,bind,ro {ws} && {cmd}",
        session_server_env,
    )
    one_chinese_line(result, "只读")
    nothing_written(ws)


def test_full_disk_is_one_line_and_leaves_nothing_half_written(tmp_path, session_server_env):
    _unshare_or_skip()
    disk = tmp_path / "disk"
    disk.mkdir()
    src = small_workspace(tmp_path / "src")  # its run writes about 1.2 MB: more than fits
    cmd = " ".join([*KAOHE, "run", f"{disk}/ws", "--period", "2018Q2"])
    script = (
        f"mount -t tmpfs -o size=800k tmpfs {disk} && cp -r {src} {disk}/ws && {cmd}; "
        f"rc=$?; find {disk}/ws/out -mindepth 1; df -k {disk} | tail -1; exit $rc"
    )
    result = _in_namespace(script, session_server_env)
    one_chinese_line(result, "磁盘空间已满")
    # what the tmpfs held at the end: no version folder, no staging folder
    assert "/v1" not in result.stdout and ".staging" not in result.stdout, result.stdout


# ------------------------------------------------------------------ kill -9


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_kill_9_leaves_no_server_and_the_next_run_removes_its_staging(tmp_path):
    from flows import outputs

    ws = small_workspace(tmp_path / "ws", units=40)
    run = subprocess.Popen(
        [*KAOHE, "run", str(ws), "--period", "2018Q2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    staged = ws / "out" / "2018Q2" / f".staging-{run.pid}"
    try:
        deadline = time.monotonic() + 180
        while not staged.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert staged.exists(), "the run never started writing"
        servers = [c for c in _children(run.pid) if "create_app" in _cmdline(c)]
        assert servers, "no temporary Prefect server under the run"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    deadline = time.monotonic() + 60  # polls: only a loaded machine waits long
    while any(_cmdline(s) for s in servers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any("create_app" in _cmdline(s) for s in servers), "the server outlived the run"
    assert staged.exists()  # the killed run could not clean up
    # The next run, under the workspace lock, removes what a dead pid left.
    with outputs.workspace_lock(ws):
        removed = outputs.remove_stale_staging(ws / "out")
    assert removed == [staged] and not staged.exists()


def test_staging_of_a_live_process_is_kept(tmp_path):
    from flows import outputs

    period = tmp_path / "out" / "2018Q2"
    alive = subprocess.Popen(["sleep", "30"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    try:
        for p in (alive, dead):
            (period / f".staging-{p.pid}").mkdir(parents=True)
        with outputs.staging(period) as tmp:
            assert tmp.name == f".staging-{os.getpid()}"
            assert not (period / f".staging-{dead.pid}").exists()
            assert (period / f".staging-{alive.pid}").exists()
    finally:
        alive.kill()
        alive.wait()
    shutil.rmtree(period)


_POOL_PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from flows.lifetime import die_with_parent

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx, initializer=die_with_parent,
                             initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(time.sleep, 60) for _ in range(2)]
        time.sleep(1.5)
        print(" ".join(str(p) for p in pool._processes), flush=True)
        time.sleep(60)
"""


def test_render_workers_die_with_a_killed_run(tmp_path):
    """flows.render's process pool (from 12 units on) runs its workers with
    `die_with_parent`: after `kill -9` of the run, none is left."""
    script = tmp_path / "parent.py"
    script.write_text(_POOL_PARENT, encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,
    )
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_cmdline(w) for w in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60  # polls: only a loaded machine waits long
        while any(_cmdline(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_cmdline(w) for w in workers), "a worker outlived the run"
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait()
