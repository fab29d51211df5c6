"""Settings: the Pipedrive API token (keychain only), the company domain, the API address,
and (given the mirror) the lead status field and values (``ui.lead_status_settings``).

"Test connection" asks Pipedrive who the token belongs to (``/v1/users/me``) on a pool
thread, so the dialog stays responsive however slow the network is. The token is never
written to QSettings, the database or the log; without a usable keychain, or with one
that is locked, the dialog says so and offers to keep it for this session only. The API
address goes to the plain-text settings file, so one carrying credentials (or anything
else the client would refuse) is refused here, with a message that never repeats it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.style import heading, muted

if TYPE_CHECKING:
    from pipedriven_desktop.pipedrive.client import PipedriveClient
    from pipedriven_desktop.store.database import Database
    from pipedriven_desktop.ui.lead_status_settings import LeadStatusSection

logger = logging.getLogger(__name__)

ClientFactory = Callable[[str, str], "PipedriveClient"]

KEYRING_LOCKED = (
    "The system keychain is locked or refused access to the saved token. Unlock it and "
    "open Settings again, or type the token and use it for this session only."
)


def _test_client(base_url: str, token: str) -> PipedriveClient:
    from pipedriven_desktop.pipedrive.client import PipedriveClient

    return PipedriveClient(base_url, token, timeout=10, max_retries=1)


class ConnectionSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(str)


class ConnectionTest(QRunnable):
    """Calls ``client.me()`` on a pool thread; reports through ``signals`` (main thread)."""

    def __init__(self, base_url: str, token: str, client_factory: ClientFactory) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the dialog keeps it (and its signals) alive
        self.signals = ConnectionSignals()
        self._base_url = base_url
        self._token = token
        self._client_factory = client_factory

    def run(self) -> None:
        from pipedriven_desktop.pipedrive.errors import PipedriveError

        try:
            client = self._client_factory(self._base_url, self._token)
            try:
                user = client.me()
            finally:
                client.close()
        except PipedriveError as exc:
            self.signals.failed.emit(exc.message)
        except ValueError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:
            logger.exception("connection test crashed")
            self.signals.failed.emit(f"Unexpected error ({type(exc).__name__}).")
        else:
            self.signals.succeeded.emit(user)


DEMO_INTRO = (
    "You are looking at demo data. To see your own contacts, paste your personal API token "
    "from Pipedrive (Settings → Personal preferences → API) and press Save: the window "
    "switches to your account and the first sync starts. The token is kept in the system "
    "keychain, never in a file."
)


class SettingsDialog(QDialog):
    """Edit the connection; ``accepted`` means the token (if typed) is stored somewhere safe.

    ``demo`` words it as connecting one's own account (the window then leaves the demo);
    ``problem`` shows why the dialog opened (e.g. the token was refused).
    ``token_forgotten`` follows "Forget token", which removes the stored token.
    """

    token_forgotten = Signal()

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        client_factory: ClientFactory | None = None,
        thread_pool: QThreadPool | None = None,
        demo: bool = False,
        problem: str = "",
        db: Database | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect your Pipedrive account" if demo else "Settings")
        self.setModal(True)
        self.setMinimumWidth(520)
        self._settings = settings
        self._client_factory = client_factory or _test_client
        self._pool = thread_pool or QThreadPool.globalInstance()
        self._test: ConnectionTest | None = None
        self._keyring_locked = False

        from pipedriven_desktop import secrets

        has_token = self._stored_token() is not None

        title = QLabel("Connect your Pipedrive account" if demo else "Connect to Pipedrive")
        heading(title, 1.3)
        intro = QLabel(
            DEMO_INTRO
            if demo
            else "Paste your personal API token from Pipedrive (Settings → Personal "
            "preferences → API). It is kept in the system keychain, never in a file."
        )
        intro.setWordWrap(True)
        muted(intro)

        self.token_edit = QLineEdit()
        self.token_edit.setObjectName("token")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(
            "Saved in the keychain; type to replace" if has_token else "API token"
        )
        self.token_edit.textChanged.connect(self._on_edited)
        self.domain_edit = QLineEdit(settings.company_domain)
        self.domain_edit.setObjectName("companyDomain")
        self.domain_edit.setPlaceholderText("yourcompany (from yourcompany.pipedrive.com)")
        self.base_url_edit = QLineEdit(settings.base_url)
        self.base_url_edit.setObjectName("baseUrl")
        self.base_url_edit.textChanged.connect(self._on_edited)

        form = QFormLayout()
        form.setContentsMargins(0, 8, 0, 0)
        form.setVerticalSpacing(8)
        form.addRow("API token", self.token_edit)
        form.addRow("Company domain", self.domain_edit)
        form.addRow("API address", self.base_url_edit)

        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnection")
        self.test_button.setAutoDefault(False)
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("testResult")
        self.test_result.setWordWrap(True)
        if problem:
            self.test_result.setText(f"✗ {problem}")
        self.forget_button = QPushButton("Forget token")
        self.forget_button.setObjectName("forgetToken")
        self.forget_button.setAutoDefault(False)
        self.forget_button.setToolTip("Remove the saved API token from this computer")
        self.forget_button.clicked.connect(self.forget_token)
        self.forget_button.setVisible(has_token and not demo)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        test_row.addWidget(self.forget_button)

        self.keyring_box = QFrame()
        self.keyring_box.setObjectName("keyringProblem")
        self.keyring_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.keyring_message = QLabel()
        self.keyring_message.setWordWrap(True)
        self.session_button = QPushButton("Use for this session only")
        self.session_button.setObjectName("useForSession")
        self.session_button.setAutoDefault(False)
        self.session_button.clicked.connect(self._use_for_session)
        box_layout = QVBoxLayout(self.keyring_box)
        box_layout.addWidget(self.keyring_message)
        box_layout.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.keyring_box.hide()
        if self._keyring_locked:
            self._show_keyring_problem(KEYRING_LOCKED)
        elif not secrets.keyring_usable():
            self._show_keyring_problem(
                "No system keychain is available on this computer, so the token cannot be "
                "saved. It can be used for this session only and will be asked again next time."
            )

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.keyring_box)
        self.lead_status: LeadStatusSection | None = None
        if db is not None and not demo:
            from pipedriven_desktop.ui.lead_status_settings import LeadStatusSection

            self.lead_status = LeadStatusSection(
                db, self._lead_status_credentials, self._client_factory, self._pool
            )
            layout.addWidget(self.lead_status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # -- token ----------------------------------------------------------------------------------

    def _stored_token(self) -> str | None:
        from pipedriven_desktop import secrets

        try:
            return secrets.get_token()
        except secrets.KeyringLockedError:
            self._keyring_locked = True
            if hasattr(self, "keyring_box"):
                self._show_keyring_problem(KEYRING_LOCKED)
            return None

    def _token_for_test(self) -> str | None:
        return self.token_edit.text().strip() or self._stored_token()

    def _show_keyring_problem(self, message: str) -> None:
        self.keyring_message.setText(message)
        self.keyring_box.show()

    def _use_for_session(self) -> None:
        from pipedriven_desktop import secrets

        token = self.token_edit.text().strip()
        if not token:
            self.test_result.setText("Type the API token first.")
            return
        if not self._address_ok():
            return
        secrets.use_for_session(token)
        self._save_addresses()
        if self._save_lead_status():
            self.accept()

    def save(self) -> None:
        """Store the token in the keychain and the addresses in QSettings, then close."""
        from pipedriven_desktop import secrets

        if not self._address_ok():
            return
        token = self.token_edit.text().strip()
        if token:
            try:
                secrets.store_token(token)
            except secrets.KeyringUnavailableError:
                self._show_keyring_problem(
                    "No system keychain is available, so the token cannot be saved. "
                    "Use it for this session only, or install and unlock a keychain "
                    "(e.g. GNOME Keyring or KWallet) and try again."
                )
                return
            except secrets.KeyringLockedError:
                self._show_keyring_problem(
                    "The system keychain refused to store the token (it may be locked). "
                    "Unlock it and press Save again, or use the token for this session only."
                )
                return
            secrets.use_for_session(None)
        self._save_addresses()
        if self._save_lead_status():
            self.accept()

    def forget_token(self) -> None:
        """Remove the token from the keychain (and this session), then close."""
        from pipedriven_desktop import secrets

        try:
            secrets.delete_token()
        except Exception:  # a backend's own error: say so, never a traceback
            logger.warning("the keychain refused to remove the token", exc_info=True)
            self._show_keyring_problem(
                "The system keychain refused to remove the token. Unlock it and try again."
            )
            return
        self.token_edit.clear()
        self.token_forgotten.emit()
        self.reject()

    def _lead_status_credentials(self) -> tuple[str, str] | None:
        token = self._token_for_test()
        if not token or not self._address_ok():
            return None
        return self.base_url_edit.text().strip() or self._settings.base_url, token

    def _save_lead_status(self) -> bool:
        """Store the lead status choice; False (and why, in the section) if it failed."""
        if self.lead_status is None:
            return True
        try:
            self.lead_status.save()
        except Exception as exc:  # a locked or damaged mirror: said in words, dialog stays
            from pipedriven_desktop.store.errors import user_error

            error = user_error(None, exc, "write")
            if error is None:
                raise
            self.lead_status.load_result.setText(f"✗ {error}")
            return False
        return True

    def _save_addresses(self) -> None:
        self._settings.company_domain = self.domain_edit.text()
        self._settings.base_url = self.base_url_edit.text()
        self._settings.sync()

    def _address_ok(self) -> bool:
        """Whether the API address may be saved and used (empty means the default)."""
        from pipedriven_desktop.pipedrive.address import checked_base_url

        address = self.base_url_edit.text().strip()
        if not address:
            return True
        try:
            checked_base_url(address)
        except ValueError as exc:
            self.test_result.setText(f"✗ {exc}")
            self.base_url_edit.setFocus()
            return False
        return True

    # -- connection test ------------------------------------------------------------------------

    def test_connection(self) -> None:
        token = self._token_for_test()
        if not token:
            self.test_result.setText("Type the API token first.")
            return
        if not self._address_ok():
            return
        base_url = self.base_url_edit.text().strip() or self._settings.base_url
        self.test_button.setEnabled(False)
        self.test_result.setText("Asking Pipedrive…")
        test = ConnectionTest(base_url, token, self._client_factory)
        test.signals.succeeded.connect(self._on_test_succeeded)
        test.signals.failed.connect(self._on_test_failed)
        self._test = test
        self._pool.start(test)

    def _on_test_succeeded(self, user: Any) -> None:
        self.test_button.setEnabled(True)
        company = getattr(user, "company_name", None)
        name = getattr(user, "name", "?")
        self.test_result.setText(f"✓ Connected as {name}" + (f" ({company})" if company else ""))
        domain = getattr(user, "company_domain", None)
        if domain and not self.domain_edit.text().strip():
            self.domain_edit.setText(str(domain))

    def _on_test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(f"✗ {message}")

    def _on_edited(self) -> None:
        if self.test_button.isEnabled():
            self.test_result.clear()

    def wait_for_test(self, timeout_ms: int = 5000) -> bool:
        """Block until a running connection test is done (for tests and for closing)."""
        return self._pool.waitForDone(timeout_ms)
