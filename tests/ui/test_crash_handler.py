"""Uncaught errors: traceback in the log file, a short message for the user, the app goes on."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer, qWarning
from PySide6.QtWidgets import QMessageBox

from pipedriven_desktop import crash
from pipedriven_desktop.app import LOG_FILE, setup_logging
from pipedriven_desktop.store.database import DatabaseError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_path(tmp_path: Path) -> Iterator[Path]:
    """The app's rotating log, in this test's directory; taken down afterwards."""
    root = logging.getLogger()
    before = list(root.handlers)
    for handler in before:
        if getattr(handler, "_pipedriven", False):
            root.removeHandler(handler)
    setup_logging(tmp_path)
    yield tmp_path / LOG_FILE
    for handler in list(root.handlers):
        if getattr(handler, "_pipedriven", False):
            root.removeHandler(handler)
            handler.close()
    for handler in before:
        if handler not in root.handlers:
            root.addHandler(handler)


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The messages the crash handler put in a message box."""
    boxes: list[str] = []

    def warning(_parent: Any, _title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        boxes.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return boxes


@pytest.fixture
def handler(log_path: Path, shown: list[str]) -> Iterator[crash.CrashHandler]:
    installed = crash.install()
    yield installed
    crash.uninstall()


def _boom() -> None:
    raise ZeroDivisionError("boom in a timer slot")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_timer_slot_is_logged_and_shown_and_the_app_goes_on(
    qtbot: Any, log_path: Path, shown: list[str], handler: crash.CrashHandler
) -> None:
    QTimer.singleShot(0, _boom)
    qtbot.waitUntil(lambda: bool(shown))

    assert len(shown) == 1
    assert "ZeroDivisionError" in shown[0]
    assert str(log_path) in shown[0]
    assert "boom in a timer slot" not in shown[0]  # a bug's text is for the log
    log = log_path.read_text(encoding="utf-8")
    assert "Uncaught exception" in log
    assert "Traceback (most recent call last)" in log
    assert "in _boom" in log
    assert "ZeroDivisionError: boom in a timer slot" in log

    later: list[int] = []
    QTimer.singleShot(0, lambda: later.append(1))
    qtbot.waitUntil(lambda: bool(later))  # the event loop is still turning


def test_a_user_error_in_a_thread_is_shown_as_it_is_from_the_gui_thread(
    qtbot: Any, log_path: Path, shown: list[str], handler: crash.CrashHandler
) -> None:
    message = "Cannot open database mirror.sqlite3: it is locked by another program"

    def fail() -> None:
        raise DatabaseError(message)

    worker = threading.Thread(target=fail, name="worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown))

    assert shown == [message]
    log = log_path.read_text(encoding="utf-8")
    assert message in log
    assert "Traceback" not in log  # not a bug


def test_qt_warnings_go_to_the_log(qtbot: Any, log_path: Path, handler: crash.CrashHandler) -> None:
    qWarning("a warning from Qt")
    assert "WARNING qt: a warning from Qt" in log_path.read_text(encoding="utf-8")


def test_with_no_gui_an_uncaught_error_is_one_line_on_stderr(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "from pipedriven_desktop import crash\n"
        "crash.install()\n"
        "logging.getLogger().addHandler(logging.FileHandler(sys.argv[1]))\n"
        "raise RuntimeError('internal detail')\n"
    )
    log = tmp_path / "crash.log"
    done = subprocess.run(
        [sys.executable, "-c", code, str(log)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("pipedriven-desktop: Something went wrong inside the app")
    assert "RuntimeError" in done.stderr
    assert "internal detail" in log.read_text(encoding="utf-8")
