"""The headless log, note and outbox commands: queued without network, sent by sync."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipedriven_desktop.cli import main
from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store.database import open_database
from tests.pipedrive.request_schemas import validate_write
from tests.synthetic import populate

TOKEN = "cli-actions-token-5d1e"


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    path = tmp_path / "mirror.sqlite3"
    db = open_database(path)
    populate(db, contacts=20, activities_per_contact=1, owned_share=0.8, seed=5)
    db.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def person(path: Path) -> tuple[int, str]:
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(
            "SELECT pipedrive_person_id, name FROM contacts ORDER BY pipedrive_person_id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return int(found[0]), str(found[1])


def query(path: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_log_queues_a_done_call_and_outbox_lists_it(
    mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid, name = person(mirror)
    code, out, err = run(
        capsys,
        "log",
        "--db",
        str(mirror),
        "--person",
        str(pid),
        "--type",
        "call",
        "--note",
        "Left a message",
    )
    assert (code, err) == (0, "")
    assert out.startswith('queued: Call logged: "Call"')
    assert out.rstrip().endswith(f"for {name}; 1 change waits for the next sync")
    assert query(
        mirror, "SELECT type, done, note FROM activities WHERE pipedrive_activity_id IS NULL"
    ) == [("call", 1, "Left a message")]

    code, out, _ = run(capsys, "outbox", "--db", str(mirror), "--format", "json")
    assert code == 0
    (record,) = json.loads(out)
    assert (record["kind"], record["state"], record["contact_name"]) == ("log", "waiting", name)
    code, out, _ = run(capsys, "outbox", "--db", str(mirror))
    assert out.count("\n") == 1
    assert out.split("\t")[1:3] == ["waiting", name]


def test_log_with_a_due_day_schedules_and_note_adds_a_note(
    mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pid, _ = person(mirror)
    code, out, _ = run(
        capsys,
        "log",
        "--db",
        str(mirror),
        "--person",
        str(pid),
        "--type",
        "meeting",
        "--subject",
        "Demo",
        "--due",
        "2030-01-15",
        "--time",
        "10:30",
    )
    assert code == 0
    assert 'Meeting scheduled: "Demo" for 2030-01-15 10:30' in out
    code, out, _ = run(
        capsys, "note", "--db", str(mirror), "--person", str(pid), "--text", "Prefers email"
    )
    assert code == 0
    assert "2 changes wait" in out
    assert query(mirror, "SELECT content FROM notes") == [("Prefers email",)]
    assert query(mirror, "SELECT kind FROM outbox ORDER BY id") == [("schedule",), ("note",)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("log", "--person", "999999", "--type", "call"), "no contact with Pipedrive person id"),
        (("log", "--person", "{pid}", "--type", "call", "--time", "10:00"), "--time needs --due"),
        (
            ("log", "--person", "{pid}", "--type", "task", "--due", "2030-01-01", "--time", "9"),
            "HH:MM",
        ),
        (("note", "--person", "{pid}", "--text", "   "), "needs some text"),
    ],
)
def test_refusals_are_one_line_with_exit_code_2(
    mirror: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    pid, _ = person(mirror)
    filled = [part.format(pid=pid) for part in argv]
    code, out, err = run(capsys, filled[0], "--db", str(mirror), *filled[1:])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert message in err
    assert query(mirror, "SELECT count(*) FROM outbox") == [(0,)]


def test_a_bad_type_or_day_is_refused_by_the_parser(
    mirror: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in (("--type", "lunch"), ("--type", "call", "--due", "15/01/2030")):
        with pytest.raises(SystemExit) as caught:
            main(["log", "--db", str(mirror), "--person", "1", *extra])
        assert caught.value.code == 2
    assert "invalid" in capsys.readouterr().err


def test_a_missing_mirror_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "outbox", "--db", str(tmp_path / "nowhere" / "m.sqlite3"))
    assert code == 2
    assert (out, err.count("\n")) == ("", 1)
    assert "does not exist" in err


def test_log_then_sync_sends_it_and_the_outbox_is_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    account = FakeAccount.generate(seed=3, persons=20, owned_persons=10, organizations=4)
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", TOKEN)
    db = str(tmp_path / "m.sqlite3")
    with FakePipedriveServer(account, token=TOKEN) as server:
        server.request_validator = validate_write
        assert run(capsys, "sync", "--db", db, "--base-url", server.base_url)[0] == 0
        pid = next(p for p, item in account.persons.items() if item["owner_id"] == account.me_id)
        code, _, err = run(
            capsys,
            "log",
            "--db",
            db,
            "--person",
            str(pid),
            "--type",
            "email",
            "--subject",
            "Sent deck",
        )
        assert code == 0, err
        code, out, err = run(capsys, "sync", "--db", db, "--base-url", server.base_url)
    assert code == 0, err
    assert "1 changes sent to Pipedrive, 0 refused" in out
    (sent,) = [a for a in account.activities.values() if a["subject"] == "Sent deck"]
    assert (sent["person_id"], sent["type"], sent["done"]) == (pid, "email", True)
    assert sent["owner_id"] == account.me_id
    code, out, _ = run(capsys, "outbox", "--db", db)
    assert (code, out) == (0, "Nothing waits: Pipedrive has every change.\n")


def _utc_in(delta: timedelta) -> tuple[str, str]:
    moment = datetime.now(UTC) + delta
    return moment.date().isoformat(), f"{moment.hour:02d}:{moment.minute:02d}"


@pytest.mark.parametrize(
    "when",
    [
        ("--due", (date.today() - timedelta(days=1)).isoformat()),
        ("--due", "2020-01-01"),
        ("--due", _utc_in(timedelta(hours=-1))[0], "--time", _utc_in(timedelta(hours=-1))[1]),
    ],
)
def test_a_next_step_in_the_past_is_refused_as_the_dialog_refuses_it(
    mirror: Path, capsys: pytest.CaptureFixture[str], when: tuple[str, ...]
) -> None:
    pid, _ = person(mirror)
    argv = ("log", "--db", str(mirror), "--person", str(pid), "--type", "call", *when)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(f"error: --due {when[1]}")
    assert "has passed" in err
    assert query(mirror, "SELECT count(*) FROM outbox") == [(0,)]


@pytest.mark.parametrize(
    "when",
    [
        ("--due", date.today().isoformat()),  # the whole of today is still ahead
        ("--due", _utc_in(timedelta(hours=1))[0], "--time", _utc_in(timedelta(hours=1))[1]),
    ],
)
def test_a_next_step_today_or_later_is_queued(
    mirror: Path, capsys: pytest.CaptureFixture[str], when: tuple[str, ...]
) -> None:
    pid, _ = person(mirror)
    argv = ("log", "--db", str(mirror), "--person", str(pid), "--type", "call", *when)
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "")
    assert out.startswith('queued: Call scheduled: "Call"')
    assert query(mirror, "SELECT kind FROM outbox") == [("schedule",)]
