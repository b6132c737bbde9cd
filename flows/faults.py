"""Failures of the machine rather than of the data (故障): a read-only or full disk, a
database that is damaged, locked or cannot be reached.

`describe` turns such an exception into the one Chinese line the CLI prints (what happened,
what to do) before it exits with status 2. Anything else is left alone: an unexpected
exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno

#: what to do once the cause is dealt with (a version is written in a staging folder that
#: is removed on failure, flows.outputs, so there is nothing half-written to clean up)
_AGAIN = "然后重新运行"


def _where(err: OSError) -> str:
    path = err.filename or ""
    return f" {path}" if path else ""


def _os_message(err: OSError) -> str | None:
    code = err.errno
    if code == errno.EROFS:
        return (
            f"无法写入{_where(err)}：所在的文件系统是只读的。请把工作区复制到可写的位置，"
            f"或以读写方式重新挂载，{_AGAIN}"
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"磁盘空间已满（或超出配额），无法写入{_where(err)}。请清理磁盘空间，{_AGAIN}"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有权限访问{_where(err)}。请检查该文件或文件夹的权限，{_AGAIN}"
    if code == errno.EIO:
        return f"读写{_where(err)}时发生磁盘错误（I/O error）。请检查磁盘或网络存储，{_AGAIN}"
    return None


def describe(err: BaseException) -> str | None:
    """The Chinese line for a failure of the machine, or None for anything else."""
    if isinstance(err, OSError):
        return _os_message(err)
    if type(err).__module__.startswith("sqlalchemy"):
        from store.repository import database_problem

        return database_problem(err)
    return None
