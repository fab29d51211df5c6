"""The score's newer facts as the mirror keeps them, read back into ContactFacts."""

from __future__ import annotations

from datetime import UTC, datetime

from pipedriven_desktop.domain.warmness import NO_MAIL_DATA, ContactFacts, compute_warmness
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact, Deal
from pipedriven_desktop.store.score_inputs import LOST_DEALS_SQL, MAIL_COLUMNS, mail_facts

NOW = datetime(2026, 11, 30, 12, 0)


def test_mail_facts_and_lost_deals_read_back_into_the_breakdown(db: Database) -> None:
    with db.session() as session:
        replied = Contact(
            name="Ada",
            created_at=NOW,
            updated_at=NOW,
            email_messages_count=3,
            last_incoming_mail_time=datetime(2026, 11, 27, 9),
            last_outgoing_mail_time=datetime(2026, 11, 26, 9),
        )
        silent = Contact(name="Bob", created_at=NOW, updated_at=NOW)
        session.add_all([replied, silent])
        session.flush()
        session.add(Deal(contact_id=replied.id, title="x", value=5000.0, status="lost"))
        ids = (replied.id, silent.id)
    conn = db.reader()
    columns = ", ".join(MAIL_COLUMNS)
    lost = dict(conn.execute(LOST_DEALS_SQL.format(ids="?, ?"), ids).fetchall())
    results = {}
    for contact_id in ids:
        row = conn.execute(f"SELECT {columns} FROM contacts WHERE id = ?", (contact_id,))
        facts = ContactFacts(
            has_email=False,
            has_phone=False,
            has_organization=False,
            has_job_title=False,
            lost_deal_count=lost.get(contact_id, 0),
            **mail_facts(*row.fetchone()),
        )
        results[contact_id] = compute_warmness(facts, NOW.replace(tzinfo=UTC))
    ada, bob = (results[i] for i in ids)
    assert [i.reason for i in ada.breakdown["engagement"]] == [
        "replied: mail received Fri 27 Nov after mail sent Thu 26 Nov"
    ]
    assert [i.reason for i in ada.breakdown["relationship"]] == ["1 lost deal, not counted"]
    assert ada.score == 1
    assert [i.reason for i in bob.breakdown["engagement"]] == [NO_MAIL_DATA]
