"""Rescoring 100,000 contacts: the lean pass beside the previous one, in the same run.

Three cases, each on its own copy of the cached mirror, scored once beforehand:

- nearly every score changes (every contact worked out from the mirror, scored
  alternately now and half a year later);
- nothing changes (every contact visited after a change of the lead status settings
  that moves no score: a value no contact holds now counts as qualified; the previous
  pass had to work every contact out from the mirror for it);
- the daily pass, when only time moved (the next day, and the day after).

Peak memory is Python's (``tracemalloc``), from one more run of each case. Each case
also prints its floor: the pass's SQLite reads and writes replayed alone
(`benchmarks.scoring_floor`), what no scoring code could save in this schema.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import baseline_scoring
from benchmarks.datasets import database
from benchmarks.harness import Figure
from benchmarks.scoring_floor import Floor, floor_of_pass
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.meta import lead_status_values, set_lead_status_values
from pipedriven_desktop.sync import scoring

RUNS = 3
STALE_SHIFT_DAYS = 180
Rescore = Callable[..., int]
#: Wall-clock seconds of each run, the traced run's Python peak in bytes, and each
#: run's processor seconds.
Samples = tuple[list[float], int, list[float]]


def _sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _forget_day(path: Path, _run: int = 0) -> None:
    _sql(path, "DELETE FROM app_meta WHERE key = 'scores_day'")


def _settings_changed(path: Path, run: int) -> None:
    """A lead status no contact holds now counts as qualified: every contact is
    visited, no score moves."""
    db = open_database(path)
    try:
        with db.session() as session:
            conn = session.connection()
            values = lead_status_values(conn)
            kept = [value for value in values.qualified if not value.startswith("nobody ")]
            set_lead_status_values(conn, [*kept, f"nobody {run}"], values.contacted)
    finally:
        db.close()


def _timed(
    path: Path,
    rescore: Rescore,
    now: datetime,
    trace: bool = False,
    processor: list[float] | None = None,
) -> tuple[float, int]:
    """Seconds of one pass (and its Python peak in bytes when traced); its processor
    time is added to ``processor``."""
    db = open_database(path)
    try:
        if trace:
            tracemalloc.start()
        started, used = time.perf_counter(), time.process_time()
        rescore(db, now)
        seconds = time.perf_counter() - started
        if processor is not None and not trace:
            processor.append(time.process_time() - used)
        peak = 0
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    finally:
        db.close()
    return seconds, peak


def _case(
    path: Path,
    rescore: Rescore,
    moments: list[datetime],
    runs: int,
    trace: bool,
    prepare: Callable[[Path, int], None] = _forget_day,
) -> Samples:
    """Passes visiting every contact at ``moments`` in turn, each after ``prepare``;
    the last one traced."""
    samples: list[float] = []
    processor: list[float] = []
    peak = 0
    for run in range(runs + trace):
        prepare(path, run)
        seconds, traced = _timed(
            path, rescore, moments[run % len(moments)], trace=run == runs, processor=processor
        )
        if run < runs:
            samples.append(seconds)
        peak = traced
    return samples, peak, processor


def _daily(
    source: Path, tmp: Path, rescore: Rescore, now: datetime, runs: int, trace: bool
) -> Samples:
    """The pass on each of the next days, from the same scored mirror each time."""
    samples: list[float] = []
    processor: list[float] = []
    peak = 0
    for day in range(1, runs + trace + 1):
        copy = tmp / f"daily-{day}.sqlite3"
        shutil.copy(source, copy)
        # The copy's own writing-back would otherwise slow the pass's writes.
        os.sync()
        seconds, peak = _timed(
            copy, rescore, now + timedelta(days=day), trace=day > runs, processor=processor
        )
        copy.unlink()
        if day <= runs:
            samples.append(seconds)
    return samples, peak, processor


def _figure(name: str, target: float, new: Samples, old: Samples, note: str) -> Figure:
    samples, peak = sorted(new[0]), new[1]
    old_samples = sorted(old[0])
    processor = sorted(new[2])
    return Figure(
        figure=name,
        value=samples[len(samples) // 2],
        unit="s",
        target=target,
        naive=old_samples[len(old_samples) // 2],
        minimum=samples[0],
        maximum=samples[-1],
        runs=len(samples),
        note=f"{note}; processor time {processor[len(processor) // 2]:.2f} s (median);"
        f" naive: the previous pass ({len(old_samples)} run); "
        f"peak Python memory {peak / 2**20:.0f} MiB",
        extra={"peak_mib": round(peak / 2**20, 1)},
    )


def _floor_figure(title: str, target: float, floor: Floor) -> Figure:
    rebuilt = ", around a rebuild of the score's indexes" if floor.rebuilt else ""
    return Figure(
        figure=f"{title}: its floor, the SQLite reads and writes alone",
        value=floor.total,
        unit="s",
        note=f"reads {floor.reads:.2f} s ({floor.statements} statements), writes"
        f" {floor.writes:.2f} s ({floor.rows_written:,} rows{rebuilt}, committed);"
        f" processor time {floor.processor:.2f} s; the pass's target is {target:g} s",
        extra={
            "reads_s": round(floor.reads, 3),
            "writes_s": round(floor.writes, 3),
            "processor_s": round(floor.processor, 3),
        },
    )


def score_figures(contacts: int = 100_000) -> list[Figure]:
    source = database(contacts)
    now = datetime.now(UTC)
    #: Half a year on, recent activities and last-activity points have all gone: a pass
    #: alternating between the two moments changes nearly every score.
    later = now + timedelta(days=STALE_SHIFT_DAYS)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        scored = tmp / "scored.sqlite3"
        shutil.copy(source, scored)
        _forget_day(scored)
        _timed(scored, scoring.rescore, now)
        # Each pass on its own copy: the previous pass writes its own breakdowns, which
        # would make the lean pass's next "nothing changes" run a pass changing them all.
        work, work_old = tmp / "work.sqlite3", tmp / "work-old.sqlite3"
        shutil.copy(scored, work)
        shutil.copy(scored, work_old)
        figures = []
        floors = [
            _floor_figure(
                f"{title} ({contacts:,} contacts)",
                target,
                floor_of_pass(scored, tmp, scoring.rescore, moment, prepare),
            )
            for title, target, moment, prepare in (
                ("Rescore, nearly every score changes", 1.0, later, _forget_day),
                (
                    "Rescore, nothing changes",
                    0.5,
                    now,
                    lambda path: _settings_changed(path, RUNS + 1),
                ),
                ("Daily rescore", 0.3, now + timedelta(days=1), lambda _path: None),
            )
        ]
        for title, target, moments, note, prepare in (
            (
                "Rescore, nearly every score changes",
                1.0,
                [later, now],
                "every contact worked out again, scored half a year apart in turn",
                _forget_day,
            ),
            (
                "Rescore, nothing changes: a settings change moving no score",
                0.5,
                [now],
                "every contact visited after a lead status settings change",
                _settings_changed,
            ),
        ):
            new = _case(work, scoring.rescore, moments, RUNS, trace=True, prepare=prepare)
            old = _case(work_old, baseline_scoring.rescore, moments[1:] + moments[:1], 1, False)
            figures.append(_figure(f"{title} ({contacts:,} contacts)", target, new, old, note))
        new = _daily(scored, tmp, scoring.rescore, now, RUNS, trace=True)
        old = _daily(scored, tmp, baseline_scoring.rescore, now, 1, trace=False)
        figures.append(
            _figure(
                f"Daily rescore, only time moved ({contacts:,} contacts)",
                0.3,
                new,
                old,
                "the next days; only contacts at a time bracket visited",
            )
        )
    return [*figures, *floors]
