"""Periodicals and issue numbers as kaohe writes them everywhere: 《建德政务·动态》第12期.

Not presentation: ledger rows (schemes.engine), review questions, readers and bulletins
all name an issue this one way, so that the same issue is the same text wherever it is
compared or shown.
"""

from __future__ import annotations

import re
import unicodedata

#: an issue number however it is typed: 12, 012, 第12期, 12期, No.12, No. 12, #12
_ISSUE_NUMBER = re.compile(r"(?:第|no\.?|n°|#)?0*(\d+)期?", re.IGNORECASE)
#: an issue number within its year: 2018年第12期, 2018年12期, 2018-12, 2018.12, 2018/12
_ISSUE_OF_YEAR = re.compile(r"((?:19|20)\d\d)(?:年|[-./])第?0*(\d+)期?")


def issue_number(issue: str | None) -> str:
    """An issue number printed one way: 第12期 (or 2018年第12期 when it counts within its
    year), whether it was typed 12, 第12期, 12期, No.12 or 2018-12. Any other text (总第300期,
    增刊) is kept as typed."""
    if issue is None:
        return ""
    text = str(issue).strip()
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if m := _ISSUE_NUMBER.fullmatch(plain):
        return f"第{int(m[1])}期"
    if m := _ISSUE_OF_YEAR.fullmatch(plain):
        return f"{m[1]}年第{int(m[2])}期"
    return text


def issue_label(publication: str | None, issue: str | None) -> str:
    """《建德政务·动态》第12期: the issue as `issue_number` prints it."""
    pub = f"《{publication}》" if publication else ""
    return f"{pub}{issue_number(issue)}"


#: an issue number inside a text, as `issue_number` prints it: 第12期, and the year of
#: 2018年第12期 apart (each kept on one line; a narrow column may break between the two)
ISSUE_IN_TEXT = re.compile(r"(?:19|20)\d\d年(?=第\d+期)|第\d+期")
