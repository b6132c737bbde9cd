"""Reading a periodical issue's text (刊物正文解析): lines in → masthead + articles out.

A publication issue (《建德政务·动态》2018年第12期 …) prints a masthead (报头: the periodical's
name in red, 第N期 / 总第N期, the issuing office 主办/编印, the date), often a table of
contents (本期目录), section headers (要情, 专报, 简讯 …), then the articles: a title (in
bold), the text, and the source attribution at the end — 「（区发改局）」, 「（建德市发改局
供稿）」, 「（市府办信息科 张三 整理）」, 「来源：…」, or several units. Briefs (简讯) are one
paragraph each: 「△市审管办举办培训。4月10日，……（市审管办）」.

These are pure functions over the lines `flows.issue_documents` extracts from a .docx, .pdf,
.html or .txt file. Each line may carry what the layout showed (bold, font size, centred,
red); plain strings are accepted too (a .txt issue), and the parser then relies on the text
alone. Nothing here opens a file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from transforms.matching import SURNAMES, UNIT_ENDINGS

__all__ = [
    "SECTION_KINDS",
    "Line",
    "parse_date_text",
    "parse_issue",
    "parse_source",
]


@dataclass(frozen=True)
class Line:
    """One paragraph (or visual line) of an issue with what its layout showed."""

    text: str
    bold: bool = False
    size: float | None = None  # font size in points, where known
    centered: bool = False
    red: bool = False


#: Section headers (栏目) → the article class written to the `kind` column.
SECTION_KINDS: dict[str, str] = {
    "要情": "要情",
    "专报": "专报",
    "简讯": "简讯",
    "快讯": "简讯",
    "动态": "动态",
    "工作动态": "动态",
    "部门动态": "动态",
    "乡镇动态": "动态",
    "基层动态": "动态",
    "各地动态": "动态",
    "参阅": "参阅",
    "综合": "综合",
    "调研": "调研",
    "问题": "问题",
    "做法": "做法",
    "建议": "建议",
}

_TOC_HEADERS = {"本期目录", "目录", "本期要目", "要目", "本期导读"}
_SEPARATOR = re.compile(r"[\s\-—–_=━─═~～*＊·.]{5,}")
_BULLETS = "△▲■◆●◇□○☆★▶►"
_LEADER = re.compile(r"[\s.．。…·・\-—–_]{2,}\s*\d*\s*$|\s+\d+\s*$")
_FOOTER = re.compile(r"^(?:报|送|发|抄送|抄报|分送|报送)\s*[:：]|共印\s*\d+\s*份|^[（(]?共印")
#: Words that end a sentence (a line ending so is body text, not a title).
_SENTENCE_END = tuple("。！？；，、：…")
#: Ends a title never has (titles may end in ？ or ！).
_NOT_TITLE_END = tuple("。；，、：…")
#: A page number printed on its own line: 「— 2 —」「-3-」「第4页」.
_PAGE_NUMBER = re.compile(r"[-—–\s]*(?:第\s*)?\d{1,3}\s*页?[-—–\s]*")
_ENUMERATION = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．是]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])"
)

#: Prefixes of a source line: 「来源：」「供稿单位：」 …
_SOURCE_PREFIX = re.compile(
    r"^(?:信息来源|稿件来源|来源单位|来源|供稿单位|供稿|报送单位|稿源|撰稿单位)\s*[:：]\s*"
)
#: Words after the unit that name the act of writing, dropped (「建德市发改局供稿」).
_SOURCE_SUFFIXES = ("联合供稿", "供稿", "提供", "报送", "整理", "来稿", "撰稿", "执笔", "编辑")
#: Writer labels: 「执笔：张三」「撰稿人 李四」 — what follows is a person.
_WRITER_LABEL = re.compile(r"(?:执笔人?|撰稿人?|编辑|作者|记者|通讯员|联系人)\s*[:：]?\s*\S*")
#: Last characters of a unit name (a token ending so is a unit, not a person).
# Sources also name offices' sections (信息科) and places (青山区, 小镇): the roster
# matcher's endings plus these.
_UNIT_ENDINGS = (*UNIT_ENDINGS, "科", "县", "市", "小镇")
_SURNAMES = SURNAMES
_UNIT_SEPARATORS = r"[、，,；;/／]+"

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "〇○零ＯO一二三四五六七八九十百"


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _key(s: str) -> str:
    """Text for comparing lines: NFKC, without whitespace, punctuation or symbols."""
    return "".join(ch for ch in _nfkc(s) if unicodedata.category(ch)[0] not in "PZCS")


def _cn_number(s: str) -> int | None:
    """12, １２, 十二, 一二 (digit by digit), 二十三, 一百零五 → int."""
    s = _nfkc(s).strip()
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_NUM for ch in s):
        return None
    if "十" not in s and "百" not in s:
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


# --------------------------------------------------------------------------- masthead

_NUM = rf"[0-9０-９{_CN_NUM}]+"
_ISSUE = re.compile(rf"(?<!总)第\s*({_NUM})\s*期")
_TOTAL = re.compile(rf"总\s*第\s*({_NUM})\s*期")
_DATE_ARABIC = re.compile(r"(\d{4})\s*(?:年|[-/.])\s*(\d{1,2})\s*(?:月|[-/.])\s*(\d{1,2})\s*日?")
_DATE_CN = re.compile(
    r"([〇○零ＯO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
_OFFICE_LABELED = re.compile(r"(?:主办|主编|编印|编发|承办|编辑|印发)(?:单位)?\s*[:：]\s*(\S+)")
_OFFICE_TRAILING = re.compile(r"(\S{4,}?)\s*(?:主办|编印|编发|编|印发|主编)$")
_OFFICE_WORDS = re.compile(
    r"(\S*(?:办公室|办公厅|人民政府|政府|委员会|管委会|信息中心|研究室|督查室))(?:\s|$)"
)
#: Masthead words that are not the periodical's name.
_MASTHEAD_NOISE = re.compile(
    r"[（(][^）)]*[）)]|内部资料|注意保存|内部刊物|内部参阅|仅供领导参阅|秘密|机密|增刊|特刊"
)


_MASTHEAD_NOISE_WORDS = re.compile(
    r"[（(]\s*(?:内部资料|注意保存|内部刊物|内部参阅|仅供领导参阅|秘密|机密)[^）)]*[）)]"
    r"|内部资料|注意保存|内部刊物|内部参阅|仅供领导参阅|秘密|机密"
)


def _masthead_text(rest: str) -> str:
    rest = re.sub(r"(?:主办|编印|编发|主编|印发|编)\s*$", "", rest.strip()).strip()
    rest = re.sub(r"\s+", " ", rest).strip(" ，,:：")
    return rest


def parse_date_text(text: str) -> date | None:
    """The first date in `text`: 2018年5月3日, 2018-05-03, 2018.5.3, 二〇一八年五月三日."""
    s = _nfkc(text)
    for m in sorted(
        (m for rx in (_DATE_ARABIC, _DATE_CN) for m in rx.finditer(s)), key=lambda m: m.start()
    ):
        y, mo, d = (_cn_number(g) for g in m.groups())
        try:
            return date(y, mo, d)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return None


def _office(text: str) -> str | None:
    s = _nfkc(text).strip()
    if m := _OFFICE_LABELED.search(s):
        return m[1]
    without_date = _DATE_ARABIC.sub(" ", _DATE_CN.sub(" ", s))
    without_date = _TOTAL.sub(" ", _ISSUE.sub(" ", without_date))
    without_date = re.sub(r"\d{4}\s*年", " ", without_date).strip()
    without_date = re.sub(r"印发$", "", without_date).strip()
    if m := _OFFICE_TRAILING.search(without_date):
        return m[1]
    if m := _OFFICE_WORDS.search(without_date):
        return m[1]
    return None


def _masthead(lines: Sequence[Line], footer: Sequence[Line]) -> dict:
    issue = total = office = None
    when: date | None = None
    candidates: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        s = _nfkc(line.text)
        rest = s
        if issue is None and (m := _ISSUE.search(s)):
            issue = f"第{_cn_number(m[1])}期"
        if total is None and (m := _TOTAL.search(s)):
            total = f"总第{_cn_number(m[1])}期"
        if when is None:
            when = parse_date_text(s)
        found_office = _office(s)
        if office is None and found_office:
            office = found_office
        # What remains of the line once the numbers, date and office are taken out may be
        # the periodical's name.
        for rx in (_TOTAL, _ISSUE, _DATE_ARABIC, _DATE_CN, _OFFICE_LABELED):
            rest = rx.sub(" ", rest)
        if found_office:
            rest = rest.replace(found_office, " ")
        rest = re.sub(r"\d{4}\s*年", " ", rest)
        # A bracket may belong to the name (「政务信息（专刊）」): that reading comes first,
        # then the one without any bracketed words.
        named = _MASTHEAD_NOISE_WORDS.sub(" ", rest)
        named = re.sub(r"[（(]\s*[）)]", " ", named)
        readings = [named, _MASTHEAD_NOISE.sub(" ", rest)]
        for reading in dict.fromkeys(_masthead_text(r) for r in readings):
            if _key(reading):
                # red and large text first: that is how mastheads print the name
                rank = (0 if line.red else 1, -(line.size or 0), i)
                candidates.append((rank, reading))  # type: ignore[arg-type]
    for line in footer:  # 「建德市人民政府办公室　2018年5月3日印发」
        s = _nfkc(line.text)
        if when is None and "印发" in s:
            when = parse_date_text(s)
        if office is None and "印发" in s:
            office = _office(s)
    ordered = [text for _, text in sorted(candidates, key=lambda c: c[0])]
    return {
        "periodical": ordered[0] if ordered else None,
        "periodical_candidates": [text for _, text in candidates],
        "issue": issue or total,
        "total_issue": total,
        "date": when,
        "office": office,
    }


# --------------------------------------------------------------------------- sources


def _is_person(token: str) -> bool:
    return (
        re.fullmatch(r"[\u4e00-\u9fff]{2,4}", token) is not None
        and token[0] in _SURNAMES
        and not token.endswith(_UNIT_ENDINGS)
    )


def _strip_suffixes(token: str) -> str:
    changed = True
    while changed:
        changed = False
        for w in _SOURCE_SUFFIXES:
            if token.endswith(w) and len(token) > len(w):
                token = token[: -len(w)].strip()
                changed = True
    return token


def parse_source(text: str) -> list[str]:
    """The units named by a source attribution, as printed: 「（区发改局）」 → [区发改局];
    「（建德市发改局供稿）」 → [建德市发改局]; 「（市府办信息科 张三 整理）」 → [市府办信息科];
    「来源：市农业局、市林业局」 → [市农业局, 市林业局]. Writers' names and the words 供稿, 整理 …
    are dropped. An attribution naming only a person gives []."""
    s = _nfkc(text).strip()
    while len(s) >= 2 and s[0] in "(【[" and s[-1] in ")】]":
        s = s[1:-1].strip()
    s = _SOURCE_PREFIX.sub("", s)
    s = _WRITER_LABEL.sub(" ", s)
    units: list[str] = []
    for part in re.split(_UNIT_SEPARATORS, s):
        tokens = [t for t in re.split(r"\s+", part.strip()) if t]
        for token in tokens:
            token = _strip_suffixes(token)
            if not token or token in _SOURCE_SUFFIXES or _is_person(token):
                continue
            if not re.search(r"[\u4e00-\u9fff]", token):
                continue
            # 「寿昌镇李静」: a unit followed by a writer without a space
            for ending in sorted(_UNIT_ENDINGS, key=len, reverse=True):
                cut = token.rfind(ending)
                if cut > 0 and _is_person(token[cut + len(ending) :]):
                    token = token[: cut + len(ending)]
                    break
            units.append(token.replace("(", "（").replace(")", "）"))
    return list(dict.fromkeys(units))


#: An attribution's inside: text with at most one level of brackets in it, for unit names
#: printed so (「区农业局（林业局）」「区住建局（规划分局）」); NFKC has made them ASCII.
_BRACKETED = r"(?:[^()【】\[\]]|\([^()【】\[\]]{1,20}\)){2,60}"


def _source_line(text: str) -> str | None:
    """The attribution if the whole line is one: 「（市发改局供稿）」, 「来源：市发改局」."""
    s = _nfkc(text).strip()
    if _SOURCE_PREFIX.match(s):
        return s
    if re.fullmatch(rf"[(【\[]{_BRACKETED}[)】\]]", s) and not _NOT_SOURCE.match(s[1:]):
        return s
    return None


#: Bracketed lines that are notes, not sources: 【编者按】（此件可公开）（图为……）.
_NOT_SOURCE = re.compile(r"(?:编者按|按语|附件|注：|注:|图为|此件|本期|内部|下转|上接)")


_TRAILING_SOURCE = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]{1,20}[）)]){2,60})[）)]\s*$")


def _trailing_source(text: str) -> tuple[str, str | None]:
    """(text without it, attribution) for a paragraph ending in 「……。（市发改局）」."""
    m = _TRAILING_SOURCE.search(text)
    if not m:
        return text, None
    before = text[: m.start()].rstrip()
    # a bracket in the middle of a sentence is not a source: it must follow the sentence end
    if before and not before.endswith(("。", "！", "？", "”", ".", "!", "?")):
        return text, None
    return before, m.group(0)


# --------------------------------------------------------------------------- body


def _section_kind(text: str) -> str | None:
    s = _nfkc(text).strip().lstrip(_BULLETS)
    s = re.sub(r"^[一二三四五六七八九十]+[、.]", "", s)
    return SECTION_KINDS.get(_key(s))


def _is_separator(text: str) -> bool:
    s = text.strip()
    return bool(s) and _SEPARATOR.fullmatch(s) is not None


def _toc_key(text: str) -> str:
    s = _nfkc(text).strip().lstrip(_BULLETS)
    s = _LEADER.sub("", s)
    return _key(s)


def _body_size(lines: Sequence[Line]) -> float | None:
    """The most common font size, weighted by text length: the body text's size."""
    weights: dict[float, int] = {}
    for line in lines:
        if line.size:
            weights[round(line.size, 1)] = weights.get(round(line.size, 1), 0) + len(line.text)
    return max(weights, key=lambda k: weights[k]) if weights else None


def _looks_like_title(text: str) -> bool:
    s = _nfkc(text).strip()
    return (
        0 < len(s) <= 50
        and not s.endswith(_NOT_TITLE_END)
        and "。" not in s
        and not _ENUMERATION.match(s)
        and _source_line(s) is None
    )


def _as_lines(lines: Iterable[Line | str]) -> list[Line]:
    out = []
    for line in lines:
        ln = line if isinstance(line, Line) else Line(str(line))
        text = ln.text.replace("\u3000", " ").strip()
        if text:
            out.append(Line(text, ln.bold, ln.size, ln.centered, ln.red))
    return out


def _split_regions(lines: list[Line]) -> tuple[int, int, int, list[tuple[str, str | None]]]:
    """(masthead end, body start, body end, TOC entries as (key, kind))."""
    n = len(lines)
    masthead_end = min(n, 10)
    numbered = False  # an issue number or a date seen: the name is printed above them
    for i, line in enumerate(lines[:10]):
        t = line.text
        # A section word above the issue number is the name's sub-title (「建德政务」 over
        # 「动  态」), part of the masthead.
        section = _section_kind(t) is not None and numbered
        if i > 0 and (_is_separator(t) or _key(t) in _TOC_HEADERS or section):
            masthead_end = i
            break
        s = _nfkc(t)
        numbered = numbered or bool(_ISSUE.search(s) or _TOTAL.search(s) or parse_date_text(s))
    else:
        # no separator: the masthead is the lines holding the issue number / date / office
        last = 0
        for i, line in enumerate(lines[:10]):
            s = _nfkc(line.text)
            if i > 0 and (len(s) > 40 or "。" in s):
                break  # body text: the masthead is over
            if _ISSUE.search(s) or _TOTAL.search(s) or parse_date_text(s) or _office(s):
                last = i
        masthead_end = min(n, last + 1)
    body_start = masthead_end
    toc: list[tuple[str, str | None]] = []
    toc_at = next(
        (
            i
            for i in range(masthead_end, min(n, masthead_end + 5))
            if _key(lines[i].text) in _TOC_HEADERS
        ),
        None,
    )
    if toc_at is not None:
        seen: set[str] = set()
        kind: str | None = None
        body_start = n
        leader_end = None
        toc_at_leader: int | None = None  # len(toc) after the last entry with a leader
        wrapped = -1  # a line taken into the entry before it
        for i in range(toc_at + 1, n):
            if i == wrapped:
                continue
            t = lines[i].text
            k = _toc_key(t)
            # A long title wraps in the TOC: 「……建议的调查与思」「考…………1」 is one entry.
            if (
                i + 1 < n
                and not _LEADER.search(_nfkc(t))
                and not _section_kind(t)
                and not _is_separator(t)
                and k not in seen
                and _LEADER.search(_nfkc(lines[i + 1].text))
                and not _section_kind(lines[i + 1].text)
            ):
                t = t + lines[i + 1].text
                k = _toc_key(t)
                wrapped = i + 1
            if _is_separator(t):
                if toc:
                    body_start = i + 1
                    break
                continue
            if k in seen:  # the first section header or title printed again: the body
                body_start = i
                break
            seen.add(k)
            if sk := _section_kind(t):
                kind = sk
                continue
            toc.append((k, kind))
            if _LEADER.search(_nfkc(t)):
                leader_end = max(i, wrapped) + 1
                toc_at_leader = len(toc)
        else:
            # nothing ended the TOC: it ends at its last entry with a leader, if any
            body_start = leader_end if leader_end is not None else toc_at + 1
            toc = toc[:toc_at_leader] if toc_at_leader is not None else []
    body_end = n
    for i in range(body_start, n):
        if _FOOTER.search(_nfkc(lines[i].text)):
            body_end = i
            break
    return masthead_end, body_start, body_end, toc


def parse_issue(lines: Iterable[Line | str]) -> tuple[dict, list[dict]]:
    """Parse an issue's lines into its masthead and its articles.

    Masthead: `periodical` (the name as printed, best guess: red and large text first),
    `periodical_candidates` (every masthead text that may be the name, in order), `issue`
    (「第12期」; 「总第345期」 only when no 第N期 is printed), `total_issue`, `date`
    (a datetime.date or None) and `office`.

    Articles, in the order printed (the table of contents gives none of its own): `number`
    (1-based), `title`, `kind` (from the section header or the TOC, else None), `source` (the
    attribution as printed, or None), `units` (parsed from it; [] when it names no unit) and
    `text` (the article's text without the attribution).
    """
    all_lines = _as_lines(lines)
    masthead_end, body_start, body_end, toc = _split_regions(all_lines)
    masthead = _masthead(all_lines[:masthead_end], all_lines[body_end:])
    body = all_lines[body_start:body_end]
    toc_kinds = dict(toc)
    size = _body_size(body)
    styled = any(ln.bold or (size and ln.size and ln.size > size + 0.5) for ln in body)

    def emphasised(line: Line) -> bool:
        return line.bold or bool(size and line.size and line.size > size + 0.5)

    articles: list[dict] = []
    current: dict | None = None
    kind: str | None = None
    last_was_title = False
    skip_note = False

    def close() -> None:
        nonlocal current
        if current is None:
            return
        if current["source"] is None and current["paragraphs"]:
            rest, src = _trailing_source(current["paragraphs"][-1])
            if src:
                current["paragraphs"][-1] = rest
                current["source"] = src
        articles.append(current)
        current = None

    def start(title: str, k: str | None) -> dict:
        close()
        return {"title": title, "kind": k, "source": None, "paragraphs": []}

    for line in body:
        text = line.text
        s = _nfkc(text)
        if _is_separator(text) or _PAGE_NUMBER.fullmatch(s):
            continue
        if _key(s).startswith(("编者按", "编者的话")):  # an editor's note, not an article
            skip_note = _key(s) in ("编者按", "编者的话")  # its text is the next paragraph
            continue
        if skip_note:
            skip_note = False
            if "。" in s and not emphasised(line):
                continue
        if (sk := _section_kind(text)) and len(_key(text)) <= 6:
            close()
            kind = sk
            last_was_title = False
            continue
        if (src := _source_line(text)) is not None and parse_source(src) is not None:
            if current is not None and current["source"] is None and current["paragraphs"]:
                current["source"] = text.strip()
                close()
                last_was_title = False
                continue
        bullet = s.lstrip()[:1] in _BULLETS
        # A brief: 「△标题。正文……（单位）」; in a 简讯 section also without the bullet.
        # (a paragraph that carries its own source, or one no title precedes)
        unmarked_brief = (
            kind == "简讯"
            and "。" in s
            and not last_was_title
            and not emphasised(line)
            and (current is None or _trailing_source(text)[1] is not None)
        )
        if bullet or unmarked_brief:
            body_text = text.strip()[1:].strip() if bullet else text.strip()
            body_text, src = _trailing_source(body_text)
            title, _, rest = body_text.partition("。")
            art = start(title.strip(), kind or toc_kinds.get(_key(title)) or "简讯")
            art["source"] = src
            art["paragraphs"] = [rest.strip()] if rest.strip() else []
            current = art
            close()
            last_was_title = False
            continue
        is_title = _toc_key(text) in toc_kinds or (
            (emphasised(line) if styled else _looks_like_title(text))
            and len(s) <= 80
            and not s.endswith(_NOT_TITLE_END)
        )
        if is_title:
            if styled and last_was_title and current is not None and not current["paragraphs"]:
                current["title"] += text.strip()  # a title wrapped over two lines
                continue
            current = start(text.strip(), kind or toc_kinds.get(_toc_key(text)))
            last_was_title = True
            continue
        last_was_title = False
        if current is not None:
            current["paragraphs"].append(text.strip())
    close()

    # A title with neither text nor source that is printed again later is a leftover of a
    # table of contents the layout did not mark: not an article of its own.
    keys = [_key(a["title"]) for a in articles]
    kept = [
        a
        for i, a in enumerate(articles)
        if a["paragraphs"] or a["source"] or keys[i] not in keys[i + 1 :]
    ]
    out = []
    for number, a in enumerate(kept, start=1):
        out.append(
            {
                "number": number,
                "title": a["title"],
                "kind": a["kind"],
                "source": a["source"],
                "units": parse_source(a["source"]) if a["source"] else [],
                "text": "\n".join(p for p in a["paragraphs"] if p),
            }
        )
    return masthead, out
