"""``make bench-scale``: ``make bench``'s data-sized figures at 1,000,000 contacts, each
beside the same figure at 100,000 from the same run.

Both mirrors are generated once and cached like ``make bench``'s (``benchmarks/.cache``);
how long each took to generate is printed, and shown in the table. The machine's load
is printed after every section, since it is shared. A section that fails or times out
at one size is shown as not measured, with the reason, and the run goes on.

``python -m benchmarks.scale search`` runs one section; ``results-scale.json`` is
written only by a full run.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_app import memory_figures, search_ui_figures, startup_figures
from benchmarks.bench_query import my500_figures, search_figures
from benchmarks.bench_scores import score_figures
from benchmarks.datasets import Build, build_of, database, generate, is_cached, record_build
from benchmarks.harness import Figure, scale_table

SMALL, LARGE = 100_000, 1_000_000
RESULTS = Path(__file__).with_name("results-scale.json")

SECTIONS: list[tuple[str, Callable[[int], list[Figure]]]] = [
    ("start-up", lambda n: startup_figures(n, target_ms=800)),
    ("My-500 query", my500_figures),
    ("search", lambda n: search_ui_figures(n) + search_figures(n)),
    ("scores", score_figures),
    ("memory", memory_figures),
]

Pair = tuple[str, Figure | None, Figure | None]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def generation_figure(build: Build | None, built_now: bool) -> Figure | None:
    """The cached mirror's generation time, as a figure (None when not recorded)."""
    if build is None:
        return None
    when = "in this run" if built_now else f"cached, built {build.when}"
    if build.cpu_seconds is not None:
        when += f"; {build.cpu_seconds:,.0f} s of processor time"
    return Figure(
        figure=f"Generate the mirror ({build.contacts:,} contacts, 5 activities each)",
        value=build.seconds,
        unit="s",
        note=f"{when}; load then {build.load[0]:.2f}; {build.size_mib:,.0f} MiB",
        extra={"load": build.load, "when": build.when, "size_mib": build.size_mib},
    )


def _measure(name: str, run: Callable[[int], list[Figure]], contacts: int) -> list[Figure] | str:
    """The section's figures at one size, or why there are none."""
    print(f"- {name}, {contacts:,} contacts …", flush=True)
    try:
        figures = run(contacts)
    except Exception as exc:  # a section that cannot finish must not lose the others
        traceback.print_exc(limit=2)
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:160]
    for fig in figures:
        fig.extra["load"] = load()
    print(f"  {load()}", flush=True)
    return figures


def pair_up(name: str, small: list[Figure] | str, large: list[Figure] | str) -> list[Pair]:
    """The two sizes' figures row by row (a section lists its figures in a fixed order);
    a size that failed (its reason in place of figures) leaves its column empty."""
    if isinstance(small, str) and isinstance(large, str):
        return [(f"{name}: not measured ({small})", None, None)]
    known = small if not isinstance(small, str) else large
    assert not isinstance(known, str)
    pairs: list[Pair] = []
    for index, fig in enumerate(known):
        label = _without_size(fig.figure)
        left = None if isinstance(small, str) or index >= len(small) else small[index]
        right = None if isinstance(large, str) or index >= len(large) else large[index]
        pairs.append((label, left, right))
    for failed, size in ((small, SMALL), (large, LARGE)):
        if isinstance(failed, str):
            pairs.append((f"{name} at {size:,}: not measured ({failed})", None, None))
    return pairs


def _without_size(figure: str) -> str:
    for size in (LARGE, SMALL):
        figure = figure.replace(f"({size:,} contacts)", "").replace(f"{size:,}", "N")
    return figure.strip()


def main(argv: list[str]) -> int:
    wanted = {arg.lower() for arg in argv}
    started = time.perf_counter()
    print(f"- start: {load()}", flush=True)
    pairs: list[Pair] = []
    generated: list[Figure | None] = []
    for size in (SMALL, LARGE):
        cached = is_cached(size)
        database(size)
        build = build_of(size)
        if build is None:  # cached before generation was recorded: time one now, aside,
            with tempfile.TemporaryDirectory() as tmp:  # and keep it for the next runs
                build = generate(Path(tmp) / "timing.sqlite3", size)
            record_build(size, build)
            cached = False
        generated.append(generation_figure(build, built_now=not cached))
    for fig in generated:
        if fig is not None:
            print(f"  {fig.figure}: {fig.value:,.1f} s ({fig.note})")
    pairs.append(
        ("Generate the mirror (N contacts, 5 activities each)", generated[0], generated[1])
    )
    for name, run in SECTIONS:
        if wanted and not any(word in name.lower() for word in wanted):
            continue
        pairs.extend(pair_up(name, _measure(name, run, SMALL), _measure(name, run, LARGE)))
    print()
    print(scale_table(pairs, f"{SMALL:,}/{LARGE:,}"))
    print(f"\n{load()}; took {time.perf_counter() - started:.0f} s")
    if not wanted:
        rows = [
            {
                "figure": name,
                str(SMALL): small and small.to_json(),
                str(LARGE): large and large.to_json(),
            }
            for name, small, large in pairs
        ]
        RESULTS.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
