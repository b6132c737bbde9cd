"""transforms.tomldata: a TOML text read onto frozen dataclasses, every problem at once,
each naming its file and line (issue 14 point 4: a regulation file an office edits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pytest

from transforms import tomldata
from transforms.errors import InputError
from transforms.tomldata import Invalid, TomlDataError, locate, read, read_document


@dataclass(frozen=True)
class Tier:
    count: int
    points: float


@dataclass(frozen=True)
class Rule:
    id: str
    clause: str
    name: str = ""
    points: float = 0.0
    combine: Literal["sum", "highest"] = "sum"
    tiers: tuple[Tier, ...] = ()
    classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.combine == "highest" and not self.tiers:
            raise Invalid('combine = "highest" 需要 [[rules.tiers]]', key="combine")


@dataclass(frozen=True)
class Group:
    name: str
    target: int | None = field(
        default=None, metadata={"check": lambda v: None if v > 0 else "target 应大于 0"}
    )


@dataclass(frozen=True)
class Meta:
    title: str
    issued: dt.date | None = None


@dataclass(frozen=True)
class Doc:
    meta: Meta
    groups: tuple[Group, ...] = ()
    rules: tuple[Rule, ...] = ()
    points: dict[str, dict[str, float]] = field(default_factory=dict)
    levels: frozenset[str] = frozenset()
    note: str | None = None


GOOD = """\
# 考核办法
[meta]
title = "2018年全市政务信息工作考核办法"
issued = 2018-03-01

[[groups]]
name = "乡镇（街道）"
target = 20

[[groups]]
name = "市直部门"

[points."建德政务·动态"]
"要情" = 3
"简讯" = 1

[[rules]]
id = "J-1"
clause = "三（一）1"
points = 2          # an int where a float is declared
classes = ["要情", "简讯"]

[[rules]]
id = "J-2"
clause = "三（二）"
combine = "highest"
tiers = [
  { count = 1, points = 1.5 },
  { count = 3, points = 4.0 },
]
"""


def test_a_good_file_reads_onto_the_dataclasses():
    doc = read(GOOD, Doc, "考核办法.toml")
    assert doc.meta == Meta("2018年全市政务信息工作考核办法", dt.date(2018, 3, 1))
    assert doc.groups == (Group("乡镇（街道）", 20), Group("市直部门"))
    assert doc.points == {"建德政务·动态": {"要情": 3.0, "简讯": 1.0}}
    first, second = doc.rules
    assert first.points == 2.0 and isinstance(first.points, float)
    assert first.classes == ("要情", "简讯") and first.combine == "sum"
    assert second.tiers == (Tier(1, 1.5), Tier(3, 4.0))
    assert doc.levels == frozenset() and doc.note is None


def test_every_problem_is_reported_at_once_with_its_line_and_the_closest_key():
    text = (
        "[meta]\n"  # 1
        'titel = "x"\n'  # 2  typo, and so title is missing
        "[[groups]]\n"  # 3
        'name = "乡镇"\n'  # 4
        'target = "20"\n'  # 5  wrong type
        "[[groups]]\n"  # 6
        'name = "部门"\n'  # 7
        "target = 0\n"  # 8  rejected by the field's check
        "[[rules]]\n"  # 9
        'id = "J-1"\n'  # 10  clause missing
        "[[rules]]\n"  # 11
        'id = "J-2"\n'  # 12
        'clause = "三"\n'  # 13
        'combine = "max"\n'  # 14  not a choice
        "clases = []\n"  # 15 typo
        "[[rules]]\n"  # 16
        'id = "J-3"\n'  # 17
        'clause = "四"\n'  # 18
        'combine = "highest"\n'  # 19  rejected by __post_init__
        "[pionts]\n"  # 20  unknown table
        "a = 1\n"  # 21
    )
    with pytest.raises(TomlDataError) as err:
        read(text, Doc, "考核办法.toml")
    assert str(err.value).splitlines() == [
        "考核办法.toml 第1行：缺少 [meta] title",
        "考核办法.toml 第2行：未知项 [meta] titel（是否为 title？）",
        "考核办法.toml 第5行：[[groups]] target 的值「20」类型不对，应为整数",
        "考核办法.toml 第8行：target 应大于 0",
        "考核办法.toml 第9行：缺少 [[rules]] clause",
        "考核办法.toml 第14行：[[rules]] combine 的值「max」无效，可选：sum、highest",
        "考核办法.toml 第15行：未知项 [[rules]] clases（是否为 classes？）",
        '考核办法.toml 第19行：combine = "highest" 需要 [[rules.tiers]]',
        "考核办法.toml 第20行：未知表 [pionts]（是否为 [points]？）",
    ]
    assert all(isinstance(p, InputError) and p.file == "考核办法.toml" for p in err.value.problems)
    assert [p.row for p in err.value.problems] == [1, 2, 5, 8, 9, 14, 15, 19, 20]


def test_wrong_types_inside_arrays_inline_tables_and_maps():
    text = (
        '[meta]\ntitle = "x"\n'  # 1-2
        "[[rules]]\n"  # 3
        'id = "J-1"\nclause = "一"\n'  # 4-5
        'classes = ["要情",\n  3]\n'  # 6-7: the second element is on line 7
        "tiers = [{ count = 1, points = 1 },\n"  # 8
        '         { count = "two", points = 2 }]\n'  # 9
        '[points."动态"]\n'  # 10
        '"要情" = "三"\n'  # 11
    )
    with pytest.raises(TomlDataError) as err:
        read(text, Doc, "f.toml")
    assert str(err.value).splitlines() == [
        "f.toml 第7行：[[rules]] classes 第2项 的值「3」类型不对，应为文字（加英文引号）",
        "f.toml 第9行：[[rules.tiers]] count 的值「two」类型不对，应为整数",
        "f.toml 第11行：[points.动态] 要情 的值「三」类型不对，应为数字",
    ]


def test_a_table_written_as_a_value_and_a_value_as_a_table():
    with pytest.raises(TomlDataError) as err:
        read('meta = "x"\ngroups = "乡镇"\nnote = { a = 1 }\n', Doc, "f.toml")
    assert str(err.value).splitlines() == [
        "f.toml 第1行：meta 应为表 [meta]，而不是单个值",
        "f.toml 第2行：groups 应为一组表 [[groups]]，而不是单个值",
        "f.toml 第3行：note 的值一个表类型不对，应为文字（加英文引号）",
    ]
    with pytest.raises(TomlDataError, match=r"第1行：未知项 colour（可用的项：levels、note）"):
        read('colour = "red"\n[meta]\ntitle = "x"\n', Doc, "f.toml")


@pytest.mark.parametrize(
    "text, said",
    [
        ("[meta]\ntitle = 建德\n", "第2行：TOML 格式错误（第9列）：值无效（文字须加英文引号"),
        ('[meta]\ntitle "x"\n', "第2行：TOML 格式错误（第7列）：键后面缺少「=」"),
        ('[meta\ntitle = "x"\n', "第1行：TOML 格式错误（第6列）：表名缺少结尾的「]」"),
        ('[meta]\ntitle = "x"\ntitle = "y"\n', "第3行：TOML 格式错误（第12列）：同一个键写了两次"),
        ("[meta]\n[meta]\n", "第2行：TOML 格式错误（第6列）：表 meta 写了两次"),
        (
            "[meta]\n要情 = 3\n",
            '第2行：TOML 格式错误（第1列）：无法识别的一行（应为 键 = 值 或 [表名]；中文的键须加英文引号，如 "要情" = 3）',
        ),
        ('[meta]\ntitle = "x\n', "第2行：TOML 格式错误（第11列）：文字缺少结尾的引号"),
        ("[meta]\ntitle = [1, 2\n", "TOML 格式错误（文件末尾）：列表缺少结尾的「]」"),
    ],
)
def test_a_syntax_error_says_its_line_in_chinese(text, said):
    with pytest.raises(TomlDataError) as err:
        read(text, Doc, "f.toml")
    assert said in str(err.value)
    assert len(err.value.problems) == 1


def test_locate_finds_arrays_of_tables_dotted_keys_and_multiline_strings():
    text = (
        "a.b = 1\n"  # 1
        'note = """\n'  # 2
        "x = 1\n"  # 3: inside the string
        '"""\n'  # 4
        "[[r]]\n"  # 5
        "id = 'one' # comment ]\n"  # 6
        "[[r.t]]\n"  # 7
        "n = 1\n"  # 8
        "[[r]]\n"  # 9
        '"quoted key" = "a\\"b"\n'  # 10
        "[r.sub]\n"  # 11
        "v = [\n  {k = 1},\n  {k = 2},\n]\n"  # 12-15
    )
    where = locate(text)
    assert where[("a", "b")] == 1 and ("x",) not in where
    assert where[("r", 0)] == 5 and where[("r", 0, "id")] == 6
    assert where[("r", 0, "t", 0, "n")] == 8
    assert where[("r", 1, "quoted key")] == 10
    assert where[("r", 1, "sub", "v", 1, "k")] == 14


def test_the_document_names_the_line_of_each_instance():
    doc = read_document(GOOD, Doc, "f.toml")
    first, second = doc.value.rules
    assert doc.line(second) == 23 and doc.line(second, "combine") == 26
    assert doc.line(doc.value.groups[1]) == 10 and doc.line(second.tiers[1]) == 29
    assert doc.data["meta"]["title"] == "2018年全市政务信息工作考核办法"


def test_keys_lists_every_key_a_file_may_write():
    keys = tomldata.keys(Doc)
    assert ("meta", "issued") in keys and ("rules", "tiers", "points") in keys
    assert ("points",) in keys and ("levels",) in keys


def _paths(value, prefix=()):
    """Every key path and array element path of a parsed TOML value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield (*prefix, n)
            yield from _paths(v, (*prefix, n))


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
TOML_FILES = sorted(
    [*(ROOT / "schemes" / "regulations").glob("*.toml"), *(ROOT / "examples").glob("*/kaohe.toml")]
)


@pytest.mark.parametrize("path", TOML_FILES, ids=[p.parent.name + "/" + p.name for p in TOML_FILES])
def test_locate_finds_every_key_tomllib_reads_on_its_line(path):
    import tomllib

    text = path.read_text(encoding="utf-8")
    where = locate(text)
    lines = text.splitlines()
    for p in _paths(tomllib.loads(text)):
        assert p in where, p
        if isinstance(p[-1], str):  # the key is written on its line (bare or quoted)
            assert p[-1] in lines[where[p] - 1], (p, where[p])


def test_locate_on_tricky_strings():
    import tomllib

    text = (
        "a = 'it''s' # comment with ] and } and =\n"  # 1
        'b = "quote \\" inside, and # not a comment"\n'  # 2
        "c = '''\n"  # 3
        "d = 1\n"  # 4 (in the string)
        "'''\n"  # 5
        'e = """two quotes close "" here"""\n'  # 6
        "f = [ [1, 2], [3,\n 4] ]\n"  # 7-8
        "g = { h = { i = 1 }, j = [ { k = 2 } ] }\n"  # 9
        "l = 1979-05-27 07:32:00\n"  # 10
        "m = 1\n"  # 11
    )
    text = text.replace("a = 'it''s'", "a = 'its'")
    where = locate(text)
    assert set(_paths(tomllib.loads(text))) <= set(where)
    assert ("d",) not in where
    assert where[("f", 1, 1)] == 8 and where[("g", "j", 0, "k")] == 9
    assert where[("l",)] == 10 and where[("m",)] == 11


@dataclass(frozen=True)
class Window:
    start: int = 1
    end: int = 12

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("start 不能晚于 end")


@dataclass(frozen=True)
class Windows:
    window: Window = field(default_factory=Window)
    windows: tuple[Window, ...] = ()


def test_a_plain_value_error_is_reported_at_its_tables_line():
    text = "[window]\nstart = 3\nend = 2\n[[windows]]\nstart = 1\n[[windows]]\nend = 0\n"
    with pytest.raises(TomlDataError) as err:
        read(text, Windows, "w.toml")
    assert str(err.value).splitlines() == [
        "w.toml 第1行：start 不能晚于 end",
        "w.toml 第6行：start 不能晚于 end",
    ]
    assert read("[[windows]]\nend = 5\n", Windows, "w.toml").windows == (Window(1, 5),)


# --------------------------------------------------------------------------- property

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KEYS = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True),
    st.sampled_from(["要情", "a b", "x.y", '引号"', "#", "="]),
)
_TEXT = st.text(alphabet=st.sampled_from(list("ab 要情#=[]{},'\"\\\n")), max_size=12)
_SCALARS = st.one_of(st.integers(-99, 99), st.booleans(), st.floats(-9, 9, allow_nan=False), _TEXT)


def _key(k: str) -> str:
    import re as _re

    return k if _re.fullmatch(r"[A-Za-z0-9_-]+", k) else _string(k, multiline=False)


def _string(s: str, multiline: bool) -> str:
    if multiline and '"""' not in s and not s.endswith(('"', "\\")):
        return '"""' + s.replace("\\", "\\\\") + '"""'
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _inline(v, draw) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_inline(x, draw)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        sep = draw(st.sampled_from([", ", ",\n  ", " ,\n# c ]\n "]))
        return "[" + sep.join(_inline(x, draw) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return _string(v, draw(st.booleans()))
    return repr(v)


_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8,
)


@st.composite
def _documents(draw):
    """A TOML text written in varied styles: top-level keys, [tables], [[arrays of
    tables]] (nested ones too), inline tables and arrays across lines, comments."""
    lines: list[str] = []
    top = draw(st.dictionaries(_KEYS, _VALUES, max_size=3))
    for k, v in top.items():
        lines.append(f"{_key(k)} = {_inline(v, draw)}  # {draw(_TEXT).replace(chr(10), ' ')}")
    used = {k for k in top}
    for name in draw(st.lists(_KEYS.filter(lambda k: k not in used), max_size=3, unique=True)):
        used.add(name)
        if draw(st.booleans()):  # an array of tables, maybe with a nested one
            for _ in range(draw(st.integers(1, 2))):
                lines.append(f"[[{_key(name)}]]")
                for k, v in draw(st.dictionaries(_KEYS, _VALUES, max_size=2)).items():
                    if k != "sub":
                        lines.append(f"{_key(k)} = {_inline(v, draw)}")
                if draw(st.booleans()):
                    lines.append(f"[[{_key(name)}.sub]]")
                    lines.append("n = 1")
        else:
            lines.append(f"[ {_key(name)} ]")
            for k, v in draw(st.dictionaries(_KEYS, _VALUES, max_size=3)).items():
                lines.append(f"{_key(k)} = {_inline(v, draw)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(_documents())
def test_locate_finds_every_path_of_any_document(text):
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:  # the generator wrote a clash (a key twice …)
        return
    where = locate(text)
    missing = [p for p in _paths(data) if p not in where]
    assert not missing, (missing, text)
