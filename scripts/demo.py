"""`make demo`: a real quarterly bulletin on each bundled example workspace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = [
    ("jiande-2018", "2018Q2"),
    ("yinchuan-2018", "2018Q3"),
    ("xiaoshan-2018", "2018Q2"),
    ("qingshan-2020", "2020Q4"),
]


def main() -> int:
    kaohe = Path(sys.executable).with_name("kaohe")
    made = []
    for name, period in EXAMPLES:
        ws = ROOT / "examples" / name
        print(f"== {name}：{period} ==", flush=True)
        proc = subprocess.run(
            [str(kaohe), "run", str(ws), "--period", period], stdout=subprocess.PIPE, text=True
        )
        if proc.returncode != 0:
            return proc.returncode
        made.append(proc.stdout.strip())
    print()
    print("通报已生成：")
    for path in made:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
