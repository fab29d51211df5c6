"""Actions on a contact apply to the mirror at once and queue one outbox row each."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event

from pipedriven_desktop.store import actions
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.errors import DatabaseError
from pipedriven_desktop.store.models import Activity, Contact
from pipedriven_desktop.sync.scoring import score_contacts

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
ME = 7


def add_contact(db: Database, name: str = "Ada Lovelace", person_id: int | None = 101) -> str:
    with db.session() as session:
        contact = Contact(
            name=name,
            pipedrive_person_id=person_id,
            owner_id=ME,
            email="ada@example.com",
            created_at=NOW.replace(tzinfo=None),
            updated_at=NOW.replace(tzinfo=None),
        )
        session.add(contact)
        session.flush()
        return contact.id


def one(db: Database, sql: str, *params: Any) -> Any:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(sql, params).fetchone()


def count(db: Database, table: str) -> int:
    return int(one(db, f"SELECT count(*) FROM {table}")[0])


def log_call(db: Database, contact_id: str, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "kind": "call",
        "subject": "Intro call",
        "note": "Wants a demo",
        "done_at": NOW - timedelta(hours=1),
        "owner_id": ME,
        "now": NOW,
        "rescore": score_contacts,
    }
    arguments.update(overrides)
    with actions.writing(db) as conn:
        return actions.log_activity(conn, contact_id, **arguments)


def schedule(db: Database, contact_id: str, **overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "kind": "meeting",
        "subject": "Demo",
        "due_date": date(2025, 6, 5),
        "due_time": "14:30",
        "note": None,
        "owner_id": ME,
        "now": NOW,
        "rescore": score_contacts,
    }
    arguments.update(overrides)
    with actions.writing(db) as conn:
        return actions.schedule_activity(conn, contact_id, **arguments)


def activity_id_of(db: Database, action_id: str) -> str:
    return str(one(db, "SELECT activity_id FROM outbox WHERE action_id = ?", action_id)[0])


def outbox_id_of(db: Database, action_id: str) -> int:
    return int(one(db, "SELECT id FROM outbox WHERE action_id = ?", action_id)[0])


def test_a_logged_call_shows_at_once_as_contacted_rescored_and_waiting(db: Database) -> None:
    contact_id = add_contact(db)
    before = one(db, "SELECT warmness_score, last_contacted FROM contacts WHERE id = ?", contact_id)
    assert before.last_contacted is None

    action_id = log_call(db, contact_id)

    activity = one(
        db,
        "SELECT * FROM activities WHERE id = ?",
        activity_id_of(db, action_id),
    )
    assert activity.pipedrive_activity_id is None  # waiting to be sent
    assert activity.type == "call"
    assert (activity.subject, activity.note) == ("Intro call", "Wants a demo")
    assert activity.done == 1
    assert activity.owner_id == ME
    assert activity.pipedrive_person_id == 101
    assert (activity.due_date, activity.due_time) == ("2025-06-02", "08:30")
    contact = one(
        db,
        "SELECT warmness_score, last_contacted, score_computed_at FROM contacts WHERE id = ?",
        contact_id,
    )
    assert contact.last_contacted == "2025-06-02 08:30:00.000000"
    assert contact.score_computed_at is not None
    assert contact.warmness_score > before.warmness_score
    row = one(db, "SELECT kind, state, pipedrive_person_id, payload FROM outbox")
    assert (row.kind, row.state, row.pipedrive_person_id) == ("log", "waiting", 101)
    with db.engine.connect() as conn:
        assert actions.waiting_count(conn) == 1
        (entry,) = actions.outbox_entries(conn)
    assert entry.contact_name == "Ada Lovelace"
    assert entry.summary == 'Call logged: "Intro call" (2025-06-02 08:30)'
    assert entry.state == "waiting"


def test_an_action_and_its_outbox_row_are_one_transaction(db: Database) -> None:
    contact_id = add_contact(db)

    def broken(conn: Connection, ids: Any, now: datetime) -> None:
        raise RuntimeError("scoring failed")

    with pytest.raises(RuntimeError):
        log_call(db, contact_id, rescore=broken)
    assert count(db, "activities") == 0
    assert count(db, "outbox") == 0
    assert one(db, "SELECT last_contacted FROM contacts")[0] is None


def test_schedule_then_mark_done_then_reschedule_queue_in_order(db: Database) -> None:
    contact_id = add_contact(db)
    activity_id = activity_id_of(db, schedule(db, contact_id))
    with actions.writing(db) as conn:
        actions.reschedule(
            conn,
            activity_id,
            due_date=date(2025, 6, 9),
            due_time=None,
            now=NOW,
            rescore=score_contacts,
        )
        actions.mark_done(conn, activity_id, now=NOW, rescore=score_contacts)
    row = one(db, "SELECT done, due_date, due_time FROM activities WHERE id = ?", activity_id)
    assert tuple(row) == (1, "2025-06-09", None)
    with db.engine.connect() as conn:
        entries = actions.outbox_entries(conn)
    assert [e.kind for e in entries] == ["schedule", "reschedule", "mark_done"]
    assert entries[1].summary == 'Rescheduled "Demo" to 2025-06-09'
    assert entries[2].summary == 'Marked done: "Demo"'
    assert one(db, "SELECT last_contacted FROM contacts")[0] is not None


def test_discarding_a_scheduled_activity_drops_it_and_the_actions_on_it(db: Database) -> None:
    contact_id = add_contact(db)
    action_id = schedule(db, contact_id)
    activity_id = activity_id_of(db, action_id)
    with actions.writing(db) as conn:
        actions.mark_done(conn, activity_id, now=NOW, rescore=score_contacts)
    note_action = None
    with actions.writing(db) as conn:
        note_action = actions.add_note(conn, contact_id, text="Met at the fair", now=NOW)
    assert one(db, "SELECT last_contacted FROM contacts")[0] is not None

    with actions.writing(db) as conn:
        assert actions.discard(conn, outbox_id_of(db, action_id), now=NOW, rescore=score_contacts)
    assert count(db, "activities") == 0
    assert one(db, "SELECT last_contacted FROM contacts")[0] is None
    remaining = one(db, "SELECT action_id FROM outbox")
    assert remaining[0] == note_action, "only the note is left"


def test_discarding_a_mark_done_puts_the_activity_back(db: Database) -> None:
    contact_id = add_contact(db)
    with db.session() as session:
        session.add(
            Activity(
                id="a-1",
                pipedrive_activity_id=555,
                contact_id=contact_id,
                type="call",
                subject="Follow up",
                due_date=date(2025, 6, 3),
                done=False,
            )
        )
    with actions.writing(db) as conn:
        action_id = actions.mark_done(conn, "a-1", now=NOW, rescore=score_contacts)
    assert one(db, "SELECT done FROM activities")[0] == 1
    with actions.writing(db) as conn:
        actions.discard(conn, outbox_id_of(db, action_id), now=NOW, rescore=score_contacts)
    assert tuple(one(db, "SELECT done, marked_as_done_time FROM activities")) == (0, None)
    assert one(db, "SELECT last_contacted FROM contacts")[0] is None
    assert count(db, "outbox") == 0


def test_editing_a_refused_action_changes_the_row_and_puts_it_back_in_line(db: Database) -> None:
    contact_id = add_contact(db)
    action_id = schedule(db, contact_id)
    outbox_id = outbox_id_of(db, action_id)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET state = 'refused', error = 'Bad date' WHERE id = ?", (outbox_id,)
        )
    with actions.writing(db) as conn:
        assert actions.refused_count(conn) == 1
        actions.edit(
            conn,
            outbox_id,
            {"subject": "Pricing demo", "due_date": "2025-06-06", "due_time": None},
            now=NOW,
            rescore=score_contacts,
        )
    activity = one(db, "SELECT subject, due_date, due_time FROM activities")
    assert tuple(activity) == ("Pricing demo", "2025-06-06", None)
    with db.engine.connect() as conn:
        (entry,) = actions.outbox_entries(conn)
    assert (entry.state, entry.error) == ("waiting", None)
    assert entry.editable["subject"] == "Pricing demo"
    assert entry.editable["due_date"] == date(2025, 6, 6)
    assert entry.editable["due_time"] is None
    with actions.writing(db) as conn, pytest.raises(actions.ActionError, match="cannot change"):
        actions.edit(conn, outbox_id, {"text": "x"}, now=NOW, rescore=score_contacts)


def test_retry_and_discard_refuse_an_action_being_sent(db: Database) -> None:
    contact_id = add_contact(db)
    outbox_id = outbox_id_of(db, log_call(db, contact_id))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox SET state = 'sending', sending_since = '2025-06-02'")
    with actions.writing(db) as conn:
        with pytest.raises(actions.ActionError, match="being sent"):
            actions.discard(conn, outbox_id, now=NOW, rescore=score_contacts)
        with pytest.raises(actions.ActionError, match="being sent"):
            actions.retry(conn, outbox_id, now=NOW)
        assert actions.retry(conn, 999, now=NOW) is False
    assert count(db, "activities") == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda conn, cid: actions.add_note(conn, cid, text="  ", now=NOW), "needs some text"),
        (lambda conn, cid: actions.add_note(conn, "nobody", text="x", now=NOW), "no longer in"),
        (
            lambda conn, cid: actions.schedule_activity(
                conn,
                cid,
                kind="lunch",  # type: ignore[arg-type]
                subject="",
                due_date=date(2025, 6, 3),
                due_time=None,
                note=None,
                owner_id=ME,
                now=NOW,
                rescore=score_contacts,
            ),
            "type must be one of",
        ),
        (
            lambda conn, cid: actions.schedule_activity(
                conn,
                cid,
                kind="call",
                subject="",
                due_date=date(2025, 6, 3),
                due_time="25:00",
                note=None,
                owner_id=ME,
                now=NOW,
                rescore=score_contacts,
            ),
            "HH:MM",
        ),
    ],
)
def test_bad_actions_are_refused_in_one_line_and_change_nothing(
    db: Database, call: Any, message: str
) -> None:
    contact_id = add_contact(db)
    with pytest.raises(actions.ActionError, match=message), actions.writing(db) as conn:
        call(conn, contact_id)
    assert count(db, "outbox") == 0
    assert count(db, "activities") + count(db, "notes") == 0


def test_a_contact_without_a_pipedrive_id_cannot_be_acted_on(db: Database) -> None:
    contact_id = add_contact(db, person_id=None)
    with pytest.raises(actions.ActionError, match="not in Pipedrive"):
        log_call(db, contact_id)


def test_a_locked_mirror_is_a_one_line_error(db: Database) -> None:
    contact_id = add_contact(db)
    blocker = sqlite3.connect(db.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        db.engine.dispose()

        def short_wait(dbapi: sqlite3.Connection, _record: Any) -> None:
            dbapi.execute("PRAGMA busy_timeout = 20")

        event.listen(db.engine, "connect", short_wait)
        with pytest.raises(DatabaseError, match="locked"):
            log_call(db, contact_id)
    finally:
        blocker.close()
    assert count(db, "outbox") == 0
