"""Submissions in bulk against the Python functions they stand for: kinds
(`fill_kinds` / `classify_kind`) and titles (`subject_titles` / `subject_title`)."""

from __future__ import annotations

import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.submissions import (
    _ALL_WORDS,
    SAFE_TEXT,
    classify_kind,
    fill_kinds,
    subject_title,
    subject_titles,
)

SUBJECT_PIECES = (
    "【发改局】", "[市农办]", "（梅城镇）", "(寿昌镇)", "〔区综合执法局〕", "［发改局］", "【应急管理局】",
    "答复", "约稿", "信息", "应急", "突发", "紧急", "报告", "总结", "工作计划", "年度", "计划安排",
    "情况", "专报", "动态", "简讯", "要情", "参阅", "综合", "调研", "问题", "做法", "建议", "工作要点",
    "关于", "：", ":", " ", "\u3000", "\t", "\u00a0", "〸", "\u302b", "\u302a", "①", "…", "ａ", "Re:",
)  # fmt: skip
ATTACHMENTS = (None, "", "2018年工作总结.doc", "附件1：动态.docx;照片.jpg", "应急.doc")
KINDS = (None, "", " ", "\u3000", "动态", "约稿")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.none(), st.lists(st.sampled_from(SUBJECT_PIECES), max_size=6).map("".join)
            ),
            st.sampled_from(ATTACHMENTS),
            st.sampled_from(KINDS),
        ),
        max_size=30,
    )
)
def test_fill_kinds_equal_classify_kind(rows):
    frame = pl.DataFrame(
        rows,
        schema={"subject": pl.String, "attachments": pl.String, "kind": pl.String},
        orient="row",
    )
    got = fill_kinds(frame)["kind"].to_list()
    want = [k if k and k.strip() else classify_kind(s, a) for s, a, k in rows]
    assert got == want


def test_safe_text_nfkc_creates_no_kind_word():
    """`fill_kinds` calls a SAFE_TEXT subject without any kind word ordinary information
    without normalising it: NFKC maps each such character to one or more characters, none of
    them a character of the words unless it is that character itself."""
    letters = set("".join(_ALL_WORDS))
    chars = pl.Series([chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    safe = chars.filter(chars.str.contains(SAFE_TEXT)).to_list()
    assert len(safe) > 20000
    for ch in safe:
        mapped = unicodedata.normalize("NFKC", ch)
        assert mapped, hex(ord(ch))
        assert mapped == ch or not set(mapped) & letters, hex(ord(ch))


TITLE_PIECES = (
    *SUBJECT_PIECES, "回复：", "RE：", "fw:", "转发", "报送信息", "【约稿】", "〔动态〕", "建德：",
    "很长很长很长很长很长很长的标签：", "古镇保护利用", "🙂", "\x1c", "Ｆ", "(区发改局)", "re re:",
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.lists(st.sampled_from(TITLE_PIECES), max_size=9).map("".join)),
        max_size=30,
    )
)
def test_subject_titles_equal_subject_title(subjects):
    got = subject_titles(pl.Series(subjects, dtype=pl.String)).to_list()
    assert got == [subject_title(s) for s in subjects]
