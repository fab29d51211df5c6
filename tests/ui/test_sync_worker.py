"""The sync worker on its QThread, against the fake Pipedrive over real HTTP."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Activity, Contact, SyncRun
from pipedriven_desktop.sync.worker import SyncController
from tests.ui.conftest import TOKEN

SYNC_TIMEOUT_MS = 60_000


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(qtbot: Any, controller: SyncController, db: Database, base_url: str, token: str) -> None:
    with qtbot.waitSignal(controller.stopped, timeout=SYNC_TIMEOUT_MS):
        assert controller.start(db, base_url, token)
        assert controller.is_running()
    assert not controller.is_running()


def test_sync_reports_progress_and_its_result(qtbot: Any, db: Database, fake_server: Any) -> None:
    controller = SyncController()
    progress: list[tuple[str, int, object]] = []
    results: list[object] = []
    controller.progress.connect(lambda entity, done, total: progress.append((entity, done, total)))
    controller.finished.connect(results.append)
    run(qtbot, controller, db, fake_server.base_url, TOKEN)

    assert len(results) == 1
    result: Any = results[0]
    assert result.kind == "full"
    assert result.fetched > 0
    entities = [entity for entity, _, _ in progress]
    assert "persons" in entities
    assert entities.index("organizations") < entities.index("persons")
    service = ContactService(db)
    assert service.count(ContactFilter()) == len(fake_server.account.persons)
    assert service.owner_id() == fake_server.account.me_id


def test_second_run_is_incremental(qtbot: Any, db: Database, fake_server: Any) -> None:
    controller = SyncController()
    results: list[Any] = []
    controller.finished.connect(results.append)
    run(qtbot, controller, db, fake_server.base_url, TOKEN)
    run(qtbot, controller, db, fake_server.base_url, TOKEN)
    assert [r.kind for r in results] == ["full", "incremental"]
    assert results[1].requests < results[0].requests


def test_cancel_stops_between_pages_and_keeps_the_store_consistent(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    from pipedriven_desktop.pipedrive.client import PipedriveClient

    controller: SyncController

    class CancellingClient(PipedriveClient):
        """Asks for a cancel while the first page of persons is being fetched."""

        def _get_json(self, path: str, params: Any) -> dict[str, Any]:
            body = super()._get_json(path, params)
            if path.endswith("/persons"):
                controller.cancel()
            return body

    controller = SyncController(client_factory=CancellingClient)
    cancelled: list[bool] = []
    finished: list[object] = []
    controller.cancelled.connect(lambda: cancelled.append(True))
    controller.finished.connect(finished.append)
    run(qtbot, controller, db, fake_server.base_url, TOKEN)
    assert cancelled == [True]
    assert finished == []

    with db.engine.connect() as conn:
        runs = conn.execute(select(SyncRun.error)).scalars().all()
        persons = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
        activities = conn.execute(select(func.count()).select_from(Activity)).scalar_one()
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    assert runs == ["cancelled"]
    assert activities == 0  # stopped during the persons, before the next entity
    assert persons % 500 == 0  # whole pages only (the fake serves 500 a page), nothing torn

    # The next run completes what the cancelled one left.
    plain = SyncController()
    plain.finished.connect(finished.append)
    run(qtbot, plain, db, fake_server.base_url, TOKEN)
    assert len(finished) == 1
    assert ContactService(db).count(ContactFilter()) == len(fake_server.account.persons)


def test_a_refused_token_is_an_auth_error(qtbot: Any, db: Database, fake_server: Any) -> None:
    controller = SyncController()
    failures: list[tuple[str, bool]] = []
    controller.failed.connect(lambda message, auth: failures.append((message, auth)))
    run(qtbot, controller, db, fake_server.base_url, "wrong-token")
    assert len(failures) == 1
    message, auth = failures[0]
    assert auth
    assert "token" in message.lower()
    assert "wrong-token" not in message


def test_no_network_is_reported_as_offline(qtbot: Any, db: Database) -> None:
    from pipedriven_desktop.pipedrive.client import PipedriveClient

    controller = SyncController(
        client_factory=lambda url, token: PipedriveClient(
            url, token, max_retries=0, timeout=2, sleep=lambda _s: None
        )
    )
    offline: list[bool] = []
    failures: list[tuple[str, bool]] = []
    controller.offline.connect(lambda: offline.append(True))
    controller.failed.connect(lambda message, auth: failures.append((message, auth)))
    run(qtbot, controller, db, f"http://127.0.0.1:{closed_port()}", TOKEN)
    assert offline == [True]
    assert len(failures) == 1
    assert not failures[0][1]


def test_one_run_at_a_time_and_shutdown_joins(qtbot: Any, db: Database, fake_server: Any) -> None:
    controller = SyncController()
    assert controller.start(db, fake_server.base_url, TOKEN)
    assert not controller.start(db, fake_server.base_url, TOKEN)
    controller.shutdown()
    assert not controller.is_running()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


TRICKLE_PATH = "/api/v2/persons"


def _trickling(fake_server: Any) -> None:
    """Persons answer one byte every half second: a page would take hours."""
    fake_server.faults.add("trickle", path_prefix=TRICKLE_PATH, delay=0.5)


def _stuck_in_the_trickle(qtbot: Any, fake_server: Any) -> None:
    qtbot.waitUntil(lambda: fake_server.faults.pending == 0, timeout=SYNC_TIMEOUT_MS)


@pytest.mark.timeout(60)
def test_cancel_while_an_answer_trickles_in_ends_the_run(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    _trickling(fake_server)
    controller = SyncController()
    cancelled: list[bool] = []
    failures: list[str] = []
    controller.cancelled.connect(lambda: cancelled.append(True))
    controller.failed.connect(lambda message, auth: failures.append(message))
    assert controller.start(db, fake_server.base_url, TOKEN)
    _stuck_in_the_trickle(qtbot, fake_server)

    with qtbot.waitSignal(controller.stopped, timeout=15_000):
        controller.cancel()

    assert (cancelled, failures) == ([True], [])
    with db.engine.connect() as conn:
        assert conn.execute(select(SyncRun.error)).scalars().all() == ["cancelled"]


@pytest.mark.timeout(60)
def test_quitting_while_an_answer_trickles_in_does_not_wait_for_it(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    _trickling(fake_server)
    controller = SyncController()
    assert controller.start(db, fake_server.base_url, TOKEN)
    _stuck_in_the_trickle(qtbot, fake_server)

    assert controller.shutdown() is True
    assert not controller.is_running()


@pytest.mark.timeout(60)
def test_shutdown_gives_up_on_a_run_that_ignores_cancel(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    from pipedriven_desktop.pipedrive.client import PipedriveClient
    from pipedriven_desktop.sync import worker as worker_module

    entered, release = threading.Event(), threading.Event()

    class DeafClient(PipedriveClient):
        """Blocks in its first request whatever cancel says (like a stuck disk would)."""

        def _get_json(self, path: str, params: Any) -> dict[str, Any]:
            entered.set()
            release.wait(30)
            return super()._get_json(path, params)

    controller = SyncController(client_factory=DeafClient)
    assert controller.start(db, fake_server.base_url, TOKEN)
    assert entered.wait(10)
    try:
        assert controller.shutdown(wait_ms=200) is False
        assert not controller.is_running()  # a new run may start; the old one is let go
    finally:
        release.set()
        for thread, _ in worker_module._still_running:
            assert thread.wait(10_000)
        worker_module._still_running.clear()


def test_an_error_echoing_the_token_is_masked_in_the_message_and_the_log(
    qtbot: Any, db: Database, fake_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.faults.add("echo_token", path_prefix="/api/v2/persons")
    controller = SyncController()
    failures: list[str] = []
    controller.failed.connect(lambda message, auth: failures.append(message))
    with caplog.at_level(logging.INFO):
        run(qtbot, controller, db, fake_server.base_url, TOKEN)

    assert len(failures) == 1
    assert "[redacted]" in failures[0]
    assert TOKEN not in failures[0]
    assert "[redacted]" in caplog.text
    assert TOKEN not in caplog.text
    with db.engine.connect() as conn:
        errors = conn.execute(select(SyncRun.error)).scalars().all()
    assert len(errors) == 1
    assert errors[0] is not None
    assert TOKEN not in errors[0]


def test_a_retry_is_reported_with_its_reason_and_wait(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    from pipedriven_desktop.pipedrive.client import PipedriveClient

    def quick_client(base_url: str, token: str) -> PipedriveClient:
        return PipedriveClient(base_url, token, backoff_base=0.01)

    fake_server.faults.add("503", 1)
    controller = SyncController(client_factory=quick_client)
    retries: list[tuple[str, float]] = []
    controller.retrying.connect(lambda reason, wait: retries.append((reason, wait)))
    results: list[object] = []
    controller.finished.connect(results.append)
    run(qtbot, controller, db, fake_server.base_url, TOKEN)
    assert results, "the sync goes on after the retry"
    assert len(retries) == 1
    reason, wait = retries[0]
    assert "HTTP 503" in reason
    assert TOKEN not in reason
    assert wait == pytest.approx(0.01)


def test_live_rows_pause_the_sync_until_the_window_caught_up(
    qtbot: Any, db: Database, fake_server: Any
) -> None:
    """With live_rows the sync waits between pages while the window shows the new rows."""
    controller = SyncController()
    seen: list[int] = []

    def on_rows() -> None:
        # The sync is paused: nothing is written until the window says it caught up.
        written = ContactService(db).count(ContactFilter())
        seen.append(written)
        assert ContactService(db).count(ContactFilter()) == written
        controller.ui_caught_up()

    controller.rows_written.connect(on_rows)
    with qtbot.waitSignal(controller.stopped, timeout=SYNC_TIMEOUT_MS):
        assert controller.start(db, fake_server.base_url, TOKEN, live_rows=True)
    assert seen
    assert 0 < seen[0] < len(fake_server.account.persons)


def test_without_live_rows_no_rows_signal(qtbot: Any, db: Database, fake_server: Any) -> None:
    controller = SyncController()
    seen: list[bool] = []
    controller.rows_written.connect(lambda: seen.append(True))
    run(qtbot, controller, db, fake_server.base_url, TOKEN)
    assert seen == []
