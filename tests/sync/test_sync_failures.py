"""Bad records, a bad token and a cancel: the run goes on, or stops with the mirror intact."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipedriven_desktop.pipedrive import (
    AuthError,
    FakeAccount,
    FakePipedriveServer,
    Page,
    PipedriveClient,
)
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.service import CANCELLED, SyncCancelledError, SyncProgress
from tests.sync.conftest import (
    PAGE,
    TOKEN,
    Sleeps,
    SyncFn,
    assert_mirror_matches,
    make_client,
    mirror_snapshot,
    rows,
)


def test_a_bad_record_is_counted_logged_and_skipped(
    db: Database, account: FakeAccount, sync: SyncFn, caplog: pytest.LogCaptureFixture
) -> None:
    bad = account.add_person("Broken Owner", owner_id="not-a-number")  # type: ignore[arg-type]
    caplog.set_level(logging.WARNING, logger="pipedriven_desktop.sync")

    result = sync()

    assert result.failed == 1
    assert rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=bad["id"]) == []
    assert f"persons {bad['id']}" in caplog.text
    del account.persons[bad["id"]]
    assert_mirror_matches(db, account)
    (run,) = rows(db, "SELECT failed, error FROM sync_runs")
    assert (run.failed, run.error) == (1, None)


def test_a_record_the_database_refuses_is_skipped_and_the_page_goes_on(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON contacts WHEN NEW.name = 'Boom'"
            " BEGIN SELECT RAISE(ABORT, 'no booms here'); END"
        )
    boom = account.add_person("Boom")
    neighbour = account.add_person("Not Boom")

    result = sync()

    assert result.failed == 1
    assert rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=boom["id"]) == []
    assert rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=neighbour["id"])
    del account.persons[boom["id"]]
    assert_mirror_matches(db, account)


def test_a_bad_token_changes_nothing_and_shows_no_secret(
    db: Database,
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sync()
    account.update_person(sorted(account.persons)[0], name="Would Change")
    before = mirror_snapshot(db)
    wrong = "tok-wrong-0123456789abcdef"
    caplog.set_level(logging.DEBUG)

    with (
        make_client(server.base_url, wrong, sleeps) as bad_client,
        pytest.raises(AuthError) as caught,
    ):
        sync(client=bad_client)

    assert mirror_snapshot(db) == before
    last = rows(db, "SELECT error, finished FROM sync_runs ORDER BY started DESC, rowid DESC")[0]
    assert last.error == caught.value.message
    assert last.finished is not None
    db.close()
    stored = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    for secret in (wrong, TOKEN):
        assert secret not in str(caught.value)
        assert secret not in repr(caught.value)
        assert secret not in caplog.text
        assert secret.encode() not in stored


def test_cancel_between_pages_keeps_what_was_committed_and_the_next_run_resumes(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    seen: list[SyncProgress] = []

    def cancel_after_two_person_pages() -> bool:
        return sum(p.entity == "persons" for p in seen) >= 2

    with pytest.raises(SyncCancelledError):
        sync(progress=seen.append, should_cancel=cancel_after_two_person_pages)

    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == 2 * PAGE
    (run,) = rows(db, "SELECT error, finished FROM sync_runs")
    assert run.error == CANCELLED
    assert run.finished is not None
    (state,) = rows(db, "SELECT full_run_id, full_cursor FROM sync_state WHERE entity = 'persons'")
    assert state.full_run_id is not None
    assert state.full_cursor is not None
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    server.reset_log()

    result = sync()

    assert result.kind == "full"
    persons_requests = server.requests_to("/api/v2/persons")
    assert "cursor" in persons_requests[0].params, "the listing resumes where it stopped"
    assert len(persons_requests) == 2  # the rest of the listing, then the catch-up pass
    assert_mirror_matches(db, account)


def test_a_listing_whose_page_marker_expired_starts_over(
    db: Database, account: FakeAccount, sync: SyncFn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pipedriven_desktop.sync")
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(
            progress=seen.append, should_cancel=lambda: bool(seen) and seen[-1].entity == "persons"
        )
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE sync_state SET full_cursor = json_set(full_cursor, '$.cursor', 'expired')"
            " WHERE full_cursor IS NOT NULL AND json_extract(full_cursor, '$.cursor') IS NOT NULL"
        )

    result = sync()

    assert "Restarting the full listing of persons" in caplog.text
    assert result.failed == 0
    assert_mirror_matches(db, account)


class ShufflingClient(PipedriveClient):
    """A Pipedrive that ignores ``sort_by=id``: pages come in no particular order."""

    def iter_pages(self, entity: Any, **kwargs: Any) -> Iterator[Page]:
        for page in super().iter_pages(entity, **kwargs):
            if kwargs.get("sort_by") == "id":
                page = Page(page.entity, page.items[::-1], page.next_cursor, page.number)
            yield page


def test_a_listing_out_of_id_order_deletes_nothing(
    db: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sync()
    gone = sorted(account.persons)[7]
    account.delete_person(gone)
    shuffling = ShufflingClient(server.base_url, TOKEN, sleep=sleeps)

    result = sync(client=shuffling, full=True)

    assert result.deleted == 0
    assert "out of id order" in caplog.text
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == len(account.persons) + 1
    assert sync(full=True).deleted == 1
    assert_mirror_matches(db, account)


def test_an_unexpected_error_that_quotes_the_token_is_stored_without_it(
    db: Database, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipedriven_desktop.redaction import register_secret
    from pipedriven_desktop.sync import service

    register_secret(TOKEN)

    def leaky_rescore(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"scoring broke near {TOKEN}")

    monkeypatch.setattr(service, "rescore", leaky_rescore)
    with pytest.raises(RuntimeError):
        sync()
    (run,) = rows(db, "SELECT error FROM sync_runs")
    assert "scoring broke" in run.error
    assert TOKEN not in run.error
