"""Small helpers for running text rules over whole polars columns (the bulk paths of
`transforms.submissions`, `transforms.grouping` and `transforms.linking`).

Each bulk path gives what its Python function gives, row by row, on the rows it accepts
(`transforms.submissions.SAFE_TEXT`); the other rows take the Python function."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

#: Python's str.strip() whitespace (str.isspace; nothing above U+3000), for polars'
#: strip_chars.
PY_SPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


def streamed(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """`frame.with_columns(**columns)` on polars' streaming engine, which spreads string
    work on one column over the cores (the in-memory engine runs it on one)."""
    return frame.lazy().with_columns(**columns).collect(engine="streaming")


def repeated(values: pl.Series, step: Callable[[pl.Expr], pl.Expr], rounds: int) -> pl.Series:
    """`step` applied `rounds` times, like a Python loop that stops when a round changes
    nothing: each round only to the values the previous one changed (a round that changes
    nothing changes nothing when repeated). Each round is materialised: an expression
    repeating its input would grow exponentially."""
    out, part, rows = values, values, None
    for _ in range(rounds):
        new = streamed(pl.DataFrame({"t": part}), t=step(pl.col("t")))["t"].alias(values.name)
        out = new if rows is None else out.scatter(rows, new)
        changed = (new != part).fill_null(False).arg_true()
        if changed.len() == 0:
            break
        rows = changed if rows is None else rows.gather(changed)
        part = new.gather(changed)
    return out
