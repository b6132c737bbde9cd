"""Write the reference parts of docs/regulations.md from the code: every key of the
regulation file (the dataclasses of schemes/regulation.py and their `#:` comments), the rule
kinds (schemes/kinds/), the special rules (schemes/specials.py) and the remark kinds.

    python scripts/regulation_docs.py          # rewrite the parts between the markers
    python scripts/regulation_docs.py --check  # exit 1 when the doc is not up to date

The parts sit between `<!-- BEGIN keys -->` / `<!-- END keys -->` and
`<!-- BEGIN kinds -->` / `<!-- END kinds -->`; the prose around them is written by hand.
tests/test_regulation.py fails when the doc is not what this script writes.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "regulations.md"


def _comments(src: list[str], node: ast.ClassDef) -> dict[str, str]:
    """Field name -> the `#:` comment lines above it."""
    out, pending = {}, []
    for line in src[node.lineno : node.end_lineno]:
        text = line.strip()
        if text.startswith("#:"):
            pending.append(text[2:].strip())
        elif m := re.match(r"^(\w+): ", text):
            out[m[1]] = " ".join(pending)
            pending = []
        elif text.startswith("def ") or text.startswith("@"):
            break
    return out


def _type(hint) -> str:
    text = hint.__name__ if isinstance(hint, type) else str(hint)
    text = text.replace("schemes.regulation.", "").replace("typing.", "")
    return text.replace("|", "\\|")


def _default(f: dataclasses.Field) -> str:
    if f.default is dataclasses.MISSING:
        return "(required)"
    if dataclasses.is_dataclass(f.default):
        return f"`{type(f.default).__name__}()`"
    if isinstance(f.default, tuple) and f.default and dataclasses.is_dataclass(f.default[0]):
        return f"one `{type(f.default[0]).__name__}()`"
    return f"`{f.default!r}`"


def keys() -> str:
    import schemes.regulation as R

    path = ROOT / "schemes" / "regulation.py"
    src = path.read_text(encoding="utf-8")
    lines = src.splitlines()
    out = []
    for node in ast.parse(src).body:
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(R, node.name)
        if not dataclasses.is_dataclass(cls):
            continue
        doc = " ".join((ast.get_docstring(node) or "").split())
        out += [f"### `{node.name}`", "", doc, ""]
        out += ["| key | type | default | meaning |", "|---|---|---|---|"]
        notes, hints = _comments(lines, node), typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            meaning = notes.get(f.name, "").replace("|", "\\|")
            out.append(f"| `{f.name}` | `{_type(hints[f.name])}` | {_default(f)} | {meaning} |")
        out.append("")
    return "\n".join(out)


def kinds() -> str:
    from schemes.kinds import KINDS, SPECIALS
    from schemes.kinds.base import REMARK_KINDS

    def table(reg) -> list[str]:
        rows = ["| name | keys it reads | what it does |", "|---|---|---|"]
        for k in reg.values():
            fields = ", ".join(f"`{f}`" for f in k.fields)
            rows.append(f"| `{k.name}` | {fields} | {k.doc} |")
        return rows

    out = ["### Rule kinds", "", *table(KINDS), "", "### Special rules", "", *table(SPECIALS)]
    out += ["", "### Remark records", "", "| kind | what the remark says |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in REMARK_KINDS.items()]
    return "\n".join(out + [""])


def render(text: str) -> str:
    for name, body in (("keys", keys()), ("kinds", kinds())):
        begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{begin}\n\n{body}\n{end}{tail}"
    return text


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("docs/regulations.md is not up to date: run python scripts/regulation_docs.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
