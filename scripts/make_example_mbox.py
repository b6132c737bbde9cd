"""Write examples/jiande-2018/submissions/2018-06-mail.mbox: a handful of messages as a
Chinese office's mail client exports them, so that `make demo` exercises mail parsing.

Deterministic (no clock, no randomness): running it again writes the same bytes.
What the messages show (see examples/jiande-2018/README.md for the rest of the example):

1. 新安江街道 from its roster address: =?GB2312?B?…?= subject, GBK body, an attachment
   named in RFC 2231 form (filename*=GBK''…).
2. the same message again (same Message-ID): counted once.
3. a resend of message 1 (new Message-ID, same attachment): counted once.
4. 梅城镇 from an address the roster does not know, named in the subject (梅城镇：…), a
   =?GBK?Q?…?= subject and a .wps attachment named in RFC 2047 form; sent at 01:30 UTC,
   09:30 in the office's zone.
5. 更楼街道 named only in the body (报送单位：更楼街道), UTF-8 base64 body, a .pdf.
6. a sender nobody knows, nothing naming a unit: listed in review.csv.

    .venv/bin/python scripts/make_example_mbox.py
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

OUT = Path(__file__).resolve().parent.parent / "examples" / "jiande-2018" / "submissions"
NAME = "2018-06-mail.mbox"
BOUNDARY = "----=_NextPart_kaohe_example"


def b_word(text: str, charset: str = "GB2312") -> str:
    codec = "utf-8" if charset.upper() == "UTF-8" else "gb18030"
    return f"=?{charset}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def q_word(text: str, charset: str = "GBK") -> str:
    out = "".join(
        chr(b) if chr(b).isalnum() and b < 128 else f"={b:02X}" for b in text.encode("gb18030")
    )
    return f"=?{charset}?Q?{out}?="


def attachment(disposition: str, content: bytes, ctype: str) -> str:
    data = base64.encodebytes(content).decode().replace("\n", "\r\n")
    return (
        f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; {disposition}\r\n\r\n{data}"
    )


def message(sender, subject, date, mid, body: bytes, charset="gb2312", cte="8bit", atts=()):
    head = (
        f"From: {sender}\r\nTo: xxk@jiande.gov.cn\r\nSubject: {subject}\r\nDate: {date}\r\n"
        f"Message-ID: <{mid}>\r\nMIME-Version: 1.0\r\n"
    ).encode()
    text = (
        (
            f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )
    if not atts:
        return head + text
    out = head + f'Content-Type: multipart/mixed; boundary="{BOUNDARY}"\r\n\r\n'.encode()
    for part in (text, *(a.encode() for a in atts)):
        out += f"--{BOUNDARY}\r\n".encode() + part + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def messages() -> list[bytes]:
    doc_name = "新安江街道推进垃圾分类全覆盖.doc"
    doc = attachment(
        f"filename*=GBK''{quote(doc_name.encode('gb18030'))}",
        "（示例）新安江街道推进垃圾分类全覆盖".encode("gb18030"),
        "application/msword",
    )
    first = message(
        "新安江街道信息员 <xaj_xx@jiande.gov.cn>",
        b_word("【新安江街道】新安江街道推进垃圾分类全覆盖"),
        "Mon, 11 Jun 2018 09:12:00 +0800",
        "20180611091200.xaj@jiande.gov.cn",
        "各位领导：\r\n现报送信息一篇，请审阅。\r\n新安江街道办事处".encode("gb18030"),
        atts=(doc,),
    )
    return [
        first,
        first,
        message(
            "新安江街道信息员 <xaj_xx@jiande.gov.cn>",
            b_word("【新安江街道】新安江街道推进垃圾分类全覆盖（重发）"),
            "Mon, 11 Jun 2018 10:40:00 +0800",
            "20180611104000.xaj@jiande.gov.cn",
            "附件未收到，重发。".encode("gb18030"),
            atts=(doc,),
        ),
        message(
            "meicheng2018@163.com",
            q_word("梅城镇：古城墙修缮工程启动"),
            "Tue, 12 Jun 2018 01:30:00 +0000",
            "20180612013000.mc@163.com",
            "见附件。".encode("gb18030"),
            atts=(
                attachment(
                    f'filename="{b_word("梅城镇古城墙修缮工程启动.wps", "GBK")}"',
                    "（示例）古城墙修缮".encode("gb18030"),
                    "application/kswps",
                ),
            ),
        ),
        message(
            "xiaowang@qq.com",
            b_word("报送信息", "UTF-8"),
            "Wed, 13 Jun 2018 16:05:00 +0800",
            "20180613160500.gl@qq.com",
            base64.encodebytes("报送单位：更楼街道\n联系人：小王".encode()).replace(b"\n", b"\r\n"),
            charset="utf-8",
            cte="base64",
            atts=(
                attachment('filename="gengLou-xinxi.pdf"', b"%PDF-1.4 example", "application/pdf"),
            ),
        ),
        message(
            "someone@example.com",
            b_word("转发：会议通知"),
            "Thu, 14 Jun 2018 11:00:00 +0800",
            "20180614110000.x@example.com",
            "请查收。".encode("gb18030"),
        ),
    ]


def mbox(msgs: list[bytes]) -> bytes:
    out = b""
    for m in msgs:
        out += b"From MAILER-DAEMON Mon Jun 11 00:00:00 2018\n"
        out += m.replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n\n"
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / NAME).write_bytes(mbox(messages()))
    print(OUT / NAME)


if __name__ == "__main__":
    main()
