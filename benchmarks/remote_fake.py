"""The bundled fake Pipedrive in a process of its own, as a remote API would be.

In the benchmark's own process the fake's JSON encoding would compete with the sync
for the GIL, which a real Pipedrive never does. The child builds its account from
the same arguments (seed and clock), so it serves exactly the data the parent holds.
Mutations are sent to it as JSON lines on its stdin and applied to the parent's copy
too. The child stops when its stdin closes, so it never outlives the benchmark.

The listings named in ``encoded`` are encoded before the child says it is ready: a real
Pipedrive's time to answer is not the app's, and encoding every item on the first walk
alone would make the first run of a benchmark pay for what later runs get for free
(the fake keeps each item's encoding until the item changes). What the fake still does
per request, and the items changed between runs, count in the time measured.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.pipedrive.fake_server import FakePipedriveServer

_ROOT = Path(__file__).resolve().parents[1]


class RemoteFakeServer:
    """``FakePipedriveServer`` for ``FakeAccount.generate(**account_args)`` in a child process.

    ``account`` is the parent's copy of the same data; ``call`` changes both.
    """

    def __init__(
        self,
        account_args: dict[str, Any],
        token: str,
        *,
        encoded: Sequence[tuple[str, Mapping[str, str]]] = (),
        **server_args: Any,
    ) -> None:
        self._account_args = dict(account_args)
        if self._account_args.get("now") is None:
            self._account_args["now"] = datetime.now(UTC).replace(microsecond=0)
        self.account = FakeAccount.generate(**self._account_args)
        self._config: dict[str, Any] = {
            "account": {**self._account_args, "now": self._account_args["now"].isoformat()},
            "token": token,
            "server": server_args,
            "encoded": [[entity, dict(params)] for entity, params in encoded],
        }
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    def __enter__(self) -> RemoteFakeServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.remote_fake", json.dumps(self._config)],
            cwd=_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            self.base_url = self._reply()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def call(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Run ``FakeAccount.<method>`` on the served account and on the parent's copy."""
        if self._process is None or self._process.stdin is None:
            raise RuntimeError("the fake Pipedrive process is not running")
        self._process.stdin.write(json.dumps([method, args, kwargs]) + "\n")
        self._process.stdin.flush()
        self._reply()
        getattr(self.account, method)(*args, **kwargs)

    def _reply(self) -> str:
        if self._process is None or self._process.stdout is None:
            raise RuntimeError("the fake Pipedrive process is not running")
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the fake Pipedrive process stopped")
        status, detail = json.loads(line)
        if status != "ok":
            raise RuntimeError(f"the fake Pipedrive process failed: {detail}")
        return str(detail)


def _serve(config: dict[str, Any], commands: IO[str], replies: IO[str]) -> None:
    """The child: build the account, serve it, apply the calls read from ``commands``."""
    account_args = dict(config["account"])
    account_args["now"] = datetime.fromisoformat(account_args["now"])
    account = FakeAccount.generate(**account_args)
    gc.collect()
    gc.freeze()

    def reply(status: str, detail: object) -> None:
        replies.write(json.dumps([status, detail]) + "\n")
        replies.flush()

    with FakePipedriveServer(account, token=config["token"], **config["server"]) as server:
        for entity, params in config.get("encoded", []):
            server.encode_listing(entity, params)
        reply("ok", server.base_url)
        for line in commands:
            method, args, kwargs = json.loads(line)
            try:
                getattr(account, method)(*args, **kwargs)
            except Exception as exc:
                reply("error", repr(exc))
            else:
                reply("ok", None)


if __name__ == "__main__":
    _serve(json.loads(sys.argv[1]), sys.stdin, sys.stdout)
