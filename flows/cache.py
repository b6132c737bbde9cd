"""The workspace's cache (`.kaohe-cache/`): what kaohe read from an input file, kept by the
sha256 of the file's bytes so that the next run takes it from there instead of opening the
file again.

One folder per kind of content (`folder`): the lines of issue documents
(`flows.issue_documents`), the raw rows of spreadsheets (`flows.readers`). An entry is one
JSON object — the file's sha256 (`document`), the key of the code that read it (`extractor`,
see `reader_key`), what was read (one payload field) and the sha256 of that payload
(`digest`) — and is trusted only when all of them hold (`load`). Entries are written whole or
not at all (`store`); those of files no longer read are removed (`prune`). The cache is never
an input and can be deleted at any time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from flows.workspace import CACHE_DIR

__all__ = ["digest", "file_digest", "folder", "load", "prune", "reader_key", "store"]


def folder(root: Path, name: str) -> Path:
    """The cache folder `name` of the workspace at `root`: inside the workspace (a hidden
    folder, never an input), so never shared with another workspace."""
    return Path(root) / CACHE_DIR / name


def file_digest(path: Path) -> str:
    """The sha256 of a file's bytes: the name of its entry."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@functools.cache
def reader_key(layout: int, source: str, dists: tuple[str, ...]) -> str:
    """What content read from a file depends on besides the file: the entry `layout`,
    kaohe's version, the code of the reading module (`source`, its `__file__`) and the
    versions of the libraries `dists` that open the files — read from the installed
    distributions' metadata, without importing the libraries."""
    import importlib.metadata

    from flows.outputs import KAOHE_VERSION

    h = hashlib.sha256(f"{layout}\n{KAOHE_VERSION}\n".encode())
    try:
        h.update(Path(source).read_bytes())
    except OSError:  # no source beside the module (a frozen build): a key of its own
        h.update(f"{source} without source\n".encode())
    for dist in dists:
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{dist} {version}\n".encode())
    return h.hexdigest()


def digest(payload: object) -> str:
    """The sha256 of a payload as JSON (tuples and lists alike)."""
    return hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


def load(
    cache: Path, document: str, key: str, field: str, valid: Callable[[list], bool]
) -> list | None:
    """The payload kept in `cache` for the file of sha256 `document`, or None when there
    is no entry or it does not hold exactly what this kaohe would read: written by another
    kaohe (`key`: version, code or libraries), for other bytes, unreadable, truncated or
    altered (not `valid`, or its own digest of the payload does not match). The caller
    then reads the file and `store`s the entry again."""
    try:
        entry = json.loads((cache / f"{document}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not (
        isinstance(entry, dict)
        and entry.get("document") == document
        and entry.get("extractor") == key
        and isinstance(payload := entry.get(field), list)
        and valid(payload)
        and entry.get("digest") == digest(payload)
    ):
        return None
    return payload


def store(cache: Path, document: str, key: str, field: str, payload: list) -> None:
    """Keep `payload` for the file of sha256 `document` (written whole or not at all; a
    workspace that cannot be written to, or a full disk, simply keeps no cache)."""
    entry = {"document": document, "extractor": key, field: payload, "digest": digest(payload)}
    tmp = cache / f".{document}.{os.getpid()}.tmp"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache / f"{document}.json")
    except (OSError, ValueError):  # ValueError: text JSON cannot write (a lone surrogate)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def prune(cache: Path, files: Iterable[Path]) -> None:
    """Remove the entries of files no longer read (edited or removed): those that are not
    the entry of one of `files`, the files of this kind the workspace holds now."""
    try:
        entries = list(cache.iterdir())
    except OSError:
        return  # no cache yet
    keep = set()
    for path in files:
        with contextlib.suppress(OSError):
            keep.add(file_digest(path))
    for entry in entries:
        if entry.suffix == ".json" and entry.stem not in keep:
            with contextlib.suppress(OSError):
                entry.unlink()
