from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from keyring.errors import KeyringLocked

from pipedriven_desktop.cli import EXPORT_FIELDS, csv_cell, main
from pipedriven_desktop.duplicates_command import DUPLICATE_FIELDS
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.org_listing import ORG_LISTING_FIELDS as ORG_FIELDS
from tests.synthetic import populate


@pytest.fixture
def populated(tmp_path: Path) -> Path:
    path = tmp_path / "populated.sqlite3"
    db = open_database(path)
    populate(db, contacts=120, activities_per_contact=2, owned_share=0.8, seed=5)
    db.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_json_is_my500_in_order(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--db", str(populated), "--format", "json")
    assert code == 0
    records = json.loads(out)
    db = open_database(populated)
    service = ContactService(db)
    expected = service.window(ContactFilter(owner_id=service.owner_id()), 0, 1000)
    db.close()
    assert [r["pipedrive_person_id"] for r in records] == [r.pipedrive_person_id for r in expected]
    assert set(EXPORT_FIELDS) <= set(records[0])


def test_export_limit_and_csv(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--db", str(populated), "--format", "csv", "--limit", "7")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7
    assert list(rows[0]) == list(EXPORT_FIELDS)


def test_orgs_json_and_csv(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "orgs", "--db", str(populated))
    assert code == 0
    orgs = json.loads(out)
    assert orgs
    assert set(ORG_FIELDS) <= set(orgs[0])
    counts = [o["contact_count"] for o in orgs]
    assert counts == sorted(counts, reverse=True)
    code, out, _ = run(capsys, "orgs", "--db", str(populated), "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == len(orgs)


@pytest.mark.parametrize("command", ["export", "orgs"])
def test_new_path_creates_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = tmp_path / "new.sqlite3"
    code, out, err = run(capsys, command, "--db", str(path))
    assert (code, json.loads(out), err) == (0, [], "")
    assert path.exists()
    code, out, _ = run(capsys, command, "--db", str(path), "--format", "csv")
    assert code == 0
    assert out.strip().count("\n") == 0


@pytest.mark.parametrize("command", ["export", "orgs"])
def test_bad_paths_fail_with_one_line_and_leave_files_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, out, err = run(capsys, command, "--db", str(tmp_path / "missing" / "x.sqlite3"))
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert "does not exist" in err

    corrupt = tmp_path / "corrupt.sqlite3"
    corrupt.write_bytes(b"\x00\x01garbage" * 100)
    before = corrupt.read_bytes()
    code, out, err = run(capsys, command, "--db", str(corrupt))
    assert code != 0
    assert err.count("\n") == 1
    assert corrupt.read_bytes() == before


# --- CSV formula injection --------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def _rename(path: Path, table: str, ids: list[str], names: list[str]) -> None:
    conn = sqlite3.connect(path)
    try:
        for row_id, name in zip(ids, names, strict=True):
            conn.execute(f"UPDATE {table} SET name = ? WHERE id = ?", (name, row_id))
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize(("command", "table"), [("export", "contacts"), ("orgs", "organizations")])
def test_csv_cells_never_start_a_formula(
    populated: Path, capsys: pytest.CaptureFixture[str], command: str, table: str
) -> None:
    _, out, _ = run(capsys, command, "--db", str(populated), "--format", "json")
    ids = [record["id"] for record in json.loads(out)][: len(HOSTILE)]
    _rename(populated, table, ids, HOSTILE)

    code, out, _ = run(capsys, command, "--db", str(populated), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    names = {row["name"] for row in rows}
    assert {"'" + name for name in HOSTILE} <= names
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    code, out, _ = run(capsys, command, "--db", str(populated), "--format", "json")
    assert set(HOSTILE) <= {record["name"] for record in json.loads(out)}  # JSON unchanged


def test_csv_cell_leaves_harmless_values_alone() -> None:
    assert csv_cell("Ada Lovelace") == "Ada Lovelace"
    assert csv_cell(-5) == -5
    assert csv_cell(None) is None
    assert csv_cell({"a": "=1"}) == '{"a": "=1"}'
    assert csv_cell("a=b") == "a=b"


# --- sync: refusals before any request --------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("ftp://user:hunter2-secret@x", "user name or password"),
        ("https://user:hunter2-secret@api.pipedrive.com", "user name or password"),
        ("http://localhost:99999", "port"),
        ("http://localhost:hunter2-secret", "port"),
    ],
)
@pytest.mark.parametrize("position", ["sync", "top"])
def test_an_unusable_address_is_one_line_that_never_repeats_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    address: str,
    reason: str,
    position: str,
) -> None:
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", "tok-cli-address-test")
    db = tmp_path / "mirror.sqlite3"
    argv = ["sync", "--db", str(db), "--base-url", address]
    if position == "top":
        argv = ["--base-url", address, *argv[:3]]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert reason in err
    assert "hunter2" not in err
    assert not db.exists()


def test_a_bad_address_for_the_gui_is_refused_before_it_starts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipedriven_desktop.cli._gui", lambda args: pytest.fail("GUI started"))
    code, _out, err = run(capsys, "--base-url", "https://me:hunter2-secret@example.com")
    assert code == 2
    assert err.count("\n") == 1
    assert "hunter2" not in err


def test_a_locked_keychain_without_an_environment_token_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: Any,
) -> None:
    def locked(service: str, username: str) -> str | None:
        raise KeyringLocked("Cannot unlock the collection")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    db = tmp_path / "mirror.sqlite3"
    code, out, err = run(capsys, "sync", "--db", str(db))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "keychain" in err
    assert "PIPEDRIVE_API_TOKEN" in err
    assert not db.exists()


# --- A fresh machine: no data folder yet ------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "orgs"])
def test_export_and_orgs_create_the_default_data_folder(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    from pipedriven_desktop.paths import default_db_path

    assert not default_db_path().parent.exists()
    code, out, err = run(capsys, command)
    assert (code, json.loads(out), err) == (0, [], "")
    assert default_db_path().exists()


def test_sync_on_a_fresh_machine_creates_the_data_folder_and_the_mirror(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, memory_keyring: Any
) -> None:
    from pipedriven_desktop.paths import default_db_path
    from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer

    account = FakeAccount.generate(seed=3, persons=30, owned_persons=20, organizations=5)
    monkeypatch.setenv("PIPEDRIVE_API_TOKEN", "fresh-machine-token")
    assert not default_db_path().parent.exists()
    with FakePipedriveServer(account, token="fresh-machine-token") as server:
        code, _out, err = run(capsys, "sync", "--base-url", server.base_url)
    assert code == 0, err
    assert "does not exist" not in err
    db = open_database(default_db_path())
    try:
        assert ContactService(db).count(ContactFilter()) == len(account.persons)
    finally:
        db.close()


def test_an_uncreatable_data_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder would go")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    code, out, err = run(capsys, "export")
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert "data folder" in err


def _dupes(capsys: pytest.CaptureFixture[str], path: Path) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "duplicates", "--db", str(path))
    assert (code, err) == (0, "")
    return list(json.loads(out))


def test_duplicates_round_trip_list_merge_undo_keep_separate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.store.test_org_merge import seed_acme

    path = tmp_path / "dupes.sqlite3"
    db = open_database(path)
    corp, corporation, _ = seed_acme(db)
    db.close()

    listed = _dupes(capsys, path)
    assert set(DUPLICATE_FIELDS) <= set(listed[0])
    pair = next(
        s for s in listed if {s["organization_id"], s["candidate_id"]} == {corp, corporation}
    )
    side = "organization" if pair["organization_id"] == corp else "candidate"
    assert (pair[f"{side}_name"], pair[f"{side}_pipedrive_ids"]) == ("Acme Corp", [1])
    assert pair["reasons"]
    assert pair["score"] > 0
    code, out, _ = run(capsys, "duplicates", "--db", str(path), "--format", "csv")
    assert (code, len(list(csv.DictReader(io.StringIO(out))))) == (0, len(listed))

    code, out, err = run(
        capsys, "duplicates", "merge", pair["id"], "--db", str(path), "--name", "Acme Corp"
    )
    assert (code, err) == (0, "")
    assert corp in out
    code, out, _ = run(capsys, "orgs", "--db", str(path))
    (merged,) = [o for o in json.loads(out) if o["id"] == corp]
    assert (merged["pipedrive_org_ids"], merged["contacts_all"], merged["city"]) == (
        [1, 2],
        5,
        "Berlin",
    )
    assert set(ORG_FIELDS) <= set(merged)
    code, out, _ = run(capsys, "export", "--db", str(path))
    assert {r["organization"] for r in json.loads(out) if r["name"].startswith("b")} == {
        "Acme Corp"
    }

    code, _, err = run(capsys, "duplicates", "merge", pair["id"], "--db", str(path))
    assert (code, err) == (2, f"error: no suggestion {pair['id']}\n")
    code, out, err = run(capsys, "duplicates", "--db", str(path), "undo", corp)
    assert (code, err, out) == (0, "", f"restored organization {corporation}\n")
    assert pair["id"] in {s["id"] for s in _dupes(capsys, path)}

    code, _, err = run(capsys, "duplicates", "keep-separate", pair["id"], "--db", str(path))
    assert (code, err) == (0, "")
    assert pair["id"] not in {s["id"] for s in _dupes(capsys, path)}
    code, _, err = run(capsys, "duplicates", "undo", "no-such-org", "--db", str(path))
    assert (code, err) == (2, "error: organization no-such-org has no merge to undo\n")


def test_duplicates_changes_wait_for_no_sync_and_say_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipedriven_desktop.store.writer_lock import writer_lock
    from tests.store.test_org_merge import seed_acme

    path = tmp_path / "busy.sqlite3"
    db = open_database(path)
    seed_acme(db)
    db.close()
    suggestion = _dupes(capsys, path)[0]["id"]

    with writer_lock(path):
        code, out, err = run(capsys, "duplicates", "merge", suggestion, "--db", str(path))

    assert (code, out) == (2, "")
    assert err.startswith("error: Another sync is running")
    assert err.count("\n") == 1
    assert suggestion in {s["id"] for s in _dupes(capsys, path)}  # nothing was merged
