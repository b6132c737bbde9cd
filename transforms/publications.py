"""Periodical names as people type them (刊物名称识别).

An adoption sheet, a masthead or a decision names a periodical the way its writer types it:
《建德政务·动态》, 建德政务动态 (no middle dot), 建德政务 · 动态 or 建 德 政 务 (spaces),
〈动态〉, or only the short name the office uses (动态, 情况专报, 杭州政务 …). This module turns
such a text into the scheme's canonical name, or says which periodicals it may mean:

- `normalize_publication` — the written form for display and lookups (NFKC, no book-title
  marks or quotes, one kind of middle dot, no whitespace);
- `publication_key` — the form compared: only letters and digits (no dots, spaces, marks or
  brackets), so 「建德政务·动态」「建德政务动态」「建 德 政 务 动 态」 are one key;
- `PublicationIndex` — every spelling of a scheme's periodicals: the name, the aliases the
  scheme lists, and the short forms derived from the name (the parts on either side of its
  middle dot, the name without and inside its brackets). A spelling that fits one periodical
  resolves to it; one that fits several (萧山's 「专报」: 萧山信息·专报, 杭州信息·专报,
  浙江信息·专报) is a question, never a guess (`Resolution.candidates`). The user answers it
  in decisions.csv (type `publication`, key = the typed name's `publication_key`, answer =
  the periodical's name): `PublicationIndex.answered` returns an index that resolves the
  answered spellings.

Pure: no files. The readers (`flows.readers.read_adoptions`, `flows.issue_documents`) use
it; `publication_questions` builds the review rows of the spellings left open.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from transforms.publication_text import issue_label

__all__ = [
    "QUESTION_TYPE",
    "PublicationIndex",
    "Resolution",
    "normalize_publication",
    "publication_key",
    "publication_questions",
    "question",
    "short_forms",
]

#: The review question type of a periodical name that fits several periodicals.
QUESTION_TYPE = "publication"

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None)
_DROP = dict.fromkeys(map(ord, "《》〈〉<>\"'“”‘’「」『』〝〞"), None)
_DOTS = dict.fromkeys(map(ord, "・•‧∙⋅.･"), "·")


def normalize_publication(name: str) -> str:
    """A periodical name as written, tidied: 《建德政务・动态》, 建德政务·动态 and their
    full-width variants all give `建德政务·动态`. Drops book-title marks and quotes, applies
    NFKC, unifies middle dots (·・•‧．) to `·` and removes whitespace."""
    s = unicodedata.normalize("NFKC", str(name)).translate(_INVISIBLE)
    s = s.translate(_DROP).translate(_DOTS)
    return re.sub(r"\s+", "", s)


class _KeepLettersAndDigits(dict):
    """str.translate table keeping only letters and digits (Unicode L*, N*), filled per
    character on first sight."""

    def __missing__(self, code: int) -> int | None:
        value = code if unicodedata.category(chr(code))[0] in "LN" else None
        self[code] = value
        return value


_LETTERS = _KeepLettersAndDigits()


def publication_key(name: str) -> str:
    """The form of a periodical name that is compared: NFKC, letters and digits only.

    「《建德政务·动态》」「建德政务动态」「建德政务 · 动态」「建 德 政 务 动 态」 → 建德政务动态;
    「政务信息（专刊）」「政务信息专刊」 → 政务信息专刊."""
    return unicodedata.normalize("NFKC", str(name)).translate(_INVISIBLE).translate(_LETTERS)


def short_forms(name: str) -> list[str]:
    """The short names a periodical's full name implies: the parts on either side of its
    middle dot (建德政务·情况专报 → 建德政务, 情况专报); for a name with a bracket, the name
    without it and the bracket's inside (政务信息（普刊） → 政务信息, 普刊); the name without
    its leading level word (区跑改简报 → 跑改简报). A short form that several periodicals
    share (建德政务) is ambiguous in the index, not wrong."""
    s = normalize_publication(name)
    out: list[str] = []
    if "·" in s:
        out += [p for p in s.split("·") if p]
    if m := re.fullmatch(r"([^()]+)\(([^()]+)\)", s):
        out += [m[1], m[2]]
    if s[:1] in "区县市省" and len(publication_key(s)) >= 4:  # 区跑改简报 → 跑改简报
        out.append(s[1:])
    return [o for o in dict.fromkeys(out) if len(publication_key(o)) >= 2]


class _Periodical(Protocol):
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Resolution:
    """What a typed periodical name means.

    `name` is the canonical periodical when the text fits exactly one (or the user answered
    it); `candidates` are the periodicals it fits (one, several — a question — or none — an
    unknown name); `key` is the typed name's `publication_key`, the key of its question;
    `answer` is the user's answer when it did not name a periodical (the question stays)."""

    typed: str
    key: str
    name: str | None
    candidates: tuple[str, ...] = ()
    answered: bool = False
    answer: str | None = None

    @property
    def ambiguous(self) -> bool:
        return self.name is None and len(self.candidates) > 1


@dataclass(frozen=True)
class PublicationIndex(Mapping[str, str]):
    """Every spelling of a scheme's periodicals → the periodicals it may mean.

    Three layers, looked up in order, by `publication_key`: `exact` (the canonical names
    and the aliases the scheme lists), `short` (the derived `short_forms`) and the user's
    `answers` to earlier questions. A key that one layer gives one periodical resolves; a
    key that it gives several is ambiguous (a question) unless answered.

    As a Mapping it maps every spelling that resolves (normalised) to its periodical, so it
    can stand where a plain {spelling: name} dict was used."""

    names: tuple[str, ...]
    exact: dict[str, tuple[str, ...]] = field(default_factory=dict)
    short: dict[str, tuple[str, ...]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    #: answers that name no periodical of the scheme: key → the answer as written
    bad_answers: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ building

    @classmethod
    def of(cls, publications: Iterable[_Periodical]) -> PublicationIndex:
        """The index of a scheme's periodicals (schemes.contract.Publication)."""
        pubs = list(publications)
        exact: dict[str, list[str]] = {}
        short: dict[str, list[str]] = {}
        for pub in pubs:
            for spelling in (pub.name, *pub.aliases):
                _add(exact, publication_key(spelling), pub.name)
        for pub in pubs:
            for spelling in (pub.name, *pub.aliases):
                for s in short_forms(spelling):
                    _add(short, publication_key(s), pub.name)
        return cls(
            names=tuple(dict.fromkeys(p.name for p in pubs)),
            exact={k: tuple(v) for k, v in exact.items()},
            short={k: tuple(v) for k, v in short.items() if k not in exact},
        )

    @classmethod
    def from_names(cls, names: Mapping[str, str]) -> PublicationIndex:
        """An index from a {spelling: canonical name} mapping (an index is returned as is):
        only the spellings given, no derived short forms."""
        if isinstance(names, PublicationIndex):
            return names
        exact: dict[str, list[str]] = {}
        for spelling, name in names.items():
            _add(exact, publication_key(name), name)
            _add(exact, publication_key(spelling), name)
        return cls(
            names=tuple(dict.fromkeys(names.values())),
            exact={k: tuple(v) for k, v in exact.items()},
        )

    def answered(self, decisions: pl.DataFrame | None) -> PublicationIndex:
        """This index with the user's answers (DECISIONS rows of type `publication`: key =
        the typed name, answer = the periodical meant). An answer that names no periodical
        of the scheme (or several) is kept aside: its question stays open and says so."""
        if decisions is None or decisions.is_empty():
            return self
        answers, bad = dict(self.answers), dict(self.bad_answers)
        for row in decisions.iter_rows(named=True):
            if row.get("type") != QUESTION_TYPE:
                continue
            key, answer = publication_key(row.get("key") or ""), (row.get("answer") or "").strip()
            if not key or not answer:
                continue
            meant = self._lookup(answer)
            if meant.name is not None:
                answers[key] = meant.name
                bad.pop(key, None)
            else:
                bad[key] = answer
                answers.pop(key, None)
        return PublicationIndex(self.names, self.exact, self.short, answers, bad)

    # ------------------------------------------------------------------ lookups

    def _lookup(self, text: str) -> Resolution:
        key = publication_key(text)
        for layer in (self.exact, self.short):
            if hit := layer.get(key):
                return Resolution(text, key, hit[0] if len(hit) == 1 else None, hit)
        return Resolution(text, key, None, ())

    def resolve(self, text: str) -> Resolution:
        """The periodical `text` names: exactly (name or alias, any dots, spaces, marks),
        by a short form, or by the user's answer to the question it raised."""
        found = self._lookup(text)
        if found.name is None and found.key in self.answers:
            return Resolution(text, found.key, self.answers[found.key], found.candidates, True)
        if found.name is None and found.key in self.bad_answers:
            return Resolution(
                text, found.key, None, found.candidates, answer=self.bad_answers[found.key]
            )
        return found

    def contained(self, text: str) -> str | None:
        """The periodical whose name or listed alias (not a short form) the text holds, the
        longest first (a masthead line 「建德政务动态 内部资料」); None when none or when the
        longest is ambiguous."""
        key = publication_key(text)
        inside = [k for k in self.exact if len(k) >= 3 and k in key]
        if not inside:
            return None
        hit = self.exact[max(inside, key=len)]
        return hit[0] if len(hit) == 1 else None

    def known_list(self) -> str:
        """The periodicals' names for a message: 建德政务·动态、建德政务·情况专报 …"""
        return "、".join(self.names)

    # ------------------------------------------------------------------ Mapping

    def _resolved(self) -> dict[str, str]:
        out = {}
        for layer in (self.short, self.exact):
            for k, v in layer.items():
                if len(v) == 1:
                    out[k] = v[0]
        out.update({k: v for k, v in self.answers.items() if k not in out})
        return out

    def __getitem__(self, spelling: str) -> str:
        name = self.resolve(spelling).name
        if name is None:
            raise KeyError(spelling)
        return name

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())

    def __contains__(self, spelling: object) -> bool:
        return isinstance(spelling, str) and self.resolve(spelling).name is not None

    def __hash__(self) -> int:
        return hash((self.names, tuple(sorted(self.answers.items()))))


def _add(layer: dict[str, list[str]], key: str, name: str) -> None:
    if key:
        names = layer.setdefault(key, [])
        if name not in names:
            names.append(name)


_HELD = "暂不计分"


def question(
    resolution: Resolution,
    file: str,
    row: int | None,
    what: str,
    *,
    issue: str | None = None,
    when: str | None = None,
    title: str | None = None,
) -> dict:
    """The review row (transforms.schema.REVIEW) of a periodical name that fits several
    periodicals: `what` says where it was typed (an article's title, 「报头」 …); `issue`,
    `when` and `title` (the row's issue number, date as written and title) fill the columns
    saying what the question is about where the review list has them."""
    candidates = "、".join(resolution.candidates)
    again = (
        f"（已填写的答复「{resolution.answer}」不是本考核办法的刊物）" if resolution.answer else ""
    )
    return {
        "type": QUESTION_TYPE,
        "key": resolution.key,
        "file": file,
        "row": row,
        "publication": issue_label(resolution.typed, issue),
        "date": when,
        "title": title,
        "text": f"刊物「{resolution.typed}」：{what}" if what else f"刊物「{resolution.typed}」",
        "candidates": candidates,
        "reason": (
            f"刊物名称「{resolution.typed}」可指多个刊物（{candidates}），{_HELD}{again}："
            "请在“答复”列填写所指刊物的全称后存为 decisions.csv，"
            "各文件中这样写的行都按此答复计分（不同文件所指不同时，请在录用表中写全称）"
        ),
        "answer": None,
    }


def publication_questions(rows: Iterable[dict]) -> list[dict]:
    """One question per typed spelling (its key): the first row it was typed in, with how
    many rows it holds back when more than one."""
    first: dict[str, dict] = {}
    count: dict[str, int] = {}
    for r in rows:
        count[r["key"]] = count.get(r["key"], 0) + 1
        first.setdefault(r["key"], r)
    out = []
    for key, r in first.items():
        if count[key] > 1:
            held = f"共{count[key]}行{_HELD}（此处为第一行）"
            r = {**r, "reason": r["reason"].replace(_HELD, held, 1)}
        out.append(r)
    return out
