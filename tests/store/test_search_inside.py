"""Search finds what people type: digits inside phone numbers, parts of email addresses."""

from __future__ import annotations

from datetime import datetime

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact, PipedriveUser
from pipedriven_desktop.store.users import UserEntry, save_users
from tests.store.test_contact_service import StatementCounter, add_contact, names

NOW = datetime(2026, 11, 25, 12, 0, 0)


def found(service: ContactService, text: str, owner_id: int | None = None) -> list[str]:
    rows = service.page(ContactFilter(owner_id=owner_id, search=text), 1, 100).rows
    return sorted(names(rows))


def test_digits_anywhere_in_a_phone_number_find_the_contact(db: Database) -> None:
    add_contact(db, "Greta Phone", phone="+49 170 555 9396")
    add_contact(db, "Paul Bracket", phone="(030) 123-45.67")
    add_contact(db, "Someone Else", phone="+49 171 000 1111")
    service = ContactService(db)
    assert found(service, "9396") == ["Greta Phone"]
    assert found(service, "555 9396") == ["Greta Phone"]
    assert found(service, "5559396") == ["Greta Phone"]
    assert found(service, "1705559") == ["Greta Phone"]
    assert found(service, "234567") == ["Paul Bracket"]
    assert found(service, "4567") == ["Paul Bracket"]
    # Two digits stay a word start: "96" ends Greta's number but starts no word of it.
    assert found(service, "96") == []


def test_parts_of_an_email_address_find_the_contact(db: Database) -> None:
    add_contact(db, "John S", email="john.smith@gmail.com")
    add_contact(db, "Jane D", email="jane@doe-consulting.example")
    service = ContactService(db)
    assert found(service, "mith") == ["John S"]
    assert found(service, "gmail") == ["John S"]
    assert found(service, "mail") == ["John S"]
    assert found(service, "onsult") == ["Jane D"]
    assert found(service, "SMITH GMAIL") == ["John S"]
    # Short terms are word starts only, and names are searched by word starts.
    assert found(service, "th") == []
    add_contact(db, "Annabelle Smithers")
    assert found(service, "mithers") == []


def test_inside_matches_are_accent_and_case_insensitive(db: Database) -> None:
    add_contact(db, "Jürgen", email="jürgen.müller@firma.de")
    add_contact(db, "Other", email="other@firma.de")
    service = ContactService(db)
    assert found(service, "ULLER") == ["Jürgen"]
    assert found(service, "üller") == ["Jürgen"]
    assert found(service, "urgen") == ["Jürgen"]


def test_the_search_follows_changed_and_deleted_phones(db: Database) -> None:
    contact_id = add_contact(db, "Moving Target", phone="+49 170 555 9396")
    service = ContactService(db)
    assert found(service, "9396") == ["Moving Target"]
    with db.session() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        contact.phone = "+49 170 555 4242"
    assert found(service, "9396") == []
    assert found(service, "4242") == ["Moving Target"]
    with db.session() as session:
        session.delete(session.get(Contact, contact_id))
    assert found(service, "4242") == []


def test_counts_of_inside_matches_agree_with_the_rows_and_come_from_the_index(
    db: Database,
) -> None:
    add_contact(db, "Mine A", phone="+49 170 555 9396", owner_id=1)
    add_contact(db, "Mine B", email="x9396@example.com", owner_id=1)
    add_contact(db, "Theirs", phone="+1 212 939 6000", owner_id=2)
    for owner_id, expected in ((1, 2), (None, 3)):
        service = ContactService(db)  # an empty cache
        contact_filter = ContactFilter(owner_id=owner_id, search="9396")
        counter = StatementCounter(db)
        assert service.count(contact_filter) == expected
        counted = [sql for sql in counter.statements if "count(*)" in sql]
        # from the index, or from the hits it gave (looked up by rowid): never a scan
        assert all(
            "FROM contacts_fts" in sql or "c.rowid IN (SELECT value FROM json_each" in sql
            for sql in counted
        ), counted
        assert any("MATCH" in sql for sql in counter.statements)
        assert len(service.page(contact_filter, 1, 50).rows) == expected


def test_count_in_all_contacts_for_an_empty_my500_search(db: Database) -> None:
    add_contact(db, "Mine", owner_id=1)
    add_contact(db, "Colleague's Customer", phone="+49 170 555 9396", owner_id=2)
    add_contact(db, "Another Customer", email="customer9396@example.com", owner_id=3)
    service = ContactService(db)
    mine = ContactFilter(owner_id=1, search="9396")
    assert service.count(mine) == 0
    assert service.count_in_all_contacts(mine) == 2
    assert service.count_in_all_contacts(ContactFilter(owner_id=1, search="Mine")) == 1


def test_rows_carry_their_owners_name(db: Database) -> None:
    add_contact(db, "Mine", owner_id=21_310_001)
    add_contact(db, "Theirs", owner_id=21_310_002)
    add_contact(db, "Unknown owner's", owner_id=99)
    with db.session() as session:
        save_users(
            session.connection(),
            [
                UserEntry(21_310_001, "Maja Ślusarczyk", "maja@example.com", True),
                UserEntry(21_310_002, "Jörg Bäumler", None, False),
            ],
            NOW,
        )
    service = ContactService(db)
    owners = {row.name: row.owner_name for row in service.page(ContactFilter(), 1, 10).rows}
    assert owners == {
        "Mine": "Maja Ślusarczyk",
        "Theirs": "Jörg Bäumler",
        "Unknown owner's": None,
    }
    detail = service.contact(service.page(ContactFilter(owner_id=21_310_002)).rows[0].id)
    assert detail is not None
    assert detail.owner_name == "Jörg Bäumler"
    # A second listing refreshes names and keeps users Pipedrive stopped listing.
    with db.session() as session:
        save_users(session.connection(), [UserEntry(21_310_001, "Maja S.", None, True)], NOW)
        assert session.get(PipedriveUser, 21_310_002) is not None
    owners = {row.name: row.owner_name for row in service.page(ContactFilter(), 1, 10).rows}
    assert owners["Mine"] == "Maja S."
    assert owners["Theirs"] == "Jörg Bäumler"
