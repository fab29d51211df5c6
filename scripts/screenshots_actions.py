"""Screenshots of the actions and of Today, for docs/: light at 1024x640 and 2560x1440, dark.

    .venv/bin/python scripts/screenshots_actions.py [OUT_DIR]

Renders offscreen on a synthetic mirror: a call is logged and a next step scheduled for
the first contact (so the detail pane shows them waiting to be sent), then the log
dialog, and Today, are drawn over the window as a user would see them.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.models import Activity, Contact
from pipedriven_desktop.ui.action_dialog import (
    LogRequest,
    ScheduleRequest,
)
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.due import to_pipedrive_due
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.style import apply_app_style
from tests.synthetic import populate

OWNER = 1
AGENDA = [  # (days from today, local time or None, type, subject)
    (-6, None, "task", "Send the revised quote"),
    (-2, "15:00", "call", "Call back about the pilot"),
    (-1, "10:30", "meeting", "Demo follow-up with procurement"),
    (0, "09:30", "call", "Check the contract draft arrived"),
    (0, None, "email", "Send the onboarding checklist"),
    (0, "16:00", "meeting", "Quarterly review"),
    (1, "11:00", "call", "Introduce the new account manager"),
    (2, None, "task", "Prepare the renewal offer"),
    (3, "14:00", "meeting", "Workshop on the integration"),
    (5, "09:00", "call", "Ask for the reference"),
    (7, "13:30", "email", "Share the case study"),
]


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2e"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e20"),
        (QPalette.ColorRole.AlternateBase, "#262629"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Button, "#35353a"),
        (QPalette.ColorRole.ButtonText, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d6fb6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#3a3a20"),
        (QPalette.ColorRole.ToolTipText, "#f0f0e0"),
        (QPalette.ColorRole.PlaceholderText, "#9a9aa0"),
        (QPalette.ColorRole.Link, "#8ab4f8"),
        (QPalette.ColorRole.Mid, "#444448"),
        (QPalette.ColorRole.Dark, "#18181a"),
        (QPalette.ColorRole.Light, "#505055"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


def build_mirror(folder: Path) -> Database:
    db = open_database(folder / "mirror.sqlite3")
    populate(db, contacts=420, owner_id=OWNER, owned_share=0.8, seed=3)
    today = date.today()
    with db.session() as session:
        contacts = (
            session.query(Contact)
            .filter(Contact.owner_id == OWNER, Contact.organization_id.is_not(None))
            .order_by(Contact.pipedrive_person_id)
            .limit(len(AGENDA) + 1)
            .all()
        )
        for (days, at, kind, subject), contact in zip(AGENDA, contacts[1:], strict=False):
            due_date, due_time = to_pipedrive_due(
                today + timedelta(days=days),
                None if at is None else datetime.strptime(at, "%H:%M").time(),
            )
            session.add(
                Activity(
                    pipedrive_activity_id=900_000 + days * 10 + len(subject),
                    contact_id=contact.id,
                    organization_id=contact.organization_id,
                    pipedrive_person_id=contact.pipedrive_person_id,
                    owner_id=OWNER,
                    type=kind,
                    subject=subject,
                    due_date=due_date,
                    due_time=due_time,
                    done=False,
                    add_time=utcnow() - timedelta(days=10),
                    update_time=utcnow(),
                )
            )
    return db


def refuse_first(db: Database, reason: str) -> None:
    """Mark the first outbox row refused, as the sender does when Pipedrive says no."""
    conn = sqlite3.connect(db.path)
    with conn:
        conn.execute(
            "UPDATE outbox SET state = 'refused', error = ?, attempts = 1"
            " WHERE id = (SELECT min(id) FROM outbox)",
            (reason,),
        )
    conn.close()


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(50):
        app.processEvents()
    actions = window.window_actions
    while actions.controller.runner.in_flight() or actions.reader.in_flight():
        actions.controller.wait(2000)
        actions.reader.wait(2000)
        app.processEvents()
    for _ in range(20):
        app.processEvents()


def overlay(base: QWidget, top: QWidget) -> QPixmap:
    """The window with a dialog drawn over its middle, as the desktop would show it."""
    picture = base.grab()
    shot = top.grab()
    at = QPoint(
        (picture.width() - shot.width()) // 2, max(40, (picture.height() - shot.height()) // 3)
    )
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 60))
    painter.setPen(QColor(0, 0, 0, 120))
    painter.drawRect(at.x() - 1, at.y() - 1, shot.width() + 1, shot.height() + 1)
    painter.drawPixmap(at, shot)
    painter.end()
    return picture


def shoot(app: QApplication, out: Path, size: tuple[int, int], suffix: str) -> None:
    folder = Path(tempfile.mkdtemp())
    db = build_mirror(folder)
    settings = AppSettings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(db, settings)
    window.resize(*size)
    window.show()
    window._load_sidebar()
    settle(app, window)
    window.table.select_first()
    settle(app, window)
    contact = window.table.current_contact()
    assert contact is not None
    actions = window.window_actions
    actions.submit(
        contact,
        LogRequest(
            "call",
            f"Call with {contact.name}",
            "Interested in the pilot; wants the price list",
            datetime.now().astimezone() - timedelta(minutes=5),
        ),
    )
    due_date, due_time = to_pipedrive_due(
        date.today() + timedelta(days=2), datetime.strptime("10:00", "%H:%M").time()
    )
    actions.submit(
        contact, ScheduleRequest("email", "Send the price list", due_date, due_time, None)
    )
    settle(app, window)
    window.window_actions.show_contact(contact.id)
    settle(app, window)
    window.status.clearMessage()  # "Email scheduled …" would time out before anyone looks

    if not suffix:
        window.grab().save(str(out / "actions-window.png"))
    actions.log(window.detail.contact or contact)
    dialog = actions.dialog
    assert dialog is not None
    dialog.note.setPlainText("Left a voicemail; will try again on Thursday")
    dialog.adjustSize()
    settle(app, window)
    overlay(window, dialog).save(str(out / f"actions-log{suffix}.png"))
    dialog.reject()

    agenda = actions.open_agenda()
    agenda.resize(min(980, size[0] - 60), min(560, size[1] - 80))
    settle(app, window)
    overlay(window, agenda).save(str(out / f"agenda{suffix}.png"))
    agenda.close()

    refuse_first(
        db,
        "Pipedrive no longer has the person or activity (it may have been deleted): "
        "Person not found.",
    )
    outbox = actions.open_outbox()
    settle(app, window)
    outbox.resize(min(900, size[0] - 60), min(420, size[1] - 80))
    outbox.view.selectRow(0)
    settle(app, window)
    overlay(window, outbox).save(str(out / f"outbox{suffix}.png"))
    outbox.close()
    window.close()
    db.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication([])
    apply_app_style(app)
    shoot(app, out, (1024, 640), "")
    shoot(app, out, (2560, 1440), "-2560x1440")
    app.setPalette(dark_palette())
    shoot(app, out, (1600, 900), "-dark")


if __name__ == "__main__":
    main()
