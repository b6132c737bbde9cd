"""`make demo`: a real quarterly bulletin on each bundled example workspace.

All examples run in one process so that Prefect's temporary server starts once.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ("jiande-2018", "2018Q2"),
    ("yinchuan-2018", "2018Q3"),
    ("xiaoshan-2018", "2018Q2"),
    ("qingshan-2020", "2020Q4"),
]


def how_to_call() -> str:
    """What `make demo` says at its end: `kaohe` is in the checkout's .venv, not on PATH."""
    return (
        "kaohe 命令装在本目录的虚拟环境中（不在 PATH 上），可以这样调用：\n"
        "  .venv/bin/kaohe schemes\n"
        "或先激活虚拟环境，再直接用 kaohe：\n"
        "  source .venv/bin/activate\n"
        "  kaohe score examples/jiande-2018 --period 2018Q2 --format csv"
    )


def main() -> int:
    os.environ.setdefault("PREFECT_HOME", str(Path.home() / ".kaohe" / "prefect"))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    sys.path.insert(0, str(ROOT))
    from flows.pipeline import quarterly_bulletin
    from transforms.errors import InputError
    from transforms.periods import Period

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    made = []
    for name, period in EXAMPLES:
        say(f"== {name}：{period} ==")
        # An office signs a bulletin a few days after the period ends.
        issued = Period.parse(period).end + timedelta(days=5)
        try:
            outcome = quarterly_bulletin(
                str(ROOT / "examples" / name), period, issued=issued, progress=say
            )
        except InputError as err:
            say(f"错误：{err}")
            return 2
        say(outcome.message)
        made.append(outcome.version_dir / "bulletin.pdf")
    print()
    print("通报已生成：")
    for path in made:
        print(f"  {path}")
    print()
    print(how_to_call())
    return 0


if __name__ == "__main__":
    sys.exit(main())
