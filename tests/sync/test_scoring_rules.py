"""Each score rule fires from synced data: the configured lead statuses, mail replies,
lost deals and known organizations, as Pipedrive (the fake) gives them."""

from __future__ import annotations

import json
from typing import Any

from pipedriven_desktop.pipedrive import FAKE_LEAD_STATUS_FIELD, FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.sync.lead_status import save_values
from tests.sync.conftest import SyncFn, rows

#: Facts every test person shares, so pairs differ in the one fact a test varies.
SAME = {"email": "same@example.com", "phone": "+49 30 1234567", "job_title": "Buyer"}


def _person(account: FakeAccount, name: str, **fields: Any) -> int:
    return int(account.add_person(name, **{**SAME, **fields})["id"])


def _scored(db: Database, person_id: int) -> tuple[int, list[str]]:
    """The contact's score and the reasons of its breakdown's items."""
    ((score, breakdown),) = rows(
        db,
        f"SELECT c.warmness_score, {BREAKDOWN_SQL} FROM contacts c WHERE pipedrive_person_id = :p",
        p=person_id,
    )
    data = json.loads(breakdown)
    reasons = [
        item["reason"] for component in data["components"].values() for item in component["items"]
    ]
    return score, reasons


def test_a_lead_status_configured_as_qualified_earns_the_point(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    hot = _person(account, "Hot Lead", custom_fields={FAKE_LEAD_STATUS_FIELD: "Hot"})
    cold = _person(account, "Cold Lead", custom_fields={FAKE_LEAD_STATUS_FIELD: "Cold"})
    sync()
    assert _scored(db, hot)[0] == _scored(db, cold)[0], "Hot counts only once configured"

    save_values(db, qualified=["hot"], contacted=[])
    sync()
    hot_score, hot_reasons = _scored(db, hot)
    cold_score, cold_reasons = _scored(db, cold)
    assert hot_score == cold_score + 1
    assert "lead status Hot (counts as qualified)" in hot_reasons
    assert "lead status Cold (not qualified or contacted)" in cold_reasons


def test_a_reply_earns_the_response_point_and_no_mail_data_is_said(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    replied = _person(account, "Replied Person")
    waiting = _person(account, "Waiting Person")
    unknown = _person(account, "Unknown Person")
    account.person_extras[replied] = {
        "email_messages_count": 4,
        "last_incoming_mail_time": "2025-05-30T10:00:00Z",
        "last_outgoing_mail_time": "2025-05-29T16:00:00Z",
    }
    account.person_extras[waiting] = {
        "email_messages_count": 2,
        "last_incoming_mail_time": "2025-05-20T10:00:00Z",
        "last_outgoing_mail_time": "2025-05-29T16:00:00Z",
    }
    sync()
    replied_score, replied_reasons = _scored(db, replied)
    waiting_score, waiting_reasons = _scored(db, waiting)
    unknown_score, unknown_reasons = _scored(db, unknown)
    assert replied_score == waiting_score + 1 == unknown_score + 1
    assert "replied: mail received Fri 30 May after mail sent Thu 29 May" in replied_reasons
    assert "no reply yet to mail sent Thu 29 May (last received Tue 20 May)" in waiting_reasons
    assert "no mail data" in unknown_reasons


def test_a_lost_deal_is_named_but_adds_no_deal_value(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    lost = _person(account, "Lost Deal")
    won = _person(account, "Won Deal")
    none = _person(account, "No Deal")
    account.add_deal("Lost one", value=50_000.0, status="lost", person_id=lost)
    account.add_deal("Won one", value=50_000.0, status="won", person_id=won)
    sync()
    lost_score, lost_reasons = _scored(db, lost)
    won_score, won_reasons = _scored(db, won)
    none_score, _ = _scored(db, none)
    assert lost_score == none_score
    assert won_score == none_score + 2
    assert "1 lost deal, not counted" in lost_reasons
    assert "deals worth 50,000 EUR in total" in won_reasons


def test_deal_values_in_different_currencies_are_never_added(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    mixed = _person(account, "Two Currencies")
    same = _person(account, "One Currency")
    none = _person(account, "No Deal")
    account.add_deal("Dollars", value=6_851.54, currency="USD", person_id=mixed)
    account.add_deal("Zloty", value=8_083.19, currency="PLN", status="won", person_id=mixed)
    account.add_deal("First", value=6_000.0, currency="EUR", person_id=same)
    account.add_deal("Second", value=5_000.0, currency="EUR", status="won", person_id=same)
    sync()
    mixed_score, mixed_reasons = _scored(db, mixed)
    same_score, same_reasons = _scored(db, same)
    none_score, _ = _scored(db, none)
    # 14,934.73 added up would pass 10,000; the larger currency's total alone does not.
    assert mixed_score == none_score + 1
    assert "deals worth 8,083.19 PLN, the largest of 2 currencies (never added up)" in (
        mixed_reasons
    )
    assert same_score == none_score + 2
    assert "deals worth 11,000 EUR in total" in same_reasons


def test_the_organization_point_needs_an_organization_the_mirror_knows(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    known_org = int(account.add_organization("Known Widgets GmbH")["id"])
    known = _person(account, "Known Org", org_id=known_org)
    unknown = _person(account, "Unknown Org", org_id=987_654)
    alone = _person(account, "No Org")
    sync()
    known_score, known_reasons = _scored(db, known)
    unknown_score, unknown_reasons = _scored(db, unknown)
    alone_score, _ = _scored(db, alone)
    (org_of_unknown,) = rows(
        db,
        "SELECT organization_id, pipedrive_org_id FROM contacts WHERE pipedrive_person_id = :p",
        p=unknown,
    )
    assert tuple(org_of_unknown) == (None, 987_654)  # Pipedrive names it; the mirror has none
    assert unknown_score == alone_score
    assert "has organization" not in unknown_reasons
    assert known_score == alone_score + 1
    assert "has organization" in known_reasons
