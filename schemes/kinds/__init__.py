"""Rule kinds (计分规则类型): one small module per concern, each registering its kinds.

A regulation file names a kind per rule (`kind = "event"`); schemes.kinds.base says what a
kind is. A new kind is a new module here, imported below.
"""

from schemes.kinds import (  # noqa: F401
    absence,
    adoption,
    class_quota,
    events,
    instruction,
    notice,
    quota,
    ranking,
    submissions,
    targets,
    zeroing,
)
from schemes.kinds.base import KINDS, SPECIALS, Context, Kind, Remark, Stage, kind_of, register

__all__ = ["KINDS", "SPECIALS", "Context", "Kind", "Remark", "Stage", "kind_of", "register"]

# The named special rules register into SPECIALS (after the kinds they build on).
import schemes.specials  # noqa: E402, F401
