"""Reading mail (flows.mail): an mbox as an office's mail client exports it, .eml files,
Maildir folders; kinds and units of the messages (transforms.submissions, matching)."""

from __future__ import annotations

import base64
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from mailbuild import attachment, b_word, mbox, message, q_word, rfc2047_name, rfc2231

from flows import mail
from transforms.errors import InputError
from transforms.matching import assign_submission_units
from transforms.submissions import (
    classify_kind,
    fill_kinds,
    subject_title,
    submission_titles,
)

TZ = ZoneInfo("Asia/Shanghai")

UNITS = pl.DataFrame(
    {
        "unit": ["发改局", "教育局", "梅城镇", "农业局"],
        "group": ["A", "A", "乡镇（街道）", "B"],
        "aliases": [[], [], [], []],
        "emails": [["fgj@jd.gov.cn"], ["jyj@jd.gov.cn"], [], ["nyj@jd.gov.cn"]],
    }
)

DOC = attachment(rfc2231("关于物流园区建设的调研.doc"), b"DOC-CONTENT-1")


def _messages() -> list[bytes]:
    first = message(
        sender="fgj@jd.gov.cn",
        subject=b_word("【发改局】关于物流园区建设的调研"),  # =?GB2312?B?…?=
        date="Mon, 2 Apr 2018 09:30:00 +0800",
        message_id="m1@jd",
        # 镕 is GBK, not GB2312: clients label GBK text gb2312 all the time
        body="各位领导：\r\n现报送信息一篇，请审阅。朱镕\r\n".encode("gbk"),
        attachments=(DOC,),
    )
    return [
        first,  # 1
        first,  # 2: the same Message-ID again -> once
        message(  # 3: a resend of the same attachment (new Message-ID, later) -> once
            sender="发改局信息员 <fgj@jd.gov.cn>",
            subject=b_word("【发改局】关于物流园区建设的调研（重发）"),
            date="Mon, 2 Apr 2018 10:05:00 +0800",
            message_id="m3@jd",
            body="重发".encode("gbk"),
            attachments=(DOC,),
        ),
        message(  # 4: unknown sender, no unit in the subject -> review
            sender=f"{b_word('王五', 'UTF-8', 'utf-8')} <ww@163.com>",
            subject=q_word("关于春耕备耕的情况"),  # =?GBK?Q?…?=
            date="Tue, 3 Apr 2018 11:00:00 +0800",
            message_id="m4@163",
            body="见正文".encode("gbk"),
        ),
        message(  # 5: unit from the subject; 17:30 UTC on 31 March is 1 April in Beijing
            sender="mc2018@163.com",
            subject=b_word("梅城镇：古镇保护利用取得新进展", "UTF-8", "utf-8"),
            date="Sat, 31 Mar 2018 17:30:00 +0000",
            message_id="m5@163",
            body="正文".encode(),
            body_charset="utf-8",
        ),
        message(  # 6: unit from the body; RFC 2047 attachment name; base64 UTF-8 body
            sender="li@qq.com",
            subject=b_word("报送信息", "GBK"),
            date="Wed, 4 Apr 2018 08:00:00 +0800",
            message_id="m6@qq",
            body=base64.b64encode("报送单位：农业局\r\n联系人：李四".encode()),
            body_charset="utf-8",
            body_encoding="base64",
            attachments=(
                attachment(rfc2047_name("2018年一季度农业动态.wps"), b"WPS", "application/wps"),
            ),
        ),
        message(  # 7: raw GBK bytes in the Subject header (a broken client)
            sender="jyj@jd.gov.cn",
            subject="答复约稿：教育均衡发展情况".encode("gbk"),
            date="Thu, 5 Apr 2018 16:00:00 +0800",
            message_id="m7@jd",
            body="附后".encode("gbk"),
        ),
        (  # 8: broken MIME: multipart without a boundary, garbage inside
            b"From: nyj@jd.gov.cn\r\nSubject: broken\r\n"
            b"Date: Fri, 6 Apr 2018 09:00:00 +0800\r\nMessage-ID: <m8@jd>\r\n"
            b"Content-Type: multipart/mixed\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"%%%%not base64 at all\r\n--\r\n"
        ),
        message(  # 9: no Date and no Received -> review, not a crash
            sender="fgj@jd.gov.cn",
            subject=b_word("无日期"),
            date=None,
            message_id="m9@jd",
        ),
    ]


@pytest.fixture
def mailbox_ws(tmp_path):
    subs = tmp_path / "submissions"
    subs.mkdir()
    (subs / "2018-04.mbox").write_bytes(mbox(_messages()))
    return tmp_path


def test_mbox_rows_duplicates_and_review(mailbox_ws):
    got = mail.read_mail(mail.mail_sources(mailbox_ws / "submissions"), mailbox_ws)
    # 9 messages: #2 (same Message-ID) and #3 (resend of the same attachment) dropped,
    # #9 (no time) to review: 9 - 2 - 1 = 6 rows
    assert (got.messages, got.duplicates) == (9, 2)
    df = got.submissions
    assert df["source_row"].to_list() == [1, 4, 5, 6, 7, 8]
    assert set(df["source_file"]) == {"submissions/2018-04.mbox"}
    assert df.schema["time"] == pl.Datetime("us", "Asia/Shanghai")
    # Kinds are read later, with the roster at hand (transforms.submissions.fill_kinds).
    assert df["kind"].null_count() == df.height
    df = fill_kinds(df)
    rows = {r["source_row"]: r for r in df.iter_rows(named=True)}

    assert rows[1]["subject"] == "【发改局】关于物流园区建设的调研"
    assert rows[1]["attachments"] == "关于物流园区建设的调研.doc"
    assert rows[1]["kind"] == "调研"
    assert rows[1]["time"] == datetime(2018, 4, 2, 9, 30, tzinfo=TZ)
    assert rows[4]["subject"] == "关于春耕备耕的情况"
    assert rows[4]["sender"] == "王五 <ww@163.com>"
    # 2018-03-31 17:30 UTC + 8 h = 2018-04-01 01:30 in the office zone (C7)
    assert rows[5]["time"] == datetime(2018, 4, 1, 1, 30, tzinfo=TZ)
    assert rows[6]["unit_hint"] == "农业局"
    assert rows[6]["attachments"] == "2018年一季度农业动态.wps"
    assert rows[6]["kind"] == "动态"
    assert rows[7]["subject"] == "答复约稿：教育均衡发展情况"
    assert rows[7]["kind"] == "约稿"
    assert rows[8]["attachments"] is None  # broken MIME: the headers still count

    rv = got.review
    assert rv.height == 1
    assert rv.row(0, named=True)["row"] == 9
    assert "submissions/2018-04.mbox" == rv["file"][0] and "Date" in rv["reason"][0]


def test_mbox_units_from_address_subject_and_body(mailbox_ws):
    got = mail.read_mail(mail.mail_sources(mailbox_ws / "submissions"), mailbox_ws)
    subs, review = assign_submission_units(got.submissions, UNITS, None)
    units = dict(zip(subs["source_row"], subs["unit"], strict=True))
    # 1 address, 4 nobody, 5 subject 梅城镇：, 6 body 报送单位：农业局, 7 and 8 address
    assert units == {1: "发改局", 4: None, 5: "梅城镇", 6: "农业局", 7: "教育局", 8: "农业局"}
    assert review.height == 1
    r = review.row(0, named=True)
    assert (r["type"], r["key"], r["row"]) == ("submission", "ww@163.com", 4)


def test_eml_and_maildir(tmp_path):
    subs = tmp_path / "submissions"
    (subs / "box" / "cur").mkdir(parents=True)
    (subs / "box" / "new").mkdir()
    (subs / "box" / "tmp").mkdir()
    msgs = _messages()
    (subs / "one.eml").write_bytes(msgs[6])
    (subs / "box" / "new" / "1522900000.M1.host").write_bytes(msgs[4])
    (subs / "box" / "cur" / "1522900001.M2.host:2,S").write_bytes(msgs[0])
    (subs / "box" / "tmp" / "half.host").write_bytes(b"From: x")  # being delivered: skipped
    sources = mail.mail_sources(subs)
    assert [p.name for p in sources] == ["box", "one.eml"]
    got = mail.read_mail(sources, tmp_path)
    df = got.submissions
    assert df.height == 3 and got.review.height == 0
    assert sorted(df["source_file"]) == [
        "submissions/box/cur/1522900001.M2.host:2,S",
        "submissions/box/new/1522900000.M1.host",
        "submissions/one.eml",
    ]
    assert set(df["source_row"]) == {1}


def test_not_an_mbox_is_an_input_error(tmp_path):
    (tmp_path / "x.mbox").write_bytes("不是邮件".encode())
    with pytest.raises(InputError, match="x.mbox"):
        mail.read_mail([tmp_path / "x.mbox"], tmp_path)


def test_headers_decode():
    assert (
        mail.decode_header_text(b_word("镕基", "GB2312") + " " + q_word("础设施")) == "镕基础设施"
    )
    raw_gbk = "报送单位".encode("gbk").decode("ascii", "surrogateescape")
    assert mail.decode_header_text(raw_gbk) == "报送单位"
    assert mail.decode_header_text("=?utf-8?B?broken") == "=?utf-8?B?broken"
    assert mail.decode_bytes("镕".encode("gbk"), "gb2312") == "镕"


def test_classify_kind_and_titles():
    assert classify_kind("【发改局】答复约稿：物流园区", None) == "约稿"
    assert classify_kind("【应急管理局】开展应急演练", None) == "信息"
    assert classify_kind("突发事件快报", None) == "应急信息"
    assert classify_kind("报送", "2018年上半年工作总结.docx") == "总结计划"
    assert classify_kind("情况专报：物流", None) == "专报"
    assert subject_title("【区发改局】答复约稿：关于物流园区建设的调研") == "关于物流园区建设的调研"
    assert subject_title("区发改局：古镇保护") == "古镇保护"
    assert submission_titles("报送信息", "附件1：关于春耕.doc;照片.jpg") == ["关于春耕", "照片"]


def test_parse_speed(tmp_path):
    """Throughput on a 2,000-message mbox (recorded in the issue's report)."""
    msgs = _messages()
    many = []
    for i in range(2000):
        many.append(msgs[i % 9].replace(b"Message-ID: <", f"Message-ID: <{i}.".encode()))
    (tmp_path / "big.mbox").write_bytes(mbox(many))
    start = time.perf_counter()
    got = mail.read_mail([tmp_path / "big.mbox"], tmp_path)
    elapsed = time.perf_counter() - start
    assert got.messages == 2000
    rate = 2000 / elapsed
    print(f"parsed {rate:.0f} messages/s")  # reported, not asserted: speed is `make bench`'s
