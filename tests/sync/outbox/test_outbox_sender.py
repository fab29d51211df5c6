"""The outbox sender's rules: order kept, offline loses nothing, updates checked, words."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from pipedriven_desktop.pipedrive import (
    FakeAccount,
    FakePipedriveServer,
    PipedriveClient,
    PipedriveConnectionError,
    RequestRejectedError,
)
from pipedriven_desktop.store import actions
from pipedriven_desktop.store import outbox as outbox_store
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.outbox import OutboxRow
from pipedriven_desktop.store.writer_lock import SyncBusyError, writer_lock
from pipedriven_desktop.sync.outbox_sender import as_html, refusal_words, send_now
from pipedriven_desktop.sync.scoring import score_contacts
from tests.sync.conftest import NOW, TOKEN, Sleeps, SyncFn, make_client
from tests.sync.outbox.helpers import (
    ACTIVITIES,
    in_account,
    log_call,
    my_contact,
    open_activity,
    outbox,
)


def test_a_429_that_lasts_keeps_the_order_later_actions_wait_behind(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account, subject="First")
    with actions.writing(db) as conn:
        actions.add_note(conn, contact_id, text="Second", now=NOW)
    server.faults.add("429", 10, path_prefix=ACTIVITIES, method="POST", retry_after=1)

    result = sync()

    assert result.sent == 0
    assert [(r.kind, r.state) for r in outbox(db)] == [("log", "waiting"), ("note", "waiting")]
    assert "limiting requests" in outbox(db)[0].error
    assert account.notes == {}, "the note did not overtake the call"
    server.faults.clear()
    assert sync().sent == 2
    assert len(in_account(account, person_id, "First")) == 1


def test_offline_every_action_stays_and_nothing_is_lost(
    synced: Database, account: FakeAccount, sleeps: Sleeps
) -> None:
    db = synced
    contact_id, _ = my_contact(db, account)
    log_call(db, contact_id, account)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        make_client(f"http://127.0.0.1:{port}", TOKEN, sleeps) as offline,
        pytest.raises(PipedriveConnectionError),
    ):
        send_now(db, offline, now=lambda: NOW)
    ((state, attempts, since),) = [(r.state, r.attempts, r.sending_since) for r in outbox(db)]
    assert (state, since) == ("waiting", None), "it surely never left: no check needed"
    assert attempts == 1


def test_send_now_waits_for_no_sync_it_refuses_while_one_runs(
    synced: Database, account: FakeAccount, client: PipedriveClient
) -> None:
    db = synced
    contact_id, _ = my_contact(db, account)
    log_call(db, contact_id, account)
    with writer_lock(db.path), pytest.raises(SyncBusyError):
        send_now(db, client, now=lambda: NOW)
    assert send_now(db, client, now=lambda: NOW).sent == 1


def test_an_update_whose_outcome_was_lost_is_adopted_when_pipedrive_has_it(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, client: PipedriveClient
) -> None:
    db = synced
    activity_id, pipedrive_id = open_activity(db)
    with actions.writing(db) as conn:
        actions.reschedule(
            conn,
            activity_id,
            due_date=date(2025, 7, 1),
            due_time="09:45",
            now=NOW,
            rescore=score_contacts,
        )
    server.faults.add("drop_after", path_prefix=ACTIVITIES, method="PATCH")

    report = send_now(db, client, now=lambda: NOW)

    assert report.sent == 1
    patches = [r for r in server.request_log if r.method == "PATCH"]
    assert len(patches) == 1, "checked by reading the activity, not by sending again"
    stored = account.activities[pipedrive_id]
    assert (stored["due_date"], stored["due_time"]) == ("2025-07-01", "09:45:00")
    assert outbox(db) == []


def test_an_update_of_an_activity_deleted_in_pipedrive_is_refused_with_words(
    synced: Database, account: FakeAccount, client: PipedriveClient
) -> None:
    db = synced
    activity_id, pipedrive_id = open_activity(db)
    with actions.writing(db) as conn:
        actions.mark_done(conn, activity_id, now=NOW, rescore=score_contacts)
    account.delete_activity(pipedrive_id)

    report = send_now(db, client, now=lambda: NOW)

    assert report.refused == 1
    (row,) = outbox(db)
    assert row.state == "refused"
    assert row.error.startswith("Pipedrive no longer has the person or activity")
    assert "Activity not found" in row.error


def test_notes_go_as_html_and_refusals_read_as_sentences() -> None:
    assert as_html("a < b\nsecond & last") == "a &lt; b<br>second &amp; last"
    row = OutboxRow(1, "a", "note", None, 5, None, None, {}, "sending", 1, None, None, NOW)
    said = {
        400: "found the note invalid: Content is required. Edit it and try again.",
        403: "refused the note: no permission (Content is required).",
        422: "found the note invalid",
        500: "refused the note (HTTP 500): Content is required.",
    }
    for status, words in said.items():
        text = refusal_words(RequestRejectedError("Content is required.", status=status), row)
        assert words in text
        assert text.startswith("Pipedrive ")


def test_an_action_discarded_or_edited_while_a_send_runs_is_sent_as_it_stands(
    synced: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    client: PipedriveClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account, subject="Discarded")
    log_call(db, contact_id, account, subject="Before the edit")
    with db.engine.connect() as conn:
        read_at_start = outbox_store.pending_rows(conn)
    first, second = (row.id for row in read_at_start)
    with actions.writing(db) as conn:
        actions.discard(conn, first, now=NOW, rescore=score_contacts)
        actions.edit(conn, second, {"subject": "After the edit"}, now=NOW, rescore=score_contacts)
    # The sender walks the rows it read before the user's changes.
    monkeypatch.setattr(outbox_store, "pending_rows", lambda conn: read_at_start)

    report = send_now(db, client, now=lambda: NOW)

    assert report.sent == 1
    subjects = [body["subject"] for method, _, body in server.write_log if method == "POST"]
    assert subjects == ["After the edit"]
    assert in_account(account, person_id, "Discarded") == []
