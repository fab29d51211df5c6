"""`config`: the lead status field and values, set headlessly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedriven_desktop.cli import main
from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    FAKE_LEAD_STATUS_OPTION_FIELD,
    FAKE_LEAD_STATUS_OPTIONS,
    FakeAccount,
    FakePipedriveServer,
)
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.meta import lead_status_options, lead_status_values

TOKEN = "tok-config-test-7c1e"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePipedriveServer]:
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", TOKEN)
    account = FakeAccount.generate(seed=3, persons=5, owned_persons=2, organizations=2)
    with FakePipedriveServer(account, token=TOKEN) as fake:
        yield fake


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_choosing_an_option_field_stores_its_labels(
    tmp_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "m.sqlite3"
    argv = ["config", "--db", str(db_path), "lead-status-field", FAKE_LEAD_STATUS_OPTION_FIELD]
    code, out, err = run(capsys, *argv, "--base-url", server.base_url)
    assert code == 0, err
    assert "Lead status" in out
    assert f"lead-status-field: {FAKE_LEAD_STATUS_OPTION_FIELD}" in out
    db = open_database(db_path)
    try:
        assert lead_status_options(db.reader()) == FAKE_LEAD_STATUS_OPTIONS
        assert lead_status_values(db.reader()).field_chosen is True
    finally:
        db.close()
    code, out, _ = run(capsys, "config", "--db", str(db_path), "lead-status-field", "none")
    assert code == 0
    assert "lead-status-field: none" in out


def test_an_unknown_field_is_refused_in_one_line(
    tmp_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "m.sqlite3"
    code, _out, err = run(
        capsys,
        "config",
        "--db",
        str(db_path),
        "lead-status-field",
        "marketing_status",
        "--base-url",
        server.base_url,
    )
    assert code == 2
    assert err.count("\n") == 1
    assert FAKE_LEAD_STATUS_FIELD in err  # the fields that can be chosen are named
    assert TOKEN not in err


def test_the_fields_are_listed(
    server: FakePipedriveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["config", "--db", str(tmp_path / "m.sqlite3"), "lead-status-fields"]
    code, out, err = run(capsys, *argv, "--base-url", server.base_url)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{FAKE_LEAD_STATUS_FIELD}\tLead status (text)\t(text)"
    assert lines[1].startswith(f"{FAKE_LEAD_STATUS_OPTION_FIELD}\tLead status\t(options: New,")


def test_lead_status_values_are_set_and_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "m.sqlite3"
    code, out, err = run(
        capsys,
        "config",
        "--db",
        str(db_path),
        "lead-status-values",
        "--qualified",
        "Hot lead, Qualified",
        "--contacted",
        "Called",
    )
    assert code == 0, err
    assert "qualified: Hot lead, Qualified" in out
    assert "contacted: Called" in out
    # Setting one list keeps the other.
    code, out, _ = run(
        capsys, "config", "--db", str(db_path), "lead-status-values", "--contacted", ""
    )
    assert "qualified: Hot lead, Qualified" in out
    assert "contacted: contacted" in out  # empty: back to the default word
    code, out, _ = run(capsys, "config", "--db", str(db_path))
    assert code == 0
    assert out.splitlines() == [
        "lead-status-field: none",
        "qualified: Hot lead, Qualified",
        "contacted: contacted",
    ]


def test_fields_need_a_token(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: object,
) -> None:
    monkeypatch.delenv("PIPEDRIVE_API_TOKEN", raising=False)
    code, _out, err = run(
        capsys, "config", "--db", str(tmp_path / "m.sqlite3"), "lead-status-fields"
    )
    assert code == 2
    assert "sign in first" in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_db_goes_before_or_after_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    db_path = tmp_path / "m.sqlite3"
    setting = ["lead-status-values", "--qualified", "", "--contacted", "Called"]
    db = ["--db", str(db_path)]
    argv = ["config", *db, *setting] if where == "before" else ["config", *setting, *db]
    code, _out, err = run(capsys, *argv)
    assert code == 0, err
    code, out, _ = run(capsys, "config", *db)
    assert "contacted: Called" in out.splitlines()
    from pipedriven_desktop.paths import default_db_path

    assert not default_db_path().exists()


@pytest.mark.parametrize(
    "argv",
    [
        ("config", "--db", "{db}", "--base-url", "{url}", "lead-status-field", "{key}"),
        ("config", "lead-status-field", "{key}", "--db", "{db}", "--base-url", "{url}"),
        ("config", "--base-url", "{url}", "lead-status-field", "{key}", "--db", "{db}"),
    ],
)
def test_db_and_base_url_go_before_or_after_the_field_setting(
    tmp_path: Path,
    server: FakePipedriveServer,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
) -> None:
    db_path = tmp_path / "m.sqlite3"
    filled = [
        part.format(db=db_path, url=server.base_url, key=FAKE_LEAD_STATUS_FIELD) for part in argv
    ]
    code, out, err = run(capsys, *filled)
    assert code == 0, err
    assert f"lead-status-field: {FAKE_LEAD_STATUS_FIELD}" in out.splitlines()
    db = open_database(db_path)
    try:
        assert lead_status_values(db.reader()).field_chosen is True
    finally:
        db.close()


def test_the_fields_are_listed_with_the_options_after_the_setting(
    server: FakePipedriveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["config", "lead-status-fields", "--base-url", server.base_url]
    code, out, err = run(capsys, *argv, "--db", str(tmp_path / "m.sqlite3"))
    assert code == 0, err
    assert out.startswith(f"{FAKE_LEAD_STATUS_FIELD}\t")
