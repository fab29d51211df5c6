"""The organization card: what the mirror knows of the organization chosen in the sidebar.

Shown above the table, which then lists the organization's people in My-500 order, so
the card itself holds facts only: spellings, industry, size, website, address, contacts
(mine / all), warmness mix, open deals, last activity, and a way to open it in Pipedrive.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.org_queries import DealTotal, OrgCard, OrgQueries
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.org_sidebar_model import ALL_CONTACTS, NO_ORGANIZATION
from pipedriven_desktop.ui.style import heading, muted
from pipedriven_desktop.ui.warmness_delegate import warmness_color

#: A score in the middle of each band, for its colour.
_BAND_SCORE = {band: (band.low + band.high) / 2 for band in WarmnessBand}
#: The facts written as markup (a link, coloured dots) from escaped values; the others are
#: plain text, shown exactly as Pipedrive spells them.
_RICH_FACTS = frozenset({"website", "warmness"})


def website_url(website: str) -> str:
    """The address a click opens: bare domains ("acme.com") get https://."""
    text = website.strip()
    return text if "://" in text else f"https://{text}"


def deals_text(deals: tuple[DealTotal, ...]) -> str:
    """'3 · 12,000 EUR' (one total per currency); 'None' without open deals."""
    count = sum(deal.count for deal in deals)
    if not count:
        return "None"
    values = " + ".join(formatting.money(deal.value, deal.currency) for deal in deals)
    return f"{count:,} · {values}"


def place_text(card: OrgCard) -> str:
    parts = [part.strip() for part in (card.address, card.city, card.country) if part]
    unique: list[str] = []
    for part in parts:  # Pipedrive's address often already ends with the city and country
        if part and not any(part.casefold() in seen.casefold() for seen in unique):
            unique.append(part)
    return ", ".join(unique)


def last_activity_text(moment: datetime | None, now: datetime) -> str:
    return formatting.relative_past(moment, now, never="No activity yet")


class OrgCardView(QFrame):
    """One organization's card; hidden while the sidebar shows All or No organization."""

    #: the organization's Pipedrive id, to open its page
    open_requested = Signal(int)
    #: the local organization whose merge to undo
    undo_requested = Signal(str)

    def __init__(self, queries: OrgQueries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orgCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._queries = queries
        self.card: OrgCard | None = None

        self.name = QLabel()
        self.name.setObjectName("orgCardName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        heading(self.name, 1.25)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.spellings = QLabel()
        self.spellings.setObjectName("orgCardSpellings")
        self.spellings.setTextFormat(Qt.TextFormat.PlainText)
        self.spellings.setWordWrap(True)
        muted(self.spellings)
        self.open_button = QPushButton("Open in Pipedrive")
        self.open_button.setObjectName("orgCardOpen")
        self.open_button.clicked.connect(self._open)
        self.undo_button = QPushButton("Undo merge")
        self.undo_button.setObjectName("orgCardUndo")
        self.undo_button.setToolTip("Split this organization back into the ones merged here")
        self.undo_button.clicked.connect(self._undo)
        self.undo_button.hide()

        self.values: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(14)
        facts.setVerticalSpacing(4)
        layout_plan = (
            ("industry", "Industry", "contacts", "Contacts"),
            ("size", "Size", "warmness", "Warmness"),
            ("website", "Website", "deals", "Open deals"),
            ("place", "Address", "last_activity", "Last activity"),
        )
        for row, (key_a, label_a, key_b, label_b) in enumerate(layout_plan):
            for column, (key, label) in enumerate(((key_a, label_a), (key_b, label_b))):
                caption = QLabel(label)
                muted(caption)
                value = QLabel()
                value.setObjectName(f"orgCard_{key}")
                rich = key in _RICH_FACTS
                value.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                value.setWordWrap(True)
                self.values[key] = value
                facts.addWidget(caption, row, column * 2, Qt.AlignmentFlag.AlignTop)
                facts.addWidget(value, row, column * 2 + 1, Qt.AlignmentFlag.AlignTop)
        facts.setColumnStretch(1, 1)
        facts.setColumnStretch(3, 1)
        self.values["website"].setOpenExternalLinks(True)

        title_row = QHBoxLayout()
        title_row.addWidget(self.name, 1)
        title_row.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        title_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addLayout(title_row)
        layout.addWidget(self.spellings)
        layout.addLayout(facts)
        self.hide()

    def show_key(self, key: str, owner_id: int | None) -> None:
        """Show the card of a sidebar key; the fixed entries have none."""
        if key in (ALL_CONTACTS, NO_ORGANIZATION):
            self.card = None
            self.hide()
            return
        self.set_card(self._queries.card(key, owner_id), now=utcnow())

    def set_card(self, card: OrgCard | None, now: datetime) -> None:
        self.card = card
        if card is None:
            self.hide()
            return
        self.name.setText(card.name)
        self.spellings.setText(self._spellings_text(card))
        self.spellings.setVisible(bool(self.spellings.text()))
        self.values["industry"].setText(card.industry or "—")
        if card.industry and card.industry.isdigit():
            self.values["industry"].setToolTip("Pipedrive's option id: its label is not mirrored")
        else:
            self.values["industry"].setToolTip("")
        self.values["size"].setText(f"{card.size:,} employees" if card.size else "—")
        if card.website:
            url = website_url(card.website)
            self.values["website"].setText(f'<a href="{escape(url)}">{escape(card.website)}</a>')
        else:
            self.values["website"].setText("—")
        self.values["place"].setText(place_text(card) or "—")
        self.values["contacts"].setText(f"{card.contacts_mine:,} mine · {card.contacts_all:,} all")
        self.values["warmness"].setText(self._mix_html(card))
        self.values["deals"].setText(deals_text(card.open_deals))
        self.values["last_activity"].setText(last_activity_text(card.last_activity, now))
        self.open_button.setEnabled(card.pipedrive_org_id is not None)
        self.undo_button.setVisible(card.undoable_merge)
        self.show()

    @staticmethod
    def _spellings_text(card: OrgCard) -> str:
        """The Pipedrive organizations merged into this one, when there is more than one."""
        others = [s for s in card.spellings if s.pipedrive_org_id != card.pipedrive_org_id]
        if not others and len(card.spellings) <= 1:
            return ""
        shown = " · ".join(f"{s.name} (#{s.pipedrive_org_id})" for s in card.spellings)
        return f"In Pipedrive as: {shown}"

    @staticmethod
    def _mix_html(card: OrgCard) -> str:
        parts = []
        for band in WarmnessBand:
            color = warmness_color(_BAND_SCORE[band]).name()
            parts.append(
                f'<span style="color:{color}">●</span> {card.warmness_mix[band]:,} '
                f"{band.name.lower()}"
            )
        return " &nbsp; ".join(parts)

    def _undo(self) -> None:
        if self.card is not None and self.card.undoable_merge:
            self.undo_requested.emit(self.card.id)

    def _open(self) -> None:
        if self.card is not None and self.card.pipedrive_org_id is not None:
            self.open_requested.emit(self.card.pipedrive_org_id)
