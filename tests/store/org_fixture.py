"""A small, fully known organization mirror for the organization reads and views.

Owner 1 is the user: 3 contacts at Acme Corp (cold, warm, hot), 1 at Acme Corporation and
1 without an organization; owner 2 has 2 at Acme Corp, 2 at Lonely Ltd and 1 without.
Acme Corp stands for two Pipedrive organizations (#1 and #6); it and Acme Corporation
are an open duplicate suggestion sharing the acme.com email domain.
"""

from __future__ import annotations

from datetime import datetime

from pipedriven_desktop.domain.orgnames import normalize_org_name
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import (
    Activity,
    Contact,
    Deal,
    Organization,
    OrganizationAlias,
    OrgSuggestionRow,
)

NOW = datetime(2026, 11, 30, 9, 0)
OWNER = 1
ACME = "org-acme"
ACME_CORPORATION = "org-acme-corporation"
LONELY = "org-lonely"
SUGGESTION = "sugg-1"


def _org(org_id: str, name: str, pipedrive_id: int, **details: object) -> Organization:
    return Organization(
        id=org_id,
        name=name,
        normalized_name=normalize_org_name(name),
        pipedrive_org_id=pipedrive_id,
        created_at=NOW,
        updated_at=NOW,
        **details,
    )


def build_org_mirror(db: Database) -> None:
    with db.session() as session:
        session.add_all(
            [
                _org(
                    ACME,
                    "Acme Corp",
                    1,
                    industry="Software",
                    size=120,
                    website="acme.com",
                    address="Königsallee 1",
                    city="Düsseldorf",
                    country="Germany",
                    contact_count=5,
                    last_activity=datetime(2026, 11, 20, 10, 0),
                ),
                _org(
                    ACME_CORPORATION,
                    "Acme Corporation",
                    2,
                    website="https://acme.com",
                    city="Düsseldorf",
                    contact_count=1,
                ),
                _org(LONELY, "Lonely Ltd", 3, contact_count=2),
            ]
        )
        session.flush()
        session.add_all(
            [
                OrganizationAlias(pipedrive_org_id=1, organization_id=ACME, name="Acme Corp"),
                OrganizationAlias(pipedrive_org_id=6, organization_id=ACME, name="ACME Corp."),
                OrganizationAlias(
                    pipedrive_org_id=2, organization_id=ACME_CORPORATION, name="Acme Corporation"
                ),
                OrganizationAlias(pipedrive_org_id=3, organization_id=LONELY, name="Lonely Ltd"),
            ]
        )
        people = [
            ("Ann Cold", ACME, OWNER, 1, "ann@acme.com"),
            ("Ben Warm", ACME, OWNER, 5, "ben@acme.com"),
            ("Cy Hot", ACME, OWNER, 8, None),
            ("Dee Other", ACME, 2, 2, "dee@gmail.com"),
            ("Eve Other", ACME, 2, 9, None),
            ("Fay Corp", ACME_CORPORATION, OWNER, 4, "fay@acme.com"),
            ("Gus Lonely", LONELY, 2, 3, None),
            ("Hal Lonely", LONELY, 2, 3, None),
            ("Ida Nowhere", None, OWNER, 0, None),
            ("Jon Nowhere", None, 2, 0, None),
        ]
        for index, (name, org, owner, score, email) in enumerate(people, start=1):
            session.add(
                Contact(
                    id=f"contact-{index}",
                    pipedrive_person_id=index,
                    name=name,
                    email=email,
                    organization_id=org,
                    owner_id=owner,
                    warmness_score=score,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.flush()
        session.add_all(
            [
                Deal(
                    id="d1",
                    title="A",
                    organization_id=ACME,
                    value=100,
                    currency="EUR",
                    status="open",
                ),
                Deal(
                    id="d2",
                    title="B",
                    organization_id=ACME,
                    value=250,
                    currency="EUR",
                    status="open",
                ),
                Deal(
                    id="d3",
                    title="C",
                    organization_id=ACME,
                    value=999,
                    currency="EUR",
                    status="won",
                ),
                Deal(
                    id="d4",
                    title="D",
                    organization_id=ACME_CORPORATION,
                    value=40,
                    currency="USD",
                    status="open",
                ),
                Activity(
                    id="a1",
                    organization_id=ACME_CORPORATION,
                    type="call",
                    add_time=datetime(2026, 10, 1, 8, 0),
                ),
                OrgSuggestionRow(
                    id=SUGGESTION,
                    organization_id=ACME,
                    candidate_id=ACME_CORPORATION,
                    score=92.0,
                    reasons="same name without legal suffix; same email domain acme.com",
                    status="open",
                    created_at=NOW,
                ),
            ]
        )
