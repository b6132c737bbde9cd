"""Writing an answer into decisions.csv as a person would type it (the web page's form).

The row goes under the file's own header, in its own encoding and line endings: the type
as the header speaks (the id `unit` under `type`, the label 未识别单位 under 问题类型), the
key as review.csv shows it, the answer; other columns (a review.csv saved whole) stay
empty. An earlier answer to the same question is replaced, never left beside the new one
(two different answers stop the run). The answer is checked as `kaohe run` reads it
(`transforms.review.check_answer`) before anything is written, and the file is written
whole into place (a temporary file renamed), under the workspace lock.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from pathlib import Path

from flows import outputs
from flows.readers import DECISION_HEADERS, normalize_header
from transforms import review
from transforms.errors import InputError

DECISIONS = "decisions.csv"


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding to write it back with)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(codecs.BOM_UTF8):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as err:
        raise InputError(
            "无法识别文件编码（支持 UTF-8 和 GBK/GB18030）；请用 Excel 或 WPS 另存为 CSV UTF-8 后重试",
            file=DECISIONS,
        ) from err


def _columns(header: list[str]) -> dict[str, int]:
    """canonical column (type, key, answer) → its index in `header`."""
    lookup = {
        normalize_header(alias): canon
        for canon, aliases in DECISION_HEADERS.items()
        for alias in aliases
    }
    out: dict[str, int] = {}
    for i, cell in enumerate(header):
        canon = lookup.get(normalize_header(cell or ""))
        if canon and canon not in out:
            out[canon] = i
    return out


def write_answer(root: Path | str, type_id: str, key: str, answer: str) -> str:
    """Write the answer to the question (`type_id`, `key`) into the workspace's
    decisions.csv; returns what the file said before for that question ('' if nothing).
    An answer that does not fit the question is an InputError saying what it accepts."""
    root = Path(root)
    if type_id not in review.QUESTION_TYPES:
        raise InputError(f"问题类型「{type_id}」无法识别")
    answer = (answer or "").strip()
    key = (key or "").strip()
    if not answer:
        raise InputError("答复不能为空")
    if not key:
        raise InputError("问题的识别码为空")
    if problem := review.check_answer(type_id, answer):
        raise InputError(problem)
    path = root / DECISIONS
    with outputs.workspace_lock(root):
        if path.is_file():
            text, encoding = _decode(path.read_bytes())
        else:
            text, encoding = "type,key,answer\n", "utf-8"
        newline = "\r\n" if "\r\n" in text else "\n"
        lines = text.splitlines(keepends=True)
        if not lines or not "".join(lines).strip():
            lines = [f"type,key,answer{newline}"]
        records = list(csv.reader(io.StringIO("".join(lines))))
        header = records[0] if records else []
        cols = _columns(header)
        if set(cols) != {"type", "key", "answer"}:
            raise InputError(
                "表头应包含 type,key,answer（或 问题类型,识别码,答复）三列；请改正表头后再填写答复",
                file=DECISIONS,
                row=1,
            )
        chinese = not header[cols["type"]].strip().isascii()
        # the physical lines of each record (a quoted cell may hold line breaks)
        reader = csv.reader(io.StringIO("".join(lines)))
        spans: list[tuple[int, int, list[str]]] = []
        start = 0
        for record in reader:
            spans.append((start, reader.line_num, record))
            start = reader.line_num
        before = ""
        drop: set[int] = set()
        for first, end, record in spans[1:]:
            got = {c: record[i].strip() if i < len(record) else "" for c, i in cols.items()}
            q = review.decision_type(got["type"])
            if q is not None and q.id == type_id and got["key"] == key and got["answer"]:
                before = got["answer"]
                drop.update(range(first, end))
        kept = [line for i, line in enumerate(lines) if i not in drop]
        if kept and not kept[-1].endswith(("\n", "\r")):
            kept[-1] += newline
        width = len(header)
        row = [""] * width
        row[cols["type"]] = review.QUESTION_TYPES[type_id].label if chinese else type_id
        row[cols["key"]] = key
        row[cols["answer"]] = answer
        out = io.StringIO()
        csv.writer(out, lineterminator=newline).writerow(row)
        data = ("".join(kept) + out.getvalue()).encode(encoding)
        tmp = path.with_name(f".{DECISIONS}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise InputError(
                f"无法写入（{err.strerror or err}）：请确认工作区可写", file=DECISIONS
            ) from err
    return before
