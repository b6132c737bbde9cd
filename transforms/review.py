"""The review list (待核实清单): one registry of the questions kaohe asks a person.

Every module that emits review rows (transforms.schema.REVIEW) uses a type id of
`QUESTION_TYPES`; review.csv shows each question with its Chinese label and the answers it
accepts (`review_table`), and decisions.csv is read back through the same registry
(`decision_type`, `check_answer`): a Chinese label or an English id, an answer that fits.

A question whose type `changes_points` holds the bulletin back while it is open: the
bulletin and statements are a draft (征求意见稿) and `kaohe send` refuses to mail them
(`open_questions`). The others are informational: they are listed, never block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import polars as pl

from transforms import schema
from transforms.publication_text import issue_label

IGNORE = "忽略"
CHECKED = "已核实"
CONFIRM = "确认"
YES, NO = "是", "否"


#: a whole date as people type it: 2018-06-19, 2018-6-19, 2018/6/19, 2018.6.19, 2018年6月19日
_WHOLE_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _is_date(answer: str) -> bool:
    m = _WHOLE_DATE.fullmatch(unicodedata.normalize("NFKC", answer))
    if not m:
        return False
    try:
        date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return True


_KEYWORDS = (YES, NO, CONFIRM, CHECKED)


def _a_name(answer: str) -> str | None:
    """A unit or periodical name (or 忽略): not a yes/no, 确认 or a date."""
    if answer in _KEYWORDS or _is_date(answer):
        return "这里应填写名称"
    return None


def _name_or_ignore(answer: str) -> str | None:
    return None if answer == IGNORE else _a_name(answer)


def _yes_no(answer: str) -> str | None:
    return None if answer in (YES, NO) else "这里应填写「是」或「否」"


def _date_or_confirm(answer: str) -> str | None:
    if answer == CONFIRM or _is_date(answer):
        return None
    return "这里应填写正确日期（如 2018-06-19）或「确认」"


def _checked(answer: str) -> str | None:
    return None if answer in (CHECKED, IGNORE) else f"这里应填写「{CHECKED}」"


@dataclass(frozen=True)
class QuestionType:
    """One kind of question: its id (column `type`), the label review.csv shows, the
    answers it accepts (Chinese, for the reader), whether an open question of this kind
    can change points (then the bulletin is a draft while it is open), and `validate`:
    answer → None when it fits, else why it does not (Chinese)."""

    id: str
    label: str
    accepts: str
    changes_points: bool
    validate: Callable[[str], str | None]


QUESTION_TYPES: dict[str, QuestionType] = {
    q.id: q
    for q in (
        QuestionType(
            "unit",
            "未识别单位",
            f"名单中的单位全称，或“{IGNORE}”（不计分）",
            True,
            _name_or_ignore,
        ),
        QuestionType("same_article", "疑似同一篇信息", f"{YES} / {NO}", True, _yes_no),
        QuestionType(
            "date",
            "日期存疑",
            f"YYYY-MM-DD（正确的日期），或“{CONFIRM}”（所填日期无误）",
            True,
            _date_or_confirm,
        ),
        QuestionType("publication", "刊物名称不明", "考核办法中的刊物全称", True, _a_name),
        QuestionType(
            "article_source",
            "来源不明",
            f"供稿单位（多个单位用“、”分隔），或“{IGNORE}”（不计分）",
            True,
            _name_or_ignore,
        ),
        QuestionType(
            "submission",
            "报送单位不明",
            f"名单中的单位全称，或“{IGNORE}”（不计入任何单位）",
            True,
            _name_or_ignore,
        ),
        # Informational: an adoption counts whether or not its mail is in the logs, and an
        # unreadable message is fixed in the logs, not by an answer.
        QuestionType(
            "no_submission",
            "无对应报送",
            f"“{CHECKED}”（不再提示；得分不受影响）",
            False,
            _checked,
        ),
        QuestionType(
            "mail",
            "邮件无法识别",
            f"“{CHECKED}”（不再提示；如确为报送，请在报送记录 CSV 中登记）",
            False,
            _checked,
        ),
    )
}

_BY_LABEL = {q.label: q for q in QUESTION_TYPES.values()}


def decision_type(value: str | None) -> QuestionType | None:
    """The question type a `type` cell names: its English id or its Chinese label."""
    v = (value or "").strip()
    return QUESTION_TYPES.get(v) or QUESTION_TYPES.get(v.lower()) or _BY_LABEL.get(v)


def type_labels() -> str:
    """「未识别单位（unit）、…」 for messages."""
    return "、".join(f"{q.label}（{q.id}）" for q in QUESTION_TYPES.values())


def check_answer(type_id: str, answer: str) -> str | None:
    """None when `answer` fits a question of `type_id`, else a Chinese message saying which
    answers the question accepts."""
    q = QUESTION_TYPES[type_id]
    problem = q.validate(answer.strip())
    if problem is None:
        return None
    return f"「{q.label}」问题的答复「{answer}」不符合要求：{problem}（可填：{q.accepts}）"


# --------------------------------------------------------------------------- open questions


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _touches(shown: str | None, first: date, last: date) -> bool:
    """True when a question's `date` cell (one or more YYYY-MM-DD, or anything else) names
    a day in [first, last], or names no readable day at all (then it may touch any)."""
    days = []
    for text in _ISO.findall(shown or ""):
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            continue
    return not days or any(first <= d <= last for d in days)


def open_questions(review: pl.DataFrame, period=None) -> dict[str, int]:
    """Count of open questions that change points, by type id (registry order); a type
    the registry does not know counts too (nothing unknown is waved through).

    With `period` (transforms.periods.Period) only questions that can change what its
    outputs print count: those about a day from the start of the period's year (the
    year-to-date figures) to the period's end, or about no known day."""
    if review.is_empty():
        return {}
    if period is not None:
        first, last = date(period.year, 1, 1), period.end
        keep = [_touches(d, first, last) for d in review["date"].to_list()]
        review = review.filter(pl.Series(keep, dtype=pl.Boolean))
    counts = dict(review.group_by("type").len().iter_rows())
    out = {t: counts[t] for t, q in QUESTION_TYPES.items() if q.changes_points and counts.get(t)}
    out.update({t: n for t, n in counts.items() if t not in QUESTION_TYPES and n})
    return out


def describe_open(counts: dict[str, int]) -> str:
    """「未识别单位3项、日期存疑1项」."""
    return "、".join(
        f"{QUESTION_TYPES[t].label if t in QUESTION_TYPES else t}{n}项" for t, n in counts.items()
    )


def draft_notice(review_csv: str, counts: dict[str, int]) -> str:
    """What a run says of a draft version: how many questions are open, where they are
    listed, how to answer them."""
    return (
        f"本版为征求意见稿：尚有{sum(counts.values())}个影响得分的问题待答复"
        f"（{describe_open(counts)}），见 {review_csv}；请把答复填入工作目录的 "
        "decisions.csv（可直接复制 review.csv 的行，填写“答复”列）后再次运行 kaohe run"
    )


# --------------------------------------------------------------------------- review.csv

#: review.csv: (REVIEW column or computed field, Chinese header). The first three are
#: decisions.csv's columns in decisions.csv's order (type, key, answer), so that a row
#: copied under decisions.csv's header lines up; the rest say what the question is about.
REVIEW_CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("type", "问题类型"),
    ("key", "识别码"),
    ("answer", "答复"),
    ("accepts", "可填答复"),
    ("changes_points", "影响得分"),
    ("unit", "单位"),
    ("title", "标题"),
    ("date", "日期"),
    ("publication", "刊物及期号"),
    ("file", "文件"),
    ("row", "行号"),
    ("text", "内容"),
    ("candidates", "候选"),
    ("reason", "说明"),
)


def review_table(review: pl.DataFrame) -> tuple[list[str], list[tuple]]:
    """(Chinese header, rows) of review.csv: questions that change points first, each type
    shown by its Chinese label with the answers it accepts."""
    review = schema.conform(review, schema.REVIEW)
    order = {t: i for i, t in enumerate(QUESTION_TYPES)}
    rows = []
    for r in review.iter_rows(named=True):
        q = QUESTION_TYPES.get(r["type"])
        r = dict(r)
        r["answer"] = r["answer"] or ""
        r["accepts"] = q.accepts if q else ""
        r["changes_points"] = YES if (q is None or q.changes_points) else NO
        holds = 0 if r["changes_points"] == YES else 1
        r["type"] = q.label if q else r["type"]
        rows.append(((holds, order.get(q.id if q else "", len(order))), r))
    rows.sort(key=lambda x: x[0])  # stable: each type keeps the order it was found in
    header = [cn for _, cn in REVIEW_CSV_COLUMNS]
    return header, [tuple(r[c] for c, _ in REVIEW_CSV_COLUMNS) for _, r in rows]


def about(
    publication: str | None, issue: str | None, when: date | str | None, title: str | None
) -> dict[str, str | None]:
    """The columns `publication`, `date`, `title` of a review row about an adoption."""
    return {
        "publication": issue_label(publication, issue) or None,
        "date": when.isoformat() if isinstance(when, date) else when,
        "title": title,
    }
