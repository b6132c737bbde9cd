"""Scheme registry: the regulations (考核办法) kaohe ships.

A shipped regulation is a data file `schemes/regulations/<id>.toml` (package data) read by
`schemes.regulation` and scored by the generic engine (schemes.scoring); no Python is
written per regulation. A new shipped regulation is a new file there.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from schemes.contract import Scheme
from transforms.errors import InputError

#: the seeds in the order `kaohe schemes` lists them (other shipped files follow, by id)
SEEDS = ("jiande-2018", "xiaoshan-2018", "yinchuan-2018", "qingshan-2020")


def _files() -> dict[str, str]:
    """Shipped regulation files: id -> path in the package."""
    base = resources.files("schemes") / "regulations"
    names = sorted(p.name for p in base.iterdir() if p.name.endswith(".toml"))
    return {n.removesuffix(".toml"): f"schemes/regulations/{n}" for n in names}


_FILES = _files()
#: every shipped scheme id -> its regulation file
SCHEMES = {i: _FILES[i] for i in SEEDS if i in _FILES} | _FILES


@cache
def _regulation(scheme_id: str):
    from schemes.regulation import loads

    text = (resources.files("schemes") / "regulations" / f"{scheme_id}.toml").read_text(
        encoding="utf-8"
    )
    return loads(text, f"{scheme_id}.toml")


def get_scheme(scheme_id: str) -> Scheme:
    """The regulation of `scheme_id`, read from its shipped file (once)."""
    if scheme_id not in SCHEMES:
        known = "、".join(SCHEMES)
        raise InputError(f"未知的考核办法「{scheme_id}」，可用的有：{known}")
    return _regulation(scheme_id)


def all_schemes() -> list[Scheme]:
    return [get_scheme(s) for s in SCHEMES]
