"""Scheme registry: one module per regulation (考核办法)."""

from __future__ import annotations

import importlib

from schemes.contract import Scheme
from transforms.errors import InputError

#: scheme id -> module path. A new regulation is a new module and one line here.
SCHEMES = {
    "jiande-2018": "schemes.jiande_2018",
    "xiaoshan-2018": "schemes.xiaoshan_2018",
    "yinchuan-2018": "schemes.yinchuan_2018",
    "qingshan-2020": "schemes.qingshan_2020",
}


def get_scheme(scheme_id: str) -> Scheme:
    """The scheme object of `scheme_id` (the module's `SCHEME`)."""
    if scheme_id not in SCHEMES:
        known = "、".join(SCHEMES)
        raise InputError(f"未知的考核办法「{scheme_id}」，可用的有：{known}")
    return importlib.import_module(SCHEMES[scheme_id]).SCHEME


def all_schemes() -> list[Scheme]:
    return [get_scheme(s) for s in SCHEMES]
