"""What an empty contact table says instead of nothing: why it is empty, and where to look.

A search in My-500 that finds nothing may well find contacts someone else owns: the hint
then offers to show them in All contacts, with their count.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from pipedriven_desktop.store.contact_query import STALE_AFTER_DAYS, ContactFilter
from pipedriven_desktop.store.contact_service import BROAD_SEARCH_HITS
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.filter_bar import BAND_LABELS
from pipedriven_desktop.ui.style import heading, muted


def narrowed(contact_filter: ContactFilter) -> bool:
    """True when anything beyond the scope (My-500 or All contacts) narrows the list."""
    f = contact_filter
    return bool(
        f.search
        or f.organization_id is not None
        or f.no_organization
        or f.band is not None
        or f.in_campaign
        or f.stale_only
    )


def empty_title(contact_filter: ContactFilter, syncing: bool = False) -> str:
    if contact_filter.search:
        return f"No contacts match “{contact_filter.search}”"
    if narrowed(contact_filter):
        return "No contacts match these filters"
    if syncing:
        return "Contacts appear here as the sync brings them in"
    if contact_filter.owner_id is not None:
        return "You own no contacts in this mirror yet"
    return "No contacts in the mirror yet"


def scope_text(contact_filter: ContactFilter) -> str:
    if contact_filter.owner_id is not None:
        return "Looked in My-500 (your own contacts)"
    return "Looked in All contacts"


def filters_on(contact_filter: ContactFilter) -> list[str]:
    """The filters in force, in words, as the filter bar and the sidebar name them."""
    f = contact_filter
    parts: list[str] = []
    if f.organization_id is not None:
        parts.append("one organization (sidebar)")
    if f.no_organization:
        parts.append("no organization (sidebar)")
    if f.band is not None:
        parts.append(f"{BAND_LABELS[f.band]} {f.band.low}–{f.band.high}")
    if f.in_campaign:
        parts.append("in campaign")
    if f.stale_only:
        parts.append(f"not contacted {STALE_AFTER_DAYS}+ days")
    return parts


def offer_text(count: int) -> str:
    """``count`` above ``BROAD_SEARCH_HITS`` means "more than that": a broad search is not
    counted on the keystroke."""
    if count > BROAD_SEARCH_HITS:
        return f"Show more than {formatting.count(BROAD_SEARCH_HITS)} matches in All contacts"
    return f"Show {formatting.plural(count, 'match', 'matches')} in All contacts"


class EmptyHint(QWidget):
    """Covers the table's rows while there are none; ``show_all_requested`` widens the scope."""

    show_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyHint")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.title = QLabel()
        self.title.setObjectName("emptyTitle")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        heading(self.title, 1.2)
        self.details = QLabel()
        self.details.setObjectName("emptyDetails")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        muted(self.details)
        self.offer = QPushButton()
        self.offer.setObjectName("showAllContacts")
        self.offer.clicked.connect(self.show_all_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(8)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.details)
        layout.addSpacing(6)
        layout.addWidget(self.offer, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def explain(
        self, contact_filter: ContactFilter, all_contacts_count: int | None, syncing: bool = False
    ) -> None:
        """Say why ``contact_filter`` finds nothing; offer All contacts when it has matches."""
        self.title.setText(empty_title(contact_filter, syncing))
        filters = filters_on(contact_filter)
        details = scope_text(contact_filter)
        if filters:
            details += "\nFilters on: " + " · ".join(filters)
        self.details.setText(details)
        offer = bool(all_contacts_count) and contact_filter.owner_id is not None
        self.offer.setText(offer_text(all_contacts_count or 0))
        self.offer.setVisible(offer)
