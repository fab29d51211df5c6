"""Fixtures: a small seeded account, the fake Pipedrive serving it, and a client for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer, PipedriveClient
from tests.fakes import SleepRecorder

TOKEN = "tok-3f9a1c77e2b84d05a6c1d2e3f4a5b6c7"
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
#: Persons in the small account: three pages of 500, the last one partial.
PERSONS = 1234


@pytest.fixture(scope="session")
def account_template() -> FakeAccount:
    return FakeAccount.generate(
        seed=11,
        persons=PERSONS,
        owned_persons=300,
        organizations=60,
        activities=700,
        deals=120,
        now=NOW,
    )


@pytest.fixture
def account(account_template: FakeAccount) -> FakeAccount:
    """A fresh copy per test, so tests may mutate it freely."""
    return account_template.copy()


@pytest.fixture
def server(account: FakeAccount) -> Iterator[FakePipedriveServer]:
    with FakePipedriveServer(account, token=TOKEN) as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(server: FakePipedriveServer, sleeps: SleepRecorder) -> Iterator[PipedriveClient]:
    with PipedriveClient(
        server.base_url, TOKEN, timeout=5, max_retries=3, backoff_base=0.25, sleep=sleeps
    ) as api:
        yield api
