"""The outbox end to end: actions queued offline, sent by the next sync, never twice."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store import actions
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.scoring import score_contacts
from tests.sync.conftest import NOW, Sleeps, SyncFn, assert_mirror_matches, rows
from tests.sync.outbox.helpers import (
    ACTIVITIES,
    NOTES,
    in_account,
    log_call,
    my_contact,
    open_activity,
    outbox,
)


def test_each_action_is_queued_offline_sent_by_sync_and_never_duplicated(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    done_id, done_pipedrive_id = open_activity(db)
    server.reset_log()
    log_call(db, contact_id, account)
    with actions.writing(db) as conn:
        scheduled = actions.schedule_activity(
            conn,
            contact_id,
            kind="meeting",
            subject="Pricing demo",
            due_date=date(2025, 6, 9),
            due_time="14:30",
            note=None,
            owner_id=account.me_id,
            now=NOW,
            rescore=score_contacts,
        )
        actions.add_note(conn, contact_id, text="Met at the fair & liked it", now=NOW)
        actions.mark_done(conn, done_id, now=NOW, rescore=score_contacts)
    (scheduled_row,) = rows(db, "SELECT activity_id FROM outbox WHERE action_id = :a", a=scheduled)
    assert server.request_count == 0, "actions are queued without the network"
    assert len(outbox(db)) == 4

    result = sync()

    assert (result.sent, result.refused) == (4, 0)
    assert outbox(db) == []
    (logged,) = in_account(account, person_id, "Intro call")
    assert (logged["type"], logged["done"], logged["owner_id"]) == ("call", True, account.me_id)
    assert logged["note"] == "Wants a demo<br>next week &lt;soon&gt;"
    (meeting,) = in_account(account, person_id, "Pricing demo")
    assert (meeting["done"], meeting["due_date"], meeting["due_time"]) == (
        False,
        "2025-06-09",
        "14:30:00",
    )
    (note,) = [n for n in account.notes.values() if n["person_id"] == person_id]
    assert note["content"] == "Met at the fair &amp; liked it"
    assert account.activities[done_pipedrive_id]["done"] is True
    # The local rows took their Pipedrive ids; the pull updated them instead of adding rows.
    local = rows(
        db,
        "SELECT pipedrive_activity_id, note, due_time FROM activities WHERE contact_id = :c"
        " AND subject IN ('Intro call', 'Pricing demo') ORDER BY subject",
        c=contact_id,
    )
    assert [r.pipedrive_activity_id for r in local] == [logged["id"], meeting["id"]]
    assert local[0].note == "Wants a demo\nnext week <soon>"
    assert local[1].due_time == "14:30"
    assert rows(db, "SELECT pipedrive_note_id FROM notes")[0][0] == note["id"]
    (meeting_row,) = rows(
        db, "SELECT id FROM activities WHERE pipedrive_activity_id = :p", p=meeting["id"]
    )
    assert meeting_row.id == scheduled_row.activity_id

    server.reset_log()
    again = sync()
    assert again.sent == 0
    assert [r.method for r in server.request_log if r.method != "GET"] == []
    assert_mirror_matches(db, account)


def test_a_connection_dropped_after_pipedrive_created_the_activity_adds_no_second_one(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account)
    server.faults.add("drop_after", path_prefix=ACTIVITIES, method="POST")

    result = sync()

    (created,) = in_account(account, person_id, "Intro call")
    assert len([r for r in server.requests_to(ACTIVITIES) if r.method == "POST"]) == 1
    assert result.sent == 1, "found in Pipedrive and adopted"
    assert outbox(db) == []
    assert rows(db, "SELECT count(*) FROM activities WHERE subject = 'Intro call'")[0][0] == 1
    (row,) = rows(db, "SELECT pipedrive_activity_id FROM activities WHERE subject = 'Intro call'")
    assert row.pipedrive_activity_id == created["id"]
    sync()
    assert len(in_account(account, person_id, "Intro call")) == 1
    assert_mirror_matches(db, account)


def test_a_5xx_before_anything_was_created_is_sent_again_by_the_next_sync_once(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account)
    server.faults.add("500", path_prefix=ACTIVITIES, method="POST")

    first = sync()

    assert first.sent == 0
    assert in_account(account, person_id, "Intro call") == []
    (waiting,) = outbox(db)
    assert waiting.state == "waiting"
    assert "not found there" in waiting.error

    second = sync()
    assert second.sent == 1
    assert len(in_account(account, person_id, "Intro call")) == 1
    assert outbox(db) == []


def test_a_note_whose_answer_was_lost_is_found_by_its_content(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    with actions.writing(db) as conn:
        actions.add_note(conn, contact_id, text="Prefers email <not phone>", now=NOW)
    server.faults.add("500_after", path_prefix=NOTES, method="POST")

    sync()

    (note,) = [n for n in account.notes.values() if n["person_id"] == person_id]
    assert rows(db, "SELECT pipedrive_note_id FROM notes")[0][0] == note["id"]
    assert outbox(db) == []


def test_a_refused_action_keeps_its_reason_and_what_waits_behind_it(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    other_id, other_person = my_contact(db, account, index=1)
    with actions.writing(db) as conn:
        action_id = actions.schedule_activity(
            conn,
            contact_id,
            kind="task",
            subject="Gone",
            due_date=date(2025, 6, 20),
            due_time=None,
            note=None,
            owner_id=account.me_id,
            now=NOW,
            rescore=score_contacts,
        )
    activity_id = rows(db, "SELECT activity_id FROM outbox")[0].activity_id
    with actions.writing(db) as conn:
        actions.mark_done(conn, activity_id, now=NOW, rescore=score_contacts)
    log_call(db, other_id, account, subject="Still here")
    account.delete_person(person_id)

    result = sync()

    assert (result.sent, result.refused) == (1, 1)
    assert len(in_account(account, other_person, "Still here")) == 1
    refused, behind = outbox(db)
    assert refused.action_id == action_id
    assert refused.state == "refused"
    assert "no longer has the person" in refused.error
    assert "Person not found" in refused.error
    assert (behind.kind, behind.state) == ("mark_done", "waiting")
    with db.engine.connect() as conn:
        entries = actions.outbox_entries(conn)
        assert actions.waiting_count(conn) == 1
        assert actions.refused_count(conn) == 1
    assert entries[0].error == refused.error
    # Still refused after another sync: nothing lost, nothing sent blindly.
    sync()
    assert [r.state for r in outbox(db)] == ["refused", "waiting"]
    with actions.writing(db) as conn:
        actions.discard(conn, refused.id, now=NOW, rescore=score_contacts)
    assert outbox(db) == []
    assert rows(db, "SELECT count(*) FROM activities WHERE subject = 'Gone'")[0][0] == 0


def test_a_429_on_a_write_is_waited_out_as_told(
    synced: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    sleeps: Sleeps,
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account)
    server.faults.add("429", path_prefix=ACTIVITIES, method="POST", retry_after=3)
    sleeps.calls.clear()

    result = sync()

    assert result.sent == 1
    assert 3.0 in sleeps.calls
    assert len(in_account(account, person_id, "Intro call")) == 1


@pytest.mark.parametrize("arrived", [True, False])
def test_a_row_left_sending_by_a_crash_is_looked_up_before_any_resend(
    synced: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    arrived: bool,
) -> None:
    db = synced
    contact_id, person_id = my_contact(db, account)
    log_call(db, contact_id, account)
    (row,) = outbox(db)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET state = 'sending', sending_since = ?, attempts = 1",
            (str(NOW.replace(tzinfo=None)),),
        )
    if arrived:  # the request had reached Pipedrive before the crash
        sent = dict(json.loads(row.payload)["body"])
        sent["note"] = "Wants a demo<br>next week &lt;soon&gt;"
        sent.pop("participants")
        account.add_activity(sent.pop("subject"), **sent)
    server.reset_log()

    sync()

    posts = [r for r in server.requests_to(ACTIVITIES) if r.method == "POST"]
    assert len(posts) == (0 if arrived else 1)
    assert len(in_account(account, person_id, "Intro call")) == 1
    assert outbox(db) == []


def test_an_update_waiting_behind_a_refusal_still_shows_after_the_pull(
    synced: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    db = synced
    activity_id, pipedrive_id = open_activity(db)
    with actions.writing(db) as conn:
        actions.mark_done(conn, activity_id, now=NOW, rescore=score_contacts)
    account.update_activity(pipedrive_id, subject="Renamed in Pipedrive")
    server.faults.add("403", path_prefix=f"{ACTIVITIES}/{pipedrive_id}", method="PATCH")

    sync()

    (row,) = outbox(db)
    assert row.state == "refused"
    assert "no permission" in row.error
    local = rows(db, "SELECT subject, done FROM activities WHERE id = :a", a=activity_id)[0]
    assert local.subject == "Renamed in Pipedrive", "the pull wrote Pipedrive's record"
    assert local.done == 1, "and the mark-done the user made still shows"
    assert account.activities[pipedrive_id]["done"] is False
