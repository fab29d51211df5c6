"""The sync worker on its QThread, against the fake Pipedrive over real HTTP."""

from __future__ import annotations

import socket
from typing import Any

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
