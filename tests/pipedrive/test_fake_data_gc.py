"""Generating a fake account pauses the cyclic garbage collector only while it runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from pipedriven_desktop.pipedrive.fake_data import FakeAccount

SMALL: dict[str, Any] = {
    "persons": 20,
    "owned_persons": 5,
    "organizations": 5,
    "activities": 20,
    "deals": 5,
}


@pytest.fixture
def collector_state() -> Iterator[None]:
    was_enabled = gc.isenabled()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector_state")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was(enabled: bool) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()
    FakeAccount.generate(**SMALL)
    assert gc.isenabled() is enabled


@pytest.mark.usefixtures("collector_state")
def test_the_collector_is_back_after_a_failed_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.enable()
    seen: list[bool] = []

    def failing(*args: object) -> FakeAccount:
        seen.append(gc.isenabled())
        raise RuntimeError("boom")

    monkeypatch.setattr(FakeAccount, "_generate", failing)
    with pytest.raises(RuntimeError):
        FakeAccount.generate(**SMALL)
    assert seen == [False], "paused while generating"
    assert gc.isenabled()
