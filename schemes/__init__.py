"""Scheme registry: the regulations (考核办法) kaohe ships.

A shipped regulation is a data file `schemes/regulations/<id>.toml` read by
`schemes.regulation` and scored by the generic engine (schemes.scoring). The seeds not yet
ported are still Python modules (`MODULES`).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib import resources

from schemes.contract import Scheme
from transforms.errors import InputError

#: scheme id -> module path, for the seeds still written in Python.
MODULES = {}


def _files() -> dict[str, str]:
    """Shipped regulation files: id -> file name (package data of schemes.regulations)."""
    base = resources.files("schemes") / "regulations"
    return {
        p.name.removesuffix(".toml"): p.name
        for p in sorted(base.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".toml")
    }


#: the seeds in the order `kaohe schemes` lists them (other shipped files follow, by id)
SEEDS = ("jiande-2018", "xiaoshan-2018", "yinchuan-2018", "qingshan-2020")
_SOURCES = {**{i: f"schemes/regulations/{f}" for i, f in _files().items()}, **MODULES}
#: every shipped scheme id -> its regulation file (or module, for a seed still in Python)
SCHEMES = {i: _SOURCES[i] for i in SEEDS if i in _SOURCES} | _SOURCES


@cache
def _regulation(scheme_id: str):
    from schemes.regulation import loads

    text = (resources.files("schemes") / "regulations" / f"{scheme_id}.toml").read_text(
        encoding="utf-8"
    )
    return loads(text, f"{scheme_id}.toml")


def get_scheme(scheme_id: str) -> Scheme:
    """The scheme of `scheme_id`: its regulation file read, or its module's `SCHEME`."""
    if scheme_id not in SCHEMES:
        known = "、".join(SCHEMES)
        raise InputError(f"未知的考核办法「{scheme_id}」，可用的有：{known}")
    if scheme_id in MODULES:
        return importlib.import_module(MODULES[scheme_id]).SCHEME
    return _regulation(scheme_id)


def all_schemes() -> list[Scheme]:
    return [get_scheme(s) for s in SCHEMES]
