"""A seeded, realistic synthetic Pipedrive account, shaped like API v2 responses.

It backs the fake server (demo, tests, benchmarks). The same seed gives the same account.
It looks like a real sales team's data: names from many languages with their accents,
the same company entered several ways ("Acme Corp", "ACME Corp.", "Acme Corporation"),
contacts without email, phone or organization, a few references to organizations the
token cannot see, a year of activities and deals in several currencies and statuses.

Mutations (for tests) bump `update_time` to an advancing clock, one second per change, so
every change is strictly later than everything before it.
"""

from __future__ import annotations

import gc
import random
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Final, Literal, get_args

__all__ = [
    "ACTIVITY_TYPES",
    "FAKE_INDUSTRY_OPTIONS",
    "FAKE_LEAD_STATUS_FIELD",
    "FAKE_LEAD_STATUS_OPTIONS",
    "FAKE_LEAD_STATUS_OPTION_FIELD",
    "ORGANIZATION_FIELDS",
    "PERSON_FIELDS",
    "EntityName",
    "FakeAccount",
]

EntityName = Literal["persons", "organizations", "activities", "deals"]
ENTITY_NAMES: Final[tuple[EntityName, ...]] = get_args(EntityName)

#: The key of the persons' custom text field holding the lead status (new/contacted/...).
FAKE_LEAD_STATUS_FIELD: Final = "3b8d6f1a9c2e4b7d0f5a8c1e3b6d9f2a4c7e0b5d"
#: A custom option field holding the lead status as an option id ("enum"), on some persons.
FAKE_LEAD_STATUS_OPTION_FIELD: Final = "9f4c2a7e1b3d5f8a0c6e2b4d7f1a3c5e8b0d2f4a"
FAKE_LEAD_STATUS_OPTIONS: Final[dict[int, str]] = {
    31: "New",
    32: "Contacted",
    33: "Qualified",
    34: "Unqualified",
    35: "Hot lead",
}
_OPTION_OF_STATUS: Final[dict[str, int]] = {
    label.casefold(): option_id for option_id, label in FAKE_LEAD_STATUS_OPTIONS.items()
}
#: The person fields `GET /v1/personFields` describes: built-in ones, then custom ones.
PERSON_FIELDS: Final[tuple[dict[str, Any], ...]] = (
    {"id": 9001, "key": "name", "name": "Name", "field_type": "varchar"},
    {"id": 9002, "key": "email", "name": "Email", "field_type": "varchar"},
    {"id": 9003, "key": "phone", "name": "Phone", "field_type": "phone"},
    {"id": 9004, "key": "org_id", "name": "Organization", "field_type": "org"},
    {"id": 9005, "key": "owner_id", "name": "Owner", "field_type": "user"},
    {
        "id": 9006,
        "key": "marketing_status",
        "name": "Marketing status",
        "field_type": "enum",
        "options": [
            {"id": 1, "label": "No consent"},
            {"id": 2, "label": "Unsubscribed"},
            {"id": 3, "label": "Subscribed"},
            {"id": 4, "label": "Archived"},
        ],
    },
    {
        "id": 9101,
        "key": FAKE_LEAD_STATUS_FIELD,
        "name": "Lead status (text)",
        "field_type": "varchar",
    },
    {
        "id": 9102,
        "key": FAKE_LEAD_STATUS_OPTION_FIELD,
        "name": "Lead status",
        "field_type": "enum",
        "options": [{"id": k, "label": v} for k, v in FAKE_LEAD_STATUS_OPTIONS.items()],
    },
    {"id": 9103, "key": "c0ffee" * 6 + "c0ff", "name": "Birthday card", "field_type": "date"},
)
#: The organizations' built-in "industry" option field: option id → label.
FAKE_INDUSTRY_OPTIONS: Final[dict[int, str]] = dict(
    enumerate(
        (
            "Agriculture", "Apparel", "Automotive", "Banking", "Biotechnology", "Chemicals",
            "Communications", "Construction", "Consulting", "Education", "Electronics",
            "Energy", "Engineering", "Entertainment", "Environmental", "Finance",
            "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance",
            "Machinery", "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail",
            "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities",
            "Logistics", "Pharmaceuticals", "Real Estate", "Software", "Textiles", "Tourism",
            "Other",
        ),
        start=1,
    )
)  # fmt: skip
#: The organization fields `GET /v1/organizationFields` describes.
ORGANIZATION_FIELDS: Final[tuple[dict[str, Any], ...]] = (
    {"id": 8001, "key": "name", "name": "Name", "field_type": "varchar"},
    {"id": 8002, "key": "address", "name": "Address", "field_type": "address"},
    {
        "id": 8003,
        "key": "industry",
        "name": "Industry",
        "field_type": "enum",
        "options": [{"id": k, "label": v} for k, v in FAKE_INDUSTRY_OPTIONS.items()],
    },
    {"id": 8004, "key": "website", "name": "Website", "field_type": "varchar"},
)
ACTIVITY_TYPES: Final = ("call", "meeting", "email", "task", "deadline", "lunch")

_DAY: Final = 86_400
_YEAR: Final = 365 * _DAY
#: Activities due within this long may still be open; older ones were nearly all done.
_RECENT_SLIP: Final = 21 * _DAY

# fmt: off
_FIRST_NAMES: Final = (
    "José", "Zoë", "Łukasz", "Jürgen", "Anaïs", "Søren", "Ærin", "François", "Chloé", "Björn",
    "Małgorzata", "Þórunn", "Nuño", "Inês", "João", "Ángel", "Renée", "Hélène", "Günther", "Dário",
    "Émilie", "Agnieszka", "Paweł", "Žofie", "Tomáš", "Ondřej", "Mikaël", "Ioana", "Ştefan",
    "Çağla", "Ömer", "Yusuf", "Aiko", "Hiroshi", "Mei", "Wei", "Priya", "Arjun", "Siobhán", "Seán",
    "Niamh", "Oisín", "Anna", "Maria", "Peter", "Thomas", "Laura", "Sarah", "Michael", "David",
    "James", "Emma", "Olivia", "Lucas", "Noah", "Mia", "Sophie", "Max", "Lena", "Felix", "Clara",
    "Jonas", "Eva", "Paul", "Julia", "Ben", "Marta", "Pedro", "Lucía", "Carmen", "Giulia", "Marco",
    "Francesca", "Luca", "Åsa", "Lars", "Ingrid", "Kari",
)
_LAST_NAMES: Final = (
    "Müller", "García", "Nowak", "Kowalczyk", "Wiśniewski", "Dvořák", "Novák", "Svoboda",
    "Øvergård", "Ólafsdóttir", "Lefèvre", "Girard", "Dubois", "Fernández", "González", "Pérez",
    "Sánchez", "Gonçalves", "Conceição", "Schröder", "Köhler", "Weiß", "Groß", "Jäger", "Bäcker",
    "Åkesson", "Ångström", "Lindqvist", "Virtanen", "Mäkinen", "Nieminen", "Yılmaz", "Öztürk",
    "Şahin", "Popescu", "Ionescu", "Kovačević", "Horváth", "Nagy", "O'Brien", "O'Connor",
    "McCarthy", "MacLeod", "van der Berg", "de Vries", "Janssen", "Smith", "Johnson", "Williams",
    "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Thomas", "Moore",
    "Martin", "Lee", "Tanaka", "Suzuki", "Wang", "Li", "Zhang", "Chen", "Kumar", "Patel", "Sharma",
    "Rossi", "Russo", "Bianchi", "Romano", "Colombo", "Ricci", "Hansen", "Johansen", "Nielsen",
    "Jensen", "Petersen", "Schmidt", "Schneider",
)
_JOB_TITLES: Final = (
    "CEO", "CTO", "CFO", "COO", "Head of Sales", "Sales Manager", "Account Executive",
    "Procurement Manager", "Head of Procurement", "Purchasing Agent", "Operations Manager",
    "Marketing Director", "IT Director", "Office Manager", "Founder", "Co-Founder",
    "Managing Director", "Geschäftsführer", "Directeur Commercial", "Responsable Achats",
    "Project Manager", "Product Owner", "Head of Finance", "Buyer", "Assistant", "Consultant",
    "VP Engineering", "Logistics Coordinator", "Key Account Manager", "Einkaufsleiterin",
)
#: Companies whose several spellings, and whose near-namesakes, are the matcher's traps.
_CURATED_STEMS: Final = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises",
    "Nordwind Logistik", "Société Lumière", "Zürcher Feinmechanik", "Łódź Textiles",
    "Café Müller", "Smith & Sons", "Johnson & Johansen", "The Pragmatic Works",
    "Crème Brûlée Bakeries", "Øresund Shipping", "São Paulo Trading", "Ísafjörður Fisk",
    "General Motors", "General Mills", "Apple", "Apple Hospitality REIT", "IBM",
    "International Business Machines", "Kowalski i Synowie", "Fjällräven Outdoor",
)
# fmt: on
#: Legal forms fixed for some curated names, so "Acme Corp" is the canonical Acme.
_FIXED_LEGAL: Final[dict[str, tuple[str, str]]] = {
    "Acme": ("Corp", "Corporation"),
    "Globex": ("Inc", "Incorporated"),
    "Initech": ("LLC", "LLC"),
    "Umbrella": ("Corp", "Corporation"),
    "Stark Industries": ("Inc", "Incorporated"),
    "General Motors": ("", ""),
    "General Mills": ("", ""),
    "Apple": ("Inc", "Incorporated"),
    "Apple Hospitality REIT": ("", ""),
    "IBM": ("", ""),
    "International Business Machines": ("Corp", "Corporation"),
}
#: The first organizations after Acme Corp: the spellings every demo should show.
_FORCED_VARIANTS: Final = ("ACME Corp.", "Acme Corporation")
# fmt: off
_STEM_WORDS_A: Final = (
    "Blue", "North", "Silver", "Bright", "Alpen", "Nova", "Green", "Red", "Iron", "Golden",
    "Clear", "Swift", "Prime", "Urban", "Coastal", "Summit", "Polar", "Solar", "Lumen", "Vector",
    "Delta", "Orion", "Atlas", "Cedar", "Maple", "Oak", "Granite", "Harbor", "Baltic", "Nordic",
    "Rhein", "Danube", "Alto", "Terra", "Aqua", "Helix", "Quantum", "Pioneer", "Liberty", "Falcon",
)
_STEM_WORDS_B: Final = (
    "Logistics", "Analytics", "Dynamics", "Foods", "Systems", "Media", "Robotics", "Labs",
    "Consulting", "Energy", "Textiles", "Pharma", "Software", "Networks", "Freight", "Capital",
    "Holdings", "Solutions", "Industries", "Designs", "Brewing", "Motors", "Health", "Builders",
    "Partners", "Retail", "Electronics", "Chemicals", "Studios", "Insurance", "Hotels",
    "Packaging", "Printing", "Security", "Water", "Timber", "Steel", "Optics", "Airways", "Farms",
)
#: (canonical legal form, its spelled-out form)
_LEGAL_FORMS: Final = (
    ("Corp", "Corporation"), ("Inc", "Incorporated"), ("Ltd", "Limited"), ("GmbH", "GmbH"),
    ("AG", "AG"), ("S.A.", "S.A."), ("SAS", "SAS"), ("Sp. z o.o.", "Sp. z o.o."),
    ("B.V.", "B.V."), ("AB", "AB"), ("Oy", "Oy"), ("LLC", "LLC"), ("plc", "plc"), ("", ""),
    ("", ""), ("", ""),
)
#: (country, cities, top-level domain, phone prefix)
_COUNTRIES: Final = (
    ("Germany", ("Berlin", "München", "Köln", "Düsseldorf", "Hamburg"), "de", "+49"),
    ("France", ("Paris", "Lyon", "Nîmes", "Besançon", "Orléans"), "fr", "+33"),
    ("Poland", ("Warszawa", "Kraków", "Łódź", "Gdańsk", "Poznań"), "pl", "+48"),
    ("Spain", ("Madrid", "Barcelona", "Málaga", "A Coruña", "Córdoba"), "es", "+34"),
    ("Portugal", ("Lisboa", "Porto", "Évora"), "pt", "+351"),
    ("Sweden", ("Stockholm", "Göteborg", "Malmö", "Västerås"), "se", "+46"),
    ("Denmark", ("København", "Aarhus", "Odense"), "dk", "+45"),
    ("Switzerland", ("Zürich", "Genève", "Bern"), "ch", "+41"),
    ("Czechia", ("Praha", "Brno", "Plzeň"), "cz", "+420"),
    ("Iceland", ("Reykjavík", "Akureyri"), "is", "+354"),
    ("Turkey", ("İstanbul", "İzmir", "Ankara"), "com.tr", "+90"),
    ("United Kingdom", ("London", "Manchester", "Edinburgh", "Bristol"), "co.uk", "+44"),
    ("Ireland", ("Dublin", "Cork", "Galway"), "ie", "+353"),
    ("United States", ("New York", "San Francisco", "Austin", "Chicago", "Boston"), "com", "+1"),
    ("Brazil", ("São Paulo", "Rio de Janeiro", "Belo Horizonte"), "com.br", "+55"),
    ("Japan", ("Tokyo", "Osaka"), "co.jp", "+81"),
)
_STREETS: Final = (
    "Hauptstraße", "Rue de la Paix", "ulica Piotrkowska", "Calle Mayor", "Avenida da Liberdade",
    "Drottninggatan", "Bahnhofstrasse", "Main Street", "High Street", "Václavské náměstí",
    "Laugavegur", "Istiklal Caddesi", "Rua Augusta", "Königsallee", "Strøget",
)
# fmt: on
_PRIVATE_MAIL_DOMAINS: Final = ("gmail.com", "outlook.com", "web.de", "gmx.net", "yahoo.fr")
_CURRENCIES: Final = ("EUR", "USD", "GBP", "PLN", "CHF", "SEK")
_CURRENCY_WEIGHTS: Final = (50, 25, 10, 5, 5, 5)
_LEAD_STATUSES: Final = ("new", "contacted", "qualified", "unqualified", None)
_LEAD_STATUS_WEIGHTS: Final = (25, 30, 20, 10, 15)
_MARKETING_STATUSES: Final = ("no_consent", "unsubscribed", "subscribed", "archived")
_ACTIVITY_WEIGHTS: Final = (35, 15, 25, 15, 5, 5)
_SUBJECTS: Final[dict[str, tuple[str, ...]]] = {
    "call": ("Call {first}", "Intro call with {first}", "Follow-up call", "Discovery call"),
    "meeting": ("Meeting at {org}", "Demo for {org}", "Quarterly review", "On-site visit"),
    "email": ("Send proposal to {first}", "Follow up: pricing", "Re: contract draft"),
    "task": ("Prepare offer for {org}", "Update CRM notes", "Check references"),
    "deadline": ("Contract deadline – {org}", "Offer expires", "Budget decision"),
    "lunch": ("Lunch with {first}", "Business lunch – {org}"),
}
_DEAL_PRODUCTS: Final = (
    "Annual licence",
    "Pilot project",
    "Support renewal",
    "Hardware refresh",
    "Onboarding",
    "Expansion – 50 seats",
    "Consulting days",
    "Enterprise plan",
    "Starter package",
)
_LOST_REASONS: Final = ("Price", "Went with a competitor", "No budget", "No decision", "Timing")


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _day(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


_ASCII_FOLD: Final = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "Ae",
        "ß": "ss",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "ı": "i",
        "'": "",
        " ": "",
        "&": "",
        ".": "",
    }
)


@lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, for e-mail local parts and domains."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return "".join(c for c in folded if c.isascii() and c.isalnum()).lower() or "x"


def _org_variant(rng: random.Random, stem: str, legal: tuple[str, str]) -> str:
    """Another way a salesperson might have typed the same company."""
    short, long = legal
    canonical = f"{stem} {short}".strip()
    dotted = short if not short or short.endswith(".") else f"{short}."
    candidates = (
        f"{stem.upper()} {dotted}",
        f"{stem} {long}",
        canonical.lower(),
        f"{stem.replace('&', 'and')} {dotted}" if "&" in stem else f"{stem} {dotted} ",
        stem[4:] if stem.startswith("The ") else f"The {stem} {short}",
        f"{stem}, {short}" if short else f"{stem} Group",
    )
    name = " ".join(candidates[rng.randrange(len(candidates))].split()).strip(" ,")
    return name if name != canonical else f"{stem.upper()} {dotted}".strip()


def _stems(rng: random.Random) -> Iterator[str]:
    """Company names: the curated traps first, then endless generated ones."""
    yield from _CURATED_STEMS
    pairs = [f"{a} {b}" for a in _STEM_WORDS_A for b in _STEM_WORDS_B]
    rng.shuffle(pairs)
    yield from pairs
    round_ = 2
    while True:
        for pair in pairs:
            yield f"{pair} {_COUNTRIES[round_ % len(_COUNTRIES)][0]}"
        round_ += 1


@dataclass(eq=False)
class FakeAccount:
    """A company's Pipedrive data as API-shaped dicts keyed by id, plus its clock.

    `lock` guards every read and write so a server thread can serve while a test mutates;
    `versions` counts changes per entity so readers can cache sorted views.
    """

    me_id: int
    company_id: int
    company_name: str
    company_domain: str
    clock: datetime
    users: dict[int, dict[str, Any]] = field(repr=False)
    persons: dict[int, dict[str, Any]] = field(repr=False)
    organizations: dict[int, dict[str, Any]] = field(repr=False)
    activities: dict[int, dict[str, Any]] = field(repr=False)
    deals: dict[int, dict[str, Any]] = field(repr=False)
    #: Optional person fields served only when asked for with `include_fields`.
    person_extras: dict[int, dict[str, Any]] = field(repr=False, default_factory=dict)
    #: Notes (v1 shapes: times as `YYYY-MM-DD HH:MM:SS`), keyed by id; none are generated.
    notes: dict[int, dict[str, Any]] = field(repr=False, default_factory=dict)
    lock: threading.RLock = field(repr=False, default_factory=threading.RLock)
    versions: dict[str, int] = field(
        repr=False, default_factory=lambda: dict.fromkeys(ENTITY_NAMES, 0)
    )
    deleted: dict[str, set[int]] = field(
        repr=False, default_factory=lambda: {name: set() for name in ENTITY_NAMES}
    )

    # --- Reading ------------------------------------------------------------------------------

    @property
    def me(self) -> dict[str, Any]:
        """The signed-in user, shaped like `GET /v1/users/me` data."""
        return self.users[self.me_id]

    def table(self, entity: EntityName) -> dict[int, dict[str, Any]]:
        tables: dict[str, dict[int, dict[str, Any]]] = {
            "persons": self.persons,
            "organizations": self.organizations,
            "activities": self.activities,
            "deals": self.deals,
        }
        return tables[entity]

    def now(self) -> datetime:
        return self.clock

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward (whole seconds), as if time passed without changes."""
        with self.lock:
            self.clock += timedelta(seconds=max(0, int(seconds)))
            return self.clock

    def _tick(self) -> str:
        self.clock += timedelta(seconds=1)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- Mutations ----------------------------------------------------------------------------

    def _next_id(self, entity: EntityName) -> int:
        table = self.table(entity)
        return max(max(table, default=0), max(self.deleted[entity], default=0)) + 1

    def _add(self, entity: EntityName, item: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            stamp = self._tick()
            item = {**item, "id": self._next_id(entity), "add_time": stamp, "update_time": stamp}
            self.table(entity)[item["id"]] = item
            self.versions[entity] += 1
            return dict(item)

    def _update(self, entity: EntityName, item_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            table = self.table(entity)
            if item_id not in table:
                raise KeyError(f"no {entity} with id {item_id}")
            item = {**table[item_id], **fields, "id": item_id, "update_time": self._tick()}
            table[item_id] = item
            self.versions[entity] += 1
            return dict(item)

    def _remove(self, entity: EntityName, item_id: int) -> None:
        with self.lock:
            table = self.table(entity)
            if item_id not in table:
                raise KeyError(f"no {entity} with id {item_id}")
            del table[item_id]
            self.deleted[entity].add(item_id)
            self._tick()
            self.versions[entity] += 1

    def copy(self) -> FakeAccount:
        """An independent account with the same data, cheaply.

        Item dicts are shared with the original, which is safe because every mutation here
        replaces an item instead of changing it in place; do the same when editing directly.
        """
        with self.lock:
            return FakeAccount(
                me_id=self.me_id,
                company_id=self.company_id,
                company_name=self.company_name,
                company_domain=self.company_domain,
                clock=self.clock,
                users={uid: dict(user) for uid, user in self.users.items()},
                persons=dict(self.persons),
                organizations=dict(self.organizations),
                activities=dict(self.activities),
                deals=dict(self.deals),
                person_extras=dict(self.person_extras),
                notes=dict(self.notes),
                versions=dict(self.versions),
                deleted={name: set(ids) for name, ids in self.deleted.items()},
            )

    def put_raw(self, entity: EntityName, item: dict[str, Any], key: int | None = None) -> None:
        """Store `item` exactly as given, clock untouched: for tests of malformed records.

        `key` places an item that has no usable `id` of its own.
        """
        with self.lock:
            self.table(entity)[item["id"] if key is None else key] = item
            self.versions[entity] += 1

    def add_person(
        self,
        name: str = "",
        *,
        owner_id: int | None = None,
        org_id: int | None = None,
        email: str | None = None,
        phone: str | None = None,
        job_title: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        first, _, last = name.partition(" ")
        item: dict[str, Any] = {
            "name": name,
            "first_name": first,
            "last_name": last,
            "owner_id": self.me_id if owner_id is None else owner_id,
            "org_id": org_id,
            "emails": [{"value": email, "primary": True, "label": "work"}] if email else [],
            "phones": [{"value": phone, "primary": True, "label": "work"}] if phone else [],
            "is_deleted": False,
            "visible_to": 3,
            "label_ids": [],
            "picture_id": None,
            "job_title": job_title,
            "custom_fields": {FAKE_LEAD_STATUS_FIELD: None, FAKE_LEAD_STATUS_OPTION_FIELD: None},
        }
        return self._add("persons", {**item, **fields})

    def update_person(self, person_id: int, **fields: Any) -> dict[str, Any]:
        if "name" in fields and "first_name" not in fields and "last_name" not in fields:
            first, _, last = str(fields["name"]).partition(" ")
            fields = {**fields, "first_name": first, "last_name": last}
        return self._update("persons", person_id, fields)

    def delete_person(self, person_id: int) -> None:
        """Gone from every listing, as Pipedrive does not reliably list deleted persons."""
        self._remove("persons", person_id)

    def add_organization(
        self,
        name: str,
        *,
        owner_id: int | None = None,
        city: str | None = None,
        country: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        address = None
        if city or country:
            value = ", ".join(part for part in (city, country) if part)
            address = {"value": value, "country": country, "locality": city}
        item: dict[str, Any] = {
            "name": name,
            "owner_id": self.me_id if owner_id is None else owner_id,
            "is_deleted": False,
            "visible_to": 3,
            "address": address,
            "label_ids": [],
            "custom_fields": {},
            "website": None,
            "industry": None,
            "employee_count": None,
        }
        return self._add("organizations", {**item, **fields})

    def update_organization(self, org_id: int, **fields: Any) -> dict[str, Any]:
        return self._update("organizations", org_id, fields)

    def delete_organization(self, org_id: int) -> None:
        self._remove("organizations", org_id)

    def add_activity(
        self,
        subject: str = "",
        *,
        type: str = "call",
        person_id: int | None = None,
        org_id: int | None = None,
        deal_id: int | None = None,
        due_date: date | str | None = None,
        done: bool = False,
        owner_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        owner = self.me_id if owner_id is None else owner_id
        item: dict[str, Any] = {
            "subject": subject,
            "type": type,
            "owner_id": owner,
            "creator_user_id": owner,
            "is_deleted": False,
            "deal_id": deal_id,
            "lead_id": None,
            "person_id": person_id,
            "org_id": org_id,
            "project_id": None,
            "due_date": due_date.isoformat() if isinstance(due_date, date) else due_date,
            "due_time": None,
            "duration": None,
            "busy": False,
            "done": done,
            "marked_as_done_time": None,
            "participants": [{"person_id": person_id, "primary": True}] if person_id else [],
            "note": None,
        }
        with self.lock:
            if done and "marked_as_done_time" not in fields:
                item["marked_as_done_time"] = _iso(int(self.clock.timestamp()) + 1)
            return self._add("activities", {**item, **fields})

    def update_activity(self, activity_id: int, **fields: Any) -> dict[str, Any]:
        with self.lock:
            if fields.get("done") is True and "marked_as_done_time" not in fields:
                current = self.activities.get(activity_id, {})
                if not current.get("done"):
                    fields = {
                        **fields,
                        "marked_as_done_time": _iso(int(self.clock.timestamp()) + 1),
                    }
            return self._update("activities", activity_id, fields)

    def delete_activity(self, activity_id: int) -> None:
        self._remove("activities", activity_id)

    def add_note(
        self,
        content: str,
        *,
        person_id: int | None = None,
        org_id: int | None = None,
        deal_id: int | None = None,
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A note as `POST /v1/notes` stores it (v1 shape, times in `YYYY-MM-DD HH:MM:SS`)."""
        with self.lock:
            stamp = self._tick().replace("T", " ").rstrip("Z")
            note_id = max(self.notes, default=0) + 1
            person = self.persons.get(person_id) if person_id is not None else None
            item: dict[str, Any] = {
                "id": note_id,
                "user_id": self.me_id if user_id is None else user_id,
                "deal_id": deal_id,
                "person_id": person_id,
                "org_id": org_id,
                "lead_id": None,
                "project_id": None,
                "content": content,
                "add_time": stamp,
                "update_time": stamp,
                "active_flag": True,
                "pinned_to_deal_flag": False,
                "pinned_to_person_flag": False,
                "pinned_to_organization_flag": False,
                "last_update_user_id": None,
                "person": {"name": person["name"]} if person else None,
            }
            self.notes[note_id] = item
            return dict(item)

    def add_deal(
        self,
        title: str,
        *,
        value: float = 0.0,
        currency: str = "EUR",
        status: str = "open",
        person_id: int | None = None,
        org_id: int | None = None,
        owner_id: int | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        item = _deal_shape(
            title=title,
            owner_id=self.me_id if owner_id is None else owner_id,
            person_id=person_id,
            org_id=org_id,
            value=value,
            currency=currency,
            status=status,
            add_time="",
            update_time="",
            closed=None,
        )
        return self._add("deals", {**item, **fields})

    def update_deal(self, deal_id: int, **fields: Any) -> dict[str, Any]:
        return self._update("deals", deal_id, fields)

    def delete_deal(self, deal_id: int) -> dict[str, Any]:
        """Deleted deals stay listable with `status=deleted`, as in Pipedrive."""
        return self._update("deals", deal_id, {"status": "deleted", "is_deleted": True})

    # --- Generation ---------------------------------------------------------------------------

    @classmethod
    def generate(
        cls,
        seed: int = 7,
        persons: int = 2000,
        owned_persons: int = 500,
        organizations: int = 150,
        activities: int = 4000,
        deals: int = 600,
        now: datetime | None = None,
    ) -> FakeAccount:
        """A new account; the same arguments (and `now`) always give the same data."""
        with _cyclic_gc_paused():
            return cls._generate(
                seed, persons, owned_persons, organizations, activities, deals, now
            )

    @classmethod
    def _generate(
        cls,
        seed: int,
        persons: int,
        owned_persons: int,
        organizations: int,
        activities: int,
        deals: int,
        now: datetime | None,
    ) -> FakeAccount:
        rng = random.Random(seed)
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        now_s = int(moment.timestamp())
        users, me_id = _make_users(now_s)
        colleagues = [uid for uid in users if uid != me_id]
        orgs, org_meta = _make_organizations(rng, organizations, now_s, me_id, colleagues)
        people, extras, person_meta = _make_persons(
            rng, persons, min(owned_persons, persons), now_s, me_id, colleagues, orgs, org_meta
        )
        deal_items, deals_by_person = _make_deals(rng, deals, now_s, people, person_meta)
        activity_items = _make_activities(
            rng, activities, now_s, me_id, people, person_meta, orgs, deals_by_person
        )
        return cls(
            me_id=me_id,
            company_id=4_412_877,
            company_name="Nordlicht Vertrieb GmbH",
            company_domain="nordlicht-vertrieb",
            clock=moment,
            users=users,
            persons=people,
            organizations=orgs,
            activities=activity_items,
            deals=deal_items,
            person_extras=extras,
        )

    def __repr__(self) -> str:
        return (
            f"FakeAccount(me_id={self.me_id}, persons={len(self.persons)}, "
            f"organizations={len(self.organizations)}, activities={len(self.activities)}, "
            f"deals={len(self.deals)}, clock={self.clock.isoformat()})"
        )


# --- Generation helpers -----------------------------------------------------------------------


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block; restore it as it was.

    Building hundreds of thousands of containers that all stay alive makes the collector
    rescan the growing heap again and again, finding nothing: for 10,000 persons and
    50,000 activities that is 2.1 s of CPU instead of 1.5 s (at the default 2,000 persons,
    3 %, which does not matter).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _make_users(now_s: int) -> tuple[dict[int, dict[str, Any]], int]:
    people = (
        ("Maja Ślusarczyk", "maja.slusarczyk"),
        ("Jörg Bäumler", "joerg.baeumler"),
        ("Inès Duchâtel", "ines.duchatel"),
        ("Tom Becker", "tom.becker"),
        ("Ana Lúcia Prado", "ana.prado"),
        ("Henrik Sørensen", "henrik.sorensen"),
    )
    users: dict[int, dict[str, Any]] = {}
    for offset, (name, local) in enumerate(people):
        uid = 21_310_001 + offset
        users[uid] = {
            "id": uid,
            "name": name,
            "default_currency": "EUR",
            "locale": "de_DE",
            "lang": 1,
            "email": f"{local}@nordlicht-vertrieb.example",
            "phone": None,
            "activated": True,
            "last_login": _iso(now_s - 3600 * (offset + 1)).replace("T", " ")[:19],
            "created": "2019-03-04 09:12:45",
            "modified": _iso(now_s - _DAY).replace("T", " ")[:19],
            "has_created_company": offset == 1,
            "access": [{"app": "sales", "admin": offset == 1, "permission_set_id": "1"}],
            "active_flag": True,
            "timezone_name": "Europe/Berlin",
            "timezone_offset": "+01:00",
            "role_id": 1,
            "icon_url": None,
            "is_you": offset == 0,
            "is_deleted": False,
            "company_id": 4_412_877,
            "company_name": "Nordlicht Vertrieb GmbH",
            "company_domain": "nordlicht-vertrieb",
            "company_country": "DE",
            "company_industry": "Software",
            "language": {"language_code": "de", "country_code": "DE"},
        }
    return users, 21_310_001


def _make_organizations(
    rng: random.Random, count: int, now_s: int, me_id: int, colleagues: list[int]
) -> tuple[dict[int, dict[str, Any]], dict[int, tuple[str, str, int]]]:
    """Organizations, a third of them another spelling of an earlier one.

    Returns the items and, per id, (website domain, city, country index) for the persons.
    """
    stems = _stems(rng)
    canon: list[tuple[str, tuple[str, str], str, int, str]] = []
    items: dict[int, dict[str, Any]] = {}
    meta: dict[int, tuple[str, str, int]] = {}
    owners = [me_id, me_id, *colleagues]
    for org_id in range(1, count + 1):
        if 2 <= org_id <= 1 + len(_FORCED_VARIANTS):
            stem, legal, domain, country_ix, city = canon[0]
            name = _FORCED_VARIANTS[org_id - 2]
        elif canon and rng.random() < 0.33:
            stem, legal, domain, country_ix, city = canon[rng.randrange(len(canon))]
            name = _org_variant(rng, stem, legal)
        else:
            stem = next(stems)
            legal = _FIXED_LEGAL.get(stem) or _LEGAL_FORMS[rng.randrange(len(_LEGAL_FORMS))]
            country_ix = rng.randrange(len(_COUNTRIES))
            country, cities, tld, _ = _COUNTRIES[country_ix]
            city = cities[rng.randrange(len(cities))]
            domain = f"{_slug(stem)}.{tld}"
            canon.append((stem, legal, domain, country_ix, city))
            name = f"{stem} {legal[0]}".strip()
        country, _, _, _ = _COUNTRIES[country_ix]
        add_s = now_s - rng.randrange(30 * _DAY, 4 * _YEAR)
        update_s = add_s + rng.randrange(0, now_s - add_s)
        if rng.random() < 0.85:
            street = _STREETS[rng.randrange(len(_STREETS))]
            number = str(rng.randrange(1, 200))
            postal = str(rng.randrange(10_000, 99_999))
            address: dict[str, Any] | None = {
                "value": f"{street} {number}, {postal} {city}, {country}",
                "country": country,
                "admin_area_level_1": None,
                "admin_area_level_2": None,
                "locality": city,
                "sublocality": None,
                "route": street,
                "street_number": number,
                "postal_code": postal,
            }
        else:
            address = None
        items[org_id] = {
            "id": org_id,
            "name": name,
            "owner_id": owners[rng.randrange(len(owners))],
            "add_time": _iso(add_s),
            "update_time": _iso(update_s),
            "is_deleted": False,
            "visible_to": 3,
            "address": address,
            "label_ids": [],
            "custom_fields": {},
            "website": f"https://www.{domain}" if rng.random() < 0.8 else None,
            "industry": rng.randrange(1, 40) if rng.random() < 0.7 else None,
            "employee_count": rng.choice((5, 12, 40, 85, 250, 600, 1500, 12000))
            if rng.random() < 0.6
            else None,
        }
        meta[org_id] = (domain, city, country_ix)
    return items, meta


def _make_persons(
    rng: random.Random,
    count: int,
    owned: int,
    now_s: int,
    me_id: int,
    colleagues: list[int],
    orgs: dict[int, dict[str, Any]],
    org_meta: dict[int, tuple[str, str, int]],
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], dict[int, tuple[str, str]]]:
    """Persons, `owned` of them owned by me; returns items, optional extras, (first, org)."""
    rand = rng.random
    org_ids = list(orgs)
    # A few organizations hold many contacts, most hold a handful.
    cum_weights: list[float] = []
    total = 0.0
    for rank in range(len(org_ids)):
        total += 1.0 / (rank + 1) ** 0.7
        cum_weights.append(total)
    picked_orgs = rng.choices(org_ids, cum_weights=cum_weights, k=count) if org_ids else []
    lead_statuses = rng.choices(_LEAD_STATUSES, weights=_LEAD_STATUS_WEIGHTS, k=count)
    mine = set(rng.sample(range(count), owned))
    invisible_org = max(org_ids, default=0) + 10_000
    items: dict[int, dict[str, Any]] = {}
    extras: dict[int, dict[str, Any]] = {}
    meta: dict[int, tuple[str, str]] = {}
    first_names, last_names, titles = _FIRST_NAMES, _LAST_NAMES, _JOB_TITLES
    n_first, n_last, n_titles, n_colleagues = (
        len(first_names),
        len(last_names),
        len(titles),
        len(colleagues),
    )
    for index in range(count):
        person_id = index + 1
        roll = rand()
        org_id: int | None
        if not org_ids or roll < 0.1:
            org_id = None
        elif roll < 0.105:
            org_id = invisible_org + index  # an organization this token cannot see
        else:
            org_id = picked_orgs[index]
        first = first_names[int(rand() * n_first)]
        last = last_names[int(rand() * n_last)]
        if rand() < 0.0015:
            first, last = "", ""
        name = f"{first} {last}".strip()
        if org_id in org_meta:
            domain, _, country_ix = org_meta[org_id]
        else:
            domain, country_ix = f"{_slug(last)}-consulting.com", int(rand() * len(_COUNTRIES))
        emails: list[dict[str, Any]] = []
        if name and rand() < 0.85:
            work = f"{_slug(first)}.{_slug(last)}@{domain}"
            emails.append({"value": work, "primary": True, "label": "work"})
            if rand() < 0.2:
                private_domain = _PRIVATE_MAIL_DOMAINS[int(rand() * len(_PRIVATE_MAIL_DOMAINS))]
                private = f"{_slug(first)}{10 + int(rand() * 89)}@{private_domain}"
                if rand() < 0.3:  # the private address is primary, listed second
                    emails[0]["primary"] = False
                    emails.append({"value": private, "primary": True, "label": "home"})
                else:
                    emails.append({"value": private, "primary": False, "label": "home"})
        phones: list[dict[str, Any]] = []
        if rand() < 0.7:
            prefix = _COUNTRIES[country_ix][3]
            phone = f"{prefix} {10 + int(rand() * 989)} {100_000 + int(rand() * 9_899_999)}"
            phones.append({"value": phone, "primary": True, "label": "work"})
        add_s = now_s - 2 * _DAY - int(rand() * (3 * _YEAR))
        update_s = add_s + int(rand() * (now_s - add_s))
        owner = me_id if index in mine else colleagues[int(rand() * n_colleagues)]
        items[person_id] = {
            "id": person_id,
            "name": name,
            "first_name": first,
            "last_name": last,
            "owner_id": owner,
            "org_id": org_id,
            "add_time": _iso(add_s),
            "update_time": _iso(update_s),
            "emails": emails,
            "phones": phones,
            "is_deleted": False,
            "visible_to": 3,
            "label_ids": [],
            "picture_id": None,
            "job_title": titles[int(rand() * n_titles)] if rand() < 0.75 else None,
            "custom_fields": {
                FAKE_LEAD_STATUS_FIELD: lead_statuses[index],
                # Two persons in three carry the option field too; the rest leave it empty.
                FAKE_LEAD_STATUS_OPTION_FIELD: _OPTION_OF_STATUS.get(lead_statuses[index] or "")
                if person_id % 3
                else None,
            },
        }
        mails = int(rand() * 60) if emails else 0
        extras[person_id] = {
            "email_messages_count": mails,
            "last_incoming_mail_time": _iso(now_s - _DAY - int(rand() * 200 * _DAY))
            if mails > 2
            else None,
            "last_outgoing_mail_time": _iso(now_s - _DAY - int(rand() * 200 * _DAY))
            if mails
            else None,
            "marketing_status": _MARKETING_STATUSES[int(rand() * 4)] if emails else "no_consent",
        }
        org_name = orgs[org_id]["name"] if org_id in orgs else ""
        meta[person_id] = (first or "there", org_name)
    return items, extras, meta


def _deal_shape(
    *,
    title: str,
    owner_id: int,
    person_id: int | None,
    org_id: int | None,
    value: float,
    currency: str,
    status: str,
    add_time: str,
    update_time: str,
    closed: str | None,
) -> dict[str, Any]:
    return {
        "title": title,
        "owner_id": owner_id,
        "person_id": person_id,
        "org_id": org_id,
        "pipeline_id": 1,
        "stage_id": 1,
        "value": value,
        "currency": currency,
        "add_time": add_time,
        "update_time": update_time,
        "stage_change_time": update_time,
        "is_deleted": status == "deleted",
        "is_archived": False,
        "status": status,
        "probability": None,
        "lost_reason": None,
        "visible_to": 3,
        "close_time": closed,
        "won_time": closed if status == "won" else None,
        "lost_time": closed if status == "lost" else None,
        "expected_close_date": None,
        "label_ids": [],
        "origin": "ManuallyCreated",
        "origin_id": None,
        "channel": None,
        "channel_id": None,
        "arr": None,
        "mrr": None,
        "acv": None,
        "custom_fields": {},
    }


def _make_deals(
    rng: random.Random,
    count: int,
    now_s: int,
    persons: dict[int, dict[str, Any]],
    person_meta: dict[int, tuple[str, str]],
) -> tuple[dict[int, dict[str, Any]], dict[int, list[int]]]:
    person_ids = list(persons)
    items: dict[int, dict[str, Any]] = {}
    by_person: dict[int, list[int]] = {}
    statuses = ("open", "won", "lost", "deleted")
    for deal_id in range(1, count + 1):
        person_id = person_ids[rng.randrange(len(person_ids))] if person_ids else None
        person = persons[person_id] if person_id is not None else None
        org_id = person["org_id"] if person else None
        owner = person["owner_id"] if person else 0
        _, org_name = person_meta[person_id] if person_id is not None else ("", "")
        product = _DEAL_PRODUCTS[rng.randrange(len(_DEAL_PRODUCTS))]
        title = f"{org_name or (person['name'] if person else 'New customer')} – {product}"
        status = rng.choices(statuses, weights=(50, 25, 18, 7))[0]
        if rng.random() < 0.05:
            value = 0.0
        elif rng.random() < 0.5:
            value = float(round(rng.lognormvariate(8.3, 1.3), -2))
        else:
            value = round(rng.lognormvariate(8.3, 1.3), 2)
        currency = rng.choices(_CURRENCIES, weights=_CURRENCY_WEIGHTS)[0]
        add_s = now_s - rng.randrange(_DAY, 2 * _YEAR)
        if status == "deleted":  # Pipedrive lists deleted deals for 30 days only
            update_s = now_s - rng.randrange(0, 29 * _DAY)
            add_s = min(add_s, update_s)
        else:
            update_s = add_s + rng.randrange(0, now_s - add_s)
        closed = _iso(update_s) if status in ("won", "lost") else None
        item: dict[str, Any] = {"id": deal_id}
        item |= _deal_shape(
            title=title,
            owner_id=owner,
            person_id=person_id,
            org_id=org_id,
            value=value,
            currency=currency,
            status=status,
            add_time=_iso(add_s),
            update_time=_iso(update_s),
            closed=closed,
        )
        item["stage_id"] = rng.randrange(1, 7)
        if status == "open":
            item["probability"] = rng.choice((None, 10, 25, 50, 75, 90))
            item["expected_close_date"] = _day(now_s + rng.randrange(_DAY, 120 * _DAY))
        elif status == "lost":
            item["lost_reason"] = _LOST_REASONS[rng.randrange(len(_LOST_REASONS))]
        items[deal_id] = item
        if person_id is not None:
            by_person.setdefault(person_id, []).append(deal_id)
    return items, by_person


def _make_activities(
    rng: random.Random,
    count: int,
    now_s: int,
    me_id: int,
    persons: dict[int, dict[str, Any]],
    person_meta: dict[int, tuple[str, str]],
    orgs: dict[int, dict[str, Any]],
    deals_by_person: dict[int, list[int]],
) -> dict[int, dict[str, Any]]:
    """A year of activities, most of them on the contacts I own, most past ones done."""
    rand = rng.random
    all_ids = list(persons)
    mine = [pid for pid, p in persons.items() if p["owner_id"] == me_id] or all_ids
    n_all, n_mine = len(all_ids), len(mine)
    types = rng.choices(ACTIVITY_TYPES, weights=_ACTIVITY_WEIGHTS, k=count)
    items: dict[int, dict[str, Any]] = {}
    for index in range(count):
        activity_id = index + 1
        kind = types[index]
        roll = rand()
        person_id: int | None
        if not all_ids or roll < 0.05:
            person_id = None
        elif roll < 0.6:
            person_id = mine[int(rand() * n_mine)]
        else:
            person_id = all_ids[int(rand() * n_all)]
        person = persons[person_id] if person_id is not None else None
        org_id = person["org_id"] if person and person["org_id"] in orgs else None
        first, org_name = person_meta[person_id] if person_id is not None else ("there", "")
        templates = _SUBJECTS[kind]
        subject = templates[int(rand() * len(templates))].format(
            first=first, org=org_name or "the client"
        )
        if rand() < 0.9:
            due_s = now_s - int(rand() * _YEAR)
        else:
            due_s = now_s + _DAY + int(rand() * 29 * _DAY)
        add_s = min(now_s, due_s) - int(rand() * 20 * _DAY)
        # Most of what fell due was done; what was let slip is mostly recent, as in a
        # worked list (a few stragglers from months ago), not a fifth of a whole year.
        done = due_s <= now_s and rand() < (0.8 if now_s - due_s < _RECENT_SLIP else 0.99)
        done_s = min(now_s, due_s + int(rand() * 3 * _DAY)) if done else None
        update_s = max(add_s, done_s or 0)
        if rand() < 0.2:
            update_s = min(now_s, update_s + int(rand() * 30 * _DAY))
        person_deals = deals_by_person.get(person_id, ()) if person_id is not None else ()
        deal_id = person_deals[0] if person_deals and rand() < 0.5 else None
        timed = kind in ("call", "meeting", "lunch")
        owner = person["owner_id"] if person else me_id
        items[activity_id] = {
            "id": activity_id,
            "subject": subject,
            "type": kind,
            "owner_id": owner,
            "creator_user_id": owner,
            "is_deleted": False,
            "add_time": _iso(add_s),
            "update_time": _iso(update_s),
            "deal_id": deal_id,
            "lead_id": None,
            "person_id": person_id,
            "org_id": org_id,
            "project_id": None,
            "due_date": _day(due_s),
            "due_time": f"{9 + (due_s // 3600) % 9:02d}:{(due_s // 60) % 4 * 15:02d}:00"
            if timed
            else None,
            "duration": "00:30:00" if timed else None,
            "busy": timed,
            "done": done,
            "marked_as_done_time": _iso(done_s) if done_s is not None else None,
            "participants": [{"person_id": person_id, "primary": True}] if person_id else [],
            "note": None,
        }
    return items
