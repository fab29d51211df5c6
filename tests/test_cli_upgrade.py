"""A headless command on a mirror made by an earlier version says, in one line, that it upgrades."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedriven_desktop.cli import main
from pipedriven_desktop.store.database import announce_upgrades

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_announcer_left_behind() -> Iterator[None]:
    yield
    announce_upgrades(None)  # main() sets it for its process; tests share one


def test_a_command_on_an_old_mirror_prints_one_upgrading_line_on_stderr_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = "export"
    path = tmp_path / "mirror.sqlite3"
    shutil.copyfile(FIXTURES / "mirror-0.1.0.sqlite3", path)

    code = main([command, "--db", str(path)])
    out, err = capsys.readouterr()

    assert code == 0
    assert err.count("\n") == 1
    assert err.startswith(f"Upgrading the mirror {path.resolve()} made by an earlier version")
    assert "0001_initial" in err
    assert json.loads(out)  # the output itself stays clean JSON

    assert main([command, "--db", str(path)]) == 0  # upgraded now: nothing more to say
    assert capsys.readouterr().err == ""
