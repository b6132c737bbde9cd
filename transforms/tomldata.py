"""TOML text read onto frozen dataclasses (TOML 数据文件), every problem named by its line.

`read(text, cls, name)` maps a TOML text onto the (nested) dataclass `cls`: each table is
a dataclass, each key one of its fields, typed `str`, `int`, `float`, `bool`, `date`,
`X | None`, `Literal[...]`, `tuple[X, ...]` (an array; `tuple[Dataclass, ...]` an array
of tables, `[[x]]` or inline), `frozenset[X]`, `dict[str, X]` (a table whose keys the
file chooses) or a nested dataclass (a table). A field's default is the value when the
file leaves the key out; a field without default is required.

Nothing is ignored and everything is reported at once: a TOML syntax error, an unknown
key or table (with the closest declared name), a value of the wrong type, a missing
required key, and what the dataclasses themselves reject. `TomlDataError` lists the
problems, one `InputError` each naming the file `name` and the line, in line order.

A dataclass checks its own values in two ways, both reported at the key's line:

- a field's `metadata={"check": fn}`: `fn(value)` returns a Chinese message (what is
  wrong, what to write instead) or None; it runs on every well-typed value, whatever else
  is wrong in the file;
- `__post_init__` raising `Invalid(message, key=…)` (several problems: `Invalid.of(...)`)
  or a plain `ValueError` (reported at the table's line). A table is built from its
  well-typed keys (a badly typed one takes its default), so its checks still run.

A field with `metadata={"toml": False}` is not read from the file (the caller fills it).

tomllib gives no line numbers: `locate` finds them by scanning the text (headers `[a.b]`
and `[[a]]`, dotted keys `a.b = …`, inline tables and arrays, multi-line strings); the
path of an array's element holds its index: ("rules", 2, "clause").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from transforms.errors import InputError

T = TypeVar("T")
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Words:
    """How messages call a key and a table: kaohe.toml says 设置 and 设置节."""

    key: str = "项"
    table: str = "表"


class Invalid(ValueError):
    """A value a dataclass rejects (raised by its `__post_init__`): `message` is Chinese
    and says what to write instead; `key` names the field whose line is reported (None:
    the table's line). `Invalid.of([(key, message), ...])` reports several at once."""

    def __init__(self, message: str, key: str | None = None):
        self.items: list[tuple[str | None, str]] = [(key, message)]
        super().__init__(message)

    @classmethod
    def of(cls, items: Iterable[tuple[str | None, str]]) -> Invalid:
        items = list(items)
        err = cls(items[0][1], items[0][0])
        err.items = items
        return err


class TomlDataError(InputError):
    """Every problem of a TOML file, one line each, in line order. `file`, `row` and
    `message` are those of the first problem; `problems` lists them all."""

    def __init__(self, problems: list[InputError]):
        self._toml_problems = sorted(problems, key=lambda p: p.row or 0)
        first = self._toml_problems[0]
        super().__init__(first.message, file=first.file, row=first.row)

    @property
    def problems(self) -> list[InputError]:
        return list(self._toml_problems)

    def format(self) -> str:
        return "\n".join(p.format() for p in self._toml_problems)

    def __reduce__(self):
        return (type(self), (self._toml_problems,))


# --------------------------------------------------------------------------- lines

_BARE = re.compile(r"[A-Za-z0-9_-]+")


class _Scanner:
    """Walks a TOML text that tomllib accepted, recording the line of every table, key
    and array element. Values are skipped, not parsed."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1
        self.where: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}  # array-of-tables path → elements so far

    # -- characters
    def peek(self, n: int = 1) -> str:
        return self.s[self.i : self.i + n]

    def advance(self, n: int = 1) -> None:
        self.line += self.s.count("\n", self.i, self.i + n)
        self.i += n

    def blank(self, newlines: bool) -> None:
        """Skip spaces, comments and (if `newlines`) line ends."""
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                end = self.s.find("\n", self.i)
                self.advance((end if end >= 0 else len(self.s)) - self.i)
            else:
                return

    # -- keys
    def key_part(self) -> str:
        if self.peek(1) in ('"', "'"):
            start = self.i
            self.string()
            raw = self.s[start : self.i]
            return tomllib.loads(f"k = {raw}")["k"]
        m = _BARE.match(self.s, self.i)
        if not m:
            raise ValueError(f"not a key at {self.line}")
        self.advance(m.end() - self.i)
        return m[0]

    def key(self) -> tuple[str, ...]:
        parts = [self.key_part()]
        self.blank(False)
        while self.peek() == ".":
            self.advance()
            self.blank(False)
            parts.append(self.key_part())
            self.blank(False)
        return tuple(parts)

    # -- values
    def string(self) -> None:
        q = self.peek(3)
        if q in ('"""', "'''"):
            end = self.i + 3
            while True:
                end = self.s.find(q, end)
                if q == '"""' and _escaped(self.s, end):
                    end += 1
                    continue
                break
            while self.s[end + 3 : end + 4] == q[0]:  # up to two quotes close the string
                end += 1
            self.advance(end + 3 - self.i)
            return
        q = self.peek()
        end = self.i + 1
        while True:
            end = self.s.find(q, end)
            if q == '"' and _escaped(self.s, end):
                end += 1
                continue
            break
        self.advance(end + 1 - self.i)

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "[":
            self.advance()
            n = 0
            while True:
                self.blank(True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.where.setdefault((*path, n), self.line)
                self.value((*path, n))
                n += 1
                self.blank(True)
                if self.peek() == ",":
                    self.advance()
        elif c == "{":
            self.advance()
            while True:
                self.blank(False)
                if self.peek() == "}":
                    self.advance()
                    return
                self.keyval(path)
                self.blank(False)
                if self.peek() == ",":
                    self.advance()
        else:  # number, bool, date: up to a delimiter
            m = re.compile(r"[^,\]}#\n]*").match(self.s, self.i)
            self.advance(m.end() - self.i)

    def keyval(self, table: KeyPath) -> None:
        line = self.line
        path = (*table, *self.key())
        for n in range(len(table) + 1, len(path) + 1):
            self.where.setdefault(path[:n], line)
        self.blank(False)
        self.advance()  # "="
        self.blank(False)
        self.value(path)

    def header(self) -> KeyPath:
        double = self.peek(2) == "[["
        self.advance(2 if double else 1)
        self.blank(False)
        parts = self.key()
        self.advance(2 if double else 1)
        resolved: KeyPath = ()
        for n, part in enumerate(parts):
            resolved = (*resolved, part)
            last = n == len(parts) - 1
            if last and double:
                index = self.arrays.get(resolved, 0)
                self.arrays[resolved] = index + 1
                self.where.setdefault(resolved, self.line)
                resolved = (*resolved, index)
            elif resolved in self.arrays:  # inside the array's last element
                resolved = (*resolved, self.arrays[resolved] - 1)
            self.where.setdefault(resolved, self.line)
        return resolved

    def scan(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.blank(True)
            if self.i >= len(self.s):
                return self.where
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)


def _escaped(s: str, i: int) -> bool:
    """True if the quote at `i` follows an odd number of backslashes."""
    n = 0
    while i - n - 1 >= 0 and s[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def locate(text: str) -> dict[KeyPath, int]:
    """The line (1-based) where each table, key and array element of a TOML text is first
    written: ("mail",) → the line of `[mail]`, ("mail", "host") → its `host = …`,
    ("rules", 0, "id") → the `id` of the first `[[rules]]`. The text must be valid TOML.
    Should the scan ever stumble, the lines found so far are returned (a message then names
    its section's line, or none): a line number is a help, never a reason to fail."""
    scanner = _Scanner(text)
    try:
        return scanner.scan()
    except (ValueError, IndexError, tomllib.TOMLDecodeError):
        return scanner.where


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of `path`, else of its nearest enclosing table or key; None: nowhere."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


# --------------------------------------------------------------------------- syntax

_SYNTAX_CN = [
    (r"Invalid value", "值无效（文字须加英文引号，true/false 与数字不加）"),
    (
        r"Invalid statement",
        '无法识别的一行（应为 键 = 值 或 [表名]；中文的键须加英文引号，如 "要情" = 3）',
    ),
    (r"Expected '=' after a key in a key/value pair", "键后面缺少「=」"),
    (r"Expected '\]' at the end of a table declaration", "表名缺少结尾的「]」"),
    (r"Expected '\]\]' at the end of an array declaration", "表名缺少结尾的「]]」"),
    (r"Expected newline or end of document after a statement", "一行只能写一项（多余的内容）"),
    (r"Unclosed array", "列表缺少结尾的「]」"),
    (r"Unclosed inline table", "内联表缺少结尾的「}」（内联表须写在一行内）"),
    (r"Unterminated string", "文字缺少结尾的引号"),
    (r"Cannot overwrite a value", "同一个键写了两次"),
    (r"Cannot declare (.+) twice", r"表 \1 写了两次"),
    (r"Duplicate inline table key (.+)", r"内联表中的键 \1 写了两次"),
    (r"Cannot (?:mutate immutable namespace|redefine namespace) (.+)", r"\1 已经写过，不能再补充"),
    (r"Invalid date or datetime", "日期无效（应写作 2018-07-05）"),
    (r"Illegal character '\\n'", '文字缺少结尾的引号（多行文字须用三个引号 """ 括起）'),
    (r"Illegal character (.+)", r"不允许的字符 \1"),
    (r"Found invalid character (.+)", r"不允许的字符 \1"),
    (
        r"Invalid initial character for a key part",
        '键的写法不对（中文或含空格、标点的键须加英文引号，如 "要情" = 3）',
    ),
    (r"Unescaped '\\\\' in a string", "文字中的「\\」须写作「\\\\」（或用单引号）"),
    (r"Invalid hex value|Escaped character is not a Unicode scalar value", "转义字符无效"),
]
_AT = re.compile(r"^(.*) \(at (?:line (\d+), column (\d+)|end of document)\)$", re.S)


def syntax_problem(err: tomllib.TOMLDecodeError, name: str) -> InputError:
    """tomllib's message, in Chinese, at its line."""
    m = _AT.match(str(err))
    english, row, column = (m[1], m[2], m[3]) if m else (str(err), None, None)
    said = None
    for pattern, chinese in _SYNTAX_CN:
        if hit := re.fullmatch(pattern, english):
            said = hit.expand(chinese)
            break
    said = said or f"无法识别（{english}）"
    # tomllib names a table by its key tuple: ('points', '动态') → points.动态
    said = re.sub(
        r"\(((?:'[^']*',? ?)+)\)", lambda t: ".".join(re.findall(r"'([^']*)'", t[1])), said
    )
    where = f"（第{column}列）" if column else "（文件末尾）" if m else ""
    return InputError(f"TOML 格式错误{where}：{said}", file=name, row=int(row) if row else None)


# --------------------------------------------------------------------------- reading


@dataclass
class Document(Generic[T]):
    """A file read: its `value`, the TOML `data` as parsed, the line of every path, and
    the path of every dataclass instance built (so later checks can name lines)."""

    value: T
    data: dict
    lines: dict[KeyPath, int]
    paths: dict[int, KeyPath]

    def line(self, obj: object, key: str | int | None = None) -> int | None:
        """The line of `obj` (a dataclass instance of the value), or of its `key`."""
        path = self.paths.get(id(obj))
        if path is None:
            return None
        return line_of(self.lines, (*path, key) if key is not None else path)


_FAIL = object()
_TYPE_CN = {
    str: "文字（加英文引号）",
    int: "整数",
    float: "数字",
    bool: "true 或 false",
    dt.date: "日期（如 2018-07-05）",
}


def closest(name: str, known: Iterable[str]) -> str | None:
    """The declared name closest to a misspelt `name` (None: nothing close); a short word
    one character off (杭洲 for 杭州) is close."""
    cutoff = 0.5 if len(name) <= 4 else 0.6
    hit = difflib.get_close_matches(name, list(known), n=1, cutoff=cutoff)
    return hit[0] if hit else None


def _options(annotation: Any) -> tuple[Any, ...]:
    """The alternatives of a union (None excluded), or the annotation alone."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _is_table(annotation: Any) -> bool:
    """True when the field is written as a table or an array of tables."""
    for a in _options(annotation):
        if dataclasses.is_dataclass(a) or typing.get_origin(a) is dict:
            return True
        if typing.get_origin(a) is tuple and any(
            dataclasses.is_dataclass(x) for x in typing.get_args(a)
        ):
            return True
    return False


def _hints(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {
        f.name: hints[f.name]
        for f in dataclasses.fields(cls)
        if f.init and f.metadata.get("toml", True)
    }


def _table_label(path: KeyPath) -> str:
    """("rules", 2, "tiers", 0) → rules.tiers (array indices left to the line number)."""
    return ".".join(str(p) for p in path if isinstance(p, str))


def _want(annotation: Any) -> str:
    names = []
    for a in _options(annotation):
        origin = typing.get_origin(a)
        if origin is typing.Literal:
            names.append("或".join(f"「{v}」" for v in typing.get_args(a)))
        elif origin in (tuple, frozenset, list):
            names.append("列表（[…]）")
        elif origin is dict or dataclasses.is_dataclass(a):
            names.append("表")
        else:
            names.append(_TYPE_CN.get(a, getattr(a, "__name__", str(a))))
    return "或".join(dict.fromkeys(names))


class _Reader:
    def __init__(self, lines: dict[KeyPath, int], name: str, words: Words):
        self.lines = lines
        self.name = name
        self.words = words
        self.problems: list[InputError] = []
        self.paths: dict[int, KeyPath] = {}

    def problem(self, path: KeyPath, message: str) -> None:
        self.problems.append(InputError(message, file=self.name, row=line_of(self.lines, path)))

    def label(self, path: KeyPath) -> str:
        """How a message names the key at `path`: `port`, `[mail] port`, `[[rules]] id`,
        `aliases 第2项`."""
        if path and isinstance(path[-1], int):
            return f"{self.label(path[:-1])} 第{path[-1] + 1}项"
        table, key = path[:-1], path[-1] if path else ""
        if not table:
            return str(key)
        brackets = ("[[", "]]") if isinstance(table[-1], int) else ("[", "]")
        return f"{brackets[0]}{_table_label(table)}{brackets[1]} {key}"

    def shown(self, value: Any) -> str:
        if isinstance(value, dict):
            return f"一个{self.words.table}"
        if isinstance(value, list):
            return "一个列表"
        if isinstance(value, bool):
            return f"「{str(value).lower()}」"
        return f"「{value}」"

    def wrong_type(self, path: KeyPath, value: Any, annotation: Any) -> object:
        want = _want(annotation)
        space = " " if want[0].isascii() else ""
        self.problem(path, f"{self.label(path)} 的值{self.shown(value)}类型不对，应为{space}{want}")
        return _FAIL

    # -- values
    def value(self, value: Any, annotation: Any, path: KeyPath) -> object:
        if annotation is Any or annotation is object:
            return value
        options = _options(annotation)
        # a table: the alternative that takes one
        if isinstance(value, dict):
            for a in options:
                if dataclasses.is_dataclass(a):
                    return self.table(value, a, path)
                if typing.get_origin(a) is dict:
                    return self.mapping(value, a, path)
            return self.wrong_type(path, value, annotation)
        if isinstance(value, list):
            for a in options:
                origin = typing.get_origin(a)
                if origin in (tuple, frozenset):
                    return self.sequence(value, a, path)
            if any(_is_table(a) for a in options):
                label = self.label(path)
                self.problem(path, f"{label} 应为{self.words.table}，而不是列表")
                return _FAIL
            return self.wrong_type(path, value, annotation)
        for a in options:
            if typing.get_origin(a) is typing.Literal:
                if value in typing.get_args(a) and type(value) is not bool:
                    return value
                continue
            if _scalar_fits(value, a):
                return float(value) if a is float and type(value) is int else value
        # an int where only float is declared
        if type(value) is int and float in options:
            return float(value)
        literal = [a for a in options if typing.get_origin(a) is typing.Literal]
        if literal and isinstance(value, str):
            choices = "、".join(str(v) for a in literal for v in typing.get_args(a))
            self.problem(path, f"{self.label(path)} 的值「{value}」无效，可选：{choices}")
            return _FAIL
        if any(_is_table(a) for a in options) and len(options) == 1:
            where = _table_label(path)
            if typing.get_origin(options[0]) is tuple:
                self.problem(
                    path,
                    f"{self.label(path)} 应为一组{self.words.table} [[{where}]]，而不是单个值",
                )
            else:
                self.problem(
                    path, f"{self.label(path)} 应为{self.words.table} [{where}]，而不是单个值"
                )
            return _FAIL
        return self.wrong_type(path, value, annotation)

    def sequence(self, values: list, annotation: Any, path: KeyPath) -> object:
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(values) != len(args):
                self.problem(
                    path, f"{self.label(path)} 应有 {len(args)} 项，而不是 {len(values)} 项"
                )
                return _FAIL
            kinds = list(args)
        else:
            kinds = [args[0] if args else Any] * len(values)
        out = [
            self.value(v, k, (*path, n)) for n, (v, k) in enumerate(zip(values, kinds, strict=True))
        ]
        if any(v is _FAIL for v in out):
            return _FAIL
        return frozenset(out) if origin is frozenset else tuple(out)

    def mapping(self, values: dict, annotation: Any, path: KeyPath) -> object:
        args = typing.get_args(annotation)
        kind = args[1] if len(args) == 2 else Any
        out = {k: self.value(v, kind, (*path, k)) for k, v in values.items()}
        if any(v is _FAIL for v in out.values()):
            return _FAIL
        return out

    def table(self, values: dict, cls: type, path: KeyPath) -> object:
        hints = _hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        failed = False
        for key, value in values.items():
            kpath = (*path, key)
            if key not in hints:
                self.unknown(key, value, hints, path)
                continue
            got = self.value(value, hints[key], kpath)
            if got is _FAIL:
                failed = failed or _is_table(hints[key]) or _required(fields[key])
                continue
            check = fields[key].metadata.get("check")
            message = check(got) if check else None
            if message:
                self.problem(kpath, message)
                continue
            kwargs[key] = got
        for key in hints:
            if key not in values and _required(fields[key]):
                where = ""
                if path:
                    brackets = ("[[", "]]") if isinstance(path[-1], int) else ("[", "]")
                    where = f"{brackets[0]}{_table_label(path)}{brackets[1]} "
                self.problem(path, f"缺少 {where}{key}")
                failed = True
        if failed:
            return _FAIL
        try:
            obj = cls(**kwargs)
        except Invalid as err:
            for key, message in err.items:
                self.problem((*path, key) if key else path, message)
            return _FAIL
        except ValueError as err:
            self.problem(path, str(err))
            return _FAIL
        self.paths[id(obj)] = path
        return obj

    def unknown(self, key: str, value: Any, hints: dict[str, Any], path: KeyPath) -> None:
        kpath = (*path, key)
        tables = [k for k, a in hints.items() if _is_table(a)]
        if isinstance(value, dict) and tables:
            near = closest(key, tables)
            prefix = f"{_table_label(path)}." if path else ""
            if near:
                hint = f"（是否为 [{prefix}{near}]？）"
            else:
                hint = f"（可用的{self.words.table}：{'、'.join(tables)}）"
            self.problem(kpath, f"未知{self.words.table} [{prefix}{key}]{hint}")
            return
        near = closest(key, hints)
        keys = [k for k in hints if k not in tables] or list(hints)
        if near:
            hint = f"（是否为 {near}？）"
        elif path:
            hint = f"（[{_table_label(path)}] 可用的{self.words.key}：{'、'.join(keys)}）"
        else:
            hint = f"（可用的{self.words.key}：{'、'.join(keys)}）"
        self.problem(kpath, f"未知{self.words.key} {self.label(kpath)}{hint}")


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _scalar_fits(value: Any, annotation: Any) -> bool:
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return type(value) is int
    if annotation is float:
        return type(value) is float
    if annotation is str:
        return isinstance(value, str)
    if annotation is dt.date:
        return type(value) is dt.date
    if isinstance(annotation, type) and not typing.get_origin(annotation):
        return isinstance(value, annotation) and not dataclasses.is_dataclass(annotation)
    return False


def read_document(text: str, cls: type[T], name: str, words: Words = Words()) -> Document[T]:
    """Read `text` onto `cls` (see the module's docstring); TomlDataError lists every
    problem with its line in `name`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise TomlDataError([syntax_problem(err, name)]) from err
    lines = locate(text)
    reader = _Reader(lines, name, words)
    value = reader.table(data, cls, ())
    if reader.problems or value is _FAIL:
        raise TomlDataError(reader.problems or [InputError("无法读取", file=name)])
    return Document(value=value, data=data, lines=lines, paths=reader.paths)  # type: ignore[arg-type]


def read(text: str, cls: type[T], name: str, words: Words = Words()) -> T:
    """The dataclass `cls` read from the TOML `text` of the file `name`."""
    return read_document(text, cls, name, words).value


def keys(cls: type, prefix: KeyPath = ()) -> list[KeyPath]:
    """Every key a file of `cls` may write, as paths (tables of arrays without index):
    [("scheme",), ("mail",), ("mail", "host"), …] — for docs tests."""
    out: list[KeyPath] = []
    for key, annotation in _hints(cls).items():
        path = (*prefix, key)
        out.append(path)
        for a in _options(annotation):
            inner = [a, *typing.get_args(a)]
            for x in inner:
                if dataclasses.is_dataclass(x):
                    out += keys(x, path)
    return out
