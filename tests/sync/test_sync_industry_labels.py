"""The sync reads the organization fields (one request), so the card shows the industry's label."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer, PipedriveClient
from pipedriven_desktop.pipedrive.errors import RequestRejectedError
from pipedriven_desktop.pipedrive.fake_data import FAKE_INDUSTRY_OPTIONS
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_labels import industry_label, industry_labels
from pipedriven_desktop.store.org_queries import OrgQueries
from tests.sync.conftest import SyncFn, rows


def test_the_client_reads_the_industry_options(client: PipedriveClient) -> None:
    fields = {field.key: field for field in client.organization_fields(limit=2)}  # paged
    assert dict(fields["industry"].options) == FAKE_INDUSTRY_OPTIONS
    assert fields["industry"].is_option


def test_the_card_shows_the_label_of_the_industry_pipedrive_gives_as_an_id(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()
    assert len(server.requests_to("/v1/organizationFields")) == 1
    (org_id, industry, pipedrive_id) = rows(
        db,
        "SELECT id, industry, pipedrive_org_id FROM organizations"
        " WHERE industry IS NOT NULL ORDER BY pipedrive_org_id LIMIT 1",
    )[0]
    assert industry == str(account.organizations[pipedrive_id]["industry"])  # the id, mirrored
    card = OrgQueries(db).card(org_id, None)
    assert card is not None
    assert card.industry == FAKE_INDUSTRY_OPTIONS[int(industry)]


def test_a_refused_fields_listing_keeps_the_labels_known_and_the_sync_goes_on(
    db: Database, client: PipedriveClient, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync()
    known = industry_labels(db.reader())
    assert known

    def refuse() -> list[object]:
        raise RequestRejectedError("Pipedrive refused the request (403).", status=403)

    monkeypatch.setattr(client, "organization_fields", refuse)
    result = sync(full=True)
    assert result.failed == 0
    assert industry_labels(db.reader()) == known


def test_an_incremental_sync_asks_for_the_labels_only_when_they_are_a_day_old(
    server: FakePipedriveServer, sync: SyncFn
) -> None:
    from datetime import timedelta

    from tests.sync.conftest import NOW

    sync()  # the first sync lists everything, labels included
    assert len(server.requests_to("/v1/organizationFields")) == 1
    sync(now=lambda: NOW + timedelta(hours=23))
    assert len(server.requests_to("/v1/organizationFields")) == 1
    sync(now=lambda: NOW + timedelta(hours=25))
    assert len(server.requests_to("/v1/organizationFields")) == 2
    sync(now=lambda: NOW + timedelta(hours=26), full=True)  # a full sync always asks
    assert len(server.requests_to("/v1/organizationFields")) == 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("27", "Technology"),
        (" 27 ", "Technology"),
        ("Widgets", "Widgets"),
        ("99", "99"),
        (None, None),
    ],
)
def test_industry_label(value: str | None, expected: str | None) -> None:
    assert industry_label(value, {"27": "Technology"}) == expected
