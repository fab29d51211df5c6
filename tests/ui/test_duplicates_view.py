"""The possible-duplicates view: lists open suggestions side by side; N, P, M and K act."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import OrgSuggestionRow
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui.duplicates_view import (
    DuplicatesDialog,
    DuplicatesView,
    StoreActions,
)
from tests.store.org_fixture import (
    ACME,
    LONELY,
    NOW,
    OWNER,
    SUGGESTION,
    build_org_mirror,
)


class RecordedActions:
    """Records what the view asks for and closes the suggestion, as the store does."""

    def __init__(self, db: Database, refuse: str = "") -> None:
        self.db = db
        self.calls: list[tuple[str, ...]] = []
        self.refuse = refuse
        self.threads: set[int] = set()

    def _close(self, suggestion_id: str, status: str) -> None:
        """Runs on the view's worker thread, so on a connection of its own."""
        self.threads.add(threading.get_ident())
        if self.refuse:
            raise ValueError(self.refuse)
        conn = sqlite3.connect(self.db.path, isolation_level=None)
        try:
            conn.execute(
                "UPDATE org_suggestions SET status = ? WHERE id = ?", (status, suggestion_id)
            )
        finally:
            conn.close()

    def merge(self, suggestion_id: str, name: str) -> None:
        self.calls.append(("merge", suggestion_id, name))
        self._close(suggestion_id, "confirmed")

    def keep_separate(self, suggestion_id: str) -> None:
        self.calls.append(("keep", suggestion_id))
        self._close(suggestion_id, "kept_separate")


def add_second_suggestion(db: Database) -> None:
    with db.session() as session:
        session.add(
            OrgSuggestionRow(
                id="sugg-2",
                organization_id=ACME,
                candidate_id=LONELY,
                score=70.0,
                reasons="similar spelling",
                status="open",
                created_at=NOW,
            )
        )


def make_view(db: Database, qtbot: Any, actions: Any) -> DuplicatesView:
    view = DuplicatesView(OrgQueries(db), OWNER, actions)
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitExposed(view)
    view.merge_button.setFocus()
    return view


def press(qtbot: Any, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key)


def test_lists_the_pair_side_by_side(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    view = make_view(db, qtbot, RecordedActions(db))
    assert view.title.text() == "Possible duplicates · 1 of 1"
    assert view.left.name.text() == "Acme Corp"
    assert view.right.name.text() == "Acme Corporation"
    assert view.left.values["spellings"].text() == "Acme Corp (#1) · ACME Corp. (#6)"
    assert view.left.values["contacts"].text() == "3 mine · 5 all"
    assert view.right.values["deals"].text() == "1 · 40 USD"
    assert view.right.values["city"].text() == "Düsseldorf"
    assert "<b>acme.com</b>" in view.left.values["domains"].text()
    assert "same email domain acme.com" in view.reasons.text()
    assert "Shared email domains" in view.reasons.text()
    # The larger organization's name is offered first; the preview adds both up.
    assert view.name_choice.currentText() == "Acme Corp"
    assert "4 of your contacts (6 in all)" in view.preview.text()
    assert "#1, #2, #6" in view.preview.text()


def test_keys_move_and_act(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    add_second_suggestion(db)
    actions = RecordedActions(db)
    view = make_view(db, qtbot, actions)
    assert view.current is not None
    assert view.current.id == SUGGESTION  # the strongest first
    press(qtbot, view.merge_button, Qt.Key.Key_N)
    assert view.current is not None
    assert view.current.id == "sugg-2"
    press(qtbot, view.merge_button, Qt.Key.Key_P)
    assert view.current is not None
    assert view.current.id == SUGGESTION

    with qtbot.waitSignal(view.changed):
        press(qtbot, view.merge_button, Qt.Key.Key_K)
    assert actions.calls == [("keep", SUGGESTION)]
    assert view.title.text() == "Possible duplicates · 1 of 1"
    assert view.current is not None
    assert view.current.id == "sugg-2"

    view.name_choice.setEditText("Acme Group")
    with qtbot.waitSignal(view.changed):
        press(qtbot, view.merge_button, Qt.Key.Key_M)
    assert actions.calls[-1] == ("merge", "sugg-2", "Acme Group")
    assert view.current is None
    assert view.empty.isVisible()


def test_a_refused_action_says_why_and_keeps_the_pair(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    view = make_view(db, qtbot, RecordedActions(db, refuse="A sync is writing; try again"))
    with qtbot.waitSignal(view.changes.failed):
        press(qtbot, view.merge_button, Qt.Key.Key_M)
    assert view.message.text() == "A sync is writing; try again"
    assert view.pair.isEnabled()
    assert view.current is not None
    assert view.current.id == SUGGESTION


def test_store_actions_keep_separate_for_good(db: Database, qtbot: Any) -> None:
    pytest.importorskip("pipedriven_desktop.store.org_merge")
    build_org_mirror(db)
    dialog = DuplicatesDialog(db, OrgQueries(db), OWNER, actions=StoreActions(db))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.view.merge_button.hasFocus() or not dialog.isActiveWindow()
    with qtbot.waitSignal(dialog.view.changed):
        dialog.view.keep_separate()
    assert OrgQueries(db).open_suggestion_count() == 0
    status = db.reader().execute("SELECT status FROM org_suggestions").fetchone()[0]
    assert status != "open"


def test_merge_shows_on_the_card_and_undoes(db: Database, qtbot: Any) -> None:
    pytest.importorskip("pipedriven_desktop.store.org_merge")
    from pipedriven_desktop.ui.org_card import OrgCardView

    build_org_mirror(db)
    queries = OrgQueries(db)
    actions = StoreActions(db)
    view = make_view(db, qtbot, actions)
    with qtbot.waitSignal(view.changed):
        press(qtbot, view.merge_button, Qt.Key.Key_M)
    assert queries.sidebar(OWNER).organizations[0].contact_count == 4  # 3 + 1, one organization

    card = OrgCardView(queries)
    qtbot.addWidget(card)
    card.show_key(ACME, OWNER)
    assert not card.undo_button.isHidden()
    assert [s.pipedrive_org_id for s in card.card.spellings] == [1, 2, 6]  # type: ignore[union-attr]
    with qtbot.waitSignal(card.undo_requested) as undo:
        qtbot.mouseClick(card.undo_button, Qt.MouseButton.LeftButton)
    actions.undo(undo.args[0])
    assert [org.contact_count for org in queries.sidebar(OWNER).organizations] == [3, 1]
    card.show_key(ACME, OWNER)
    assert card.undo_button.isHidden()


def test_a_merge_during_a_sync_is_refused_in_one_line(db: Database, qtbot: Any) -> None:
    pytest.importorskip("pipedriven_desktop.store.org_merge")
    from pipedriven_desktop.store.writer_lock import writer_lock

    build_org_mirror(db)
    view = make_view(db, qtbot, StoreActions(db))
    with writer_lock(db.path), qtbot.waitSignal(view.changes.failed):  # a sync holds the mirror
        press(qtbot, view.merge_button, Qt.Key.Key_M)
    assert view.message.text().startswith("Another sync is running")
    assert "\n" not in view.message.text()
    assert OrgQueries(db).open_suggestion_count() == 1  # nothing was merged


def test_the_sidebar_entry_opens_the_review(db: Database, make_window: Any, qtbot: Any) -> None:
    build_org_mirror(db)
    window = make_window(db)
    window._load_sidebar()
    assert window.sidebar.duplicates_button.isVisible()
    qtbot.mouseClick(window.sidebar.duplicates_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(DuplicatesDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.view.left.name.text() == "Acme Corp"
    dialog.close()


def test_changes_run_off_the_ui_thread_with_the_pair_disabled_meanwhile(
    db: Database, qtbot: Any
) -> None:
    build_org_mirror(db)
    add_second_suggestion(db)
    actions = RecordedActions(db)
    gate = threading.Event()
    merge = actions.merge

    def slow_merge(suggestion_id: str, name: str) -> None:
        assert gate.wait(10)
        merge(suggestion_id, name)

    actions.merge = slow_merge  # type: ignore[method-assign]
    view = make_view(db, qtbot, actions)
    press(qtbot, view.merge_button, Qt.Key.Key_M)
    # The merge waits on its thread; the window is responsive and says what is going on.
    assert view.changes.busy
    assert not view.pair.isEnabled()
    assert view.message.text() == "Merging…"
    press(qtbot, view, Qt.Key.Key_K)  # ignored while the merge runs
    assert actions.calls == []
    with qtbot.waitSignal(view.changed):
        gate.set()
    assert actions.calls == [("merge", SUGGESTION, "Acme Corp")]
    assert actions.threads
    assert threading.get_ident() not in actions.threads
    assert view.pair.isEnabled()
    assert view.message.text().startswith("Merged into “Acme Corp”")
    assert view.current is not None
    assert view.current.id == "sugg-2"


def test_the_windows_undo_runs_off_the_ui_thread(
    db: Database, make_window: Any, qtbot: Any
) -> None:
    pytest.importorskip("pipedriven_desktop.store.org_merge")
    build_org_mirror(db)
    StoreActions(db).merge(SUGGESTION, "Acme Corp")
    window = make_window(db)
    window._load_sidebar()
    window.org_card.show_key(ACME, OWNER)
    assert not window.org_card.undo_button.isHidden()
    with qtbot.waitSignal(window.org_changes.done):
        window.undo_organization_merge(ACME)
        assert window.org_changes.busy  # queued, not done on the UI thread
        assert not window.org_card.undo_button.isEnabled()
    assert window.org_card.undo_button.isEnabled()
    assert [org.contact_count for org in OrgQueries(db).sidebar(OWNER).organizations] == [3, 1]


def test_a_refused_undo_says_why_in_the_status_bar(
    db: Database, make_window: Any, qtbot: Any
) -> None:
    build_org_mirror(db)
    window = make_window(db)
    with qtbot.waitSignal(window.org_changes.failed):
        window.undo_organization_merge(LONELY)  # never merged
    assert "no merge to undo" in window.status.currentMessage()
    assert window.org_card.undo_button.isEnabled()


@pytest.mark.parametrize("width", [1040, 760])
def test_long_spellings_wrap_whole_in_a_narrower_window(
    db: Database, qtbot: Any, width: int
) -> None:
    build_org_mirror(db)
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        conn.execute("UPDATE organization_aliases SET name = name || ' & Sons Worldwide Holdings'")
    finally:
        conn.close()
    dialog = DuplicatesDialog(db, OrgQueries(db), OWNER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.resize(width, dialog.height())
    qtbot.waitUntil(lambda: dialog.view.width() <= width)
    label = dialog.view.left.values["spellings"]  # two long spellings: wrapped
    assert label.heightForWidth(label.width()) >= 2 * label.fontMetrics().lineSpacing()
    assert label.height() >= label.heightForWidth(label.width())
