"""User-facing errors about the user's data (数据错误)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: At most this many lines per file in a report of several problems; the rest is counted.
LINES_PER_FILE = 20


class InputError(Exception):
    """Bad input: the message is Chinese, names the file and row, and says what to do.

    `str(err)` is the one line the CLI prints before exiting non-zero.
    """

    def __init__(self, message: str, file: str | None = None, row: int | None = None):
        self.message = message
        self.file = file
        self.row = row
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.file and self.row:
            where = f"{self.file} 第{self.row}行："
        elif self.file:
            where = f"{self.file}："
        return where + self.message

    @property
    def problems(self) -> list[InputError]:
        """The problems this error reports: itself alone."""
        return [self]

    def __reduce__(self):  # pickled (by Prefect, by a process pool) with file and row
        return (type(self), (self.message, self.file, self.row))


class InputErrors(InputError):
    """Several problems found in one pass over the inputs, reported together.

    `problems` are the single errors, each a (file, row, message) record, in the order
    they were found. `str(err)` is the grouped report: one line per problem naming its
    file and row, grouped per file (in order of the first problem of each file) and in row
    order within a file, at most LINES_PER_FILE lines per file and then 「……另有 N 处」.
    `file`, `row` and `message` are those of the first problem.
    """

    def __init__(self, problems: Iterable[InputError], per_file: int = LINES_PER_FILE):
        self._problems = list(problems)
        if not self._problems:
            raise ValueError("InputErrors needs at least one problem")
        self.per_file = per_file
        first = self._problems[0]
        super().__init__(first.message, file=first.file, row=first.row)

    @property
    def problems(self) -> list[InputError]:
        return list(self._problems)

    def __reduce__(self):
        return (type(self), (self._problems, self.per_file))

    def format(self) -> str:
        by_file: dict[str, list[InputError]] = {}
        for p in self._problems:
            by_file.setdefault(p.file or "", []).append(p)
        lines = [
            f"输入数据中有 {len(self._problems)} 处错误"
            f"（{len(by_file)} 个文件），未生成任何文件；请逐一改正后重新运行："
        ]
        for file, problems in by_file.items():
            problems.sort(key=lambda p: p.row or 0)  # stable: a row's problems stay in order
            lines += [f"  {p.format()}" for p in problems[: self.per_file]]
            if len(problems) > self.per_file:
                where = f"{file}：" if file else ""
                lines.append(f"  {where}……另有 {len(problems) - self.per_file} 处")
        return "\n".join(lines)


class Problems:
    """A collection of the problems found while checking inputs.

    Readers add to it and keep going (the next row, the next file) instead of stopping at
    the first bad row; the run raises once, at the end of checking, with `raise_if_any`."""

    def __init__(self) -> None:
        self.items: list[InputError] = []

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, message: str, file: str | None = None, row: int | None = None) -> None:
        self.items.append(InputError(message, file=file, row=row))

    def add_error(self, err: InputError) -> None:
        """Add every problem an InputError (or InputErrors) reports."""
        self.items.extend(err.problems)

    def attempt(self, fn: Callable[..., T], *args, **kwargs) -> T | None:
        """`fn(*args, **kwargs)`, or None after adding the InputError it raised."""
        try:
            return fn(*args, **kwargs)
        except InputError as err:
            self.add_error(err)
            return None

    def error(self) -> InputError | None:
        """The error to raise: None, the single problem itself, or all of them."""
        if not self.items:
            return None
        if len(self.items) == 1:
            return self.items[0]
        return InputErrors(self.items)

    def raise_if_any(self) -> None:
        err = self.error()
        if err is not None:
            raise err
