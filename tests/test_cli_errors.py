"""Every headless command fails the same way: one `error:` line and exit code 2 for a
mirror it cannot open, and a quiet end when the reader of its output leaves early."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipedriven_desktop.cli import main
from pipedriven_desktop.store.database import open_database
from tests.synthetic import populate


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    path = tmp_path / "mirror.sqlite3"
    db = open_database(path)
    populate(db, contacts=12, activities_per_contact=1, owned_share=0.8, seed=9)
    db.close()
    return path


@pytest.mark.parametrize(
    "argv",
    [
        ("config",),
        ("config", "lead-status-values", "--qualified", "Hot"),
        ("outbox",),
        ("export",),
        ("stats",),
        ("duplicates",),
    ],
)
@pytest.mark.parametrize("kind", ["not a database", "missing folder"])
def test_a_mirror_that_cannot_be_opened_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], kind: str
) -> None:
    if kind == "not a database":
        path = tmp_path / "notadb.txt"
        path.write_text("hello\n")
        reason = "not an SQLite database"
    else:
        path = tmp_path / "missing" / "mirror.sqlite3"
        reason = "does not exist"
    code, out, err = run(capsys, "--db", str(path), *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert err.startswith("error: ")
    assert reason in err
    if kind == "not a database":
        assert path.read_text() == "hello\n"


class _LeftEarly:
    """A stdout whose reader has gone (`| head`, `| true`): every write breaks the pipe."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")


@pytest.mark.parametrize(
    "argv",
    [
        ("outbox",),
        ("outbox", "--format", "json"),
        ("config",),
        ("config", "lead-status-values", "--contacted", "Called"),
        ("export",),
        ("orgs", "--format", "csv"),
        ("stats",),
        ("duplicates",),
    ],
)
def test_a_reader_that_leaves_early_ends_the_command_quietly(
    mirror: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    monkeypatch.setattr(sys, "stdout", _LeftEarly())
    code = main(["--db", str(mirror), *argv])
    assert code == 0
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("command", ["outbox", "config", "export"])
def test_a_closed_pipe_ends_the_process_without_a_traceback(mirror: Path, command: str) -> None:
    """As run in a shell (`… | true`), with Python's usual buffered stdout: the interpreter's
    last flush at exit must not complain either."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes anything
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipedriven_desktop", command, "--db", str(mirror)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr.decode() == ""
    assert done.returncode == 0
