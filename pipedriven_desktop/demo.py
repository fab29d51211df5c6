"""Demo mode: the bundled fake Pipedrive on 127.0.0.1 and a demo database of its own.

A newcomer sees a full My-500 and can press Sync now with no account and no network.
The demo never touches the real mirror or the keychain: its database is separate and its
token is a fixed string only the local fake server accepts. No Qt here; the window drives
the first sync on its worker when the demo database is still empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipedriven_desktop import paths

if TYPE_CHECKING:
    from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer

logger = logging.getLogger(__name__)

DEMO_TOKEN = "demo-token"
DEMO_SEED = 7


@dataclass
class DemoSession:
    """A running fake Pipedrive and where its demo mirror lives."""

    server: FakePipedriveServer
    base_url: str
    db_path: Path
    token: str = DEMO_TOKEN

    def stop(self) -> None:
        self.server.stop()


def start_demo(
    db_path: Path | None = None,
    *,
    seed: int = DEMO_SEED,
    persons: int | None = None,
    owned_persons: int | None = None,
) -> DemoSession:
    """Generate the demo account, serve it on a free loopback port, return where it is."""
    from pipedriven_desktop.pipedrive.fake_data import FakeAccount
    from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer

    account = (
        FakeAccount.generate(seed=seed)
        if persons is None
        else FakeAccount.generate(
            seed=seed,
            persons=persons,
            owned_persons=min(persons, owned_persons if owned_persons is not None else 500),
        )
    )
    server = FakePipedriveServer(account, token=DEMO_TOKEN)
    base_url = server.start()
    target = Path(db_path) if db_path is not None else paths.demo_db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("demo Pipedrive serving %r at %s, database %s", account, base_url, target)
    return DemoSession(server=server, base_url=base_url, db_path=target)
