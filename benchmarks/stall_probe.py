"""Run one full sync in the real window against the fake and print the longest stall (ms).

A child process of its own, like the app: the test runner's own machinery (a Qt message
handler in Python, a heap full of other tests' objects) is not in the UI thread's way.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.main_window import DemoEndpoint, MainWindow

TOKEN = "stall-token"
TICK_MS = 10


def main() -> int:
    app = QApplication([])
    account = FakeAccount.generate(
        seed=5, persons=4000, owned_persons=500, organizations=400, activities=8000, deals=800
    )
    with tempfile.TemporaryDirectory() as tmp, FakePipedriveServer(account, token=TOKEN) as server:
        db = open_database(Path(tmp) / "mirror.sqlite3")
        settings = AppSettings(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(db, settings, demo=DemoEndpoint(server.base_url, TOKEN))
        window.show()
        app.processEvents()
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        loop = QEventLoop()
        window.sync_ended.connect(loop.quit)
        timer.start()
        last[0] = time.perf_counter()
        if not window.start_sync():
            return 2
        loop.exec()
        timer.stop()
        rows = window.model.total
        window.close()
        db.close()
    print(f"{max(gaps):.1f} {len(gaps)} {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
