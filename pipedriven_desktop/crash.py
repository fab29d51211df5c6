"""Uncaught errors: the traceback goes to the log file, the user gets one short, calm message.

``install()`` is the GUI's first step (never done at import, so pytest-qt's own exception
capture keeps working in tests). It sets ``sys.excepthook`` (exceptions in slots, timers
and Qt's virtual overrides end there, and the app goes on), ``threading.excepthook``, and
a Qt message handler that sends Qt's warnings to the log.

Errors meant for the user (a locked, read-only or corrupt mirror, Pipedrive unreachable,
another sync running, a locked keychain) are shown as they are and logged without a
traceback; anything else is a bug: logged with its traceback, and the user is told where.
A message reaches the GUI thread as a posted event, so no other thread touches a widget;
with no QApplication it is one line on stderr. Qt is imported only when it is in use.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, QObject

__all__ = ["TITLE", "CrashHandler", "install", "is_user_error", "uninstall", "user_message"]

logger = logging.getLogger("pipedriven_desktop.crash")
qt_logger = logging.getLogger("qt")

TITLE = "Pipedriven Desktop"
#: The same message is shown at most once in this many seconds (a failing paint repeats).
REPEAT_S = 30.0
#: Exceptions whose message is written for the user, by module and class name. Looked up
#: only in modules already imported: an exception cannot be of a class never loaded.
_USER_ERRORS = (
    ("pipedriven_desktop.store.errors", "DatabaseError"),
    ("pipedriven_desktop.store.database", "DatabaseError"),
    ("pipedriven_desktop.pipedrive.errors", "PipedriveError"),
    ("pipedriven_desktop.secrets", "KeyringLockedError"),
)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def is_user_error(exc: BaseException) -> bool:
    """True for the app's own errors whose message is meant for the user (not a bug)."""
    for module_name, class_name in _USER_ERRORS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and isinstance(exc, cls):
            return True
    return False


def user_message(exc: BaseException, log_path: Path | None) -> str:
    """What the user reads: the error's own text, or a calm note that points at the log."""
    if is_user_error(exc):
        return str(exc)
    where = f" in {log_path}" if log_path is not None else ""
    return (
        f"Something went wrong inside the app ({type(exc).__name__}). "
        f"Your data is safe and the app carries on; the details are in the log{where}."
    )


def log_file() -> Path | None:
    """The file the root logger writes to, if any (the app's own, set up in ``app.py``, first)."""
    handlers = sorted(
        logging.getLogger().handlers, key=lambda h: not getattr(h, "_pipedriven", False)
    )
    for handler in handlers:
        name = getattr(handler, "baseFilename", None)
        if isinstance(name, str) and name != os.devnull:
            return Path(name)
    return None


class CrashHandler:
    """The installed hooks; ``uninstall`` puts back what was there before."""

    def __init__(self) -> None:
        self._previous_excepthook: Callable[..., Any] | None = None
        self._previous_threadhook: Callable[..., Any] | None = None
        self._previous_qt_handler: Any = None
        self._qt_installed = False
        self._lock = threading.Lock()
        self._queue: deque[str] = deque()
        self._shown: dict[str, float] = {}
        self._showing = False
        self._notifier: QObject | None = None

    # -- hooks -----------------------------------------------------------------------------------

    def install(self) -> None:
        self._previous_excepthook = sys.excepthook
        self._previous_threadhook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        if "PySide6.QtCore" in sys.modules:
            self.install_qt_messages()

    def install_qt_messages(self) -> None:
        """Route Qt's own messages to the log (done by ``install`` once Qt is imported)."""
        if self._qt_installed:
            return
        from PySide6.QtCore import qInstallMessageHandler

        self._previous_qt_handler = qInstallMessageHandler(self.qt_message)
        self._qt_installed = True

    def uninstall(self) -> None:
        if self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        if self._previous_threadhook is not None:
            threading.excepthook = self._previous_threadhook
        if self._qt_installed:
            from PySide6.QtCore import qInstallMessageHandler

            qInstallMessageHandler(self._previous_qt_handler)
            self._qt_installed = False

    def excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        self.handle((exc_type, exc, tb), threading.current_thread().name)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.handle((args.exc_type, args.exc_value, args.exc_traceback), name)

    def qt_message(self, mode: Any, context: Any, message: str) -> None:
        from PySide6.QtCore import QtMsgType

        levels = {
            QtMsgType.QtDebugMsg: logging.DEBUG,
            QtMsgType.QtInfoMsg: logging.INFO,
            QtMsgType.QtWarningMsg: logging.WARNING,
            QtMsgType.QtCriticalMsg: logging.ERROR,
            QtMsgType.QtFatalMsg: logging.CRITICAL,
        }
        category = getattr(context, "category", None)
        prefix = f"{category}: " if category and category != "default" else ""
        qt_logger.log(levels.get(mode, logging.WARNING), "%s%s", prefix, message)

    # -- what happens to an uncaught exception ---------------------------------------------------

    def handle(self, exc_info: ExcInfo, thread_name: str) -> None:
        exc_type, exc, _tb = exc_info
        try:
            if issubclass(exc_type, KeyboardInterrupt):
                logger.info("interrupted")
                self._quit_app()
                return
            if is_user_error(exc):
                logger.warning("%s (uncaught in %s)", exc, thread_name)
            else:
                logger.error("Uncaught exception in %s", thread_name, exc_info=exc_info)
            self.notify(user_message(exc, log_file()))
        except Exception:  # the hook itself must never raise
            sys.__excepthook__(*exc_info)

    def notify(self, message: str) -> None:
        """Show ``message`` on the GUI thread (a box), or print it when there is no GUI."""
        with self._lock:
            now = time.monotonic()
            last = self._shown.get(message)
            if last is not None and now - last < REPEAT_S:
                return
            self._shown[message] = now
        app = _application()
        if app is None:
            print(f"pipedriven-desktop: {message}", file=sys.stderr)
            return
        with self._lock:
            self._queue.append(message)
        if threading.current_thread() is threading.main_thread() and _loop_level() == 0:
            self._show_queued()  # no event loop to defer to (start-up or shut-down)
        else:
            self._post(app)

    def _post(self, app: QObject) -> None:
        from PySide6.QtCore import QCoreApplication, QEvent

        notifier = self._notifier
        if notifier is None:
            notifier = self._notifier = _make_notifier(self._show_queued)
            notifier.moveToThread(app.thread())
        QCoreApplication.postEvent(notifier, QEvent(_event_type()))

    def _show_queued(self) -> None:
        """On the GUI thread: one box at a time, however many messages arrive meanwhile."""
        if self._showing:
            return
        self._showing = True
        try:
            while True:
                with self._lock:
                    if not self._queue:
                        return
                    message = self._queue.popleft()
                _show_box(message)
        finally:
            self._showing = False

    def _quit_app(self) -> None:
        app = _application()
        if app is not None:
            app.quit()


_handler: CrashHandler | None = None


def install() -> CrashHandler:
    """Install the hooks once per process; returns the handler (to uninstall in tests)."""
    global _handler
    if _handler is None:
        _handler = CrashHandler()
        _handler.install()
    elif "PySide6.QtCore" in sys.modules:
        _handler.install_qt_messages()
    return _handler


def uninstall() -> None:
    global _handler
    if _handler is not None:
        _handler.uninstall()
        _handler = None


# -- Qt, imported only once it is in use ----------------------------------------------------------


def _application() -> Any:
    if "PySide6.QtWidgets" not in sys.modules:
        return None
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    return app if isinstance(app, QApplication) else None


def _loop_level() -> int:
    from PySide6.QtCore import QThread

    return int(QThread.currentThread().loopLevel())


_EVENT_TYPE: int | None = None


def _event_type() -> QEvent.Type:
    from PySide6.QtCore import QEvent

    global _EVENT_TYPE
    if _EVENT_TYPE is None:
        _EVENT_TYPE = QEvent.registerEventType()
    return QEvent.Type(_EVENT_TYPE)


def _make_notifier(show: Callable[[], None]) -> QObject:
    from PySide6.QtCore import QObject

    class Notifier(QObject):
        def event(self, event: QEvent) -> bool:
            if event.type() == _event_type():
                show()
                return True
            return super().event(event)

    return Notifier()


def _show_box(message: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    QMessageBox.warning(QApplication.activeWindow(), TITLE, message)
