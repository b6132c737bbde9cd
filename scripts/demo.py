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
    return 0


if __name__ == "__main__":
    sys.exit(main())
