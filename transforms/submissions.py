"""Submissions (报送): what a message is, and the title it carries.

Pure functions over plain values and polars frames; mail is read in `flows.mail`.

- `classify_kind`: the kind of a submission from its subject and attachment names —
  约稿 (answering a commission), 总结计划, 应急信息, else the article class written in it
  (动态, 专报, 调研, 简讯 …), else ordinary information (信息).
- `submission_titles`: the titles a submission carries (its subject without the unit label
  and the 报送/约稿 words, and each attachment's name without extension), for linking
  adoptions to submissions and commissions to answers.
- `fill_kinds`: the `kind` column filled where a log leaves it empty.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

#: Kinds in the order they win when a subject names several.
COMMISSION = "约稿"
SUMMARY_PLAN = "总结计划"
EMERGENCY = "应急信息"
ORDINARY = "信息"

_COMMISSION_WORDS = ("约稿", "答复约稿", "约稿信息")
_SUMMARY_WORDS = ("总结", "工作计划", "年度计划", "工作要点", "计划安排")
# Not 应急 alone: 应急管理局 is a unit and 应急演练 an ordinary article.
_EMERGENCY_WORDS = ("应急信息", "突发", "紧急信息", "紧急报告")
#: Article classes as periodicals and units write them (the longer first).
ARTICLE_CLASSES = (
    "情况专报",
    "专报",
    "动态",
    "简讯",
    "要情",
    "参阅",
    "综合",
    "调研",
    "问题",
    "做法",
    "建议",
)

_ATTACHMENT_EXT = re.compile(r"\.(docx?|wps|pdf|txt|rtf|et|xlsx?|zip|rar|7z|jpe?g|png)$", re.I)
_LEADING_UNIT = re.compile(r"^\s*[【\[〔(（]([^】\]〕)）]{1,30})[】\]〕)）]\s*")
_LEADING_WORDS = re.compile(
    r"^\s*(?:(?:回复|答复|转发|报送|上报|呈报|呈送|re|fw|fwd|转)\s*[:：]?\s*)+", re.I
)
#: Subjects that name no article (报送信息, 约稿 …): no title.
_GENERIC = frozenset({"", "信息", "报送信息", "稿件", "材料", "约稿", "信息报送", "政务信息"})
_LABEL = re.compile(r"^[^:：]{1,12}[:：]\s*")
_BRACKET_WORD = re.compile(
    r"[【\[〔(（](?:约稿|答复约稿|信息|动态|专报|调研|简讯|应急信息)[】\]〕)）]"
)


def _nfkc(s: str | None) -> str:
    return unicodedata.normalize("NFKC", s or "")


def split_attachments(attachments: str | None) -> list[str]:
    """The names in an `attachments` cell (`;`-joined)."""
    return [a.strip() for a in (attachments or "").split(";") if a.strip()]


def classify_kind(subject: str | None, attachments: str | list[str] | None = None) -> str:
    """The kind of a submission (报送类别) from its subject and attachment names.

    约稿 when the text names a commission (约稿, 答复约稿); else 应急信息 (应急信息, 突发,
    紧急报告); else 总结计划 (总结, 工作计划, 工作要点); else the first article class written (情况专报 → 专报,
    动态, 简讯, 调研 …); else 信息 (ordinary information).

    >>> classify_kind("【发改局】答复约稿：关于物流园区建设的调研", None)
    '约稿'
    >>> classify_kind("报送信息", "2018年上半年工作总结.doc")
    '总结计划'
    """
    names = split_attachments(attachments) if isinstance(attachments, str) else attachments or []
    # The unit's own label (【应急管理局】, 计生协会：) says nothing about the kind.
    subj = _LEADING_UNIT.sub("", _nfkc(subject), count=1)
    text = subj + " " + " ".join(_nfkc(a) for a in names)
    if any(w in text for w in _COMMISSION_WORDS):
        return COMMISSION
    if any(w in text for w in _EMERGENCY_WORDS):
        return EMERGENCY
    if any(w in text for w in _SUMMARY_WORDS):
        return SUMMARY_PLAN
    for c in ARTICLE_CLASSES:
        if c in text:
            return "专报" if c == "情况专报" else c
    return ORDINARY


def subject_title(subject: str | None) -> str:
    """The article title a subject carries: 「【区发改局】答复约稿：关于……」 → 「关于……」.

    Drops a leading unit label in brackets, reply/forward/报送 words, a short label before
    a colon (区发改局：, 约稿信息：) and bracketed kind words (【约稿】). A subject naming no
    article (报送信息, 约稿) gives ""."""
    s = _nfkc(subject).strip()
    for _ in range(3):
        before = s
        s = _LEADING_UNIT.sub("", s, count=1)
        s = _LEADING_WORDS.sub("", s, count=1)
        s = _BRACKET_WORD.sub("", s)
        if (m := _LABEL.match(s)) and len(s) - m.end() >= 4:
            s = s[m.end() :]
        s = s.strip()
        if s == before:
            break
    return "" if s in _GENERIC else s


def attachment_title(name: str) -> str:
    """An attachment's name without its extension and a leading 附件/序号: 「附件1：关于….doc」
    → 「关于…」."""
    s = _ATTACHMENT_EXT.sub("", _nfkc(name).strip())
    s = re.sub(r"^(?:附件\s*\d*\s*[:：.、_\-]?|\d+\s*[.、_\-])\s*", "", s)
    return subject_title(s)


def submission_titles(subject: str | None, attachments: str | None) -> list[str]:
    """Distinct non-empty titles of a submission: the subject's, then each attachment's."""
    out = [subject_title(subject)] + [attachment_title(a) for a in split_attachments(attachments)]
    return [t for t in dict.fromkeys(out) if t]


def fill_kinds(submissions: pl.DataFrame) -> pl.DataFrame:
    """`kind` filled with `classify_kind(subject, attachments)` where it is empty; a kind the
    log writes is kept."""
    n = submissions.height
    if n == 0:
        if "kind" in submissions.columns:
            return submissions
        return submissions.with_columns(pl.lit(None, dtype=pl.String).alias("kind"))

    def col(name: str) -> list:
        return submissions[name].to_list() if name in submissions.columns else [None] * n

    kinds = [
        k if k and k.strip() else classify_kind(s, a)
        for k, s, a in zip(col("kind"), col("subject"), col("attachments"), strict=True)
    ]
    return submissions.with_columns(pl.Series("kind", kinds, dtype=pl.String))
