"""Regulation files (考核办法文件): read and checked, shipped or the workspace's own.
Pure: a text in (flows.workspace.read_regulation reads a file from disk).

`read(text, name)` is the one way a regulation file's text becomes a `Regulation`: the
text is read onto the dataclasses of schemes.regulation by transforms.tomldata (unknown
keys with the closest name, wrong types, missing keys, each naming its line), then checked
as a whole by schemes.check (rule ids unique, names that must match other tables …).
Every problem is reported at once (`TomlDataError`, one line each).
"""

from __future__ import annotations

from importlib import resources

from transforms import tomldata

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


def shipped_text(scheme_id: str) -> str:
    """The text of the regulation file kaohe ships for `scheme_id` (package data, as
    `get_scheme` reads it)."""
    file = resources.files("schemes") / "regulations" / f"{scheme_id}.toml"
    return file.read_text(encoding="utf-8")
