"""The sync stores the chosen lead status field's labels, email consent and mail facts."""

from __future__ import annotations

from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_OPTION_FIELD,
    FAKE_LEAD_STATUS_OPTIONS,
    FakeAccount,
    Person,
)
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import (
    LEAD_STATUS_FIELD_KEY,
    MAPPING_KEY,
    get_meta,
    set_lead_status_field,
)
from tests.sync.conftest import SyncFn, rows


def choose_option_field(db: Database) -> None:
    with db.session() as session:
        set_lead_status_field(
            session.connection(), FAKE_LEAD_STATUS_OPTION_FIELD, FAKE_LEAD_STATUS_OPTIONS
        )


def test_an_option_field_is_stored_as_its_labels(
    db: Database, sync: SyncFn, account: FakeAccount
) -> None:
    choose_option_field(db)
    sync(lead_status_field=None)
    stored = dict(rows(db, "SELECT pipedrive_person_id, lead_status FROM contacts"))
    expected = {
        pid: FAKE_LEAD_STATUS_OPTIONS.get(item["custom_fields"][FAKE_LEAD_STATUS_OPTION_FIELD])
        for pid, item in account.persons.items()
    }
    assert stored == expected
    assert {"Qualified", "Contacted", None} <= set(stored.values())


def test_choosing_another_field_relists_every_person(db: Database, sync: SyncFn) -> None:
    sync()
    with db.engine.connect() as conn:
        assert get_meta(conn, MAPPING_KEY) is not None
    choose_option_field(db)
    with db.engine.connect() as conn:
        assert get_meta(conn, MAPPING_KEY) is None
        assert get_meta(conn, LEAD_STATUS_FIELD_KEY) == FAKE_LEAD_STATUS_OPTION_FIELD
    sync(lead_status_field=None)
    labels = {row[0] for row in rows(db, "SELECT lead_status FROM contacts")}
    assert labels <= {*FAKE_LEAD_STATUS_OPTIONS.values(), None}


def test_email_consent_and_mail_facts_are_stored(
    db: Database, sync: SyncFn, account: FakeAccount
) -> None:
    sync()
    stored = {
        row[0]: row[1:]
        for row in rows(
            db,
            "SELECT pipedrive_person_id, marketing_status, email_messages_count,"
            " last_incoming_mail_time IS NOT NULL, last_outgoing_mail_time IS NOT NULL"
            " FROM contacts",
        )
    }
    for pid, item in account.persons.items():
        person = Person.from_api({**item, **account.person_extras[pid]})
        assert stored[pid] == (
            person.marketing_status,
            person.email_messages_count,
            person.last_incoming_mail_time is not None,
            person.last_outgoing_mail_time is not None,
        )
    assert any(value[1] for value in stored.values())
    assert any(not value[2] and not value[3] for value in stored.values())


def test_the_demo_reads_its_option_field_unless_another_is_chosen(db: Database) -> None:
    from pipedriven_desktop.pipedrive import FAKE_LEAD_STATUS_FIELD
    from pipedriven_desktop.sync.lead_status import current_settings, store_field, use_demo_field

    use_demo_field(db)
    assert current_settings(db).field_key == FAKE_LEAD_STATUS_OPTION_FIELD
    with db.engine.connect() as conn:
        from pipedriven_desktop.store.meta import lead_status_options

        assert lead_status_options(conn) == FAKE_LEAD_STATUS_OPTIONS
    store_field(db, None)
    with db.session() as session:
        session.connection().exec_driver_sql(
            "INSERT INTO app_meta (key, value) VALUES (?, ?)",
            (LEAD_STATUS_FIELD_KEY, FAKE_LEAD_STATUS_FIELD),
        )
    use_demo_field(db)
    assert current_settings(db).field_key == FAKE_LEAD_STATUS_FIELD
