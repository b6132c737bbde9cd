"""Mail as offices keep it (邮件报送记录): `.eml` files, `.mbox` files and Maildir folders.

The IO edge for mail: files are opened here. Every message becomes one SUBMISSIONS row
(transforms.schema) with `attachments` (names joined by `;`) and two extra columns the
matching step uses and the contract does not know:

- `unit_hint`: the unit a body names (报送单位：区发改局), tried after the sender's address
  and the subject (transforms.matching.assign_submission_units).
- nothing else: the body itself is not kept.

Reading (standard library `email`, `policy.default`):

- Headers: RFC 2047 encoded words in any charset (GB2312 and GBK labels are read as
  GB18030, which is what mail clients actually send under those labels), and the broken
  real-world case of raw GBK or UTF-8 bytes in a header.
- Bodies: the declared charset (GB2312/GBK → GB18030), else UTF-8, else GB18030.
- Attachments: file names from Content-Disposition `filename` or Content-Type `name`, in
  RFC 2231 (`filename*=GBK''%D6%D0…`, continuations) or RFC 2047 (`"=?GBK?B?…?="`) form.
- Time: the Date header with its own offset, converted to the office zone (C7); without a
  usable Date, the time the first Received header records.

A message seen twice counts once (`dedupe`): the same Message-ID, or a resend — the same
sender address with the same attachments (names and content hashes). The earliest copy is
kept. A message that cannot be used (no time, no sender, unreadable) becomes a review row
(type `submission`) naming the file and the message's index, and is skipped.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import hashlib
import mailbox
import quopri
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from flows.readers import check_size
from flows.workspace import not_data
from transforms import schema
from transforms.errors import InputError, Problems

__all__ = [
    "MAIL_SUFFIXES",
    "MailRead",
    "decode_bytes",
    "decode_header_text",
    "is_maildir",
    "mail_sources",
    "parse_message",
    "read_mail",
]

MAIL_SUFFIXES = frozenset({".eml", ".mbox"})

#: Frame of mail submissions: the contract plus `unit_hint`.
MAIL_SUBMISSIONS = {**schema.SUBMISSIONS, "unit_hint": pl.String}

_GB = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "euc-cn", "csgb2312"}


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    c = charset.strip().strip('"').lower()
    if c in _GB or c.startswith("gb2312"):
        return "gb18030"
    try:
        "".encode(c)
    except LookupError:
        return None
    return c


def decode_bytes(raw: bytes, charset: str | None = None) -> str:
    """Text of `raw`: the declared charset when it decodes cleanly, else UTF-8, else
    GB18030, else the declared one (or UTF-8) with replacement characters."""
    tried = []
    for c in (_codec(charset), "utf-8", "gb18030"):
        if c and c not in tried:
            tried.append(c)
            try:
                return raw.decode(c)
            except UnicodeDecodeError:
                continue
    return raw.decode(tried[0], errors="replace")


def _unescape(text: str) -> str:
    """A header value read with surrogate escapes (raw 8-bit bytes) as proper text."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"))


_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")


def _decode_word(charset: str, enc: str, payload: str) -> str | None:
    charset = charset.split("*", 1)[0]  # RFC 2231 language suffix: =?utf-8*zh?B?…?=
    try:
        if enc in "bB":
            data = base64.b64decode(payload + "=" * (-len(payload) % 4))
        else:
            data = quopri.decodestring(payload.replace("_", " ").encode("ascii"), header=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return decode_bytes(data, charset)


def decode_header_text(raw: str | None) -> str:
    """A header value as text: raw 8-bit bytes decoded (UTF-8 or GBK), RFC 2047 encoded
    words decoded (whitespace between two encoded words dropped), folding removed."""
    if not raw:
        return ""
    text = _unescape(str(raw))
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    out: list[str] = []
    pos = 0
    last_was_word = False
    for m in _ENCODED_WORD.finditer(text):
        between = text[pos : m.start()]
        decoded = _decode_word(m[1], m[2], m[3])
        if decoded is None:
            continue
        if not (last_was_word and between.strip() == ""):
            out.append(between)
        out.append(decoded)
        pos = m.end()
        last_was_word = True
    out.append(text[pos:])
    return "".join(out).strip()


def _header(msg: email.message.Message, name: str) -> str | None:
    """The first raw value of header `name` (case-insensitive), unparsed."""
    lname = name.lower()
    for k, v in msg.raw_items():
        if k.lower() == lname:
            return str(v)
    return None


def _headers(msg: email.message.Message, name: str) -> list[str]:
    lname = name.lower()
    return [str(v) for k, v in msg.raw_items() if k.lower() == lname]


def _param(raw: str | None, name: str) -> str | None:
    """Parameter `name` of a raw structured header (Content-Disposition, Content-Type), in
    RFC 2231 or RFC 2047 form, decoded."""
    if not raw:
        return None
    holder = email.message.Message()
    holder["X"] = _unescape(raw)
    value = holder.get_param(name, header="x")
    if value is None:
        return None
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
        charset, _lang, text = value
        try:
            data = text.encode("latin-1")
        except UnicodeEncodeError:
            return text
        return decode_bytes(data, charset or None)
    return decode_header_text(email.utils.unquote(value))


def _filename(part: email.message.Message) -> str | None:
    name = _param(_header(part, "Content-Disposition"), "filename")
    if not name:
        name = _param(_header(part, "Content-Type"), "name")
    if not name:
        return None
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    return name.replace(";", "；").strip() or None


@dataclass
class Attachment:
    name: str
    sha: str
    size: int


def _payload(part: email.message.Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding: keep what is there
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


_TAG = re.compile(r"<[^>]+>")
_BODY_UNIT = re.compile(
    r"(?:报送单位|供稿单位|来稿单位|报送部门|供稿)\s*[:：]\s*([^\s，,。；;：:]{2,30})"
)


def _parts(msg: email.message.Message) -> tuple[str, list[Attachment]]:
    """(body text, attachments) of a message."""
    texts: list[str] = []
    html: list[str] = []
    atts: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = _filename(part)
        ctype = (part.get_content_type() or "").lower()
        disposition = (part.get_content_disposition() or "").lower()
        if name or disposition == "attachment":
            data = _payload(part)
            atts.append(
                Attachment(name or "未命名附件", hashlib.sha1(data).hexdigest()[:16], len(data))
            )
            continue
        if ctype in ("text/plain", "text/html"):
            charset = part.get_param("charset")
            text = decode_bytes(_payload(part), charset if isinstance(charset, str) else None)
            (texts if ctype == "text/plain" else html).append(text)
    body = "\n".join(texts) or _TAG.sub(" ", "\n".join(html))
    return body, atts


class MailProblem(Exception):
    """A message that cannot be used; the message is Chinese."""


def _received_time(msg: email.message.Message) -> datetime | None:
    for value in _headers(msg, "Received"):
        text = decode_header_text(value)
        if ";" in text:
            try:
                t = parsedate_to_datetime(text.rsplit(";", 1)[1].strip())
            except (TypeError, ValueError, IndexError):
                continue
            if t is not None:
                return t
    return None


def _message_time(msg: email.message.Message, tz: str) -> datetime:
    t = None
    date_text = decode_header_text(_header(msg, "Date"))
    if date_text:
        try:
            t = parsedate_to_datetime(date_text)
        except (TypeError, ValueError, IndexError):
            t = None
    if t is None:
        t = _received_time(msg)
    if t is None:
        shown = f"「{date_text}」" if date_text else ""
        raise MailProblem(f"邮件发送时间（Date）{shown}缺失或无法识别")
    if t.tzinfo is None:  # "-0000": UTC, the sender's zone unknown (RFC 5322)
        t = t.replace(tzinfo=UTC)
    return t.astimezone(ZoneInfo(tz))


def _sender(msg: email.message.Message) -> tuple[str, str | None]:
    """(sender as shown, address lower-cased or None)."""
    text = decode_header_text(_header(msg, "From") or _header(msg, "Sender"))
    if not text:
        raise MailProblem("缺少发件人（From）")
    pairs = [(n, a) for n, a in getaddresses([text]) if a and "@" in a]
    if not pairs:
        return text, None
    name, addr = pairs[0]
    addr = addr.strip().lower()
    return (f"{name.strip()} <{addr}>" if name.strip() else addr), addr


def parse_message(raw: bytes, file: str, index: int, tz: str = "Asia/Shanghai") -> dict:
    """One message as a submission row (a dict with MAIL_SUBMISSIONS columns plus the
    dedupe keys `message_id` and `resend_key`). Raises MailProblem for a message that
    cannot be used."""
    if not raw or not raw.strip():
        raise MailProblem("邮件内容为空")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; this is a last resort
        raise MailProblem(f"邮件无法解析（{type(exc).__name__}）") from exc
    if not any(True for _ in msg.raw_items()):
        raise MailProblem("不是邮件：没有邮件头")
    t = _message_time(msg, tz)
    sender, addr = _sender(msg)
    subject = decode_header_text(_header(msg, "Subject")) or None
    try:
        body, atts = _parts(msg)
    except Exception:  # a broken MIME structure deep inside: keep what the headers say
        body, atts = "", []
    names = [a.name for a in atts]
    attachments = ";".join(names) or None
    hint = None
    if m := _BODY_UNIT.search(unicodedata.normalize("NFKC", body or "")):
        hint = m[1]
    message_id = (decode_header_text(_header(msg, "Message-ID")) or "").strip().strip("<>")
    resend_key = None
    if atts and addr:
        resend_key = addr + "|" + "|".join(sorted(f"{a.name}:{a.sha}:{a.size}" for a in atts))
    ident = message_id or f"{addr or sender}|{t.isoformat()}|{subject}|{attachments}"
    return {
        "submission_id": hashlib.sha1(("mail|" + ident).encode("utf-8")).hexdigest()[:16],
        "time": t,
        "sender": sender,
        "subject": subject,
        "unit_raw": None,
        # Read from the subject with the roster at hand (`submissions.fill_kinds`).
        "kind": None,
        "source_file": file,
        "source_row": index,
        "attachments": attachments,
        "unit_hint": hint,
        "message_id": message_id or None,
        "resend_key": resend_key,
    }


# --------------------------------------------------------------------------- sources


def is_maildir(path: Path) -> bool:
    """A folder with cur/, new/ and tmp/ (Maildir)."""
    return path.is_dir() and all((path / d).is_dir() for d in ("cur", "new", "tmp"))


def mail_sources(folder: Path) -> list[Path]:
    """The mail under `folder` (the workspace's submissions/), sorted: `.eml` and `.mbox`
    files at any depth, and Maildir folders (whose messages are not listed again as files).
    Files and folders that are not data (hidden, lock and temporary files:
    `flows.workspace.not_data`) are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out: list[Path] = []

    def walk(d: Path) -> None:
        if is_maildir(d):
            out.append(d)
            return
        for p in sorted(d.iterdir()):
            if not_data(p.name):
                continue
            if p.is_dir():
                walk(p)
            elif p.is_file() and p.suffix.lower() in MAIL_SUFFIXES:
                out.append(p)

    walk(folder)
    return sorted(out)


def _rel(path: Path, workspace: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(workspace).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _messages(path: Path, workspace: Path) -> Iterator[tuple[str, int, bytes]]:
    """(file as the user knows it, message index, raw bytes) of every message of a source."""
    path = Path(path)
    if is_maildir(path):
        # Maildir: one message per file in new/ and cur/ (tmp/ holds mail being delivered).
        for sub in ("new", "cur"):
            for f in sorted((path / sub).iterdir()):
                if f.is_file() and not not_data(f.name):
                    check_size(f, _rel(f, workspace))  # [limits] max_file_mb
                    yield _rel(f, workspace), 1, f.read_bytes()
        return
    file = _rel(path, workspace)
    check_size(path, file)  # [limits] max_file_mb, before the file is read
    if path.suffix.lower() == ".eml":
        yield file, 1, path.read_bytes()
        return
    head = path.read_bytes()[:5]
    if head and head != b"From ":
        raise InputError(
            "不是有效的 mbox 文件（应以「From 」行开始）；请从邮件客户端重新导出", file=file
        )
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for i, key in enumerate(box.keys(), start=1):
            yield file, i, box.get_bytes(key)
    finally:
        box.close()


@dataclass
class MailRead:
    """What `read_mail` found: submissions (MAIL_SUBMISSIONS), review rows (REVIEW) for
    messages that could not be used, and how many copies were dropped as duplicates."""

    submissions: pl.DataFrame
    review: pl.DataFrame
    messages: int
    duplicates: int


def dedupe(rows: list[dict]) -> tuple[list[dict], int]:
    """Rows with each message once: the same Message-ID, or the same sender with the same
    attachments (a resend), keep the earliest copy (by time, then file and index)."""
    rows = sorted(rows, key=lambda r: (r["time"], r["source_file"], r["source_row"]))
    seen_ids: set[str] = set()
    seen_resend: set[str] = set()
    out = []
    for r in rows:
        mid, rk = r.get("message_id"), r.get("resend_key")
        if (mid and mid in seen_ids) or (rk and rk in seen_resend):
            continue
        if mid:
            seen_ids.add(mid)
        if rk:
            seen_resend.add(rk)
        out.append(r)
    out.sort(key=lambda r: (r["source_file"], r["source_row"]))
    return out, len(rows) - len(out)


def _readable(
    messages: Iterator[tuple[str, int, bytes]], problems: Problems
) -> Iterator[tuple[str, int, bytes]]:
    """The messages of one source; a source that is not mail at all adds its InputError
    to `problems` and gives no message (the next source is still read)."""
    try:
        yield from messages
    except InputError as err:
        problems.add_error(err)


def read_mail(
    paths: Iterable[Path],
    workspace: Path,
    tz: str = "Asia/Shanghai",
    problems: Problems | None = None,
) -> MailRead:
    """Read `.eml` files, `.mbox` files and Maildir folders into submissions.

    A message that cannot be used is a review row naming the file and the message's index;
    a file that is not mail at all (an .mbox without 「From 」 lines) is an InputError,
    added to `problems`; without `problems`, all of them are raised after the last file."""
    own = problems is None
    problems = Problems() if problems is None else problems
    rows: list[dict] = []
    review: list[dict] = []
    n = 0
    for path in paths:
        for file, index, raw in _readable(_messages(Path(path), workspace), problems):
            n += 1
            try:
                rows.append(parse_message(raw, file, index, tz))
            except MailProblem as problem:
                review.append(
                    {
                        "type": "mail",
                        "key": f"{file}#{index}",
                        "file": file,
                        "row": index,
                        "text": f"第{index}封邮件",
                        "candidates": "",
                        "reason": (
                            f"{problem}：该邮件未计入报送记录；如确为报送，请在报送记录 CSV "
                            "中登记，核实后在答复列填写“已核实”，不再提示"
                        ),
                        "answer": "",
                    }
                )
    if own:
        problems.raise_if_any()
    kept, dups = dedupe(rows)
    time_type = pl.Datetime("us", tz)
    frame_schema = {**MAIL_SUBMISSIONS, "time": time_type}
    if kept:
        df = pl.DataFrame(
            [{k: r[k] for k in frame_schema} for r in kept], schema=frame_schema, strict=False
        )
    else:
        df = pl.DataFrame(schema=frame_schema)
    rv = pl.DataFrame(review, schema=schema.REVIEW) if review else schema.empty(schema.REVIEW)
    return MailRead(df, rv, n, dups)
