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
    naming_words,
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


def test_a_unit_name_holding_a_kind_word_is_no_kind():
    """区城市管理综合执法局 holds 综合: its name in a subject does not make the subject 综合类
    (青山 counts 综合类 for its targets); a kind written after the name still counts."""
    names = naming_words(["区城市管理综合执法局", "城市管理综合执法局", "区发改局", "调研", None])
    assert names == ("区城市管理综合执法局", "城市管理综合执法局")
    assert classify_kind("区城市管理综合执法局：占道经营整治见成效", None) == "综合"
    assert classify_kind("区城市管理综合执法局：占道经营整治见成效", None, names) == "信息"
    assert classify_kind("城市管理综合执法局调研：摊贩管理", None, names) == "调研"
    frame = pl.DataFrame(
        {
            "subject": [
                "区城市管理综合执法局：占道经营整治",
                "【区城市管理综合执法局】综合信息：夜市",
            ],
            "attachments": [None, None],
            "kind": [None, None],
        }
    )
    assert fill_kinds(frame, names)["kind"].to_list() == ["信息", "综合"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(
                st.sampled_from((*SUBJECT_PIECES, "综合执法局", "城管综合执法局")), max_size=8
            ).map("".join),
            st.sampled_from(ATTACHMENTS),
        ),
        max_size=20,
    )
)
def test_fill_kinds_equal_classify_kind_with_unit_names(rows):
    names = naming_words(["城管综合执法局", "综合执法局", "应急管理局", "区问题研究室"])
    frame = pl.DataFrame(
        {
            "subject": [s for s, _ in rows],
            "attachments": [a for _, a in rows],
            "kind": [None] * len(rows),
        },
        schema={"subject": pl.String, "attachments": pl.String, "kind": pl.String},
    )
    got = fill_kinds(frame, names)["kind"].to_list()
    assert got == [classify_kind(s, a, names) for s, a in rows]
