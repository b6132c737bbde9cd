"""User-facing errors about the user's data (数据错误)."""

from __future__ import annotations


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
