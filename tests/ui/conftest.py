"""GUI fixtures: populated mirrors, isolated QSettings, windows, and a fake Pipedrive.

Every test here runs offscreen and fails on any Qt warning (pytest-qt's log capture),
except the offscreen platform's own note that it cannot pass size hints to a window
manager it does not have.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import update

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact
from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.main_window import DemoEndpoint, MainWindow
from pipedriven_desktop.ui.org_sidebar_model import SidebarEntry
from tests.synthetic import populate

#: Printed by the offscreen platform for any top-level window with a layout.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
TOKEN = "tok-ui-5b0e7f3a9c2d4e1f8a6b"
OWNER_ID = 1
CONTACTS = 420

BREAKDOWN: dict[str, Any] = {
    "score": 6,
    "raw": 6,
    "components": {
        "base": {
            "points": 3,
            "items": [
                {"points": 1, "reason": "has email"},
                {"points": 1, "reason": "has phone"},
                {"points": 1, "reason": "has organization"},
            ],
        },
        "activity": {
            "points": 2,
            "items": [{"points": 2, "reason": "a meeting in the last 30 days"}],
        },
        "relationship": {"points": 0, "items": []},
        "engagement": {
            "points": 1,
            "items": [{"points": 1, "reason": "last activity 12 days ago"}],
        },
    },
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.gui)
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, extend=True))


@pytest.fixture
def populated_db(db: Database) -> Database:
    """A mirror of CONTACTS contacts, most owned by OWNER_ID, one with a full breakdown."""
    populate(db, contacts=CONTACTS, owner_id=OWNER_ID, owned_share=0.8, seed=3)
    with db.session() as session:
        first = session.query(Contact.id).order_by(Contact.pipedrive_person_id).limit(1).scalar()
        session.execute(
            update(Contact)
            .where(Contact.id == first)
            .values(warmness_breakdown=BREAKDOWN, score_breakdown_id=None)
        )
    return db


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def make_window(qtbot: Any, settings: AppSettings) -> Iterator[Callable[..., MainWindow]]:
    """Build a shown MainWindow; every window is closed (and its sync joined) afterwards."""
    windows: list[MainWindow] = []

    def make(db: Database, **kwargs: Any) -> MainWindow:
        window = MainWindow(db, kwargs.pop("settings", settings), **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        # start-up counts the contacts off the UI thread; tests read the counted window
        qtbot.waitUntil(lambda: window.model.total_known, timeout=5000)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture
def window(populated_db: Database, make_window: Callable[..., MainWindow]) -> MainWindow:
    made = make_window(populated_db)
    made._load_sidebar()  # normally just after the first paint
    return made


@pytest.fixture(scope="session")
def account_template() -> Any:
    from pipedriven_desktop.pipedrive.fake_data import FakeAccount

    return FakeAccount.generate(
        seed=11, persons=600, owned_persons=200, organizations=50, activities=1200, deals=120
    )


@pytest.fixture
def fake_server(account_template: Any) -> Iterator[Any]:
    """The bundled fake Pipedrive on 127.0.0.1, over real HTTP, with a fresh account copy."""
    from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer

    server = FakePipedriveServer(account_template.copy(), token=TOKEN)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stored_token(memory_keyring: Any) -> str:
    from pipedriven_desktop import secrets

    secrets.store_token(TOKEN)
    return TOKEN


def demo_endpoint(server: Any) -> DemoEndpoint:
    return DemoEndpoint(server.base_url, TOKEN)


def contacts(model: Any) -> list[ContactRow]:
    """The rows a ContactTableModel holds now."""
    found = [model.row(row) for row in range(model.rowCount())]
    assert all(row is not None for row in found)
    return [row for row in found if row is not None]


def entry(model: Any, row: int) -> SidebarEntry:
    found = model.entry(row)
    assert found is not None
    return found  # type: ignore[no-any-return]
