"""The outbox tests' account: small, served by a fake that checks every write body."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store.database import Database
from tests.sync.conftest import SyncFn
from tests.sync.outbox.helpers import small_account, validating_server


@pytest.fixture
def account() -> FakeAccount:
    return small_account()


@pytest.fixture
def server(account: FakeAccount) -> Iterator[FakePipedriveServer]:
    yield from validating_server(account)


@pytest.fixture
def synced(db: Database, sync: SyncFn) -> Database:
    sync()
    return db
