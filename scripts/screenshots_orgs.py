"""Screenshots of the possible duplicates and the organization card, for docs/.

    .venv/bin/python scripts/screenshots_orgs.py [OUT_DIR]

Renders offscreen on a mirror synced from the bundled fake Pipedrive (so the industries
come with their labels): the duplicates review over the window, then, after merging the
strongest pair, the window with the merged organization's card. Light at 1024x640 and
2560x1440, and dark at 1600x900.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.sync.command import sync_command
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.duplicates_view import DuplicatesDialog, StoreActions
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.style import apply_app_style
from scripts.screenshots_actions import dark_palette, overlay

TOKEN = "screenshot-token"


def build_mirror(folder: Path) -> Path:
    path = folder / "mirror.sqlite3"
    account = FakeAccount.generate(
        seed=11,
        persons=600,
        owned_persons=450,
        organizations=80,
        activities=900,
        deals=120,
        now=datetime.now(UTC),
    )
    with FakePipedriveServer(account, token=TOKEN) as server:
        assert sync_command(path, server.base_url, True, TOKEN) == 0
    return path


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(60):
        app.processEvents()
    window.sidebar.wait(5000)
    window.org_changes.wait(5000)
    for _ in range(30):
        app.processEvents()


def shoot(app: QApplication, out: Path, size: tuple[int, int], suffix: str) -> None:
    folder = Path(tempfile.mkdtemp())
    db = open_database(build_mirror(folder))
    settings = AppSettings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(db, settings)
    window.resize(*size)
    window.show()
    window._load_sidebar()
    settle(app, window)

    window.open_duplicates()
    settle(app, window)
    dialog = window.findChild(DuplicatesDialog)
    assert dialog is not None
    settle(app, window)
    overlay(window, dialog).save(str(out / f"duplicates{suffix}.png"))
    suggestion = dialog.view.current
    assert suggestion is not None
    dialog.close()

    larger = max((suggestion.left, suggestion.right), key=lambda org: org.contacts_all)
    StoreActions(db).merge(suggestion.id, larger.name)
    window.refresh_all()
    settle(app, window)
    survivor = next(
        org.id
        for org in OrgQueries(db).sidebar(None).organizations
        if org.name == larger.name and len(OrgQueries(db).card(org.id, None).spellings) > 1  # type: ignore[union-attr]
    )
    window.sidebar.select(survivor)
    settle(app, window)
    window.grab().save(str(out / f"org-card{suffix}.png"))
    window.close()
    db.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs"
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_app_style(app)
    shoot(app, out, (1024, 640), "-1024x640")
    shoot(app, out, (2560, 1440), "-2560x1440")
    app.setPalette(dark_palette())
    shoot(app, out, (1600, 900), "-dark")
    print(f"wrote duplicates-*.png and org-card-*.png to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
