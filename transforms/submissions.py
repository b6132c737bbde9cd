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
from datetime import date

import polars as pl

from transforms.bulk import PY_SPACE, repeated, streamed

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

#: Every word `classify_kind` looks for.
_ALL_WORDS = (*_COMMISSION_WORDS, *_EMERGENCY_WORDS, *_SUMMARY_WORDS, *ARTICLE_CLASSES)

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


def classify_kind(
    subject: str | None,
    attachments: str | list[str] | None = None,
    unit_names: tuple[str, ...] = (),
) -> str:
    """The kind of a submission (报送类别) from its subject and attachment names.

    约稿 when the text names a commission (约稿, 答复约稿); else 应急信息 (应急信息, 突发,
    紧急报告); else 总结计划 (总结, 工作计划, 工作要点); else the first article class written (情况专报 → 专报,
    动态, 简讯, 调研 …); else 信息 (ordinary information).

    >>> classify_kind("【发改局】答复约稿：关于物流园区建设的调研", None)
    '约稿'
    >>> classify_kind("报送信息", "2018年上半年工作总结.doc")
    '总结计划'

    `unit_names`: names of the roster's units (`naming_words`); a unit's name in the text
    (区城市管理综合执法局 holds 综合) says nothing about the kind.
    """
    names = split_attachments(attachments) if isinstance(attachments, str) else attachments or []
    # The unit's own label (【应急管理局】, 计生协会：) says nothing about the kind.
    subj = _LEADING_UNIT.sub("", _nfkc(subject), count=1)
    text = subj + " " + " ".join(_nfkc(a) for a in names)
    if unit_names:
        text = re.sub(_names_pattern(unit_names), "", text)
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


def _subject_step(s: pl.Expr) -> pl.Expr:
    """One round of `subject_title`'s loop, for polars."""
    s = s.str.replace(_LEADING_UNIT_RS, "")
    s = s.str.replace(r"(?i)" + _LEADING_WORDS.pattern, "")
    s = s.str.replace_all(_BRACKET_WORD.pattern, "")
    label = s.str.extract(f"({_LABEL.pattern})", 1).str.len_chars()
    s = (
        pl.when(label.is_not_null() & (s.str.len_chars() - label >= 4))
        .then(s.str.slice(label))
        .otherwise(s)
    )
    return s.str.strip_chars(PY_SPACE)


def subject_titles(subjects: pl.Series) -> pl.Series:
    """`subject_title` of each subject, in bulk: polars for subjects in `SAFE_TEXT` (its
    regexes, NFKC and whitespace behave alike there), the Python function for the rest."""
    s = pl.col("s")
    frame = streamed(
        pl.DataFrame({"s": subjects.cast(pl.String)}),
        safe=s.str.contains(SAFE_TEXT).fill_null(False),
        t=s.fill_null("").str.normalize("NFKC").str.strip_chars(PY_SPACE),
    )
    t = repeated(frame["t"], _subject_step, 3)
    t = streamed(
        t.to_frame("t"),
        t=pl.when(pl.col("t").is_in(list(_GENERIC))).then(pl.lit("")).otherwise("t"),
    )["t"]
    if (unsafe := (~frame["safe"]).arg_true()).len():
        t = t.scatter(unsafe, [subject_title(x) for x in subjects.gather(unsafe).to_list()])
    return t.alias(subjects.name)


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


def naming_words(names: list[str | None]) -> tuple[str, ...]:
    """The unit names (and aliases) that hold a word `classify_kind` looks for (区城市管理综合
    执法局 holds 综合), NFKC, longest first: the names to take out of a subject before its
    kind is read."""
    found = {
        n
        for n in (_nfkc(x).strip() for x in names if x)
        if n and n not in _ALL_WORDS and any(w in n for w in _ALL_WORDS)
    }
    return tuple(sorted(found, key=lambda n: (-len(n), n)))


def _names_pattern(unit_names: tuple[str, ...]) -> str:
    # Longest first: Python's and polars' alternations both take the first that matches.
    return "|".join(re.escape(n) for n in unit_names)


def fill_kinds(submissions: pl.DataFrame, unit_names: tuple[str, ...] = ()) -> pl.DataFrame:
    """`kind` filled with `classify_kind(subject, attachments, unit_names)` where it is
    empty; a kind the log writes is kept. `unit_names`: `naming_words` of the roster."""
    n = submissions.height
    if n == 0:
        if "kind" in submissions.columns:
            return submissions
        return submissions.with_columns(pl.lit(None, dtype=pl.String).alias("kind"))

    def col(name: str) -> pl.Series:
        if name in submissions.columns:
            return submissions[name].cast(pl.String)
        return pl.Series(name, [None] * n, dtype=pl.String)

    kind, subject, attachments = col("kind"), col("subject"), col("attachments")
    # A kind the log writes is kept (whitespace as Python's str.strip sees it: few values).
    written = {k: bool(k.strip()) for k in kind.drop_nulls().unique().to_list()}
    keep = kind.replace_strict(written, default=False, return_dtype=pl.Boolean).fill_null(False)
    # Subjects without attachments, in characters whose NFKC and whitespace polars and
    # Python agree on, are classified in polars; any other row by `classify_kind`. Such a
    # subject without any of the words is ordinary information: NFKC maps each of its
    # characters to one or more characters that are not the words' (checked in the tests)
    # and dropping the unit label only removes text.
    flags = pl.DataFrame({"subject": subject, "attachments": attachments}).select(
        fast=pl.col("attachments").is_null()
        & pl.col("subject").fill_null("").str.contains(SAFE_TEXT),
        worded=pl.col("subject").fill_null("").str.contains_any(list(_ALL_WORDS)),
    )
    unit_words = _names_pattern(unit_names) if unit_names else None
    fast = flags["fast"]
    kinds = pl.repeat(ORDINARY, n, dtype=pl.String, eager=True)
    worded = (~keep & fast & flags["worded"]).arg_true()
    if worded.len():
        text = (
            subject.gather(worded)
            .to_frame("subject")
            .select(
                pl.col("subject")
                .fill_null("")
                .str.normalize("NFKC")
                .str.replace(_LEADING_UNIT_RS, "")
                + " "
            )
            .to_series()
        )
        if unit_words is not None:
            text = text.str.replace_all(unit_words, "")
        found = pl.DataFrame({"text": text}).select(_kind_expr(pl.col("text"))).to_series()
        kinds = kinds.scatter(worded, found)
    slow = (~keep & ~fast).arg_true().to_list()
    if slow:
        subj, att = subject.gather(slow).to_list(), attachments.gather(slow).to_list()
        kinds = kinds.scatter(
            slow, [classify_kind(s, a, unit_names) for s, a in zip(subj, att, strict=True)]
        )
    return submissions.with_columns(kind.zip_with(keep, kinds).alias("kind"))


#: Text whose NFKC form, whitespace (\s, strip) and letter/number classes polars (Rust)
#: and Python see alike: printable ASCII, ·, general punctuation (dashes, quotes, …),
#: CJK symbols and punctuation, CJK unified ideographs, fullwidth ASCII. The vectorised
#: paths (`fill_kinds`, linking's titles) take only such text; anything else goes through
#: the Python functions.
SAFE_TEXT = (
    r"^[\x20-\x7E\x{B7}\x{2010}-\x{2016}\x{2018}-\x{2027}\x{3000}-\x{303F}"
    r"\x{4E00}-\x{9FFF}\x{FF01}-\x{FF5E}]*$"
)
#: `_LEADING_UNIT` for polars.
_LEADING_UNIT_RS = r"^\s*[【\[〔(（]([^】\]〕)）]{1,30})[】\]〕)）]\s*"


def _kind_expr(text: pl.Expr) -> pl.Expr:
    """`classify_kind`'s word tests on NFKC text without the unit label."""
    expr = pl.when(text.str.contains_any(list(_COMMISSION_WORDS))).then(pl.lit(COMMISSION))
    expr = expr.when(text.str.contains_any(list(_EMERGENCY_WORDS))).then(pl.lit(EMERGENCY))
    expr = expr.when(text.str.contains_any(list(_SUMMARY_WORDS))).then(pl.lit(SUMMARY_PLAN))
    for c in ARTICLE_CLASSES:
        expr = expr.when(text.str.contains(c, literal=True)).then(
            pl.lit("专报" if c == "情况专报" else c)
        )
    return expr.otherwise(pl.lit(ORDINARY)).alias("kind")


def count_per_unit(
    log: pl.DataFrame, start: date, end: date, where: pl.Expr | None = None
) -> dict[str, int]:
    """Per unit, its submissions with a local date from `start` to `end` (inclusive) and,
    when given, `where` (a polars filter on `log`'s columns); units without any are left
    out; submissions without a unit are not counted. `log` has `unit` and the local
    `date` of each submission, or its `time` (whose date, in its own zone, is the local
    one). The one count of submissions the engine and the bulletin both read."""
    day = pl.col("date") if "date" in log.columns else pl.col("time").dt.date()
    lf = log.lazy().filter(pl.col("unit").is_not_null(), day.is_between(start, end))
    if where is not None:
        lf = lf.filter(where)
    n = lf.group_by("unit").len().collect()
    return dict(zip(n["unit"].to_list(), n["len"].to_list(), strict=True))
