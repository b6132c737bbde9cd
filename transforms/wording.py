"""Words, dates and numbers of the bulletin (通报), the statements and the mails, as an
office writes them: titles, the 主送 line, Chinese dates, points and rates, shortened
remarks, group names. Pure functions of plain values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from transforms.errors import InputError
from transforms.periods import Period

_CN_DIGITS = "〇一二三四五六七八九"


#: Default paragraph for 下一步工作要求 (requirements for the next period).
DEFAULT_REQUIREMENTS = (
    "各单位要进一步提高思想认识，把政务信息工作摆上重要位置，明确分管领导和专职信息员，"
    "紧扣党委、政府中心工作和重点任务，多报送有深度、有分析、有建议的综合性信息，"
    "及时反映苗头性、倾向性问题和基层创新做法，切实提高信息报送的时效性和质量。"
    "零报送、零采用和未完成目标任务的单位要认真查找原因，落实改进措施，"
    "确保下一阶段政务信息工作有明显提升。"
)


def area_word(office: str) -> str:
    """区 when the issuing office is a district's (its name contains 区), else 市."""
    return "区" if "区" in (office or "") else "市"


def bulletin_title(period: Period, office: str) -> str:
    """「关于2018年第二季度全市政务信息报送采用情况的通报」 (without the quotes)."""
    return f"关于{period.title}全{area_word(office)}政务信息报送采用情况的通报"


def recipients(office: str, groups: Iterable[str] = ()) -> str:
    """The 主送 line, e.g. 各乡镇人民政府、街道办事处，市政府各部门、单位：

    A roster with county-level units (县（市）区, 银川) gets the county wording.
    """
    area = area_word(office)
    names = "".join(groups)
    if "县" in names:
        return f"各县（市）区人民政府，{area}政府各部门、各直属机构："
    towns = "各乡镇人民政府" if area == "市" else "各镇人民政府"
    return f"{towns}、街道办事处，{area}政府各部门、单位："


def _cn_number(n: int) -> str:
    """1..99 in Chinese counting words: 5 → 五, 10 → 十, 21 → 二十一."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: date) -> str:
    """2018-07-05 → 二〇一八年七月五日 (the style of the date under the issuing office)."""
    year = "".join(_CN_DIGITS[int(c)] for c in str(d.year))
    return f"{year}年{_cn_number(d.month)}月{_cn_number(d.day)}日"


def fmt_points(x: Any) -> str:
    """Points as people write them: 38.0 → 38, 12.5 → 12.5, -10.0 → -10, None → —."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    x = float(x)
    if x == int(x):
        return str(int(x))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def fmt_rate(x: Any) -> str:
    """A rate as a percentage with one decimal: 0.35 → 35.0%, 2.0 → 200.0%, None → —."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{float(x) * 100:.1f}%"


#: characters of a remark shown in a ranking table; the statements show it whole
REMARK_CHARS = 30


def short_text(text: str | None, limit: int = REMARK_CHARS) -> str:
    """`text` cut to `limit` characters (the last one an ellipsis …) when longer."""
    if not text:
        return ""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # never end inside brackets: 「…完成年度目标（90…」 → 「…完成年度目标…」
    for left, right in ("（）", "()", "「」", "《》"):
        if cut.count(left) > cut.count(right):
            cut = cut[: cut.rindex(left)]
    return cut.rstrip("，,；;、。：: ") + "…"


def period_word(period: Period) -> str:
    """本季度, 本月 or 本年度: how the bulletin names its own period in a sentence."""
    return {"quarter": "本季度", "month": "本月", "year": "本年度"}.get(period.kind, "本期")


def window_title(label: str | None) -> str:
    """The title of a period or quota window label: 2018-05 → 2018年5月, 2018Q2 →
    2018年第二季度, 2018-01~02 → 2018年1—2月; a label it cannot read is kept."""
    label = label or ""
    if m := re.fullmatch(r"(\d{4})-(\d{2})~(\d{2})", label):
        return f"{m[1]}年{int(m[2])}—{int(m[3])}月"
    try:
        return Period.parse(label).title
    except InputError:
        return label


def group_label(group: Any) -> str:
    """A group as offices write it: a code of one or two letters or digits gets 类 (A → A类);
    a name (乡镇（街道）) stays; None → empty."""
    if group is None:
        return ""
    g = str(group)
    return f"{g}类" if re.fullmatch(r"[A-Za-z0-9]{1,2}", g) else g


#: Rule names are written 「heading·item」 when a rule is one item of a task the regulation
#: names as a whole: 基本任务·动态信息, 全年目标任务·综合类报送 (schemes' Rule.name).
RULE_NAME_SEP = "·"


def rule_heading(name: str | None) -> str | None:
    """The heading of a rule's name (基本任务·动态信息 → 基本任务); None when it has none."""
    if not name or RULE_NAME_SEP not in str(name):
        return None
    return str(name).split(RULE_NAME_SEP, 1)[0]


def rule_item(name: str) -> str:
    """The item of a rule's name (全年目标任务·综合类报送 → 综合类报送); the whole name when it
    has no heading."""
    return str(name).split(RULE_NAME_SEP)[-1]
