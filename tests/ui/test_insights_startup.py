"""Opening the app stays as fast as before: nothing of Insights is imported by the first paint;
and the start-up is timed and kept with the query figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipedriven_desktop.store.database import Database

#: The real start (cli → app → window); at the first paint it prints the modules loaded.
_CHILD = r"""
import json, sys
from pipedriven_desktop import app, cli

painted = app.GuiApp._on_first_painted

def report(self):
    loaded = sorted(m for m in sys.modules if "QtCharts" in m or "insights" in m)
    print("LOADED " + json.dumps(loaded), flush=True)
    painted(self)

app.GuiApp._on_first_painted = report
sys.exit(cli.main(["--db", sys.argv[1], "--screenshot", sys.argv[2]]))
"""


def test_neither_insights_nor_qtcharts_is_imported_before_the_first_paint(
    populated_db: Database, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(populated_db.path), str(tmp_path / "shot.png")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOADED "))
    loaded = json.loads(line.removeprefix("LOADED "))
    # The query statistics (store.query_stats) are not Insights: only the view and its SQL.
    assert loaded == []
    assert (tmp_path / "shot.png").exists()
    # The start-up was timed, and saved with the day's query figures when the app quit.
    calls, longest = (
        populated_db.reader()
        .execute("SELECT calls, max_ms FROM query_stats_daily WHERE operation = 'startup'")
        .fetchone()
    )
    assert calls == 1
    assert 0 < longest < 60_000
