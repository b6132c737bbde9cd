"""kaohe.toml read into typed settings (issue 12 point 8): every key existing workspaces use
is declared (the examples and `kaohe init`'s template load, with every commented key
switched on too); a misspelt key or section, a wrong type or an impossible value is an
error naming its line, never ignored."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows import settings
from flows.imap import ImapConfig
from flows.settings import SettingsError, locate
from flows.workspace import TOML_TEMPLATE, Workspace, init_workspace
from transforms.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/kaohe.toml"))

#: a commented key or section header of a template: `# port = 587`, `# [mail]   # …`
_COMMENTED = re.compile(r"^# ?(\[\w+\].*|\w+ = .*)$")


def _switched_on(text: str) -> str:
    """The text with every commented key and section header uncommented."""
    return "\n".join(m[1] if (m := _COMMENTED.match(line)) else line for line in text.splitlines())


def _workspace(tmp_path: Path, toml: str) -> Path:
    root = init_workspace(tmp_path / "ws", "jiande-2018")
    (root / "kaohe.toml").write_text(toml, encoding="utf-8")
    return root


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.parent.name for p in EXAMPLES])
def test_every_example_loads_with_every_commented_key_switched_on(path, tmp_path):
    assert EXAMPLES, "no example workspaces"
    ws = Workspace.load(path.parent)
    assert ws.scheme_id == path.parent.name
    assert settings.parse(_switched_on(path.read_text(encoding="utf-8"))).scheme == ws.scheme_id


def test_init_template_loads_with_every_key_switched_on(tmp_path):
    root = init_workspace(tmp_path / "ws", "yinchuan-2018")
    assert Workspace.load(root).settings.mail.host is None
    text = _switched_on(TOML_TEMPLATE.format(scheme="yinchuan-2018", office="银川市人民政府办公厅"))
    (root / "kaohe.toml").write_text(text, encoding="utf-8")
    ws = Workspace.load(root)
    cfg = ws.settings
    # every section of the template is declared and reaches the workspace
    assert cfg.bulletin.doc_number and ws.doc_number == cfg.bulletin.doc_number
    assert cfg.database.url and ws.database_url == cfg.database.url
    assert (ws.task_runner, ws.dask_address) == ("dask", cfg.run.dask_address)
    assert cfg.mail.starttls is True and ws.mail["port"] == cfg.mail.port == 587
    assert cfg.imap is not None and cfg.imap.folder == "INBOX"
    assert ImapConfig.load(root).port == 993


def test_misspelt_key_names_its_line_and_the_closest_key(tmp_path):
    toml = (
        'scheme = "jiande-2018"\n'
        'office = "建德市人民政府办公室"\n'
        "\n"
        "[mail]\n"
        'host = "smtp.jiande.gov.cn"\n'
        "port = 25\n"
        'sendr = "xxk@jiande.gov.cn"\n'
    )
    root = _workspace(tmp_path, toml)
    with pytest.raises(InputError) as err:
        Workspace.load(root)
    assert str(err.value) == "kaohe.toml 第7行：未知设置 [mail] sendr（是否为 sender？）"
    # the command line says the same and exits 2
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "score", str(root), "--period", "2018Q2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "kaohe.toml 第7行：未知设置 [mail] sendr（是否为 sender？）" in proc.stderr


def test_every_problem_is_reported_with_its_line():
    toml = (
        'scheme = "jiande-2018"\n'  # 1
        'timezon = "Asia/Shanghai"\n'  # 2
        "[databse]\n"  # 3
        'url = "sqlite:///x.db"\n'  # 4
        "[mail]\n"  # 5
        'port = "587"\n'  # 6
        'starttls = "yes"\n'  # 7
        "retries = 0\n"  # 8
        "[run]\n"  # 9
        'task_runner = "ray"\n'  # 10
        "[imap]\n"  # 11
        "port = 70000\n"  # 12
    )
    with pytest.raises(SettingsError) as err:
        settings.parse(toml)
    lines = str(err.value).splitlines()
    assert lines == [
        "kaohe.toml 第2行：未知设置 timezon（是否为 timezone？）",
        "kaohe.toml 第3行：未知设置节 [databse]（是否为 [database]？）",
        "kaohe.toml 第6行：[mail] port 的值「587」类型不对，应为整数",
        "kaohe.toml 第7行：[mail] starttls 的值「yes」类型不对，应为 true 或 false",
        "kaohe.toml 第8行：[mail] retries 应至少为 1",
        "kaohe.toml 第10行：[run] task_runner = 'ray' 无效，可选：default、dask",
        "kaohe.toml 第12行：[imap] port「70000」不是有效的端口号（1–65535）",
    ]
    assert [p.row for p in err.value.problems] == [2, 3, 6, 7, 8, 10, 12]


def test_unknown_scheme_timezone_and_missing_scheme():
    with pytest.raises(
        InputError, match=r"第1行：未知的考核办法「jiande-2019」（是否为 jiande-2018？）"
    ):
        settings.parse('scheme = "jiande-2019"\n')
    with pytest.raises(InputError, match=r"第2行：时区「Asia/Shanghia」无效"):
        settings.parse('scheme = "jiande-2018"\ntimezone = "Asia/Shanghia"\n')
    with pytest.raises(InputError, match=r"缺少 scheme"):
        settings.parse('office = "建德市人民政府办公室"\n')
    with pytest.raises(
        InputError,
        match=r"第2行：未知设置 [a-z]+（可用的设置：scheme、regulation、office、timezone）",
    ):
        settings.parse('scheme = "jiande-2018"\ncolour = "red"\n')


def test_a_section_written_as_a_value_and_a_value_as_a_section():
    with pytest.raises(InputError, match=r"第2行：mail 应为设置节 \[mail\]"):
        settings.parse('scheme = "jiande-2018"\nmail = "xxk@jiande.gov.cn"\n')
    with pytest.raises(InputError, match=r"第3行：\[mail\] host 的值一个设置节类型不对"):
        settings.parse('scheme = "jiande-2018"\n[mail]\nhost = {name = "smtp"}\n')


def test_dotted_keys_and_inline_tables_are_located():
    text = (
        'scheme = "jiande-2018"\n'
        'mail.host = "smtp"\n'
        'imap = { host = "imap", prot = 993 }\n'
        "[bulletin]\n"
        'requirements = """\n'
        "recipients = 1\n"  # inside a multi-line string: not a key
        '"""\n'
        '"doc_number" = "建政办信〔2018〕1号"\n'
    )
    where = locate(text)
    # an array of tables: each element has its index in the path
    assert locate('scheme = "x"\n[[mail]]\nhost = 1\n')[("mail", 0, "host")] == 3
    with pytest.raises(InputError, match=r"第2行：mail 应为设置节，而不是列表"):
        settings.parse('scheme = "jiande-2018"\n[[mail]]\nhost = "smtp"\n')
    assert where[("mail", "host")] == 2
    assert where[("imap",)] == 3
    assert ("bulletin", "recipients") not in where
    assert where[("bulletin", "doc_number")] == 8
    with pytest.raises(InputError, match=r"第3行：未知设置 \[imap\] prot（是否为 port？）"):
        settings.parse(text)


def test_typed_values_and_defaults():
    cfg = settings.parse(
        'scheme = "xiaoshan-2018"\n'
        "[mail]\n"
        'host = "smtp"\nsender = "a@b"\ntimeout = 5\nbackoff = 0.5\n'
        'office_address = "xxk@xs.gov.cn"\n'
    )
    assert cfg.office is None and cfg.timezone == "Asia/Shanghai"
    assert cfg.mail.timeout == 5.0 and isinstance(cfg.mail.timeout, float)
    assert (cfg.mail.retries, cfg.mail.backoff, cfg.mail.backoff_max) == (4, 0.5, 60.0)
    assert cfg.mail.office_address == "xxk@xs.gov.cn"
    assert cfg.given["mail"] == {
        "host": "smtp",
        "sender": "a@b",
        "timeout": 5,
        "backoff": 0.5,
        "office_address": "xxk@xs.gov.cn",
    }
    assert cfg.imap is None and cfg.run.task_runner == "default"


def test_imap_settings_are_checked_with_their_line(tmp_path):
    root = _workspace(
        tmp_path,
        'scheme = "jiande-2018"\n[imap]\nhost = "imap"\nuser = "xxk"\n'
        'password_env = "PW"\nssl = "no"\n',
    )
    with pytest.raises(InputError, match=r"kaohe.toml 第6行：\[imap\] ssl 的值「no」类型不对"):
        ImapConfig.load(root)
