"""The selected contact in full: who, how to reach them, why they score what they score.

Email and phone can be selected and copied, mailed and called (the desktop's mail and phone
apps, through ``mailto:`` and ``tel:``); the organization is a link that filters the table
to it. The warmness breakdown is read defensively: an older or missing breakdown shows a note
instead of breaking the pane.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.domain.warmness import RECENT_WINDOW_DAYS
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_activities import ContactActivities, ListedActivity
from pipedriven_desktop.store.contact_extras import UNSUBSCRIBED, ContactExtras
from pipedriven_desktop.store.rows import ActivityRow, ContactRow, DealRow
from pipedriven_desktop.store.score_history import ScoreChange
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.due import local_time_text
from pipedriven_desktop.ui.reach import call, mail
from pipedriven_desktop.ui.style import heading, muted
from pipedriven_desktop.ui.warmness_delegate import band_name, paint_warmness

PANE_WIDTH = 340
#: Narrow windows (1024 px) keep the table usable; the pane wraps its text into this.
PANE_MIN_WIDTH = 240
#: Characters of an activity's note shown under its subject (the outcome of a call).
NOTE_SHOWN = 140

COMPONENT_TITLES: dict[str, str] = {
    "base": "Profile",
    "activity": "Recent activity",
    "relationship": "Relationship",
    "engagement": "Engagement",
}

#: What a component without items did not find ("nothing yet" was untrue of a contact
#: whose activities are all older than the window).
EMPTY_COMPONENT_TEXTS: dict[str, str] = {
    "base": "no email, phone, organization or job title",
    "activity": f"none in the last {RECENT_WINDOW_DAYS} days",
    "relationship": "no deal or lead status that counts",
}
_EMPTY_BY_TITLE = {COMPONENT_TITLES[key]: text for key, text in EMPTY_COMPONENT_TEXTS.items()}
EMPTY_COMPONENT_FALLBACK = "nothing that counts"

#: Pipedrive's marketing statuses, said as the email consent they are.
CONSENT_TEXTS: dict[str, str] = {
    "subscribed": "subscribed to campaign mail",
    UNSUBSCRIBED: "unsubscribed: send no campaign mail",
    "no_consent": "no consent for campaign mail",
    "archived": "consent archived",
}


def consent_text(marketing_status: str | None) -> str:
    """The email consent line for a marketing status ("unknown" when Pipedrive gave none)."""
    if not marketing_status:
        return "Email consent: unknown"
    return "Email consent: " + CONSENT_TEXTS.get(marketing_status, marketing_status)


def change_text(change: ScoreChange) -> str:
    """ "4 → 7 on 3 Dec: meeting in the last 30 days" """
    day = f"{change.changed_on.day} {change.changed_on.strftime('%b')}"
    if change.old_score is None:
        return f"first score {change.new_score} on {day}"
    return f"{change.old_score} → {change.new_score} on {day}: {change.why}"


#: Glyphs every common UI font has (no colour emoji, which many Linux desktops lack).
ACTIVITY_SYMBOLS: dict[str, str] = {
    "call": "☎",
    "meeting": "◉",
    "email": "✉",
    "lunch": "☕",
    "deadline": "⚑",
    "task": "☑",
}


def breakdown_lines(
    breakdown: Mapping[str, Any] | None,
) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """(component title, points, [(points, reason)]) from the stored JSON; [] if unusable."""
    if not isinstance(breakdown, Mapping):
        return []
    components = breakdown.get("components")
    if not isinstance(components, Mapping):
        return []
    lines: list[tuple[str, int, list[tuple[int, str]]]] = []
    for name, component in components.items():
        if not isinstance(component, Mapping):
            continue
        items: list[tuple[int, str]] = []
        raw_items = component.get("items")
        for item in raw_items if isinstance(raw_items, list) else []:
            if isinstance(item, Mapping):
                items.append((_as_int(item.get("points")), str(item.get("reason") or "")))
        points = component.get("points")
        total = _as_int(points) if points is not None else sum(p for p, _ in items)
        title = COMPONENT_TITLES.get(str(name), str(name).replace("_", " ").capitalize())
        lines.append((title, total, items))
    return lines


def _as_int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return 0


def _signed(points: int) -> str:
    return f"+{points}" if points > 0 else ("0" if points == 0 else f"−{abs(points)}")


class WarmnessMeter(QWidget):
    """The score drawn like the table's cell, larger."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score = 0
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_score(self, score: int) -> None:
        self._score = score
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(110, self.fontMetrics().height() + 8)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_warmness(painter, QRectF(self.rect()), self._score, self.palette())
        painter.end()


class CopyField(QWidget):
    """A selectable, frameless read-only value with a small Copy button, and an optional
    action button before it (Call, Mail) that emits ``activated`` with the value."""

    activated = Signal(str)

    def __init__(
        self, action_text: str = "", action_tip: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.value = QLineEdit()
        self.value.setReadOnly(True)
        self.value.setFrame(False)
        self.value.setTextMargins(0, 0, 0, 0)
        palette = self.value.palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        self.value.setPalette(palette)
        self.value.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setAutoRaise(True)
        self.copy_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.copy_button.clicked.connect(self.copy)
        self.action_button: QToolButton | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.value, 1)
        if action_text:
            self.action_button = QToolButton()
            self.action_button.setText(action_text)
            self.action_button.setToolTip(action_tip)
            self.action_button.setAutoRaise(True)
            self.action_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.action_button.clicked.connect(lambda: self.activated.emit(self.text()))
            layout.addWidget(self.action_button)
        layout.addWidget(self.copy_button)

    def set_text(self, text: str | None) -> None:
        self.value.setText(text or "—")
        self.value.setCursorPosition(0)
        self.value.setToolTip(text or "")
        self.copy_button.setVisible(bool(text))
        if self.action_button is not None:
            self.action_button.setVisible(bool(text))

    def text(self) -> str:
        return self.value.toolTip()

    def copy(self) -> None:
        text = self.text()
        if text:
            QGuiApplication.clipboard().setText(text)


class DetailPane(QWidget):
    """Shows one ``ContactRow`` with its deals; empty until a contact is selected."""

    organization_clicked = Signal(str)
    open_requested = Signal(object)
    #: (ContactRow) the user asked to log an activity / schedule the next / add a note
    log_requested = Signal(object)
    schedule_requested = Signal(object)
    note_requested = Signal(object)
    #: (ListedActivity, ContactRow) mark this open activity done / move it
    mark_done_requested = Signal(object, object)
    reschedule_requested = Signal(object, object)
    #: (ContactRow) the phone app was asked to call this contact
    called = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._contact: ContactRow | None = None
        self._deals: tuple[DealRow, ...] = ()
        self._now: datetime | None = None
        self._listing: ContactActivities | None = None
        self.setMinimumWidth(PANE_MIN_WIDTH)

        self.empty = QLabel(
            "Select a contact to see who they are, how to reach them "
            "and why they score what they score."
        )
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        muted(self.empty)

        self.name = QLabel()
        self.name.setObjectName("detailName")
        self.name.setWordWrap(True)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading(self.name, 1.45)
        self.job_title = QLabel()
        self.job_title.setWordWrap(True)
        muted(self.job_title)
        self.organization = QLabel()
        self.organization.setObjectName("detailOrganization")
        self.organization.setWordWrap(True)
        self.organization.setTextFormat(Qt.TextFormat.RichText)
        self.organization.linkActivated.connect(self._on_link)

        self.email = CopyField("Mail", "Write to this address in your mail app")
        self.email.setObjectName("detailEmail")
        self.email.activated.connect(mail)
        self.phone = CopyField("Call", "Call this number with your phone app")
        self.phone.setObjectName("detailPhone")
        self.phone.activated.connect(self._on_call)
        reach = QGridLayout()
        reach.setContentsMargins(0, 0, 0, 0)
        reach.setHorizontalSpacing(8)
        reach.setVerticalSpacing(2)
        # A glyph, not a word, as caption: at 1024 px the pane is narrow and the address needs
        # the room more than a label saying what an address is.
        reach_rows = (("✉", "Email", self.email), ("☎", "Phone", self.phone))
        for row, (glyph, label, field) in enumerate(reach_rows):
            caption = QLabel(glyph)
            caption.setToolTip(label)
            caption.setAccessibleName(label)
            muted(caption)
            field.value.setAccessibleName(label)
            reach.addWidget(caption, row, 0)
            reach.addWidget(field, row, 1)
        reach.setColumnStretch(1, 1)
        self.consent = QLabel()
        self.consent.setObjectName("detailConsent")
        self.consent.setWordWrap(True)
        self.consent.hide()

        self.meter = WarmnessMeter()
        self.band = QLabel()
        heading(self.band, 1.0)
        self.breakdown = QLabel()
        self.breakdown.setObjectName("detailBreakdown")
        self.breakdown.setWordWrap(True)
        self.breakdown.setTextFormat(Qt.TextFormat.RichText)
        self.breakdown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.history = QLabel()
        self.history.setObjectName("detailHistory")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.history_section = self._section("Score changes")
        self.history_section.hide()
        self.history.hide()

        self.activities = QLabel()
        self.activities.setObjectName("detailActivities")
        self.activities.setWordWrap(True)
        self.activities.setTextFormat(Qt.TextFormat.RichText)
        # Done and Move links are reached with Tab and followed with Enter.
        self.activities.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.activities.linkActivated.connect(self._on_activity_link)
        self.notes = QLabel()
        self.notes.setObjectName("detailNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.RichText)
        self.notes_section = self._section("Notes")
        self.notes_section.hide()
        self.notes.hide()

        # Tool buttons: at 1024 px the pane is narrow, and push buttons' margins cut the third.
        self.log_button = QToolButton()
        self.log_button.setText("&Log…")
        self.log_button.setObjectName("detailLog")
        self.log_button.setToolTip("Log a call, meeting or email that happened (Ctrl+L)")
        self.log_button.clicked.connect(lambda: self._emit_for_contact(self.log_requested))
        self.schedule_button = QToolButton()
        self.schedule_button.setText("&Next step…")
        self.schedule_button.setObjectName("detailSchedule")
        self.schedule_button.setToolTip("Schedule the next activity (Ctrl+Shift+N)")
        self.schedule_button.clicked.connect(
            lambda: self._emit_for_contact(self.schedule_requested)
        )
        self.note_button = QToolButton()
        self.note_button.setText("No&te…")
        self.note_button.setObjectName("detailNote")
        self.note_button.setToolTip("Add a note to this person (Ctrl+Shift+T)")
        self.note_button.clicked.connect(lambda: self._emit_for_contact(self.note_requested))
        action_row = QHBoxLayout()
        action_row.setSpacing(6)
        for button in (self.log_button, self.schedule_button, self.note_button):
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            action_row.addWidget(button)
        action_row.addStretch(1)
        self.deals = QLabel()
        self.deals.setObjectName("detailDeals")
        self.deals.setWordWrap(True)
        self.deals.setTextFormat(Qt.TextFormat.RichText)

        self.open_button = QPushButton("Open in Pipedrive")
        self.open_button.setToolTip("Open this person in Pipedrive in your browser (Enter)")
        self.open_button.clicked.connect(self._on_open)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(14, 12, 14, 12)
        column.setSpacing(4)
        column.addWidget(self.name)
        column.addWidget(self.job_title)
        column.addWidget(self.organization)
        column.addSpacing(10)
        column.addLayout(reach)
        column.addWidget(self.consent)
        column.addSpacing(8)
        column.addLayout(action_row)
        column.addSpacing(2)
        column.addWidget(self._section("Warmness"))
        meter_row = QHBoxLayout()
        meter_row.setSpacing(8)
        meter_row.addWidget(self.meter)
        meter_row.addWidget(self.band)
        meter_row.addStretch(1)
        column.addLayout(meter_row)
        column.addWidget(self.breakdown)
        column.addWidget(self.history_section)
        column.addWidget(self.history)
        self.activities_title = QLabel()
        column.addWidget(self._section("Recent activities", self.activities_title))
        column.addWidget(self.activities)
        column.addWidget(self.notes_section)
        column.addWidget(self.notes)
        column.addWidget(self._section("Deals"))
        column.addWidget(self.deals)
        column.addSpacing(12)
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _section(self, title: str, label: QLabel | None = None) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 12, 0, 2)
        layout.setSpacing(3)
        label = label or QLabel()
        label.setText(title.upper())
        heading(label, 0.85)
        muted(label)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(label)
        layout.addWidget(line)
        return box

    # -- public ---------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(PANE_WIDTH, 600)

    @property
    def contact(self) -> ContactRow | None:
        return self._contact

    def clear(self) -> None:
        self._contact = None
        self.stack.setCurrentIndex(0)

    def set_contact(
        self,
        contact: ContactRow | None,
        deals: tuple[DealRow, ...] = (),
        now: datetime | None = None,
    ) -> None:
        if contact is None:
            self.clear()
            return
        now = now or utcnow()
        if self._contact is None or self._contact.id != contact.id:
            self._listing = None  # another contact: its own listing follows
        self._contact, self._deals, self._now = contact, deals, now
        self.name.setText(contact.name)
        self.job_title.setText(contact.job_title or "")
        self.job_title.setVisible(bool(contact.job_title))
        org = contact.organization
        if org is not None:
            self.organization.setText(
                f'<a href="org:{html.escape(org.id)}">{html.escape(org.name)}</a>'
            )
            self.organization.setToolTip(f"Show only contacts of {org.name}")
        else:
            self.organization.setText(self._muted_html("No organization"))
            self.organization.setToolTip("")
        self.email.set_text(contact.email)
        self.phone.set_text(contact.phone)
        self.meter.set_score(contact.warmness_score)
        self.band.setText(f"{band_name(contact.warmness_score).capitalize()}")
        self.breakdown.setText(self._breakdown_html(contact))
        self._render_activities()
        self.deals.setText(self._deals_html(deals))
        self.open_button.setEnabled(contact.pipedrive_person_id is not None)
        self.stack.setCurrentIndex(1)

    def set_extras(self, extras: ContactExtras | None) -> None:
        """Email consent and the last score changes of the contact shown (None: hide them).

        Consent is about campaign mail: a contact without an email address has none to tell.
        """
        no_email = self._contact is not None and not self._contact.email
        self.consent.setVisible(extras is not None and not no_email)
        self.history.setVisible(extras is not None)
        self.history_section.setVisible(extras is not None)
        if extras is None:
            return
        self.consent.setText(consent_text(extras.marketing_status))
        if extras.marketing_status == UNSUBSCRIBED:
            self.consent.setStyleSheet("font-weight: bold")
        else:
            self.consent.setStyleSheet("")
        if extras.changes:
            self.history.setText(
                "<br>".join(html.escape(change_text(change)) for change in extras.changes)
            )
        else:
            self.history.setText(self._muted_html("No score changes yet."))

    def set_activities(self, listing: ContactActivities | None) -> None:
        """The contact's open activities (to mark done or move), latest done ones and notes,
        each marked when it waits to be sent; None: the row's recent activities alone."""
        self._listing = listing
        if self._contact is not None:
            self._render_activities()

    @property
    def listing(self) -> ContactActivities | None:
        return self._listing

    def changeEvent(self, event: QEvent) -> None:
        # The HTML parts take their secondary colour from the palette: redo them when the
        # system switches between light and dark.
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._contact is not None:
            self.set_contact(self._contact, self._deals, self._now)
            self._render_activities()

    # -- rendering ------------------------------------------------------------------------------

    def _muted_color(self) -> str:
        return self.palette().color(QPalette.ColorRole.PlaceholderText).name()

    def _muted_html(self, text: str) -> str:
        return f'<span style="color:{self._muted_color()}">{html.escape(text)}</span>'

    def _breakdown_html(self, contact: ContactRow) -> str:
        lines = breakdown_lines(contact.warmness_breakdown)
        if not lines:
            return self._muted_html("No breakdown yet: it is computed at the next sync.")
        muted_color = self._muted_color()
        rows: list[str] = []
        for title, points, items in lines:
            rows.append(
                f'<tr><td style="padding-top:4px"><b>{html.escape(title)}</b></td>'
                f'<td align="right" style="padding-top:4px"><b>{_signed(points)}</b></td></tr>'
            )
            if not items:
                empty = html.escape(_EMPTY_BY_TITLE.get(title, EMPTY_COMPONENT_FALLBACK))
                rows.append(
                    f'<tr><td style="padding-left:12px; color:{muted_color}">{empty}</td>'
                    "<td></td></tr>"
                )
            for item_points, reason in items:
                rows.append(
                    f'<tr><td style="padding-left:12px">{html.escape(reason)}</td>'
                    f'<td align="right" style="color:{muted_color}">'
                    f"{_signed(item_points)}</td></tr>"
                )
        raw = contact.warmness_breakdown.get("raw") if contact.warmness_breakdown else None
        footer = ""
        if isinstance(raw, int) and raw != contact.warmness_score:
            footer = self._muted_html(f"Sum {raw}, kept within 0–10.")
        return (
            '<table width="100%" cellspacing="0" cellpadding="1">'
            + "".join(rows)
            + "</table>"
            + footer
        )

    def _activities_html(self, activities: tuple[ActivityRow, ...], today: date) -> str:
        if not activities:
            return self._muted_html("No activities yet.")
        muted_color = self._muted_color()
        rows: list[str] = []
        for activity in activities:
            symbol = ACTIVITY_SYMBOLS.get(activity.type, "•")
            when_day = activity.due_date or (
                activity.add_time.date() if activity.add_time else None
            )
            when = formatting.relative_day(when_day, today) if when_day else ""
            subject = activity.subject or activity.type.capitalize()
            state = "done" if activity.done else "open"
            rows.append(
                f'<tr><td width="22">{symbol}</td>'
                f"<td>{html.escape(subject)}"
                f'<br><span style="color:{muted_color}">'
                f"{html.escape(activity.type)} · {state}</span></td>"
                f'<td align="right" style="color:{muted_color}">{html.escape(when)}</td></tr>'
            )
        return '<table width="100%" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"

    def _render_activities(self) -> None:
        contact, listing = self._contact, self._listing
        if contact is None:
            return
        today = (self._now or utcnow()).date()
        has_notes = listing is not None and bool(listing.notes)
        self.notes_section.setVisible(has_notes)
        self.notes.setVisible(has_notes)
        if listing is None:
            self.activities_title.setText("RECENT ACTIVITIES")
            self.activities.setText(self._activities_html(contact.recent_activities, today))
            return
        self.activities_title.setText("ACTIVITIES")
        self.activities.setText(self._listing_html(listing, today))
        if has_notes:
            self.notes.setText(self._notes_html(listing))

    def _waiting_html(self) -> str:
        return (
            f'<span style="color:{self._muted_color()}" title="Sent to Pipedrive at the next '
            'sync">↑ waiting to be sent</span>'
        )

    def _listing_html(self, listing: ContactActivities, today: date) -> str:
        """Open activities first, with Done and Move links; then the latest done ones."""
        if not listing.open and not listing.done:
            return self._muted_html("No activities yet.")
        muted_color = self._muted_color()
        rows: list[str] = []
        for activity in (*listing.open, *listing.done):
            rows.append(self._listed_row(activity, today, muted_color))
        return '<table width="100%" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"

    def _listed_row(self, activity: ListedActivity, today: date, muted_color: str) -> str:
        symbol = ACTIVITY_SYMBOLS.get(activity.type, "•")
        subject = activity.subject or activity.type.capitalize()
        day = activity.due_date or (activity.add_time.date() if activity.add_time else None)
        when = formatting.relative_day(day, today) if day else ""
        if activity.due_date is not None and not activity.done:
            at = local_time_text(activity.due_date, activity.due_time)
            when = f"{when} {at}".strip()
        overdue = not activity.done and activity.due_date is not None and activity.due_date < today
        state = "overdue" if overdue else ("done" if activity.done else "open")
        parts = [f"{html.escape(activity.type)} · {state}"]
        if activity.waiting:
            parts.append(self._waiting_html())
        links = ""
        if not activity.done:
            ident = html.escape(activity.id)
            links = f'<br><a href="done:{ident}">Done</a> &nbsp; <a href="move:{ident}">Move…</a>'
        weight = "font-weight:600;" if not activity.done else ""
        note = ""
        if activity.note:
            text = " ".join(activity.note.split())
            text = text if len(text) <= NOTE_SHOWN else text[: NOTE_SHOWN - 1] + "…"
            note = f"<br><i>{html.escape(text)}</i>"
        return (
            f'<tr><td width="22">{symbol}</td>'
            f'<td><span style="{weight}">{html.escape(subject)}</span>{note}'
            f'<br><span style="color:{muted_color}">{" · ".join(parts)}</span>{links}</td>'
            f'<td align="right" style="color:{muted_color}">{html.escape(when)}</td></tr>'
        )

    def _notes_html(self, listing: ContactActivities) -> str:
        muted_color = self._muted_color()
        now = self._now or utcnow()
        rows: list[str] = []
        for note in listing.notes:
            when = formatting.relative_past(note.add_time, now, never="")
            marker = f" · {self._waiting_html()}" if note.waiting else ""
            text = html.escape(note.content).replace("\n", "<br>")
            rows.append(
                f"<p style='margin-bottom:6px'>{text}"
                f'<br><span style="color:{muted_color}">{html.escape(when)}</span>{marker}</p>'
            )
        return "".join(rows)

    def _deals_html(self, deals: tuple[DealRow, ...]) -> str:
        if not deals:
            return self._muted_html("No deals.")
        muted_color = self._muted_color()
        rows = [
            f"<tr><td>{html.escape(deal.title)}"
            f'<br><span style="color:{muted_color}">{html.escape(deal.status)}</span></td>'
            f'<td align="right">{html.escape(formatting.money(deal.value, deal.currency))}'
            "</td></tr>"
            for deal in deals
        ]
        return '<table width="100%" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"

    # -- slots ----------------------------------------------------------------------------------

    def _on_link(self, link: str) -> None:
        if link.startswith("org:"):
            self.organization_clicked.emit(link[4:])

    def _on_open(self) -> None:
        if self._contact is not None:
            self.open_requested.emit(self._contact)

    def _emit_for_contact(self, signal: Any) -> None:
        if self._contact is not None:
            signal.emit(self._contact)

    def _on_call(self, phone: str) -> None:
        """Dial, then let the window offer to log the call."""
        if call(phone) and self._contact is not None:
            self.called.emit(self._contact)

    def _on_activity_link(self, link: str) -> None:
        verb, _, activity_id = link.partition(":")
        listing, contact = self._listing, self._contact
        if listing is None or contact is None:
            return
        activity = next((a for a in listing.open if a.id == activity_id), None)
        if activity is None:
            return
        if verb == "done":
            self.mark_done_requested.emit(activity, contact)
        elif verb == "move":
            self.reschedule_requested.emit(activity, contact)
