"""Importing WeasyPrint without a compiler run for each library name it tries (issue 16).

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi under several names
each ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0', 'libgobject-2.0.so.0' …, Windows
and macOS spellings included). cffi hands every name it cannot open at once to
`ctypes.util.find_library`, which on Linux lists glibc's cache (`ldconfig -p`) and, for a
name that is not there, runs `gcc` and then `ld`: twenty such searches, ≈ 0.2 s of CPU in
child processes per process that loads WeasyPrint (each statement worker).

`import_weasyprint` imports it with a `find_library` that answers from one listing of
glibc's cache (the first method of the real one, same pattern), never the compiler. The
names WeasyPrint tries include each library's soname ('libpango-1.0.so.0'), which cffi
hands to the dynamic loader directly (LD_LIBRARY_PATH, the cache, the default folders), so
every library that can be loaded at all is loaded. Should the import fail all the same, it
is done again with the real `find_library`, as WeasyPrint would have done it (its
message included).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import io
import os
import re
import struct
import subprocess
import sys
from collections.abc import Callable

#: glibc's ABI tag in `ldconfig -p` for this machine (as ctypes.util reads it)
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _cache_lookup() -> Callable[[str], str | None] | None:
    """`find_library` from one listing of glibc's cache; None where there is no such
    listing (not Linux, no ldconfig)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        listing = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"},
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    bits = "-32" if struct.calcsize("l") == 4 else "-64"
    abi = _ABI.get(os.uname().machine + bits, "libc6")

    def find_library(name: str) -> str | None:
        escaped = re.escape(name)
        pattern = os.fsencode(rf"\s+(lib{escaped}\.[^\s]+)\s+\({abi}")
        found = re.search(pattern, listing)
        return os.fsdecode(found.group(1)) if found else None

    return find_library


def import_weasyprint() -> None:
    """Import WeasyPrint (see the module's docstring); nothing if it is imported."""
    if "weasyprint" in sys.modules:
        return
    lookup = _cache_lookup()
    if lookup is not None:
        real = ctypes.util.find_library
        ctypes.util.find_library = lookup
        try:
            # a library not found this way: WeasyPrint's message is printed by the
            # second import below, if that one fails too
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
            return
        except OSError:
            for name in [m for m in sys.modules if m.split(".")[0] == "weasyprint"]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = real
    import weasyprint  # noqa: F401, F811
