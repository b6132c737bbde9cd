"""Regulation files (考核办法文件): read and checked, shipped or the workspace's own.

`read(text, name)` is the one way a regulation file's text becomes a `Regulation`: the
text is read onto the dataclasses of schemes.regulation by transforms.tomldata (unknown
keys with the closest name, wrong types, missing keys, each naming its line), then checked
as a whole by schemes.check (rule ids unique, names that must match other tables …).
Every problem is reported at once (`TomlDataError`, one line each).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from transforms import tomldata
from transforms.errors import InputError

#: the name `kaohe init --copy-regulation` gives a workspace's own regulation file
WORKSPACE_FILE = "考核办法.toml"


def read(text: str, name: str) -> tomldata.Document:
    """The regulation file `name` (its `text`) read and checked: a Document whose `value`
    is the Regulation; TomlDataError lists every problem with its line."""
    from schemes import check
    from schemes.regulation import Regulation

    doc = tomldata.read_document(text, Regulation, name)
    problems = check.problems(doc, name)
    if problems:
        raise tomldata.TomlDataError(problems)
    return doc


def read_path(path: Path | str, name: str | None = None) -> tomldata.Document:
    """The regulation file at `path` read and checked (`name`: how messages call it)."""
    path = Path(path)
    name = name or path.name
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"无法读取考核办法文件：{err.strerror}", file=name) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"无法读取：考核办法文件应为 UTF-8 编码（{err.reason}）；请用记事本或 WPS 另存为 UTF-8",
            file=name,
        ) from err
    return read(text, name)


def load(path: Path | str, name: str | None = None):
    """The Regulation of the file at `path`, checked."""
    return read_path(path, name).value


def shipped_text(scheme_id: str) -> str | None:
    """The text of the regulation file kaohe ships for `scheme_id` (None: none; the seeds
    not yet written as data files have none)."""
    file = resources.files("schemes") / "regulations" / f"{scheme_id}.toml"
    if not file.is_file():
        return None
    return file.read_text(encoding="utf-8")
