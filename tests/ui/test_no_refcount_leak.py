"""Painting must not leak references: a binding bug that does crashes the app when scrolling."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.main_window import MainWindow
from tests.synthetic import populate


def test_repainting_the_table_keeps_the_refcount_of_none(
    qtbot: QtBot, db: Database, tmp_path: object
) -> None:
    populate(db, contacts=200, activities_per_contact=1, seed=2)
    settings = AppSettings(QSettings(str(tmp_path) + "/settings.ini", QSettings.Format.IniFormat))
    window = MainWindow(db, settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    viewport = window.table.view.viewport()
    viewport.repaint()
    before = sys.getrefcount(None)
    for _ in range(30):
        viewport.repaint()
    # Each repaint calls the delegates' Python overrides for every visible cell (hundreds);
    # a leak of one reference per call would show as thousands here.
    assert sys.getrefcount(None) - before > -500
