"""Real-shaped mail for tests, written byte by byte as Chinese office mail clients send it
(GB2312/GBK encoded words, GBK bodies, RFC 2231 and RFC 2047 attachment names, raw GBK in
a header). No email library is used to build them, so the reader is tested against bytes,
not against its own library's output."""

from __future__ import annotations

import base64
from urllib.parse import quote


def b_word(text: str, charset: str = "GB2312", codec: str = "gb18030") -> str:
    """=?GB2312?B?…?= of `text`."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def q_word(text: str, charset: str = "GBK", codec: str = "gb18030") -> str:
    """=?GBK?Q?…?= of `text`."""
    out = []
    for byte in text.encode(codec):
        ch = chr(byte)
        out.append(ch if ch.isalnum() and byte < 128 else f"={byte:02X}")
    return f"=?{charset}?Q?{''.join(out)}?="


def rfc2231(name: str, charset: str = "GBK", codec: str = "gb18030") -> str:
    return f"filename*={charset}''{quote(name.encode(codec))}"


def rfc2047_name(name: str) -> str:
    return f'filename="{b_word(name, "GBK")}"'


def attachment(disposition_name: str, content: bytes, ctype: str = "application/msword") -> bytes:
    return (
        f"Content-Type: {ctype}\r\n"
        f"Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {disposition_name}\r\n\r\n"
    ).encode() + base64.encodebytes(content).replace(b"\n", b"\r\n")


def message(
    *,
    sender: str,
    subject: bytes | str,
    date: str | None,
    message_id: str | None = None,
    body: bytes = b"",
    body_charset: str = "gb2312",
    body_encoding: str = "8bit",
    attachments: tuple[bytes, ...] = (),
    extra: bytes = b"",
) -> bytes:
    """A message; `subject` as bytes is written raw (the broken-client case)."""
    head = f"From: {sender}\r\nTo: xxk@jiande.gov.cn\r\n".encode()
    head += b"Subject: " + (subject if isinstance(subject, bytes) else subject.encode()) + b"\r\n"
    if date is not None:
        head += f"Date: {date}\r\n".encode()
    if message_id is not None:
        head += f"Message-ID: <{message_id}>\r\n".encode()
    head += b"MIME-Version: 1.0\r\n" + extra
    text_part = (
        (
            f"Content-Type: text/plain; charset={body_charset}\r\n"
            f"Content-Transfer-Encoding: {body_encoding}\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )
    if not attachments:
        return head + text_part
    boundary = b"----=_NextPart_000_0001"
    out = head + b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
    out += b"This is a multi-part message in MIME format.\r\n\r\n"
    for part in (text_part, *attachments):
        out += b"--" + boundary + b"\r\n" + part + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


def mbox(messages: list[bytes]) -> bytes:
    """An mbox (mboxrd quoting of 「From 」 lines in bodies)."""
    out = b""
    for i, m in enumerate(messages):
        lines = m.replace(b"\r\n", b"\n").split(b"\n")
        quoted = [b">" + ln if ln.lstrip(b">").startswith(b"From ") else ln for ln in lines]
        out += f"From sender{i}@example Mon Jan  1 00:00:00 2018\n".encode()
        out += b"\n".join(quoted).rstrip(b"\n") + b"\n\n"
    return out
