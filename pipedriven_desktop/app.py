"""Start the desktop app, in stages: crash handler → logging → database → app identity →
QApplication → window → event loop.

Start-up is on the clock (< 0.5 s to a painted My-500), so only what the first paint needs
is imported here: no network client, no fake server, no keyring unless asked for. The
window shows the first page of rows only; the table fetches more as it scrolls.
"""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from pipedriven_desktop import crash, paths
from pipedriven_desktop.redaction import install_log_redaction
from pipedriven_desktop.store.database import (
    Database,
    DatabaseError,
    MirrorFile,
    check_mirror,
    open_checked,
    open_database,
)
from pipedriven_desktop.store.query_stats import RECORDER, STARTUP, save_query_stats

if TYPE_CHECKING:
    from pipedriven_desktop.demo import DemoSession
    from pipedriven_desktop.ui.main_window import MainWindow
    from pipedriven_desktop.ui.upgrade_window import UpgradeWindow

logger = logging.getLogger("pipedriven_desktop")

ORGANIZATION_NAME = paths.APP_AUTHOR
APPLICATION_NAME = paths.APP_NAME
DISPLAY_NAME = "Pipedriven Desktop"
LOG_FILE = "pipedriven-desktop.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3
#: Give up on a screenshot that never becomes ready (e.g. a demo sync that hangs).
SCREENSHOT_TIMEOUT_MS = 180_000
SCREENSHOT_SETTLE_MS = 100
EXIT_DATABASE_ERROR = 2
EXIT_SCREENSHOT_FAILED = 3


@dataclass(frozen=True)
class GuiOptions:
    """What the command line may ask of the GUI."""

    db: Path | None = None
    demo: bool = False
    screenshot: Path | None = None
    base_url: str | None = None
    demo_if_no_token: bool = False

    @classmethod
    def from_namespace(cls, options: Any) -> GuiOptions:
        """Accept an argparse Namespace (or anything with these attributes)."""
        if isinstance(options, GuiOptions):
            return options
        db = getattr(options, "db", None)
        screenshot = getattr(options, "screenshot", None)
        return cls(
            db=Path(db) if db is not None else None,
            demo=bool(getattr(options, "demo", False)),
            screenshot=Path(screenshot) if screenshot is not None else None,
            base_url=getattr(options, "base_url", None) or None,
            demo_if_no_token=bool(getattr(options, "demo_if_no_token", False)),
        )


# -- stages -------------------------------------------------------------------------------------


def setup_logging(log_dir: Path) -> None:
    """A rotating log file in the user's log directory, warnings also on stderr."""
    root = logging.getLogger()
    if any(getattr(handler, "_pipedriven", False) for handler in root.handlers):
        return
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir / LOG_FILE, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        file_handler.setLevel(logging.INFO)
        handlers.append(file_handler)
    except OSError as exc:
        print(f"pipedriven-desktop: cannot write logs to {log_dir}: {exc}", file=sys.stderr)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    handlers.append(console)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._pipedriven = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    install_log_redaction(*handlers)  # no secret reaches the log file or stderr
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def open_mirror(path: Path) -> Database:
    """Open (and migrate) the demo's mirror, whose folder ``start_demo`` has made sure of;
    raises DatabaseError with a message for the user."""
    return open_database(path)


def check_mirror_at(path: Path | None) -> MirrorFile:
    """The mirror's checks (nothing written): whether opening it means an upgrade first.

    ``None`` is the default mirror, whose data folder is the app's to create (a fresh
    machine has none). A path named with --db is the user's: a missing folder is refused
    (DatabaseError "directory … does not exist"), as the command line does.
    """
    if path is None:
        path = paths.default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    return check_mirror(path)


def refuse_missing_folder(path: Path | None) -> None:
    """A --db in a folder that does not exist is refused before anything is created there."""
    if path is not None and not path.parent.is_dir():
        raise DatabaseError(f"Cannot open database {path}: directory {path.parent} does not exist")


def set_app_identity() -> None:
    """Before QApplication: names QSettings and the log, and the desktop file for the icon."""
    QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    QCoreApplication.setApplicationName(APPLICATION_NAME)


def make_application() -> QApplication:
    from pipedriven_desktop.ui.style import apply_app_style

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    QApplication.setApplicationDisplayName(DISPLAY_NAME)
    QApplication.setDesktopFileName(APPLICATION_NAME)
    apply_app_style(app)
    return app


def report_database_error(error: DatabaseError, *, interactive: bool) -> None:
    logger.error("database error: %s", error)
    print(f"pipedriven-desktop: {error}", file=sys.stderr)
    if interactive:
        QMessageBox.critical(
            None,
            DISPLAY_NAME,
            f"The local copy of your Pipedrive data cannot be opened.\n\n{error}",
        )


def process_age_s() -> float | None:
    """Seconds since this process started (Linux; None elsewhere), for the start-up log."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return up - int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return None


# -- the running app ----------------------------------------------------------------------------


class GuiApp:
    """Holds what lives as long as the app: the database, the window, a demo server."""

    def __init__(self, app: QApplication, options: GuiOptions, started: float) -> None:
        self.app = app
        self.options = options
        self.started = started
        self.db: Database | None = None
        self.window: MainWindow | None = None
        self.demo: DemoSession | None = None
        self._shot_pending = options.screenshot is not None
        self._shot_after_sync = False
        self._first_sync = False
        self.upgrade_window: UpgradeWindow | None = None
        self._after_upgrade = False  # its first paint is no start-up figure either

    def open_window(self, db: Database, demo: DemoSession | None) -> MainWindow:
        from pipedriven_desktop.ui.app_settings import AppSettings
        from pipedriven_desktop.ui.main_window import DEFAULT_SIZE, DemoEndpoint, MainWindow

        endpoint = DemoEndpoint(demo.base_url, demo.token) if demo is not None else None
        window = MainWindow(db, AppSettings(), demo=endpoint, base_url=self.options.base_url)
        window.first_painted.connect(self._on_first_painted)
        window.demo_requested.connect(self.switch_to_demo)
        window.account_connected.connect(self.switch_to_account)
        self.db, self.window, self.demo = db, window, demo
        if self.options.screenshot is not None:
            window.resize(*DEFAULT_SIZE)  # the same picture whatever was saved before
        window.show()
        first_sync = window.start_first_sync_if_empty()
        self._first_sync = first_sync  # its first paint waits for the sync: not a start-up
        if self._shot_pending:
            self._shot_after_sync = first_sync
            window.sync_ended.connect(self._on_sync_ended)
            if not first_sync and not window.has_rows():
                QTimer.singleShot(200, self.take_screenshot)
        return window

    def open_window_timed(self, db: Database, demo: DemoSession | None = None) -> None:
        """``open_window``, and for a screenshot the time limit of its becoming ready."""
        self.open_window(db, demo)
        if self.options.screenshot is not None:
            QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, self.screenshot_timed_out)

    def upgrade_then(self, mirror: MirrorFile, then: Callable[[Database], object]) -> None:
        """Upgrade ``mirror`` in the upgrade window, then hand it to ``then`` (which opens a
        window on it). A failure stays on screen in words until the user closes it; with
        no main window behind it, that ends the app."""
        from pipedriven_desktop.ui.upgrade_window import UpgradeWindow

        upgrade = UpgradeWindow(mirror)
        self.upgrade_window = upgrade

        def upgraded(db: Database) -> None:
            self._after_upgrade = True
            then(db)
            self.upgrade_window = None
            upgrade.close()
            upgrade.deleteLater()

        def failed(reason: str) -> None:
            logger.error("database error: %s", reason)
            print(f"pipedriven-desktop: {reason}", file=sys.stderr)
            if self.options.screenshot is not None:
                upgrade.close()  # nobody is there to read it

        def dismissed() -> None:
            if self.upgrade_window is upgrade and self.window is None:
                self.app.exit(EXIT_DATABASE_ERROR)

        upgrade.upgraded.connect(upgraded)
        upgrade.failed.connect(failed)
        upgrade.dismissed.connect(dismissed)
        upgrade.show()
        upgrade.start()

    def switch_to_demo(self) -> None:
        """From the welcome panel: a new window on the demo account replaces the empty one."""
        from pipedriven_desktop.demo import start_demo
        from pipedriven_desktop.sync.lead_status import use_demo_field

        try:
            demo = start_demo()
        except OSError as exc:
            logger.exception("demo server did not start")
            QMessageBox.warning(self.window, DISPLAY_NAME, f"The demo could not start: {exc}")
            return
        try:
            db = open_mirror(demo.db_path)
            use_demo_field(db)
        except DatabaseError as exc:
            demo.stop()
            report_database_error(exc, interactive=True)
            return
        self._replace_window(db, demo)

    def switch_to_account(self) -> None:
        """From the demo, a token was saved: a window on the real mirror replaces the demo's,
        and its first sync starts when the mirror is still empty."""
        path = self.options.db if self.options.db is not None and self.demo is None else None
        try:
            mirror = check_mirror_at(path)
            if mirror.needs_upgrade:
                self.upgrade_then(mirror, lambda db: self._replace_window(db, None))
                return
            db = open_checked(mirror)
        except DatabaseError as exc:
            report_database_error(exc, interactive=True)
            return
        self._replace_window(db, None)

    def _replace_window(self, db: Database, demo: DemoSession | None) -> None:
        old_window, old_db, old_demo = self.window, self.db, self.demo
        if old_window is not None:
            old_window.shutdown()  # the old window's sync and saves end before its db closes
        self.open_window(db, demo)
        if old_window is not None:
            old_window.close()
            old_window.deleteLater()
        if old_db is not None:
            old_db.close()
        if old_demo is not None and old_demo is not demo:
            old_demo.stop()

    def _on_first_painted(self) -> None:
        # What start-up built lives as long as the app: keep it out of the cyclic
        # collector's full passes, which would otherwise rescan it every time (measured:
        # ~100k objects, a full pass 130-150 ms on the UI thread; after the freeze, none).
        # No collect first: that would be one such stall right after the first paint, to
        # free a few hundred objects.
        gc.freeze()
        age = process_age_s()
        if age is not None and not self._first_sync and not self._after_upgrade:
            RECORDER.record(STARTUP, age * 1000, None)  # kept with the query figures
        logger.info(
            "My-500 painted %.0f ms after process start (%.0f ms after main)",
            (age or 0.0) * 1000,
            (time.perf_counter() - self.started) * 1000,
        )
        if self._shot_pending and not self._shot_after_sync:
            # A moment later, so the sidebar (read just after the first paint) is in the picture.
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self.take_screenshot)

    def _on_sync_ended(self) -> None:
        if self._shot_pending and self._shot_after_sync:
            self._shot_after_sync = False
            window = self.window
            if window is not None and window.has_rows():
                window.select_first_contact()
            QTimer.singleShot(100, self.take_screenshot)

    def take_screenshot(self) -> None:
        if not self._shot_pending or self.window is None or self.options.screenshot is None:
            return
        self._shot_pending = False
        target = self.options.screenshot
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = self.window.grab().save(str(target))
        if ok:
            logger.info("screenshot saved to %s", target)
        else:
            print(f"pipedriven-desktop: could not save the screenshot to {target}", file=sys.stderr)
        self.window.close()
        self.app.exit(0 if ok else EXIT_SCREENSHOT_FAILED)

    def screenshot_timed_out(self) -> None:
        if self._shot_pending:
            print(
                "pipedriven-desktop: the window never became ready for a screenshot",
                file=sys.stderr,
            )
            self._shot_pending = False
            if self.window is not None:
                self.window.close()
            self.app.exit(EXIT_SCREENSHOT_FAILED)

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.shutdown()
        if self.demo is not None:
            self.demo.stop()
        if self.db is not None:
            save_query_stats(self.db.reader())
            self.db.close()


def _wants_demo(options: GuiOptions) -> bool:
    if options.demo:
        return True
    if not options.demo_if_no_token:
        return False
    from pipedriven_desktop import secrets

    try:
        return secrets.get_token() is None
    except secrets.KeyringLockedError:
        return False


def run_gui(argv_options: Any) -> int:
    """Run the window until it closes; the exit status for the process.

    ``argv_options`` has ``db`` (Path | None), ``demo`` (bool), ``screenshot`` (Path | None)
    and ``base_url`` (str | None); ``demo_if_no_token`` (bool) is optional.
    """
    crash.install()  # first: whatever fails from here on is logged and told calmly
    started = time.perf_counter()
    options = GuiOptions.from_namespace(argv_options)
    setup_logging(paths.log_dir())

    demo: DemoSession | None = None
    db: Database | None = None
    upgrade: MirrorFile | None = None
    error: DatabaseError | None = None
    try:
        if _wants_demo(options):
            from pipedriven_desktop.demo import start_demo
            from pipedriven_desktop.sync.lead_status import use_demo_field

            refuse_missing_folder(options.db)  # start_demo would make it
            demo = start_demo(options.db)
            db = open_mirror(demo.db_path)
            use_demo_field(db)
        else:
            mirror = check_mirror_at(options.db)
            if mirror.needs_upgrade:
                upgrade = mirror  # minutes on a large mirror: in a window, off this thread
            else:
                db = open_checked(mirror)
    except DatabaseError as exc:
        error = exc

    set_app_identity()
    app = make_application()
    if error is not None or (db is None and upgrade is None):
        assert error is not None
        if demo is not None:
            demo.stop()
        interactive = options.screenshot is None and app.platformName() != "offscreen"
        report_database_error(error, interactive=interactive)
        return EXIT_DATABASE_ERROR

    gui = GuiApp(app, options, started)
    try:
        if db is None:
            assert upgrade is not None
            # The screenshot's time limit counts from the main window: the upgrade before
            # it may take minutes.
            gui.upgrade_then(upgrade, lambda upgraded: gui.open_window_timed(upgraded))
        else:
            gui.open_window_timed(db, demo)
        return int(app.exec())
    finally:
        gui.shutdown()


def main(argv: list[str] | None = None) -> int:
    """``python -m pipedriven_desktop.app``: the GUI options alone (the CLI has the rest)."""
    crash.install()
    import argparse

    parser = argparse.ArgumentParser(prog="pipedriven-desktop")
    parser.add_argument("--db", type=Path, default=None, help="the mirror database file")
    parser.add_argument("--demo", action="store_true", help="run on the bundled fake Pipedrive")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a PNG and exit")
    parser.add_argument("--base-url", default=None, help="the Pipedrive API address")
    return run_gui(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
