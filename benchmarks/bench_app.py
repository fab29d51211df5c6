"""The app as a user meets it: start-up to a painted My-500, search as you type, memory,
the Insights view.

Start-up is measured from outside: a fresh process per run, on an isolated home
directory, with the time of the first paint taken from the app's own log line
(relative to the process's start) and the whole command timed by the parent.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.datasets import database
from benchmarks.harness import Figure

STARTUP_RUNS = 7
PAINTED = re.compile(r"My-500 painted (\d+) ms after process start")
#: Typing surnames, a first name, an organization, an email fragment and phone digits
#: (from the number's start, and from inside it).
SEARCH_KEYSTROKES = [
    "m", "mü", "mül", "müll", "mülle", "müller",
    "s", "sm", "smi", "smith",
    "a", "an", "ann", "anna", "anna.", "anna.4",
    "g", "gl", "glo", "globex", "globex 1", "globex 12",
    "+49", "+49 170", "+49 170 00", "+49 170 0001",
    "0", "00", "004", "0042",
]  # fmt: skip


def _isolated_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPEDRIVE")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
    )
    return env


def _start_once(db_path: Path) -> tuple[float, float, int]:
    """(painted ms after process start, whole command ms, peak RSS KiB) for one start."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        started = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(
            [sys.executable, "-m", "pipedriven_desktop", "--db", str(db_path),
             "--screenshot", str(home / "shot.png")],
            env=_isolated_env(home),
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        whole = (time.perf_counter() - started) * 1000
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        logs = "".join(p.read_text() for p in home.rglob("*.log"))
        match = PAINTED.search(logs)
        if match is None:
            raise RuntimeError("the app did not log its first paint")
        return float(match.group(1)), whole, max(peak, before)


def startup_figures(contacts: int, target_ms: float) -> list[Figure]:
    db_path = database(contacts)
    _start_once(db_path)  # warm the file cache, as a second start of the day would be
    runs = [_start_once(db_path) for _ in range(STARTUP_RUNS)]
    painted = sorted(r[0] for r in runs)
    whole = sorted(r[1] for r in runs)
    label = f"{contacts:,}"
    return [
        Figure(
            figure=f"Process start → My-500 painted ({label} contacts)",
            value=statistics.median(painted),
            unit="ms",
            target=target_ms,
            minimum=painted[0],
            maximum=painted[-1],
            runs=STARTUP_RUNS,
            note="from the app's log; process start read from /proc (10 ms ticks)",
        ),
        Figure(
            figure=f"Whole command with --screenshot, spawn to exit ({label} contacts)",
            value=statistics.median(whole),
            unit="ms",
            minimum=whole[0],
            maximum=whole[-1],
            runs=STARTUP_RUNS,
        ),
    ]


#: Opens the real main window on a database, offscreen; the measuring code follows it.
_WINDOW_CHILD = r"""
import json, resource, sys, time
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.main_window import DEFAULT_SIZE, MainWindow

app = QApplication([])
db = open_database(sys.argv[1])
window = MainWindow(db, AppSettings(QSettings(sys.argv[2], QSettings.Format.IniFormat)))
window.resize(*DEFAULT_SIZE)
window.show()
app.processEvents()
"""

_SEARCH_CHILD = (
    _WINDOW_CHILD
    + r"""
terms = json.loads(sys.argv[3])
# Typing starts once start-up's own reads off the UI thread (the count, the sidebar's full
# list) are done, as a person's first keystroke comes after the window has settled.
settled = time.perf_counter() + 60
while time.perf_counter() < settled and not (window.model.total_known and window.sidebar.complete):
    app.processEvents()
    time.sleep(0.01)
samples = []
for _ in range(3):
    # Each round reads its searches afresh, as a first typing would (scope counts stay known).
    window.service.forget_searches()
    for term in terms + [""]:
        started, ui_cpu, cpu = time.perf_counter(), time.thread_time(), time.process_time()
        window.filter_bar.search_edit.setText(term)
        window.filter_bar.flush()
        window.table.view.viewport().repaint()
        app.processEvents()
        samples.append((
            (time.perf_counter() - started) * 1000,
            (time.thread_time() - ui_cpu) * 1000,
            (time.process_time() - cpu) * 1000,
        ))
window.model.wait_for_saves(60000)  # a count still running off the UI thread
print(json.dumps(samples))
"""
)


def search_ui_figures(contacts: int) -> list[Figure]:
    """Keystroke → table filtered and repainted, through the real window, model and view."""
    import json

    db_path = database(contacts)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        out = subprocess.run(
            [sys.executable, "-c", _SEARCH_CHILD, str(db_path), str(home / "settings.ini"),
             json.dumps(SEARCH_KEYSTROKES)],
            env=_isolated_env(home),
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    samples = sorted(wall for wall, _ui, _cpu in measured)
    p50 = samples[len(samples) // 2]
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    ui_cpu = sorted(ui for _wall, ui, _cpu in measured)
    cpu = sorted(process for _wall, _ui, process in measured)
    label = f"{contacts:,}"
    note = f"{len(samples)} keystrokes: typing " + ", ".join(
        term
        for term, after in zip(SEARCH_KEYSTROKES, [*SEARCH_KEYSTROKES[1:], ""], strict=True)
        if not after.startswith(term)
    )
    return [
        Figure(
            figure=f"Search keystroke → table filtered, p50 ({label} contacts)",
            value=p50,
            unit="ms",
            minimum=samples[0],
            maximum=samples[-1],
            runs=len(samples),
            note=note,
        ),
        Figure(
            figure=f"Search keystroke → table filtered, p95 ({label} contacts)",
            value=p95,
            unit="ms",
            target=50,
            runs=len(samples),
            note=note,
        ),
        Figure(
            figure=f"Search keystroke, processor time of the UI thread, p50 ({label} contacts)",
            value=_median(ui_cpu),
            unit="ms",
            minimum=ui_cpu[0],
            maximum=ui_cpu[-1],
            runs=len(ui_cpu),
            note="time.thread_time around each keystroke: what the keystroke itself costs,"
            " whatever the machine's load",
        ),
        Figure(
            figure=f"Search keystroke, processor time of the UI thread, p95 ({label} contacts)",
            value=_p95(ui_cpu),
            unit="ms",
            runs=len(ui_cpu),
        ),
        Figure(
            figure=f"Search keystroke, processor time of the whole process, p95 ({label} contacts)",
            value=_p95(cpu),
            unit="ms",
            runs=len(cpu),
            note="time.process_time: the UI thread and any count running off it meanwhile",
        ),
    ]


def _median(ordered: list[float]) -> float:
    return ordered[len(ordered) // 2]


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
_MEMORY_CHILD = (
    _WINDOW_CHILD
    + r"""
def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


start_rss = peak_kib()
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

view, model = window.table.view, window.model
while not (model.total_known and window.sidebar.complete):  # both follow the first paint
    app.processEvents()
    time.sleep(0.005)
view.setFocus()
jumps = []
for _ in range(3):
    started = time.perf_counter()
    QTest.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    view.viewport().repaint()
    app.processEvents()
    jumps.append((time.perf_counter() - started) * 1000)
    assert view.currentIndex().row() == model.rowCount() - 1
    QTest.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    window.table.reload()  # only the first page held again: the next jump reads the end anew
    app.processEvents()
to_end_ms = sorted(jumps)[1]
# A page of rows at a time from the top to the bottom, each step painted: every page is
# read, as a user dragging down through the whole list would have them read.
bar = view.verticalScrollBar()
step = 64 * view.rowHeight(0)
started = time.perf_counter()
while bar.value() < bar.maximum():
    bar.setValue(bar.value() + step)
    view.viewport().repaint()
scroll_s = time.perf_counter() - started
app.processEvents()
print(start_rss, peak_kib(), model.rowCount(), round(to_end_ms, 1), round(scroll_s, 1))
"""
)


def memory_figures(contacts: int) -> list[Figure]:
    db_path = database(contacts)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(db_path), str(home / "settings.ini")],
            env=_isolated_env(home),
            check=True,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    start, scrolled, count, end_ms, scroll_s = out.stdout.split()[-5:]
    start_kib, scrolled_kib, rows = int(start), int(scrolled), int(count)
    label = f"{contacts:,}"
    return [
        Figure(
            figure=f"Ctrl+End → last rows painted ({label} contacts)",
            value=float(end_ms),
            unit="ms",
            target=1000,
            runs=3,
            note="median of 3; read from the end in the reversed order, not by OFFSET",
        ),
        Figure(
            figure=f"Scrolling through all {rows:,} rows, 64 at a time, each step painted",
            value=float(scroll_s),
            unit="s",
            note="keyset pages: each sought from the one before",
        ),
        Figure(
            figure=f"Peak memory (RSS), window open on {label} contacts",
            value=start_kib / 1024,
            unit="MiB",
            target=200,
        ),
        Figure(
            figure=f"Peak memory (RSS), after scrolling through all {rows:,} rows",
            value=scrolled_kib / 1024,
            unit="MiB",
            target=200,
        ),
    ]


STALL_RUNS = 3
STALL_TARGET_MS = 100.0


def stall_figures() -> list[Figure]:
    """The longest the UI thread is held during a full sync in the real window.

    Each run is a process of its own (``benchmarks/stall_probe.py``), so the harness's
    own objects are not in the way; the figure is the median of the runs' worst stalls.
    """
    probe = Path(__file__).with_name("stall_probe.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    worst: list[float] = []
    for _ in range(STALL_RUNS):
        out = subprocess.run(
            [sys.executable, str(probe)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout.split()
        worst.append(float(out[-3]))
    return [
        Figure(
            "Longest UI-thread stall during a full sync in the window (4,000 persons)",
            statistics.median(worst),
            "ms",
            target=STALL_TARGET_MS,
            minimum=min(worst),
            maximum=max(worst),
            runs=STALL_RUNS,
        )
    ]


INSIGHTS_RUNS = 5
#: Opens the Insights window on a settled main window; prints (opened ms, figures ms).
_INSIGHTS_CHILD = (
    _WINDOW_CHILD
    + r"""
from PySide6.QtTest import QTest

QTest.qWait(1500)  # the sidebar and the count, read just after the first paint, settle
idle = 0.0  # the longest turn of the event loop without Insights, as long again
until = time.perf_counter() + 1.5
while time.perf_counter() < until:
    step = time.perf_counter()
    app.processEvents()
    idle = max(idle, (time.perf_counter() - step) * 1000)
    time.sleep(0.002)
started = time.perf_counter()
cpu = time.thread_time()
window.open_insights()
app.processEvents()
window.insights.repaint()
opened = (time.perf_counter() - started) * 1000
opened_cpu = (time.thread_time() - cpu) * 1000
longest = 0.0
while window.insights.counting():
    step = time.perf_counter()
    app.processEvents()
    longest = max(longest, (time.perf_counter() - step) * 1000)
    time.sleep(0.002)
app.processEvents()
window.insights.repaint()
print(json.dumps([opened, (time.perf_counter() - started) * 1000, opened_cpu, longest, idle]))
"""
)


def insights_figures(contacts: int) -> list[Figure]:
    """View → Insights on a copy of the mirror (the cached one is never written to): the
    window painted with its first tab, and every section's figures computed off the UI
    thread and shown. A fresh process per run, so QtCharts is imported in each."""
    import json
    import shutil

    source = database(contacts)
    opened: list[float] = []
    ready: list[float] = []
    cpu: list[float] = []
    stalls: list[float] = []
    idle_stalls: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        db_path = home / source.name
        shutil.copyfile(source, db_path)
        for _ in range(INSIGHTS_RUNS):
            out = subprocess.run(
                [sys.executable, "-c", _INSIGHTS_CHILD, str(db_path), str(home / "settings.ini")],
                env=_isolated_env(home),
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
            first, last, ui_cpu, stall, idle = json.loads(out.stdout.strip().splitlines()[-1])
            stalls.append(stall)
            idle_stalls.append(idle)
            opened.append(first)
            ready.append(last)
            cpu.append(ui_cpu)
    opened.sort()
    ready.sort()
    cpu.sort()
    label = f"{contacts:,}"
    return [
        Figure(
            figure=f"Insights view opens, painted with its first tab ({label} contacts)",
            value=statistics.median(opened),
            unit="ms",
            target=300,
            minimum=opened[0],
            maximum=opened[-1],
            runs=INSIGHTS_RUNS,
            note="QtCharts imported on opening; figures still being counted",
        ),
        Figure(
            figure=f"Insights view opens, UI thread's CPU time ({label} contacts)",
            value=statistics.median(cpu),
            unit="ms",
            target=300,
            minimum=cpu[0],
            maximum=cpu[-1],
            runs=INSIGHTS_RUNS,
            note="the same opening without the wait for a busy machine's other processes",
        ),
        Figure(
            figure=f"Insights figures counted off the UI thread and shown ({label} contacts)",
            value=statistics.median(ready),
            unit="ms",
            minimum=ready[0],
            maximum=ready[-1],
            runs=INSIGHTS_RUNS,
            note="5 sections on a worker thread (cores - 1, at most 2)",
        ),
        Figure(
            figure=f"Longest UI-thread step while Insights figures arrive ({label} contacts)",
            value=statistics.median(stalls),
            unit="ms",
            target=100,
            minimum=min(stalls),
            maximum=max(stalls),
            runs=INSIGHTS_RUNS,
            note="the event loop's longest turn: charts drawn, main window repainted as inactive",
        ),
        Figure(
            figure=f"Longest UI-thread step, main window alone, as long ({label} contacts)",
            value=statistics.median(idle_stalls),
            unit="ms",
            minimum=min(idle_stalls),
            maximum=max(idle_stalls),
            runs=INSIGHTS_RUNS,
            note="the same measure before Insights opens: what the machine's load alone gives",
        ),
    ]
