"""The score history: changes appended in bulk, read newest first, kept bounded."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact
from pipedriven_desktop.store.score_history import (
    _SCAN_ABOVE,
    KEEP_DAYS,
    KEEP_PER_CONTACT,
    ScoreChange,
    ScoreChangeRow,
    recent_changes,
    record_changes,
    score_moves_since,
)

NOW = datetime(2026, 11, 25, 12, 0, 0)
TODAY = NOW.date()


def add_contacts(db: Database, *names: str) -> list[str]:
    with db.session() as session:
        contacts = [Contact(name=n, owner_id=1, created_at=NOW, updated_at=NOW) for n in names]
        session.add_all(contacts)
        session.flush()
        return [c.id for c in contacts]


def count(db: Database, contact_id: str) -> int:
    sql = "SELECT count(*) FROM score_history WHERE contact_id = ?"
    return int(db.reader().execute(sql, (contact_id,)).fetchone()[0])


def test_changes_are_read_newest_first(db: Database) -> None:
    ada, bob = add_contacts(db, "Ada", "Bob")
    with db.session() as session:
        conn = session.connection()
        record_changes(conn, [ScoreChangeRow(ada, date(2026, 11, 20), 4, 7, "meeting logged")])
        record_changes(
            conn,
            [
                ScoreChangeRow(ada, date(2026, 11, 24), 7, 6, "no longer: call in 30 days"),
                ScoreChangeRow(bob, date(2026, 11, 24), None, 2, "first score"),
            ],
        )
    assert recent_changes(db.reader(), ada, 5) == [
        ScoreChange(date(2026, 11, 24), 7, 6, "no longer: call in 30 days"),
        ScoreChange(date(2026, 11, 20), 4, 7, "meeting logged"),
    ]
    assert recent_changes(db.reader(), ada, 1)[0].new_score == 6
    assert recent_changes(db.reader(), bob)[0].old_score is None


def test_each_contact_keeps_only_its_latest_changes(db: Database) -> None:
    (ada,) = add_contacts(db, "Ada")
    rows = [
        ScoreChangeRow(ada, TODAY, i, i + 1, f"change {i}") for i in range(KEEP_PER_CONTACT + 7)
    ]
    with db.session() as session:
        record_changes(session.connection(), rows[:10])
        record_changes(session.connection(), rows[10:])
    assert count(db, ada) == KEEP_PER_CONTACT
    kept = recent_changes(db.reader(), ada, 100)
    assert kept[0].why == f"change {KEEP_PER_CONTACT + 6}"
    assert kept[-1].why == "change 7"


def test_a_change_to_many_contacts_at_once_still_trims_each_to_its_bound(db: Database) -> None:
    # Above the scan threshold the contacts over the bound are found in one read.
    names = [f"c{i}" for i in range(_SCAN_ABOVE + 5)]
    ids = add_contacts(db, *names)
    busy, quiet = ids[0], ids[1]
    with db.session() as session:
        record_changes(
            session.connection(),
            [ScoreChangeRow(busy, TODAY, i, i + 1, f"change {i}") for i in range(KEEP_PER_CONTACT)],
        )
        record_changes(
            session.connection(),
            [ScoreChangeRow(contact_id, TODAY, 1, 2, "everyone") for contact_id in ids],
        )
    assert count(db, busy) == KEEP_PER_CONTACT
    assert recent_changes(db.reader(), busy, 1)[0].why == "everyone"
    assert recent_changes(db.reader(), busy, 100)[-1].why == "change 1"
    assert count(db, quiet) == 1


def test_changes_older_than_the_kept_days_are_dropped(db: Database) -> None:
    ada, bob = add_contacts(db, "Ada", "Bob")
    old = TODAY - timedelta(days=KEEP_DAYS + 1)
    with db.session() as session:
        record_changes(session.connection(), [ScoreChangeRow(bob, old, 1, 2, "long ago")])
        record_changes(session.connection(), [ScoreChangeRow(ada, TODAY, 2, 3, "today")])
    assert count(db, bob) == 0
    assert count(db, ada) == 1


def test_history_goes_with_its_contact(db: Database) -> None:
    (ada,) = add_contacts(db, "Ada")
    with db.session() as session:
        record_changes(session.connection(), [ScoreChangeRow(ada, TODAY, 2, 3, "today")])
        session.connection().exec_driver_sql("DELETE FROM contacts WHERE id = ?", (ada,))
    assert count(db, ada) == 0


def test_score_moves_since_a_day_compare_now_with_the_score_before_that_day(
    db: Database,
) -> None:
    up, down, back, old, first, quiet = add_contacts(db, "Up", "Down", "Back", "Old", "New", "Q")
    week_ago = TODAY - timedelta(days=7)
    with db.session() as session:
        conn = session.connection()
        record_changes(
            conn,
            [
                ScoreChangeRow(up, TODAY - timedelta(days=20), 1, 2, "older"),
                ScoreChangeRow(up, week_ago, 2, 4, "on the day"),
                ScoreChangeRow(up, TODAY, 4, 7, "today"),
                ScoreChangeRow(down, TODAY - timedelta(days=3), 6, 3, "later"),
                ScoreChangeRow(back, TODAY - timedelta(days=5), 5, 6, "up"),
                ScoreChangeRow(back, TODAY - timedelta(days=1), 6, 5, "down again"),
                ScoreChangeRow(old, TODAY - timedelta(days=8), 2, 9, "before the week"),
                ScoreChangeRow(first, TODAY - timedelta(days=2), None, 8, "first score"),
            ],
            TODAY,
        )
        for contact_id, score in ((up, 7), (down, 3), (back, 5), (old, 9), (first, 8), (quiet, 4)):
            conn.exec_driver_sql(
                "UPDATE contacts SET warmness_score = ? WHERE id = ?", (score, contact_id)
            )
    moves = score_moves_since(db.reader(), [up, down, back, old, first, quiet, "gone"], week_ago)
    assert moves == {up: 5, down: -3}
