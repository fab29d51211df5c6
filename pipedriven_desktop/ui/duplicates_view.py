"""Possible duplicates, reviewed one pair at a time, side by side, from the keyboard.

N / P move between suggestions, M merges (under the name chosen above the buttons, whose
result is previewed), K keeps the pair separate for good. A wrong merge is worse than a
missed one, so each side shows the evidence: spellings, contacts, deals, activity,
website, city and the company email domains both share. Merges and keep-separates run
off the UI thread (``org_changes``); the pair is disabled until one has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import DuplicateSuggestion, OrgQueries, OrgSummary
from pipedriven_desktop.store.writer_lock import writer_lock
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.org_card import deals_text, website_url
from pipedriven_desktop.ui.org_changes import OrgChanges
from pipedriven_desktop.ui.style import heading, muted


class DuplicateActions(Protocol):
    """What the view's buttons do; raise ValueError or DatabaseError with a one-line reason
    to refuse."""

    def merge(self, suggestion_id: str, name: str) -> None: ...

    def keep_separate(self, suggestion_id: str) -> None: ...


class StoreActions:
    """Merges and keep-separates in the local mirror (never in Pipedrive).

    Each holds the mirror's writer lock, as a sync does: while one runs, the change is
    refused (SyncBusyError, one line) rather than interleaved with its pages.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    def merge(self, suggestion_id: str, name: str) -> None:
        from pipedriven_desktop.store.org_merge import merge_suggestion

        with writer_lock(self._db.path), self._db.session() as session:
            merge_suggestion(session, suggestion_id, name)

    def keep_separate(self, suggestion_id: str) -> None:
        from pipedriven_desktop.store.org_merge import keep_separate

        with writer_lock(self._db.path), self._db.session() as session:
            keep_separate(session, suggestion_id)

    def undo(self, organization_id: str) -> None:
        """Split a merged organization back into the ones it was made of."""
        from pipedriven_desktop.store.org_merge import undo_merge

        with writer_lock(self._db.path), self._db.session() as session:
            undo_merge(session, organization_id)


def merged_preview(suggestion: DuplicateSuggestion, name: str) -> str:
    """One line saying what a merge under ``name`` leaves behind."""
    left, right = suggestion.left, suggestion.right
    ids = sorted({s.pipedrive_org_id for side in (left, right) for s in side.spellings})
    contacts = left.contacts_all + right.contacts_all
    mine = left.contacts_mine + right.contacts_mine
    pipedrive = ", ".join(f"#{pid}" for pid in ids) or "none"
    return (
        f"Result: one organization “{name}” with {mine:,} of your contacts "
        f"({contacts:,} in all), Pipedrive organizations {pipedrive}. "
        "Pipedrive itself is not changed; the merge can be undone."
    )


class OrgSide(QFrame):
    """One organization of a pair: its facts, one per line."""

    FIELDS = (
        ("spellings", "In Pipedrive as"),
        ("contacts", "Contacts"),
        ("deals", "Open deals"),
        ("last_activity", "Last activity"),
        ("website", "Website"),
        ("city", "City"),
        ("domains", "Email domains"),
    )
    #: The facts written as markup (a link, shared domains in bold) from escaped values;
    #: the others are plain text, shown exactly as Pipedrive spells them.
    RICH_FIELDS = frozenset({"website", "domains"})

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        heading(self.name, 1.2)
        self.name.setWordWrap(True)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(5)
        for row, (key, label) in enumerate(self.FIELDS):
            caption = QLabel(label)
            muted(caption)
            value = QLabel()
            value.setObjectName(f"side_{key}")
            rich = key in self.RICH_FIELDS
            value.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            self.values[key] = value
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.values["website"].setOpenExternalLinks(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(10)
        layout.addWidget(self.name)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def set_summary(self, org: OrgSummary, shared: tuple[str, ...], now: datetime) -> None:
        self.name.setText(org.name)
        spellings = " · ".join(f"{s.name} (#{s.pipedrive_org_id})" for s in org.spellings)
        self.values["spellings"].setText(spellings or "—")
        self.values["contacts"].setText(f"{org.contacts_mine:,} mine · {org.contacts_all:,} all")
        self.values["deals"].setText(deals_text(org.open_deals))
        self.values["last_activity"].setText(
            formatting.relative_past(org.last_activity, now, never="No activity yet")
        )
        if org.website:
            url = escape(website_url(org.website))
            self.values["website"].setText(f'<a href="{url}">{escape(org.website)}</a>')
        else:
            self.values["website"].setText("—")
        self.values["city"].setText(org.city or "—")
        domains = [
            f"<b>{escape(d)}</b>" if d in shared else escape(d) for d in sorted(org.email_domains)
        ]
        self.values["domains"].setText(", ".join(domains) or "—")


class DuplicatesView(QWidget):
    """The open suggestions, one pair at a time."""

    #: a merge or keep-separate was written: the rest of the window re-reads
    changed = Signal()

    def __init__(
        self,
        queries: OrgQueries,
        owner_id: int | None,
        actions: DuplicateActions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatesView")
        self._queries = queries
        self._owner_id = owner_id
        self._actions = actions
        self.suggestions: tuple[DuplicateSuggestion, ...] = ()
        self.position = 0
        #: merges and keep-separates run here, off the UI thread
        self.changes = OrgChanges(self)
        self.changes.done.connect(self._changed)
        self.changes.failed.connect(self._refused)
        self._done_text = ""

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        heading(self.title, 1.3)
        keys = QLabel("N next · P previous · M merge · K keep separate")
        muted(keys)
        self.left = OrgSide()
        self.right = OrgSide()
        self.reasons = QLabel()
        self.reasons.setObjectName("duplicateReasons")
        self.reasons.setTextFormat(Qt.TextFormat.RichText)  # escaped reasons, bold captions
        self.reasons.setWordWrap(True)
        self.empty = QLabel("No possible duplicates to review.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        muted(self.empty)

        self.name_choice = QComboBox()
        self.name_choice.setObjectName("mergeName")
        self.name_choice.setEditable(True)
        self.name_choice.setMinimumContentsLength(24)
        self.name_choice.currentTextChanged.connect(self._update_preview)
        self.preview = QLabel()
        self.preview.setObjectName("mergePreview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        muted(self.preview)
        self.message = QLabel()
        self.message.setObjectName("duplicatesMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)

        self.previous_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.keep_button = QPushButton("Keep separate")
        self.merge_button = QPushButton("Merge")
        self.merge_button.setDefault(True)
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button.clicked.connect(lambda: self.go(1))
        self.keep_button.clicked.connect(self.keep_separate)
        self.merge_button.clicked.connect(self.merge)
        #: plain keys, handled as they bubble up from the buttons (not from the name box,
        #: which takes letters as typing)
        self._keys: dict[int, Callable[[], object]] = {
            Qt.Key.Key_N: lambda: self.go(1),
            Qt.Key.Key_Right: lambda: self.go(1),
            Qt.Key.Key_P: lambda: self.go(-1),
            Qt.Key.Key_Left: lambda: self.go(-1),
            Qt.Key.Key_M: self.merge,
            Qt.Key.Key_K: self.keep_separate,
        }

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(keys, 0, Qt.AlignmentFlag.AlignBottom)
        sides = QHBoxLayout()
        sides.setSpacing(12)
        sides.addWidget(self.left, 1)
        sides.addWidget(self.right, 1)
        name_row = QHBoxLayout()
        name_label = QLabel("Keep the name")
        name_row.addWidget(name_label)
        name_row.addWidget(self.name_choice, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.merge_button)

        self.pair = QWidget()
        pair_layout = QVBoxLayout(self.pair)
        pair_layout.setContentsMargins(0, 0, 0, 0)
        pair_layout.setSpacing(10)
        pair_layout.addLayout(sides)
        pair_layout.addWidget(self.reasons)
        pair_layout.addLayout(name_row)
        pair_layout.addWidget(self.preview)
        pair_layout.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.pair)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.reload()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._keys.get(event.key())
        if self.changes.busy:
            action = None
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if action is None or plain != Qt.KeyboardModifier.NoModifier:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    @property
    def current(self) -> DuplicateSuggestion | None:
        if 0 <= self.position < len(self.suggestions):
            return self.suggestions[self.position]
        return None

    def reload(self) -> None:
        """Re-read the open suggestions, staying at the same place in the list."""
        self.suggestions = self._queries.open_suggestions(self._owner_id)
        self.position = min(self.position, max(len(self.suggestions) - 1, 0))
        self._show()

    def go(self, step: int) -> None:
        if self.suggestions:
            self.position = (self.position + step) % len(self.suggestions)
            self.message.clear()
            self._show()

    def merge(self) -> None:
        suggestion = self.current
        name = self.name_choice.currentText().strip()
        if suggestion is None or not name or self.changes.busy:
            return
        self._act(
            "Merging…",
            f"Merged into “{name}”. Undo it from the organization's card.",
            lambda: self._actions.merge(suggestion.id, name),
        )

    def keep_separate(self) -> None:
        suggestion = self.current
        if suggestion is None or self.changes.busy:
            return
        self._act(
            "Keeping them separate…",
            f"“{suggestion.left.name}” and “{suggestion.right.name}” stay separate.",
            lambda: self._actions.keep_separate(suggestion.id),
        )

    def _act(self, doing: str, done: str, action: Callable[[], None]) -> None:
        """Run ``action`` off the UI thread; the pair is disabled until it has ended."""
        self._done_text = done
        self.message.setText(doing)
        self._set_busy(True)
        self.changes.run("change", action)

    def _set_busy(self, busy: bool) -> None:
        self.pair.setEnabled(not busy)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _changed(self, _kind: str, _message: str) -> None:
        self._set_busy(False)
        self.reload()
        self.message.setText(self._done_text)
        self.merge_button.setFocus()
        self.changed.emit()

    def _refused(self, _kind: str, reason: str) -> None:
        self._set_busy(False)
        self.message.setText(reason)
        self.merge_button.setFocus()

    def _show(self) -> None:
        suggestion = self.current
        total = len(self.suggestions)
        self.pair.setVisible(suggestion is not None)
        self.empty.setVisible(suggestion is None)
        if suggestion is None:
            self.title.setText("Possible duplicates")
            return
        self.title.setText(f"Possible duplicates · {self.position + 1} of {total}")
        now = utcnow()
        shared = suggestion.shared_domains
        self.left.set_summary(suggestion.left, shared, now)
        self.right.set_summary(suggestion.right, shared, now)
        why = "; ".join(suggestion.reasons) or "similar names"
        text = f"<b>Why:</b> {escape(why)} (score {suggestion.score:.0f})"
        if shared:
            text += f" · <b>Shared email domains:</b> {escape(', '.join(shared))}"
        self.reasons.setText(text)
        larger = max((suggestion.left, suggestion.right), key=lambda org: org.contacts_all)
        names = [larger.name] + [
            org.name for org in (suggestion.left, suggestion.right) if org.name != larger.name
        ]
        self.name_choice.blockSignals(True)
        self.name_choice.clear()
        self.name_choice.addItems(names)
        self.name_choice.blockSignals(False)
        self._update_preview(self.name_choice.currentText())

    def _update_preview(self, name: str) -> None:
        suggestion = self.current
        if suggestion is not None:
            self.preview.setText(merged_preview(suggestion, name.strip() or "…"))
        self.merge_button.setEnabled(bool(name.strip()))


class DuplicatesDialog(QDialog):
    """The duplicates view in its own window, opened from the sidebar."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        queries: OrgQueries,
        owner_id: int | None,
        parent: QWidget | None = None,
        actions: DuplicateActions | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Possible duplicates")
        self.view = DuplicatesView(queries, owner_id, actions or StoreActions(db), self)
        self.view.changed.connect(self.changed)
        # In a scroll area: a window's height does not follow its wrapped labels when it is
        # made narrower (or the next pair's spellings are longer), and a squeezed label cuts
        # its second line off; the scroll area gives the view the height its width needs.
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        # As tall as the pair needs at this width (wrapped labels overstate the size hint).
        width = 1040
        layout_height = self.view.heightForWidth(width)
        self.resize(width, max(360, layout_height))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Styled and polished now: as tall as the pair then needs, within the screen.
        needed = self.view.heightForWidth(self.width())
        screen = self.screen().availableGeometry().height() if self.screen() else needed
        if needed > self.height():
            self.resize(self.width(), min(needed, screen))
        # Not the editable name box: there, M and K would type instead of acting.
        self.view.merge_button.setFocus()
