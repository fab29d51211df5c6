from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pipedriven_desktop.cli import EXPORT_FIELDS, ORG_FIELDS, main
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.synthetic import populate


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
