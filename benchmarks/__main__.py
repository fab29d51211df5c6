"""``make bench``: every performance target, beside the naive approach, on this machine.

Prints a Markdown table and writes ``benchmarks/results.json``. Databases are
generated once and cached in ``benchmarks/.cache`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_app import (
    insights_figures,
    memory_figures,
    search_ui_figures,
    stall_figures,
    startup_figures,
)
from benchmarks.bench_orgs import org_figures
from benchmarks.bench_query import my500_figures, search_figures
from benchmarks.bench_scores import score_figures
from benchmarks.bench_sync import sync_figures
from benchmarks.harness import Figure, markdown_table

RESULTS = Path(__file__).with_name("results.json")

SECTIONS: list[tuple[str, Callable[[], list[Figure]]]] = [
    ("start-up, 500 contacts", lambda: startup_figures(500, target_ms=500)),
    ("start-up, 100,000 contacts", lambda: startup_figures(100_000, target_ms=800)),
    ("My-500 query", lambda: my500_figures(500) + my500_figures(100_000)),
    ("search", lambda: search_ui_figures(100_000) + search_figures(100_000)),
    ("sync", sync_figures),
    ("ui stalls during a sync", stall_figures),
    ("scores", lambda: score_figures(100_000)),
    ("memory", lambda: memory_figures(100_000)),
    ("insights view", lambda: insights_figures(100_000)),
    ("organizations: matching and suggestions", org_figures),
]


def machine() -> dict[str, object]:
    memory_gib = None
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kib = int(meminfo.readline().split()[1])
            memory_gib = round(kib / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(argv: list[str]) -> int:
    wanted = {arg.lower() for arg in argv}
    figures: list[Figure] = []
    started = time.perf_counter()
    for name, run in SECTIONS:
        if wanted and not any(word in name for word in wanted):
            continue
        print(f"- {name} …", flush=True)
        measured = run()
        one, five, fifteen = os.getloadavg()
        for figure in measured:
            figure.extra["load"] = f"{one:.2f}, {five:.2f}, {fifteen:.2f}"
        print(f"  load average {one:.2f}, {five:.2f}, {fifteen:.2f}", flush=True)
        figures.extend(measured)
    print()
    print(markdown_table(figures))
    info = machine()
    print(
        f"\n{info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']}; "
        f"took {time.perf_counter() - started:.0f} s"
    )
    if not wanted:
        RESULTS.write_text(
            json.dumps([figure.to_json() for figure in figures], indent=2, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
