"""An office uses, checks and reads its own regulation file (issue 14 point 4):
`kaohe scheme check FILE`, `kaohe scheme show FILE|ID`, kaohe.toml's `regulation = …` and
`kaohe init --copy-regulation` / `--regulation-from`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from examples_e2e import copy_example

from flows.cli import cli
from flows.workspace import Workspace, init_workspace
from schemes import SCHEMES, files, get_scheme
from schemes.kinds import KINDS
from transforms.errors import InputError
from transforms.texttable import width

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "schemes" / "regulations" / "jiande-2018.toml"
TEXT = SHIPPED.read_text(encoding="utf-8")


def kaohe(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The real command line (its exit status and stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def line_of(text: str, needle: str, after: str | None = None) -> int:
    """The 1-based line of the first line holding `needle` (after the line holding
    `after`)."""
    lines = text.splitlines()
    start = next(i for i, s in enumerate(lines) if after in s) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> tuple[Path, str]:
    text = TEXT
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "考核办法.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


# --------------------------------------------------------------------------- check


def test_check_accepts_a_shipped_file_and_says_what_it_holds():
    result = CliRunner().invoke(cli, ["scheme", "check", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    reg = get_scheme("jiande-2018")
    assert result.stdout.startswith("考核办法文件无误：《2018年全市政务信息工作考核办法》")
    assert f"考核类别 {len(reg.groups)} 个" in result.stdout
    assert f"规则 {len(reg.rules)} 条" in result.stdout
    assert f"刊物 {len(reg.publications)} 种" in result.stdout
    # the shipped regulation is the file read by the same reader and checks
    assert files.read(TEXT, "jiande-2018.toml").value == reg


def test_a_typo_names_its_line_and_the_closest_key(tmp_path):
    path, text = edited(tmp_path, ('clause = "三（一）2"', 'clase = "三（一）2"'))
    proc = kaohe("scheme", "check", str(path))
    assert proc.returncode == 2
    typo = line_of(text, "clase = ")
    header = max(i + 1 for i, s in enumerate(text.splitlines()[:typo]) if s == "[[rules]]")
    assert proc.stderr.splitlines() == [
        f"考核办法文件 {path} 有 2 处错误，请逐一改正后再检查：",
        f"  {path} 第{header}行：缺少 [[rules]] clause",
        f"  {path} 第{typo}行：未知项 [[rules]] clase（是否为 clause？）",
    ]


def test_wrong_types_and_names_that_match_nothing_are_all_reported(tmp_path):
    # keys and types first: a table with a wrong value is not built, so its names wait
    path, text = edited(
        tmp_path,
        ('target = 30\nnote = "季度目标分30分"', 'target = "30"\nnote = "季度目标分30分"'),
        ('name = "B"\n', "name = 2\n"),
    )
    proc = kaohe("scheme", "check", str(path))
    assert proc.returncode == 2, proc.stderr
    target, name = line_of(text, 'target = "30"'), line_of(text, "name = 2")
    assert proc.stderr.splitlines()[1:] == [
        f"  {path} 第{target}行：[[groups]] target 的值「30」类型不对，应为数字",
        f"  {path} 第{name}行：[[groups]] name 的值「2」类型不对，应为文字（加英文引号）",
    ]
    # then every name that must match another table, and the rules' keys
    path, text = edited(
        tmp_path,
        (
            '{ publication = "建德政务·参阅", points = 6 }',
            '{ publication = "建德政务参阅", points = 6 }',
        ),
        ('id = "J-3.1.3"', 'id = "J-3.1.2"'),
        ('kind = "commission_zero"', 'kind = "commision_zero"'),
        (
            'events = ["多头报送"]\npoints = -10',
            'events = ["多头报送"]\npoints = -10\namounts = [-5]',
        ),
        ('joint = "full"', 'joint = "ful"'),
        ('levels = ["杭州"]', 'levels = ["杭洲"]'),
        ('{ group = "A", first = 25', '{ group = "A类", first = 25'),
    )
    proc = kaohe("scheme", "check", str(path))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()[1:]
    dup = line_of(text, 'id = "J-3.1.2"', after='name = "《建德政务·情况专报》录用"')
    first = line_of(text, 'id = "J-3.1.2"')
    pub = line_of(text, '"建德政务参阅"')
    kind = line_of(text, "commision_zero")
    amounts = line_of(text, "amounts = [-5]")
    joint, level = line_of(text, 'joint = "ful"'), line_of(text, '"杭洲"')
    group = line_of(text, '{ group = "A类"')
    assert lines == [
        f'  {path} 第{joint}行：[adoptions] joint = "ful" 无效（是否为「full」？）',
        f"  {path} 第{dup}行：规则编号 J-3.1.2 重复（第{first}行已用）：每条规则的 id 须不同",
        f"  {path} 第{pub}行：刊物「建德政务参阅」不在 [[publications]] 中（是否为「建德政务·参阅」？）",
        f"  {path} 第{kind}行：规则类型「commision_zero」不在 kaohe 的规则类型中"
        "（是否为「commission_zero」？）",
        f"  {path} 第{level}行：批示级别「杭洲」不在 [[levels]] 中（是否为「杭州」？）",
        f'  {path} 第{amounts}行：规则 J-3.6.3（kind = "event"）不使用 amounts：请删去；'
        f"这一类型使用的有：{'、'.join(KINDS['event'].fields)}",
        f"  {path} 第{group}行：考核类别「A类」不在 [[groups]] 中（是否为「A」？）",
    ]


def test_what_a_group_target_counts_is_one_of_three_words():
    text = files.shipped_text("qingshan-2020")
    bad = text.replace('target_counts = "submissions"', 'target_counts = "submission"', 1)
    with pytest.raises(InputError) as caught:
        files.read(bad, "青山.toml")
    line = line_of(bad, 'target_counts = "submission"')
    assert str(caught.value) == (
        f'青山.toml 第{line}行：[[groups]] target_counts = "submission" 无效（是否为「submissions」？）'
    )


def test_a_syntax_error_and_a_file_that_is_not_utf8(tmp_path):
    path, text = edited(tmp_path, ('name = "A"\n', "name = A\n"))
    proc = kaohe("scheme", "check", str(path))
    assert proc.returncode == 2
    assert f"{path} 第{line_of(text, 'name = A')}行：TOML 格式错误（第8列）：值无效" in proc.stderr
    path.write_bytes(TEXT.encode("gb18030"))
    proc = kaohe("scheme", "check", str(path))
    assert proc.returncode == 2 and "应为 UTF-8 编码" in proc.stderr
    proc = kaohe("scheme", "check", str(tmp_path / "没有.toml"))
    assert proc.returncode == 2 and "无法读取考核办法文件" in proc.stderr


# --------------------------------------------------------------------------- show


def test_show_prints_the_tables_an_office_compares_with_its_document(tmp_path):
    by_id = CliRunner().invoke(cli, ["scheme", "show", "jiande-2018"])
    by_file = CliRunner().invoke(cli, ["scheme", "show", str(SHIPPED)])
    assert by_id.exit_code == 0 and by_id.stdout == by_file.stdout
    out = by_id.stdout
    for title in (
        "【考核类别与目标",
        "【刊物】",
        "【录用计分（刊物 × 类别 × 单位类别）】",
        "【领导批示（按级别）】",
        "【事项加减分】",
        "【约稿】",
        "【年度与排名】",
        "【特殊规则】",
        "【条款与规则】",
    ):
        assert title in out
    reg = get_scheme("jiande-2018")
    for rule in reg.rules:
        assert re.search(rf"^{re.escape(rule.clause)} +.*{re.escape(rule.id)}", out, re.M), rule.id
    # a row of the points table: periodical × class × category → points, clause, rule
    assert re.search(r"^杭州政务 +专报 +乡镇 +32 +三（二）2 +J-3\.2\.3$", out, re.M)
    # columns line up on screen: wide characters count two columns
    block = out.split("【录用计分")[1].split("\n\n")[0].splitlines()[1:]
    rule_col = {width(line[: line.index("J-")]) for line in block[2:] if "J-" in line}
    assert len(rule_col) == 1, block


@pytest.mark.parametrize("scheme_id", list(SCHEMES))
def test_show_lists_every_rule_of_every_shipped_regulation(scheme_id):
    result = CliRunner().invoke(cli, ["scheme", "show", scheme_id])
    assert result.exit_code == 0, result.output
    clauses = result.stdout.split("【条款与规则】")[1]
    for rule in get_scheme(scheme_id).rules:
        assert re.search(rf"{re.escape(rule.id)} {re.escape(rule.name)}", clauses), rule.id
    assert "GroupCount(" not in result.stdout and "Points(" not in result.stdout


def test_show_of_an_unknown_id_or_a_bad_file(tmp_path):
    path, _ = edited(tmp_path, ('id = "J-3.1.3"', 'id = "J-3.1.2"'))
    proc = kaohe("scheme", "show", str(path))
    assert proc.returncode == 2 and "规则编号 J-3.1.2 重复" in proc.stderr
    proc = kaohe("scheme", "show", "jiande-2019")
    assert proc.returncode == 2 and "未知的考核办法「jiande-2019」" in proc.stderr


def test_kaohe_schemes_still_lists_every_shipped_regulation():
    result = CliRunner().invoke(cli, ["schemes"])
    assert result.exit_code == 0
    ids = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert ids[:1] == ["jiande-2018"] and {"xiaoshan-2018", "yinchuan-2018"} <= set(ids)


# --------------------------------------------------------------------------- workspace


def _own(ws: Path, text: str = TEXT) -> None:
    """Make the workspace use its own copy of the regulation file."""
    (ws / "考核办法.toml").write_text(text, encoding="utf-8")
    config = (ws / "kaohe.toml").read_text(encoding="utf-8")
    config = config.replace('scheme = "jiande-2018"', 'regulation = "考核办法.toml"')
    (ws / "kaohe.toml").write_text(config, encoding="utf-8")


def test_a_workspace_naming_its_own_file_scores_like_the_shipped_id(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    shipped = CliRunner().invoke(cli, ["score", str(ws), "--period", "2018Q2"])
    assert shipped.exit_code == 0, shipped.output
    before = Workspace.load(ws).input_hashes()
    _own(ws)
    loaded = Workspace.load(ws)
    assert loaded.scheme_id == "jiande-2018" and loaded.scheme == get_scheme("jiande-2018")
    own = CliRunner().invoke(cli, ["score", str(ws), "--period", "2018Q2"])
    assert own.exit_code == 0, own.output
    assert own.stdout == shipped.stdout and len(own.stdout.splitlines()) > 40
    # the file is one of the run's inputs: an edit makes a new version
    hashes = loaded.input_hashes()
    assert "考核办法.toml" in hashes and "考核办法.toml" not in before
    _own(ws, TEXT.replace('text = "每条计8分"', 'text = "每条计 8 分"'))
    assert Workspace.load(ws).input_hashes()["考核办法.toml"] != hashes["考核办法.toml"]


def test_an_own_file_with_changed_points_changes_the_scores(tmp_path):
    plain = copy_example(tmp_path / "plain", "jiande-2018")
    ws = copy_example(tmp_path, "jiande-2018")
    _own(ws, TEXT.replace('kind = "动态", points = 4 }', 'kind = "动态", points = 5 }'))
    own = CliRunner().invoke(cli, ["score", str(ws), "--period", "2018Q2"])
    shipped = CliRunner().invoke(cli, ["score", str(plain), "--period", "2018Q2"])
    assert own.exit_code == 0 and shipped.exit_code == 0
    assert own.stdout != shipped.stdout


def test_a_bad_own_file_stops_the_run_naming_file_and_line(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    text = TEXT.replace('text = "每条计8分"', 'txt = "每条计8分"')
    _own(ws, text)
    proc = kaohe("run", str(ws), "--period", "2018Q2")
    assert proc.returncode == 2
    row = line_of(text, 'txt = "每条计8分"')
    assert proc.stderr.splitlines()[-1] == (
        f"错误：考核办法.toml 第{row}行：未知项 [[rules]] txt（是否为 text？）"
    )
    # several problems: one line each, under one line saying how many
    _own(ws, text.replace('name = "A"\n', "name = 1\n"))
    proc = kaohe("score", str(ws), "--period", "2018Q2")
    assert proc.returncode == 2
    group = line_of(text, 'name = "A"')
    assert proc.stderr.splitlines() == [
        "错误：考核办法.toml 中有 2 处错误，请逐一改正后重新运行：",
        f"  考核办法.toml 第{group}行：[[groups]] name 的值「1」类型不对，应为文字（加英文引号）",
        f"  考核办法.toml 第{row}行：未知项 [[rules]] txt（是否为 text？）",
    ]
    assert "Traceback" not in proc.stderr and not (ws / "out").exists()


def test_scheme_and_regulation_are_exclusive_and_the_file_must_be_in_the_workspace(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    (ws / "kaohe.toml").write_text(
        'scheme = "jiande-2018"\nregulation = "考核办法.toml"\n', encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"kaohe.toml 第2行：scheme 与 regulation 只能写一个"):
        Workspace.load(ws)
    (ws / "kaohe.toml").write_text('regulation = "考核办法.toml"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"考核办法文件 考核办法.toml 不存在"):
        Workspace.load(ws)
    shutil.copy(SHIPPED, tmp_path / "outside.toml")
    (ws / "kaohe.toml").write_text('regulation = "../outside.toml"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"应为本工作区中的文件"):
        Workspace.load(ws)


# --------------------------------------------------------------------------- init


def test_init_copy_regulation_round_trip(tmp_path):
    plain = init_workspace(tmp_path / "plain", "jiande-2018")
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "own"), "--scheme", "jiande-2018", "--copy-regulation"]
    )
    assert result.exit_code == 0, result.output
    own = tmp_path / "own"
    assert (own / "考核办法.toml").read_text(encoding="utf-8") == TEXT
    config = (own / "kaohe.toml").read_text(encoding="utf-8")
    assert re.search(r'^regulation = "考核办法.toml"', config, re.M)
    assert not re.search(r"^scheme =", config, re.M)
    # the same roster, the same regulation
    assert (own / "units.csv").read_bytes() == (plain / "units.csv").read_bytes()
    ws = Workspace.load(own)
    assert ws.scheme == get_scheme("jiande-2018") and ws.office == "建德市人民政府办公室"
    assert "kaohe scheme check" in result.stderr


def test_init_from_a_file_checks_it_first(tmp_path):
    good = tmp_path / "我们的办法.toml"
    good.write_text(TEXT.replace('id = "jiande-2018"', 'id = "jiande-2019"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "ws"), "--regulation-from", str(good)])
    assert result.exit_code == 0, result.output
    ws = Workspace.load(tmp_path / "ws")
    assert ws.scheme_id == "jiande-2019" and len(ws.scheme.roster()) > 50
    bad = tmp_path / "坏的.toml"
    bad.write_text(TEXT.replace('name = "A"\n', 'nmae = "A"\n'), encoding="utf-8")
    proc = kaohe("init", str(tmp_path / "ws2"), "--regulation-from", str(bad))
    assert proc.returncode == 2 and "未知项 [[groups]] nmae（是否为 name？）" in proc.stderr
    assert not (tmp_path / "ws2").exists()
    proc = kaohe(
        "init", str(tmp_path / "ws3"), "--scheme", "jiande-2018", "--regulation-from", str(good)
    )
    assert proc.returncode == 2 and not (tmp_path / "ws3").exists()


# --------------------------------------------------------------------------- parameters

PARAMETER = """
[[parameters]]
name = "多头报送扣分"
rule = "J-3.6.3"
key = "points"
default = -10
text = "每次扣10分；由工作区设定"
"""


def test_a_workspace_sets_the_numbers_its_file_leaves_open(tmp_path):
    ws = copy_example(tmp_path, "jiande-2018")
    _own(ws, TEXT + PARAMETER)
    assert Workspace.load(ws).scheme.rule("J-3.6.3").points == -10  # the default
    assert Workspace.load(ws).scheme.rules == get_scheme("jiande-2018").rules
    config = (ws / "kaohe.toml").read_text(encoding="utf-8")
    (ws / "kaohe.toml").write_text(config + '\n[parameters]\n"多头报送扣分" = -20\n', "utf-8")
    assert Workspace.load(ws).scheme.rule("J-3.6.3").points == -20.0
    out = CliRunner().invoke(cli, ["scheme", "show", str(ws / "考核办法.toml")]).stdout
    assert re.search(r"^多头报送扣分 +-10 +J-3\.6\.3 +points +每次扣10分", out, re.M)
    # a name the file does not declare: kaohe.toml's line
    (ws / "kaohe.toml").write_text(config + '\n[parameters]\n"多头报送" = -20\n', "utf-8")
    row = len((config + "\n[parameters]\n").splitlines()) + 1
    with pytest.raises(InputError) as err:
        Workspace.load(ws)
    assert str(err.value).startswith(f"kaohe.toml 第{row}行：[parameters] ")
    assert "没有参数「多头报送」" in str(err.value)


def test_a_parameter_must_name_a_rule_and_one_of_its_keys(tmp_path):
    bad = PARAMETER.replace('rule = "J-3.6.3"', 'rule = "J-3.6.33"').replace(
        'key = "points"', 'key = "pionts"'
    )
    with pytest.raises(InputError) as err:
        files.read(TEXT + bad, "f.toml")
    assert "规则编号「J-3.6.33」不在 [[rules]] 的 id 中（是否为「J-3.6.3」？）" in str(err.value)
    bad = PARAMETER.replace('key = "points"', 'key = "pionts"')
    with pytest.raises(
        InputError, match=r"规则的项「pionts」不在 \[\[rules\]\] 可设的项中（是否为「points」？）"
    ):
        files.read(TEXT + bad, "f.toml")


def test_the_web_page_checks_shows_and_replaces_the_workspaces_file(tmp_path):
    """flows.web.regulation (the office's web page) uses the same reading, checks and
    tables as `kaohe scheme check|show`."""
    from flows.web import regulation

    assert regulation.available()
    root = init_workspace(tmp_path / "ws", "jiande-2018", copy_regulation=True)
    now = regulation.current(root)
    assert now.own == "考核办法.toml" and now.problems == []
    assert now.table == CliRunner().invoke(cli, ["scheme", "show", "jiande-2018"]).stdout
    bad = TEXT.replace('name = "A"\n', 'nmae = "A"\n').encode("utf-8")
    summary, problems = regulation.check_bytes(bad, "新办法.toml")
    assert summary is None and len(problems) == 2
    assert any(
        "新办法.toml 第" in p and "未知项 [[groups]] nmae（是否为 name？）" in p for p in problems
    )
    with pytest.raises(InputError, match="未替换"):
        regulation.replace(root, bad, "新办法.toml")
    edited = TEXT.replace('text = "每条计8分"', 'text = "每条计 8 分"').encode("utf-8")
    assert regulation.replace(root, edited, "新办法.toml") == "考核办法.toml"
    assert (root / "考核办法.toml").read_bytes() == edited
