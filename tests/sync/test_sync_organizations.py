"""Organizations in the sync: equal spellings merge, different companies never do."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipedriven_desktop.domain.orgnames import OrgCandidate, suggest_matches
from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Organization, OrganizationAlias
from pipedriven_desktop.store.org_merge import (
    keep_separate,
    merge_suggestion,
    open_suggestions,
    undo_merge,
)
from pipedriven_desktop.store.organizations import (
    OrganizationFields,
    OrganizationResolver,
    record_suggestions,
)
from tests.sync.conftest import SyncFn, assert_mirror_matches, rows


def _local_org(db: Database, pipedrive_org_id: int) -> str:
    (row,) = rows(
        db,
        "SELECT organization_id FROM organization_aliases WHERE pipedrive_org_id = :p",
        p=pipedrive_org_id,
    )
    return str(row.organization_id)


def _org_named(account: FakeAccount, name: str) -> int:
    return next(i for i, o in account.organizations.items() if o["name"] == name)


def test_spellings_equal_after_normalization_become_one_organization(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    acme = account.add_organization("Acme Corp")
    dotted = account.add_organization("ACME Corp.")
    spaced = account.add_organization("  acme   corp ")
    person = account.add_person("Ana Acme", org_id=dotted["id"], email="ana@acme.example")

    sync()

    local = {_local_org(db, org["id"]) for org in (acme, dotted, spaced)}
    assert len(local) == 1
    (contact,) = rows(
        db, "SELECT organization_id FROM contacts WHERE pipedrive_person_id = :p", p=person["id"]
    )
    assert contact.organization_id in local
    assert_mirror_matches(db, account)


def test_different_companies_are_never_merged(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    motors = _local_org(db, _org_named(account, "General Motors"))
    mills = _local_org(db, _org_named(account, "General Mills"))
    apple = _local_org(db, _org_named(account, "Apple Inc"))
    reit = _local_org(db, _org_named(account, "Apple Hospitality REIT"))

    assert len({motors, mills, apple, reit}) == 4
    pairs = {
        frozenset(p) for p in rows(db, "SELECT organization_id, candidate_id FROM org_suggestions")
    }
    assert frozenset((motors, mills)) not in pairs
    assert frozenset((apple, reit)) not in pairs


def test_near_matches_become_suggestions_not_merges(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    corp = _local_org(db, _org_named(account, "Acme Corp"))
    corporation = _local_org(db, _org_named(account, "Acme Corporation"))
    assert corp != corporation
    pairs = {
        frozenset(p) for p in rows(db, "SELECT organization_id, candidate_id FROM org_suggestions")
    }
    assert frozenset((corp, corporation)) in pairs
    assert rows(db, "SELECT value FROM app_meta WHERE key = 'orgs_pending_suggestions'") == []


def test_an_organization_added_later_merges_into_the_existing_one(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    before = rows(db, "SELECT count(*) FROM organizations")[0][0]
    variant = account.add_organization("acme corp")
    near = account.add_organization("The Acme Corp Group Holdings")
    person = account.add_person("Bo Variant", org_id=variant["id"])

    result = sync()

    assert result.created == 3  # two Pipedrive organizations and the person
    assert rows(db, "SELECT count(*) FROM organizations")[0][0] == before + 1
    assert _local_org(db, variant["id"]) == _local_org(db, _org_named(account, "Acme Corp"))
    assert _local_org(db, near["id"]) != _local_org(db, variant["id"])
    (contact,) = rows(
        db, "SELECT organization_id FROM contacts WHERE pipedrive_person_id = :p", p=person["id"]
    )
    assert contact.organization_id == _local_org(db, variant["id"])
    assert_mirror_matches(db, account)


def test_deleting_one_of_two_merged_organizations_keeps_the_other(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    first = account.add_organization("Merged Example Ltd")
    second = account.add_organization("MERGED EXAMPLE LTD.")
    stays = account.add_person("Stays Here", org_id=second["id"])
    sync()
    local = _local_org(db, second["id"])

    account.delete_organization(first["id"])
    sync(full=True)

    assert _local_org(db, second["id"]) == local
    (org,) = rows(db, "SELECT * FROM organizations WHERE id = :o", o=local)
    assert org.pipedrive_org_id == second["id"]
    (contact,) = rows(
        db, "SELECT organization_id FROM contacts WHERE pipedrive_person_id = :p", p=stays["id"]
    )
    assert contact.organization_id == local
    assert_mirror_matches(db, account)


# --- The store helpers the sync relies on ------------------------------------------------------

_NAMES = [
    "Acme Corp",
    "ACME Corp.",
    "Acme Corporation",
    "Globex Inc",
    "globex inc",
    "General Motors",
    "General Mills",
    "",
    "Initech LLC",
    "Acme Corp",
]


@pytest.mark.parametrize("reverse", [False, True])
def test_resolve_many_gives_what_resolve_gives_one_by_one(db: Database, reverse: bool) -> None:
    now = datetime(2025, 1, 1)
    existing = [OrganizationFields(name="Globex, Inc.", pipedrive_org_id=900, city="Springfield")]
    batch = [
        OrganizationFields(name=name, pipedrive_org_id=100 + i, city=f"City {i}")
        for i, name in enumerate(_NAMES)
    ]
    batch.append(OrganizationFields(name="Globex Renamed", pipedrive_org_id=900, website="g.io"))
    batch.append(OrganizationFields(name="ACME CORP", pipedrive_org_id=101, industry="Anvils"))
    if reverse:
        batch.reverse()

    def resolve(bulk: bool) -> Snapshot:
        with db.sessions() as session, session.begin():
            OrganizationResolver(session).resolve_many(existing, now)
            resolver = OrganizationResolver(session)
            if bulk:
                results = resolver.resolve_many(batch, now)
            else:
                results = [resolver.resolve(fields, now) for fields in batch]
            session.flush()
            snapshot = _snapshot(session, results)
            session.rollback()
            return snapshot

    assert resolve(bulk=True) == resolve(bulk=False)


Snapshot = tuple[list[tuple[int, bool]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _snapshot(session: Session, results: list[tuple[str, bool]]) -> Snapshot:
    """Results, aliases and organizations, with local ids replaced by stable labels."""
    label: dict[str, int] = {}
    for local, _ in results:
        label.setdefault(local, len(label))
    aliases = sorted(
        session.execute(
            select(
                OrganizationAlias.pipedrive_org_id,
                OrganizationAlias.organization_id,
                OrganizationAlias.name,
            )
        ).all()
    )
    for _, local, _ in aliases:
        label.setdefault(local, len(label))
    orgs = sorted(
        (
            label[o.id],
            o.name,
            o.normalized_name,
            o.pipedrive_org_id,
            o.industry,
            o.website,
            o.city,
        )
        for o in session.scalars(select(Organization))
    )
    return (
        [(label[local], created) for local, created in results],
        [(pid, label[local], name) for pid, local, name in aliases],
        orgs,
    )


def test_suggestions_with_the_candidate_prefilter_equal_the_unfiltered_ones(
    db: Database, sync: SyncFn
) -> None:
    sync()
    orgs = [(r.id, r.name) for r in rows(db, "SELECT id, name FROM organizations ORDER BY id")]
    candidates = [OrgCandidate(id=i, name=n) for i, n in orgs]
    expected: set[tuple[str, str, float]] = set()
    for org_id, name in orgs:
        others = [c for c in candidates if c.id != org_id]
        for suggestion in suggest_matches(name, others):
            if not any({a, b} == {org_id, suggestion.id} for a, b, _ in expected):
                expected.add((org_id, suggestion.id, round(suggestion.score, 3)))

    with db.sessions() as session, session.begin():
        conn = session.connection()
        conn.exec_driver_sql("DELETE FROM org_suggestions")
        conn.exec_driver_sql("UPDATE contacts SET email = NULL")  # spelling alone, as above
        record_suggestions(session, [i for i, _ in orgs], datetime(2025, 1, 1, tzinfo=UTC))
        session.flush()
        recorded = {
            (a, b, round(score, 3))
            for a, b, score in conn.exec_driver_sql(
                "SELECT organization_id, candidate_id, score FROM org_suggestions"
            ).fetchall()
        }
        session.rollback()

    assert recorded == expected
    assert len(recorded) > 5


# --- Merges the user made hold through syncs ---------------------------------------------------


def _suggestion_between(db: Database, first: str, second: str) -> Any:
    (row,) = rows(
        db,
        "SELECT * FROM org_suggestions WHERE (organization_id = :a AND candidate_id = :b)"
        " OR (organization_id = :b AND candidate_id = :a)",
        a=first,
        b=second,
    )
    return row


def _orgs_of_people(db: Database, person_ids: list[int]) -> set[str]:
    return {
        r.organization_id
        for r in rows(db, "SELECT organization_id, pipedrive_person_id FROM contacts")
        if r.pipedrive_person_id in person_ids
    }


def _people_of(account: FakeAccount, db: Database, local_id: str) -> list[int]:
    """Persons of every Pipedrive organization the local one stands for."""
    pids = {
        r.pipedrive_org_id
        for r in rows(
            db,
            "SELECT pipedrive_org_id FROM organization_aliases WHERE organization_id = :o",
            o=local_id,
        )
    }
    return [pid for pid, p in account.persons.items() if p.get("org_id") in pids]


def test_a_merge_holds_through_renames_and_full_syncs_and_undo_restores_it(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    corp_pid = _org_named(account, "Acme Corp")
    corporation_pid = _org_named(account, "Acme Corporation")
    sync()
    corp, corporation = _local_org(db, corp_pid), _local_org(db, corporation_pid)
    suggestion = _suggestion_between(db, corp, corporation)
    corp_people, corporation_people = (
        _people_of(account, db, corp),
        _people_of(account, db, corporation),
    )
    with db.session() as session:
        merged = merge_suggestion(session, suggestion.id, name="Acme Corp")
    assert (merged.organization_id, merged.absorbed_id) == (corp, corporation)

    for pid, org in account.organizations.items():  # renamed in Pipedrive, every spelling
        if org["name"] == "Acme Corporation":
            account.update_organization(pid, name="Acme Corporation (EMEA)")
    newcomer = account.add_person("Nia New", org_id=corporation_pid)
    sync()
    sync(full=True)

    people = _people_of(account, db, corp)
    assert set(people) == {*corp_people, *corporation_people, newcomer["id"]}
    assert _local_org(db, corporation_pid) == corp
    assert _orgs_of_people(db, people) == {corp}
    (org,) = rows(db, "SELECT * FROM organizations WHERE id = :o", o=corp)
    assert (org.name, org.contact_count) == ("Acme Corp", len(people))
    assert not rows(db, "SELECT 1 FROM organizations WHERE id = :o", o=corporation)

    with db.session() as session:
        assert undo_merge(session, corp) == corporation
    sync()
    sync(full=True)

    assert _local_org(db, corporation_pid) == corporation
    assert _local_org(db, corp_pid) == corp
    assert set(_people_of(account, db, corporation)) == {*corporation_people, newcomer["id"]}
    assert set(_people_of(account, db, corp)) == set(corp_people)
    assert _orgs_of_people(db, [*corporation_people, newcomer["id"]]) == {corporation}
    assert _orgs_of_people(db, corp_people) == {corp}
    (restored,) = rows(db, "SELECT * FROM organizations WHERE id = :o", o=corporation)
    assert restored.contact_count == len(corporation_people) + 1
    assert restored.name == "Acme Corporation (EMEA)"  # renamed while merged
    assert _suggestion_between(db, corp, corporation).status == "open"
    assert_mirror_matches(db, account)


def test_keep_separate_is_remembered_through_incremental_and_full_syncs(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    corp = _local_org(db, _org_named(account, "Acme Corp"))
    corporation = _local_org(db, _org_named(account, "Acme Corporation"))
    with db.session() as session:
        keep_separate(session, _suggestion_between(db, corp, corporation).id)
    account.add_organization("ACME Corp.")  # a new spelling of one of them
    sync()
    sync(full=True)

    assert _suggestion_between(db, corp, corporation).status == "kept_separate"
    assert corp != corporation
    with db.engine.connect() as conn:
        open_ids = {s.id for s in open_suggestions(conn.connection.dbapi_connection)}  # type: ignore[arg-type]
    assert _suggestion_between(db, corp, corporation).id not in open_ids


def test_undo_after_syncs_gives_back_the_mirror_as_it_was_before_the_merge(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    corp = _local_org(db, _org_named(account, "Acme Corp"))
    corporation = _local_org(db, _org_named(account, "Acme Corporation"))
    tables = ("organizations", "organization_aliases", "contacts", "activities", "deals")
    before = {t: rows(db, f"SELECT * FROM {t} ORDER BY 1") for t in tables}
    with db.session() as session:
        merged = merge_suggestion(session, _suggestion_between(db, corp, corporation).id)
    sync()
    sync(full=True)
    with db.session() as session:
        undo_merge(session, merged.organization_id)
    sync()

    assert {t: rows(db, f"SELECT * FROM {t} ORDER BY 1") for t in tables} == before
    assert _suggestion_between(db, corp, corporation).status == "open"


def test_a_name_chosen_when_merging_outlasts_renames_and_full_syncs_unchanged(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    corp_pid = _org_named(account, "Acme Corp")
    corp = _local_org(db, corp_pid)
    corporation = _local_org(db, _org_named(account, "Acme Corporation"))
    with db.session() as session:
        merged = merge_suggestion(
            session, _suggestion_between(db, corp, corporation).id, name="ACME Group"
        )
    (primary,) = rows(db, "SELECT pipedrive_org_id FROM organizations WHERE id = :o", o=corp)
    account.update_organization(primary.pipedrive_org_id, name="Acme Corp Europe")

    sync()
    assert sync(full=True).updated == 0  # the chosen name is no change to write again

    (org,) = rows(db, "SELECT name FROM organizations WHERE id = :o", o=merged.organization_id)
    assert org.name == "ACME Group"
