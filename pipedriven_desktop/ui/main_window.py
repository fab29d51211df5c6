"""The main window: composes the sidebar, filter bar, table, detail pane, sync bar and status.

It owns no data and runs no SQL: it turns the widgets' choices into a ``ContactFilter``,
asks the store services, and starts syncs on the ``SyncController``'s thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.contact_extras import contact_extras, email_consent
from pipedriven_desktop.store.contact_query import ContactFilter, WarmnessBand
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.store.rows import ContactRow, Performance, SyncStatus
from pipedriven_desktop.sync.worker import SyncController
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.consent_notice import ConsentNotice
from pipedriven_desktop.ui.contact_table import ContactTable
from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.detail_pane import DetailPane
from pipedriven_desktop.ui.filter_bar import FilterBar
from pipedriven_desktop.ui.headline import headline
from pipedriven_desktop.ui.links import organization_url, person_url
from pipedriven_desktop.ui.notice_banner import NoticeBanner
from pipedriven_desktop.ui.org_card import OrgCardView
from pipedriven_desktop.ui.org_changes import OrgChanges
from pipedriven_desktop.ui.org_sidebar import OrgSidebar
from pipedriven_desktop.ui.org_sidebar_model import ALL_CONTACTS, NO_ORGANIZATION
from pipedriven_desktop.ui.pane_toggle import PaneToggle
from pipedriven_desktop.ui.reconnect import ResendWhenOnline
from pipedriven_desktop.ui.status_bar import AppStatusBar
from pipedriven_desktop.ui.sync_bar import SyncBanner, SyncBar, progress_text
from pipedriven_desktop.ui.welcome import WelcomePanel
from pipedriven_desktop.ui.window_actions import WindowActions

if TYPE_CHECKING:
    from pipedriven_desktop.ui.insights.window import InsightsWindow

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (1600, 900)
RESULT_MESSAGE_MS = 10_000
#: How long the status bar says a campaign flag waits for a busy mirror.
CAMPAIGN_WAIT_MESSAGE_MS = 30_000
#: The table's share before the splitter hands it the rest of the width.
CENTER_HINT_WIDTH = 640
#: How long a sync waits for the window to paint the rows it just wrote.
LIVE_ROWS_PAUSE_MS = 200
DEMO_BANNER = (
    "You are looking at demo data — a made-up account that runs on this computer.",
    "Connect your Pipedrive account to see your own contacts.",
)


@dataclass(frozen=True)
class DemoEndpoint:
    """Where the demo's fake Pipedrive listens, and the token it accepts."""

    base_url: str
    token: str


class _Pane(QWidget):
    """A splitter pane with a modest size hint, so the side panes keep their own widths."""

    def __init__(self, hint_width: int) -> None:
        super().__init__()
        self._hint_width = hint_width

    def sizeHint(self) -> QSize:
        return QSize(self._hint_width, super().sizeHint().height())


class MainWindow(QMainWindow):
    """My-500 and everything around it."""

    #: the table painted its first rows (start-up time is measured to this)
    first_painted = Signal()
    #: the welcome panel asked for demo data (the app restarts the window in demo mode)
    demo_requested = Signal()
    #: a sync ended, whatever the outcome (after the views were refreshed)
    sync_ended = Signal()
    #: in the demo, a token for a real account was saved (the app opens the real mirror)
    account_connected = Signal()
    #: the stored token was removed (the window is back on the welcome panel)
    token_forgotten = Signal()

    def __init__(
        self,
        db: Database,
        settings: AppSettings,
        *,
        demo: DemoEndpoint | None = None,
        base_url: str | None = None,
        controller: SyncController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.settings = settings
        self.demo = demo
        self._base_url_override = base_url
        self.service = ContactService(db)
        self.controller = controller or SyncController(self)
        self._owner_id = self.service.owner_id()
        # The platform appends the application's display name ("My-500 — Pipedriven Desktop").
        self.setWindowTitle("My-500 (demo data)" if demo else "My-500")

        self.model = ContactTableModel(self.service, db, self)
        self.table = ContactTable(self.model)
        self.org_queries = OrgQueries(db)
        self.sidebar = OrgSidebar(self.org_queries, db=db)
        self.org_card = OrgCardView(self.org_queries)
        self.filter_bar = FilterBar()
        self.filter_bar.set_all_contacts(settings.all_contacts)
        self.detail = DetailPane()
        self.sync_bar = SyncBar(self.controller)
        self.banner = SyncBanner()
        self.edit_notice = NoticeBanner("editNotice")
        self.consent_notice = ConsentNotice()
        self.incomplete_notice = NoticeBanner("incompleteNotice")
        self.incomplete_notice.retry_button.setText("Continue sync")
        self.demo_banner = NoticeBanner("demoBanner")
        self.demo_banner.retry_button.setText("Connect your account…")
        if demo is not None:
            self.demo_banner.show_notice(*DEMO_BANNER)
        #: the token was forgotten: the welcome panel stays until a new sync starts
        self._hold_welcome = False
        self._retry_campaign: tuple[str, bool] | None = None
        #: The names saved in (True) and out of (False) the campaign since the last message:
        #: a change of several rows is told once, when its last save has landed.
        self._campaign_saved: dict[bool, list[str]] = {True: [], False: []}
        self.insights: InsightsWindow | None = None
        #: undoing a merge runs here, off the UI thread
        self.org_changes = OrgChanges(self)
        self.org_changes.done.connect(self._org_change_ended)
        self.org_changes.failed.connect(self._org_change_ended)
        self.status = AppStatusBar()
        self.setStatusBar(self.status)
        self.welcome = WelcomePanel()

        center = _Pane(CENTER_HINT_WIDTH)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(10, 10, 10, 0)
        center_layout.setSpacing(8)
        center_layout.addWidget(self.filter_bar)
        center_layout.addWidget(self.demo_banner)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.incomplete_notice)
        center_layout.addWidget(self.edit_notice)
        center_layout.addWidget(self.consent_notice)
        center_layout.addWidget(self.org_card)
        center_layout.addWidget(self.table, 1)
        self.filter_bar.add_to_top_row(self.sync_bar)

        sidebar_box = QWidget()
        sidebar_layout = QVBoxLayout(sidebar_box)
        sidebar_layout.setContentsMargins(10, 10, 0, 0)
        sidebar_layout.addWidget(self.sidebar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(sidebar_box)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.splitter)
        self.pages.addWidget(self.welcome)
        self.setCentralWidget(self.pages)

        self._pending_contact: ContactRow | None = None
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(0)
        self._detail_timer.timeout.connect(self._load_pending_contact)

        self._create_actions()
        #: actions on contacts, Today and the outbox (menus, shortcuts, their windows)
        self.window_actions = WindowActions(self)
        for notice in self.window_actions.notices:
            center_layout.insertWidget(center_layout.indexOf(self.edit_notice) + 1, notice)
        #: offline with changes waiting: sync again when the network is back
        self.resend = ResendWhenOnline(
            self, start_sync=self.start_sync, waiting=lambda: self.window_actions.controller.waiting
        )
        self.window_actions.controller.counts_changed.connect(
            lambda waiting, _refused: self.resend.changes_waiting(waiting)
        )
        self._connect()
        self._restore_window_state()
        self._load_initial()

    # -- construction ---------------------------------------------------------------------------

    def _create_actions(self) -> None:
        def action(
            text: str, slot: Any, *shortcuts: QKeySequence | QKeySequence.StandardKey | str
        ) -> QAction:
            act = QAction(text, self)
            keys: list[QKeySequence] = []
            for key in shortcuts:
                sequence = QKeySequence(key)
                if sequence.toString() and sequence not in keys:
                    keys.append(sequence)
            if keys:
                act.setShortcuts(keys)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.sync_action = action("&Sync now", self.start_sync, "F5")
        self.settings_action = action("S&ettings…", self.open_settings, "Ctrl+,")
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action = action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Ctrl+Q")
        self.find_action = action("&Find…", self.filter_bar.focus_search, "Ctrl+F")
        self.reload_action = action("&Reload from mirror", self.refresh_all)
        self.insights_action = action("&Insights…", self.open_insights, "Ctrl+I")
        self.connect_action = action("&Connect Pipedrive account…", self.connect_account)
        self.help_action = action("Pipedriven Desktop &Help", self.open_help, "F1")
        self.about_action = action("&About Pipedriven Desktop", self.open_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.sync_action)
        file_menu.addAction(self.connect_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = menu.addMenu("&View")
        view_menu.addAction(self.find_action)
        view_menu.addAction(self.reload_action)
        view_menu.addAction(self.insights_action)
        self.detail_toggle = PaneToggle(self.splitter, 2, "Contact &details", "Ctrl+D", self)
        self.addAction(self.detail_toggle.action)
        view_menu.addAction(self.detail_toggle.action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)

    def _connect(self) -> None:
        self.filter_bar.changed.connect(self._on_filters_changed)
        self.sidebar.selection_changed.connect(lambda _key: self.apply_filter())
        self.sidebar.selection_changed.connect(self._show_org_card)
        self.sidebar.duplicates_requested.connect(self.open_duplicates)
        self.org_card.open_requested.connect(self.open_organization_in_pipedrive)
        self.org_card.undo_requested.connect(self.undo_organization_merge)
        self.table.current_changed.connect(self._show_contact)
        self.table.open_requested.connect(self.open_in_pipedrive)
        self.table.show_all_requested.connect(lambda: self.filter_bar.set_all_contacts(True))
        self.detail.open_requested.connect(self.open_in_pipedrive)
        self.detail.organization_clicked.connect(self.sidebar.select)
        self.model.loaded.connect(self._on_loaded)
        self.model.counted.connect(self._on_counted)
        self.sidebar.loaded.connect(self._update_counts)
        self.model.campaign_changed.connect(self._on_campaign_changed)
        self.model.campaign_failed.connect(self._on_campaign_failed)
        self.model.campaign_waiting.connect(self._on_campaign_waiting)
        self.edit_notice.retry_requested.connect(self._retry_campaign_save)
        self.table.view.first_painted.connect(self.first_painted)
        self.sync_bar.sync_requested.connect(self.start_sync)
        self.banner.retry_requested.connect(self.start_sync)
        self.banner.settings_requested.connect(self.open_settings)
        self.welcome.connect_requested.connect(self.connect_account)
        self.welcome.demo_requested.connect(self.demo_requested)
        self.welcome.retry_requested.connect(self._retry_from_welcome)
        self.welcome.cancel_requested.connect(self.controller.cancel)
        self.demo_banner.retry_requested.connect(self.connect_account)
        self.incomplete_notice.retry_requested.connect(self.start_sync)
        self.controller.progress.connect(self._on_sync_progress)
        self.controller.retrying.connect(self._on_sync_retrying)
        self.controller.rows_written.connect(self._show_rows_so_far)
        self.controller.started.connect(lambda: self.status.set_running(True))
        self.controller.finished.connect(self._on_sync_finished)
        self.controller.failed.connect(self._on_sync_failed)
        self.controller.cancelled.connect(self._on_sync_cancelled)
        self.controller.offline.connect(lambda: self._set_offline(True))
        self.controller.stopped.connect(self._on_sync_stopped)

    def _restore_window_state(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            width, height = DEFAULT_SIZE
            screen = self.screen()
            if screen is not None and screen.availableGeometry().width() >= 1024:
                available = screen.availableGeometry()
                width = min(width, int(available.width() * 0.92))
                height = min(height, int(available.height() * 0.92))
            self.resize(width, height)
        splitter = self.settings.main_splitter
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _load_initial(self) -> None:
        """First page of rows; or the welcome panel on a blank first run.

        Nothing read before the first paint grows with the mirror: one page of rows, their
        count from a worker thread when it is done, and the sidebar (up to hundreds of
        thousands of organizations) just after the first paint, its full list off the UI
        thread too. An empty list has no rows to paint: its sidebar is read at once.
        """
        self._sidebar_loaded = False
        self.table.view.first_painted.connect(self._schedule_sidebar)
        self.model.set_filter(self.current_filter(), count_later=True)
        if self.model.rowCount() == 0:
            self._schedule_sidebar()
        blank = self.model.rowCount() == 0 and not self.service.has_contacts()
        if blank and self.demo is None and self._token() is None:
            self._show_page(self.welcome)
        self.table.view.setFocus()

    def _schedule_sidebar(self) -> None:
        QTimer.singleShot(0, self._load_sidebar_lazily)

    def _load_sidebar_lazily(self) -> None:
        if self._sidebar_loaded:
            return
        self._sidebar_loaded = True
        self.sidebar.load_lazily(self._scope_filter())
        self._update_counts()
        # The overdue and outbox counts grow with the mirror too: after the paint as well.
        self.window_actions.refresh_counts()

    def _load_sidebar(self) -> None:
        """The whole sidebar, read now on this thread (start-up reads it lazily)."""
        self._sidebar_loaded = True
        self.sidebar.set_scope(self._scope_filter())
        self._update_counts()

    # -- filters --------------------------------------------------------------------------------

    def _scope_filter(self) -> ContactFilter:
        mine = not self.filter_bar.state().all_contacts
        return ContactFilter(owner_id=self._owner_id if mine else None)

    def current_filter(self) -> ContactFilter:
        state = self.filter_bar.state()
        key = self.sidebar.selected_key
        order = self.model.contact_filter
        return ContactFilter(
            owner_id=None if state.all_contacts else self._owner_id,
            search=state.search,
            organization_id=None if key in (ALL_CONTACTS, NO_ORGANIZATION) else key,
            no_organization=key == NO_ORGANIZATION,
            band=state.band,
            in_campaign=state.in_campaign,
            stale_only=state.stale_only,
            sort=order.sort,
            descending=order.descending,
        )

    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())

    def _on_filters_changed(self) -> None:
        all_contacts = self.filter_bar.state().all_contacts
        if all_contacts != self.settings.all_contacts:
            self.settings.all_contacts = all_contacts
            if self._sidebar_loaded:
                self.sidebar.set_scope(self._scope_filter())
                self._show_org_card(self.sidebar.selected_key)
        self.apply_filter()

    def _on_counted(self, total: int) -> None:
        if self.model.performance is not None and self.model.sync_status is not None:
            self._on_loaded(total, self.model.performance, self.model.sync_status)

    def _on_loaded(self, total: int, performance: Performance, status: SyncStatus) -> None:
        current = self.model.contact_filter
        mine = not self.filter_bar.state().all_contacts
        if total < 0:  # still being counted off the UI thread: the rows come first
            self.table.set_headline(
                *headline(
                    mine=mine,
                    narrowed=False,
                    total=None,
                    base_total=0,
                    sort=current.sort,
                    descending=current.descending,
                )
            )
            self.status.set_performance(performance)
            self.status.set_sync_status(status)
            return
        scope = ContactFilter(owner_id=current.owner_id)
        base_total = self.service.count(scope)
        narrowed = (
            bool(current.search)
            or current.organization_id is not None
            or current.no_organization
            or current.band is not None
            or current.in_campaign
            or current.stale_only
        )
        self.table.set_headline(
            *headline(
                mine=mine,
                narrowed=narrowed,
                total=total,
                base_total=base_total,
                sort=current.sort,
                descending=current.descending,
            )
        )
        self._update_counts()
        self.status.set_performance(performance)
        self.status.set_sync_status(status)
        self._update_incomplete_notice(status, base_total)

    def _update_incomplete_notice(self, status: SyncStatus, synced: int) -> None:
        """Until a first sync has finished, say that the list is partial and offer to go on."""
        unfinished = status.last_finished is None and (
            status.last_error is not None or status.running
        )
        if not unfinished or synced == 0 or self.controller.is_running():
            self.incomplete_notice.hide()
            return
        self.incomplete_notice.show_notice(
            f"Showing the {formatting.plural(synced, 'contact')} synced so far —",
            "the first sync did not finish, so this list is incomplete.",
        )

    def _update_counts(self) -> None:
        if not self.model.total_known:
            return  # the count is on its way; this runs again when it comes
        scope = ContactFilter(owner_id=self.model.contact_filter.owner_id)
        total = self.service.count(scope)
        in_campaign = self.service.count(ContactFilter(owner_id=scope.owner_id, in_campaign=True))
        text = (
            f"{formatting.plural(total, 'contact')} · {formatting.count(in_campaign)} in campaign"
        )
        if self._sidebar_loaded and self.sidebar.complete:
            organizations = self.sidebar.model.organization_count()
            text += f" · {formatting.plural(organizations, 'organization')}"
        self.status.set_counts(text)

    # -- contact --------------------------------------------------------------------------------

    def _show_contact(self, row: ContactRow | None) -> None:
        """Show ``row`` in the detail pane on the next turn of the event loop.

        Holding an arrow key moves the selection faster than a repaint; only the contact
        that is current when the loop comes round is read.
        """
        self._pending_contact = row
        self._detail_timer.start()

    def _load_pending_contact(self) -> None:
        row = self._pending_contact
        if row is None:
            self.detail.clear()
            return
        contact = self.service.contact(row.id)
        if contact is None:
            self.detail.clear()
            return
        self.detail.set_contact(contact, self.service.deals(row.id), self.model.now())
        self.detail.set_extras(contact_extras(self.db.reader(), row.id))
        self.window_actions.load_detail_activities(row.id)

    def _on_campaign_changed(self, contact_id: str, flag: bool) -> None:
        if self._retry_campaign is not None and self._retry_campaign[0] == contact_id:
            self._retry_campaign = None  # saved after all: the notice is out of date
            self.edit_notice.hide()
        self._move_to_new_place(contact_id)
        self._update_counts()
        row = self.model.row_of(contact_id)
        contact = self.model.row(row) if row is not None else None
        name = contact.name if contact is not None else "Contact"
        if flag:
            self.consent_notice.check(name, email_consent(self.db.reader(), contact_id))
        self._campaign_saved[flag].append(name)
        self._announce_campaign_changes()

    def _announce_campaign_changes(self) -> None:
        """Once the last save of a change has landed: who (or how many) moved, and the total."""
        if self.model.saves_in_flight() or not any(self._campaign_saved.values()):
            return
        parts = []
        for flag, verb in ((True, "added to"), (False, "removed from")):
            names = self._campaign_saved[flag]
            if names:
                who = names[0] if len(names) == 1 else f"{formatting.count(len(names))} contacts"
                parts.append(f"{who} {verb}")
            names.clear()
        current = self.model.contact_filter
        in_campaign = self.service.count(ContactFilter(owner_id=current.owner_id, in_campaign=True))
        self.status.showMessage(
            f"{' and '.join(parts)} the campaign · {formatting.count(in_campaign)} in campaign",
            4000,
        )

    def _move_to_new_place(self, contact_id: str) -> None:
        """The saved flag moved the contact in the order: re-read, and follow it if current."""
        if self.model.saves_in_flight():
            return  # more flags are on their way: move once, when the last one lands
        current = self.table.current_contact()
        follow = current is not None and current.id == contact_id
        self.table.reload()
        if not follow:
            return
        position = self.service.position_of(self.model.contact_filter, contact_id)
        if position is None:
            return  # no longer in this list (e.g. the campaign filter is on)
        while self.model.rowCount() <= position and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        self.model.row(position)  # its page is read if it is not held
        if self.table.select_contact(contact_id):
            self.table.view.scrollTo(self.table.view.currentIndex())

    def _on_campaign_waiting(self, contact_id: str, flag: bool) -> None:
        row = self.model.row_of(contact_id)
        contact = self.model.row(row) if row is not None else None
        name = contact.name if contact is not None else "the contact"
        change = "adding" if flag else "removing"
        where = "to" if flag else "from"
        self.status.showMessage(
            f"Still {change} {name} {where} the campaign: saved once a long write ends",
            CAMPAIGN_WAIT_MESSAGE_MS,
        )

    def _on_campaign_failed(self, contact_id: str, flag: bool, message: str) -> None:
        row = self.model.row_of(contact_id)
        contact = self.model.row(row) if row is not None else None
        name = contact.name if contact is not None else "the contact"
        verb = "add" if flag else "remove"
        where = "to" if flag else "from"
        self._retry_campaign = (contact_id, flag)
        self.edit_notice.show_notice(f"Could not {verb} {name} {where} the campaign.", message)
        self._announce_campaign_changes()  # the others of its change were saved

    def _retry_campaign_save(self) -> None:
        if self._retry_campaign is not None:
            contact_id, flag = self._retry_campaign
            self._retry_campaign = None
            self.model.save_campaign(contact_id, flag)

    def open_in_pipedrive(self, row: ContactRow) -> None:
        if row.pipedrive_person_id is None:
            self.status.showMessage(f"{row.name} is not in Pipedrive yet", 4000)
            return
        if self.demo is not None:
            self.status.showMessage(
                f"Demo data: in a real account this opens {row.name} in Pipedrive", 5000
            )
            return
        url = person_url(self.settings.company_domain, self._base_url(), row.pipedrive_person_id)
        QDesktopServices.openUrl(QUrl(url))

    def open_organization_in_pipedrive(self, pipedrive_org_id: int) -> None:
        if self.demo is not None:
            self.status.showMessage("Demo data: in a real account this opens it in Pipedrive", 5000)
            return
        url = organization_url(self.settings.company_domain, self._base_url(), pipedrive_org_id)
        QDesktopServices.openUrl(QUrl(url))

    def _show_org_card(self, key: str) -> None:
        self.org_card.show_key(key, self._scope_filter().owner_id)

    def undo_organization_merge(self, organization_id: str) -> None:
        """Undo a merge off the UI thread; the card's button waits for the outcome."""
        from pipedriven_desktop.ui.duplicates_view import StoreActions

        actions = StoreActions(self.db)
        self.org_card.undo_button.setEnabled(False)
        self.status.showMessage("Undoing the merge…")
        self.org_changes.run("undo", lambda: actions.undo(organization_id))

    def _org_change_ended(self, _kind: str, reason: str) -> None:
        self.org_card.undo_button.setEnabled(True)
        if reason:  # MergeError, SyncBusyError: one line
            self.status.showMessage(reason, 6000)
            return
        self.status.showMessage("Merge undone: the organizations are separate again", 5000)
        self.refresh_all()

    def open_duplicates(self) -> None:
        from pipedriven_desktop.ui.duplicates_view import DuplicatesDialog

        dialog = DuplicatesDialog(self.db, self.org_queries, self._scope_filter().owner_id, self)
        dialog.changed.connect(self.refresh_all)
        dialog.open()

    def open_insights(self) -> None:
        """The Insights window; its module and QtCharts are imported now, never at start-up."""
        from pipedriven_desktop.ui.insights.window import InsightsWindow

        if self.insights is None:
            self.insights = InsightsWindow(self.db.path, self)
            self.insights.band_requested.connect(self.show_band)
            self.sync_ended.connect(self.insights.refresh_if_shown)
        self.insights.show()
        self.insights.raise_()
        self.insights.activateWindow()
        self.insights.refresh()

    def show_band(self, band: WarmnessBand, all_contacts: bool) -> None:
        """A warmness bar of Insights was clicked: that band of My-500 or of all contacts."""
        self.filter_bar.set_all_contacts(all_contacts)
        self.filter_bar.band_buttons[band].setChecked(True)
        self.raise_()
        self.activateWindow()

    # -- sync -----------------------------------------------------------------------------------

    def _base_url(self) -> str:
        return self._base_url_override or self.settings.base_url

    def _token(self) -> str | None:
        if self.demo is not None:
            return self.demo.token
        from pipedriven_desktop import secrets

        try:
            return secrets.get_token()
        except secrets.KeyringLockedError as exc:
            self.banner.show_failure(str(exc), auth_error=True)
            return None

    def start_sync(self) -> bool:
        """Start a sync on the worker thread; opens settings first when there is no token."""
        if self.controller.is_running():
            return False
        token = self._token()
        if token is None:
            self.open_settings(sync_after=True)
            return False
        self.banner.hide()
        self.incomplete_notice.hide()
        self._hold_welcome = False
        base_url = self.demo.base_url if self.demo else self._base_url()
        started = self.controller.start(self.db, base_url, token, live_rows=True)
        if started and self.showing_welcome():
            self.welcome.show_syncing(self._sync_title())
        return started

    def _sync_title(self) -> str:
        return "Fetching the demo data…" if self.demo else "Fetching your Pipedrive data…"

    def _retry_from_welcome(self) -> None:
        self.start_sync()

    def _on_sync_progress(self, entity: str, done: int, total: object) -> None:
        if self.showing_welcome():
            self.welcome.show_progress(progress_text(entity, done, total), done, total)

    def _show_rows_so_far(self) -> None:
        """Contacts were written (the sync says so at most once a second, from the first
        page of persons on): re-read them, and keep the sync paused a moment while the new
        rows are laid out and painted; painting while it runs takes several times longer."""
        try:
            self._read_rows_so_far()
        finally:
            QTimer.singleShot(LIVE_ROWS_PAUSE_MS, self.controller.ui_caught_up)

    def _read_rows_so_far(self) -> None:
        self._owner_id = self.service.owner_id()
        wanted = self.current_filter()
        if wanted != self.model.contact_filter:
            self.model.set_filter(wanted)
        else:
            self.table.reload()
        if self.showing_welcome() and self.model.total > 0:
            self._show_page(self.splitter)
            self.status.set_running(True)

    def _on_sync_retrying(self, reason: str, seconds: float) -> None:
        if self.showing_welcome():
            self.welcome.show_retrying(reason, seconds)

    def _on_sync_finished(self, result: object) -> None:
        self._set_offline(False)
        self.refresh_all()
        self.status.showMessage(_result_text(result), RESULT_MESSAGE_MS)

    def _on_sync_failed(self, message: str, auth_error: bool) -> None:
        self.refresh_all()
        if self._hold_welcome:
            return
        if self.showing_welcome():
            self.welcome.show_failure(message, auth_error=auth_error)
            return
        self.banner.show_failure(message, auth_error=auth_error)
        if auth_error:
            self.open_settings(sync_after=True, problem=message)

    def _on_sync_cancelled(self) -> None:
        self.refresh_all()
        if self.showing_welcome() and not self._hold_welcome:
            self.welcome.show_cancelled()
        self.status.showMessage("Sync cancelled; everything fetched so far is kept", 6000)

    def _on_sync_stopped(self) -> None:
        self.status.set_running(False)
        status = self.model.sync_status
        if status is not None:
            scope = ContactFilter(owner_id=self.model.contact_filter.owner_id)
            self._update_incomplete_notice(status, self.service.count(scope))
        self.sync_ended.emit()

    def _set_offline(self, offline: bool) -> None:
        self.status.set_offline(offline)
        self.resend.set_offline(offline)

    def refresh_all(self) -> None:
        """Re-read everything from the mirror, keeping selections and the scroll position.

        The table comes first; the sidebar and the detail pane follow on the next turns of
        the event loop, so no single turn holds the UI for long.
        """
        self._owner_id = self.service.owner_id()
        wanted = self.current_filter()
        if wanted != self.model.contact_filter:
            self.model.set_filter(wanted)
        else:
            self.table.reload()
        if self.showing_welcome() and self.model.total > 0 and not self._hold_welcome:
            self._show_page(self.splitter)
        current = self.table.current_contact()
        if current is not None:
            self._show_contact(current)
        QTimer.singleShot(0, self._refresh_sidebar)

    def _refresh_sidebar(self) -> None:
        self._sidebar_loaded = True
        self.sidebar.set_scope(self._scope_filter())
        self._show_org_card(self.sidebar.selected_key)
        self._update_counts()

    # -- settings -------------------------------------------------------------------------------

    def connect_account(self) -> None:
        """Settings, then a sync (or, from the demo, the switch to the real mirror)."""
        self.open_settings(sync_after=True)

    def open_settings(self, sync_after: bool = False, problem: str = "") -> None:
        """The connection settings; in the demo, saving a token connects the real account."""
        from pipedriven_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings, self, demo=self.demo is not None, problem=problem, db=self.db
        )
        self.settings_dialog = dialog
        if self.demo is not None:
            dialog.accepted.connect(self._after_demo_connected)
        elif sync_after:
            dialog.accepted.connect(self._after_settings_saved)
        dialog.token_forgotten.connect(self._on_token_forgotten)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _after_settings_saved(self) -> None:
        if self.showing_welcome():
            self.welcome.show_syncing(self._sync_title())
        QTimer.singleShot(0, self.start_sync)

    def _after_demo_connected(self) -> None:
        from pipedriven_desktop import secrets

        try:
            has_token = secrets.get_token() is not None
        except secrets.KeyringLockedError:
            has_token = False
        if has_token:
            self.account_connected.emit()

    def _on_token_forgotten(self) -> None:
        """No token any more: stop syncing and offer the welcome panel's choices again."""
        self.controller.cancel()
        self.banner.hide()
        self.incomplete_notice.hide()
        self.status.showMessage("The API token was removed from this computer", 6000)
        if self.demo is None:
            self._hold_welcome = True
            self._show_page(self.welcome)
            self.welcome.show_choice(
                "The API token was removed from this computer. The contacts synced so far "
                f"stay in {self.db.path.parent} until you delete that folder."
            )
        self.token_forgotten.emit()

    # -- help -----------------------------------------------------------------------------------

    def open_help(self) -> None:
        """The README when there is one on this computer; else About, which says where."""
        from pipedriven_desktop.ui.about_dialog import documentation_url

        url = documentation_url()
        if url is None:
            self.open_about()
        else:
            QDesktopServices.openUrl(url)

    def open_about(self) -> None:
        from pipedriven_desktop.ui.about_dialog import AboutDialog

        dialog = AboutDialog(self.db.path, self)
        self.about_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- lifetime -------------------------------------------------------------------------------

    def _show_page(self, page: QWidget) -> None:
        """The welcome panel has no counts or sync state to show yet: no status bar there."""
        self.pages.setCurrentWidget(page)
        self.status.setVisible(page is not self.welcome)

    def showing_welcome(self) -> bool:
        return self.pages.currentWidget() is self.welcome

    def has_rows(self) -> bool:
        return self.model.rowCount() > 0

    def select_first_contact(self) -> None:
        self.table.select_first()

    def start_first_sync_if_empty(self) -> bool:
        """An empty mirror with a way to fill it (demo, or a token) syncs at once."""
        if self.showing_welcome() or self.service.has_contacts():
            return False
        if self.demo is None and self._token() is None:
            return False
        self._show_page(self.welcome)  # the first sync's progress, until rows arrive
        return self.start_sync()

    def shutdown(self) -> None:
        """Stop the sync and let queued edits finish; before the database closes."""
        self.controller.shutdown()
        self.model.wait_for_saves()
        self.sidebar.wait()
        if self.insights is not None:
            self.insights.shutdown()
        self.window_actions.controller.wait()
        self.org_changes.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        self.settings.geometry = self.saveGeometry()
        self.settings.main_splitter = self.splitter.saveState()
        self.settings.sync()
        super().closeEvent(event)


def _result_text(result: object) -> str:
    def number(name: str) -> int:
        value = getattr(result, name, 0)
        return value if isinstance(value, int) else 0

    seconds = getattr(result, "seconds", None)
    parts = [
        f"{formatting.count(number('created'))} new",
        f"{formatting.count(number('updated'))} updated",
        f"{formatting.count(number('deleted'))} removed",
    ]
    failed = number("failed")
    if failed:
        parts.append(f"{formatting.count(failed)} skipped")
    if number("sent"):
        parts.append(f"{formatting.plural(number('sent'), 'change')} sent")
    if number("refused"):
        parts.append(f"{formatting.count(number('refused'))} refused (see the outbox)")
    took = f" in {seconds:.1f} s" if isinstance(seconds, (int, float)) else ""
    return f"Sync finished{took}: " + ", ".join(parts)
