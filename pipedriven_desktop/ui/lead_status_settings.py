"""Settings: which Pipedrive person field holds the lead status, and which values count.

The fields are fetched from Pipedrive (`GET /v1/personFields`) on a pool thread when the
user asks, so the dialog opens at once and stays responsive. Option fields show their
labels; text fields are read as text. Saving stores the choice in the mirror; the next
sync reads the field again for every contact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.ui.style import heading, muted

if TYPE_CHECKING:
    from pipedriven_desktop.pipedrive.client import PipedriveClient
    from pipedriven_desktop.pipedrive.records import PersonField
    from pipedriven_desktop.store.database import Database

logger = logging.getLogger(__name__)

#: (base URL, token) to fetch the fields with, or None when there is no token yet.
Credentials = Callable[[], "tuple[str, str] | None"]
ClientFactory = Callable[[str, str], "PipedriveClient"]

NO_FIELD = "None: no contact earns the lead status point"


def field_label(field: PersonField) -> str:
    """ "Lead status (options: New, Qualified)" or "Stage note (text)" """
    if field.is_option:
        labels = ", ".join(label for _, label in field.options) or "no options"
        return f"{field.name} (options: {labels})"
    return f"{field.name} (text)"


class FieldsSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(str)


class FieldsFetch(QRunnable):
    """Fetches the person fields on a pool thread; reports through ``signals``."""

    def __init__(self, base_url: str, token: str, client_factory: ClientFactory) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = FieldsSignals()
        self._args = (base_url, token)
        self._client_factory = client_factory

    def run(self) -> None:
        from pipedriven_desktop.pipedrive.errors import PipedriveError
        from pipedriven_desktop.sync.lead_status import candidate_fields

        try:
            client = self._client_factory(*self._args)
            try:
                fields = candidate_fields(client.person_fields())
            finally:
                client.close()
        except PipedriveError as exc:
            self.signals.failed.emit(exc.message)
        except ValueError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:
            logger.exception("fetching the person fields crashed")
            self.signals.failed.emit(f"Unexpected error ({type(exc).__name__}).")
        else:
            self.signals.succeeded.emit(fields)


class LeadStatusSection(QWidget):
    """The lead status part of Settings; `save()` stores what changed."""

    def __init__(
        self,
        db: Database,
        credentials: Credentials,
        client_factory: ClientFactory,
        thread_pool: QThreadPool | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        from pipedriven_desktop.sync.lead_status import current_settings

        self._db = db
        self._credentials = credentials
        self._client_factory = client_factory
        self._pool = thread_pool or QThreadPool.globalInstance()
        self._fetch: FieldsFetch | None = None
        self._fields: dict[str, PersonField] = {}
        current = current_settings(db)
        self._stored_key = current.field_key
        self._stored_values = (current.values.qualified, current.values.contacted)

        title = QLabel("Lead status")
        heading(title, 1.1)
        intro = QLabel(
            "Pipedrive has no built-in lead status for persons: choose the person field "
            "that holds it. The marketing status is email consent, shown in the contact "
            "details, not a lead status."
        )
        intro.setWordWrap(True)
        muted(intro)

        self.field_combo = QComboBox()
        self.field_combo.setObjectName("leadStatusField")
        self.field_combo.addItem(NO_FIELD, None)
        if self._stored_key:
            self.field_combo.addItem(f"Chosen field ({self._stored_key})", self._stored_key)
            self.field_combo.setCurrentIndex(1)
        self.load_button = QPushButton("Load fields from Pipedrive")
        self.load_button.setObjectName("loadLeadStatusFields")
        self.load_button.setAutoDefault(False)
        self.load_button.clicked.connect(self.load_fields)
        self.load_result = QLabel()
        self.load_result.setObjectName("leadStatusFieldsResult")
        self.load_result.setWordWrap(True)
        self.qualified_edit = QLineEdit(", ".join(current.values.qualified))
        self.qualified_edit.setObjectName("leadStatusQualified")
        self.contacted_edit = QLineEdit(", ".join(current.values.contacted))
        self.contacted_edit.setObjectName("leadStatusContacted")
        for edit, word in ((self.qualified_edit, "qualified"), (self.contacted_edit, "contacted")):
            edit.setPlaceholderText(f"{word} (comma-separated values, any case)")

        field_row = QHBoxLayout()
        field_row.addWidget(self.field_combo, 1)
        field_row.addWidget(self.load_button)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("Field", field_row)
        form.addRow("", self.load_result)
        form.addRow("Counts as qualified", self.qualified_edit)
        form.addRow("Counts as contacted", self.contacted_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 10, 0, 0)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(form)

    # -- fields ---------------------------------------------------------------------------------

    def load_fields(self) -> None:
        credentials = self._credentials()
        if credentials is None:
            self.load_result.setText("Type the API token first.")
            return
        self.load_button.setEnabled(False)
        self.load_result.setText("Asking Pipedrive for the person fields…")
        fetch = FieldsFetch(*credentials, self._client_factory)
        fetch.signals.succeeded.connect(self._on_fields)
        fetch.signals.failed.connect(self._on_failed)
        self._fetch = fetch
        self._pool.start(fetch)

    def set_fields(self, fields: Sequence[PersonField]) -> None:
        """Offer ``fields``, keeping the current choice selected."""
        chosen = self.field_combo.currentData()
        self._fields = {field.key: field for field in fields}
        self.field_combo.clear()
        self.field_combo.addItem(NO_FIELD, None)
        for field in fields:
            self.field_combo.addItem(field_label(field), field.key)
        index = self.field_combo.findData(chosen) if chosen else 0
        self.field_combo.setCurrentIndex(max(index, 0))
        self.load_result.setText(
            f"{len(fields)} text or option field{'s' if len(fields) != 1 else ''} can hold it."
            if fields
            else "The account has no text or option person field of its own."
        )

    def _on_fields(self, fields: Any) -> None:
        self.load_button.setEnabled(True)
        self.set_fields(list(fields))

    def _on_failed(self, message: str) -> None:
        self.load_button.setEnabled(True)
        self.load_result.setText(f"✗ {message}")

    def wait_for_fields(self, timeout_ms: int = 5000) -> bool:
        return self._pool.waitForDone(timeout_ms)

    # -- saving ---------------------------------------------------------------------------------

    def save(self) -> None:
        """Store the field (when one was picked from the loaded list, or none) and the values."""
        from pipedriven_desktop.sync.lead_status import parse_values, save_values, store_field

        key = self.field_combo.currentData()
        if key != self._stored_key and (key is None or key in self._fields):
            store_field(self._db, self._fields.get(key) if key else None)
            self._stored_key = key
        values = (
            tuple(parse_values(self.qualified_edit.text())),
            tuple(parse_values(self.contacted_edit.text())),
        )
        if values != self._stored_values:
            save_values(self._db, *values)
            self._stored_values = values
