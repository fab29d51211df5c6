"""A labelled evaluation set of organization-name pairs, and the matcher's scores on it.

The set is made from real company names (``tests/fixtures/org_matching/companies.csv``,
with their country and website) and committed as ``pairs.csv``, so every run scores the
same pairs. Duplicates are the spellings salespeople and imports produce (legal forms in
many languages, typos, abbreviations, qualifiers, "&", accents, "The", hyphens, "Group");
near misses are real distinct companies with alike names (hand-picked traps such as
General Motors / General Mills, and every pair of the list whose loose keys are close),
also misspelt. Each side carries the evidence a CRM would have, at random: the website,
the country, the contacts' email domain.

Regenerate (only when the generator changes) with
``.venv/bin/python -m tests.domain.org_matching_eval --write``.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz

from pipedriven_desktop.domain.orgnames import (
    OrgCandidate,
    compare,
    match_key,
    normalize_org_name,
    website_domain,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "org_matching"
COMPANIES = FIXTURES / "companies.csv"
PAIRS = FIXTURES / "pairs.csv"
SEED = 20261130
PAIR_FIELDS = (
    "kind",
    "duplicate",
    "left",
    "right",
    "left_website",
    "right_website",
    "left_country",
    "right_country",
    "left_email_domain",
    "right_email_domain",
)

#: Distinct real companies whose names are alike: the traps a matcher must not fall into.
TRAPS: tuple[tuple[str, str], ...] = (
    ("General Motors", "General Mills"),
    ("General Motors Company", "General Mills Inc."),
    ("General Electric", "General Dynamics"),
    ("Siemens", "Siemens Energy"),
    ("Siemens AG", "Siemens Healthineers AG"),
    ("Siemens Energy", "Siemens Healthineers"),
    ("Deutsche Bank", "Deutsche Bahn"),
    ("Deutsche Bank AG", "Deutsche Bahn AG"),
    ("Deutsche Post", "Deutsche Börse"),
    ("Deutsche Telekom", "Deutsche Wohnen"),
    ("American Airlines", "American Express"),
    ("American Airlines Group", "American International Group"),
    ("United Airlines", "United Rentals"),
    ("United Parcel Service", "United Natural Foods"),
    ("Apple", "Apple Hospitality REIT"),
    ("Apple Inc.", "Apple Corps Ltd"),
    ("Aldi Süd", "Aldi Nord"),
    ("Volvo AB", "Volvo Car AB"),
    ("Yamaha Corporation", "Yamaha Motor Co. Ltd."),
    ("Mitsubishi Corporation", "Mitsubishi Electric Corporation"),
    ("Mitsubishi Electric", "Mitsubishi Heavy Industries"),
    ("Sumitomo Corporation", "Sumitomo Mitsui Financial Group"),
    ("Marathon Oil", "Marathon Petroleum"),
    ("Fresenius SE", "Fresenius Medical Care AG"),
    ("Dassault Systèmes", "Dassault Aviation"),
    ("Tata Motors", "Tata Steel"),
    ("LG Electronics", "LG Chem"),
    ("Delta Air Lines", "Delta Electronics"),
    ("Continental AG", "Continental Resources"),
    ("Stadtwerke München", "Stadtwerke Köln"),
    ("Stadtwerke Düsseldorf AG", "Stadtwerke Köln GmbH"),
    ("Bank of America", "Bank of China"),
    ("Bank of Montreal", "Bank of Nova Scotia"),
    ("Banco Santander", "Banco Sabadell"),
    ("Banco do Brasil", "Banco Bradesco"),
    ("Intel", "Intuit"),
    ("Nokia", "Nikon"),
    ("Aviva", "Avis"),
    ("Allianz", "Alliance Data Systems"),
    ("Alliance Boots", "Walgreens Boots Alliance"),
    ("Heineken", "Henkel"),
    ("Lindt & Sprüngli", "Linde"),
    ("Marks and Spencer", "Marks & Clerk"),
    ("Smith & Nephew", "DS Smith"),
    ("Smith & Nephew", "Smith and Wesson"),
    ("Warner Bros. Discovery", "Warner Music Group"),
    ("Universal Music Group", "Universal Pictures"),
    ("Universal Display", "Universal Forest Products"),
    ("National Instruments", "National Semiconductor"),
    ("National Grid", "National Fuel Gas"),
    ("International Paper", "International Game Technology"),
    ("International Data Group", "International Seaways"),
    ("First Solar", "First Republic Bank"),
    ("First Horizon", "First American Financial"),
    ("Pacific Gas and Electric", "Pacific Life Insurance"),
    ("Sony Group", "Sony Music Entertainment"),
    ("Lenovo Group", "Lenovo PC International"),
    ("Logitech International", "Logitech Europe"),
    ("Airbus SE", "Airbus Helicopters SAS"),
    ("Procter & Gamble", "Procter & Gamble Manufacturing GmbH"),
    ("Royal Philips Lighting", "Koninklijke Philips"),
    ("Royal Mail", "Royal Unibrew"),
    ("Brooks Brothers", "Lehman Brothers"),
    ("Salomon Brothers", "Wright Brothers Aviation"),
    ("Banque Populaire", "Banque de France"),
    ("Crédit Agricole", "Crédit Mutuel"),
    ("Crédit Mutuel", "Crédit Suisse"),
    ("Groupe Casino", "Groupe SEB"),
    ("Groupe Lactalis", "Groupe PSA"),
    ("Müller Holding", "Molkerei Alois Müller"),
    ("Deutsche Pfandbriefbank", "Deutsche Euroshop"),
    ("Deutsche Rohstoff", "Deutsche Post"),
    ("Advance Auto Parts", "Advanced Drainage Systems"),
    ("Applied Materials", "Applied Industrial Technologies"),
    ("Allied Telesis", "Allied Universal"),
    ("Global Payments", "Global Industrial"),
    ("Standard Chartered", "Standard Life Aberdeen"),
    ("Tesla", "Tesco"),
    ("Initech", "Initrode"),
    ("Globe", "Globex"),
    ("Acme", "Acne"),
    ("Studio 54", "Studio 45"),
    ("Phillips 66", "Philips"),
    ("Orange", "Oracle"),
    ("Sanofi", "Safran"),
    ("Kering", "Kerry Group"),
    ("Experian", "Expedia"),
    ("Equinix", "Equinor"),
    ("Enel", "Eni"),
    ("Nestlé", "Nasdaq"),
    ("Bayer", "Baker Hughes"),
    ("Nucor", "Nuance"),
    ("Chubb", "Cubic"),
    ("Visa", "Vista Equity Partners"),
    ("Comcast", "Comerica"),
    ("Centene", "Centrica"),
    ("Amgen", "Ametek"),
    ("Kellogg", "Kellanova"),
    ("Danone", "Danaher"),
    ("Boeing", "Bosch"),
    ("Loews", "Lowe's"),
    ("Loews Corporation", "Lowe's Companies"),
    ("Valero Energy", "Valeo"),
    ("Valero", "Valeo"),
)

#: Legal forms and their other spellings, as people swap them.
LEGAL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Inc.": ("Inc", "Incorporated", "INC.", ", Inc."),
    "Incorporated": ("Inc.", "Inc"),
    "Corporation": ("Corp.", "Corp", "Corp"),
    "Corp.": ("Corporation", "Corp"),
    "Company": ("Co.", "Co", "& Co."),
    "Co.": ("Company",),
    "Limited": ("Ltd", "Ltd."),
    "Ltd": ("Limited", "Ltd."),
    "Ltd.": ("Limited", "Ltd"),
    "LLC": ("L.L.C.", "Llc"),
    "LLP": ("L.L.P.",),
    "plc": ("PLC", "P.L.C.", "Public Limited Company"),
    "PLC": ("plc", "Plc"),
    "Plc": ("plc",),
    "p.l.c.": ("plc",),
    "AG": ("A.G.", "Aktiengesellschaft"),
    "SE": ("S.E.", "AG"),
    "GmbH": ("G.m.b.H.", "Gmbh", "GMBH"),
    "KG": ("K.G.",),
    "KGaA": ("KGAA",),
    "S.A.": ("SA", "S. A.", "Société Anonyme"),
    "SA": ("S.A.",),
    "S.p.A.": ("SpA", "S.P.A."),
    "SpA": ("S.p.A.",),
    "N.V.": ("NV", "Naamloze Vennootschap"),
    "NV": ("N.V.",),
    "B.V.": ("BV",),
    "AB": ("Aktiebolag", "(publ)"),
    "A/S": ("AS", "A.S."),
    "ASA": ("A.S.A.",),
    "Oyj": ("Oy", "OYJ"),
    "SAS": ("S.A.S.",),
    "SGPS S.A.": ("SGPS",),
    "S.A.B. de C.V.": ("SAB de CV", "S.A. de C.V."),
    "Nyrt.": ("Nyrt",),
    "a.s.": ("as",),
    "hf.": ("hf",),
    "OÜ": ("OU",),
    "PJSC": ("P.J.S.C.",),
}
#: A legal form each country's companies commonly add.
COUNTRY_FORMS: dict[str, str] = {
    "US": "Inc.",
    "CA": "Inc.",
    "GB": "Ltd",
    "IE": "Ltd",
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "FR": "SA",
    "BE": "NV",
    "LU": "S.A.",
    "IT": "S.p.A.",
    "ES": "S.L.",
    "PT": "Lda",
    "NL": "B.V.",
    "SE": "AB",
    "DK": "A/S",
    "NO": "AS",
    "FI": "Oy",
    "PL": "Sp. z o.o.",
    "CZ": "s.r.o.",
    "JP": "K.K.",
    "KR": "Co., Ltd.",
    "CN": "Co., Ltd.",
    "TW": "Co., Ltd.",
    "IN": "Pvt. Ltd.",
    "AU": "Pty Ltd",
    "NZ": "Limited",
    "BR": "Ltda.",
    "MX": "S.A. de C.V.",
}
#: Words and the abbreviations salespeople write for them.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "International": ("Intl", "Int'l", "Intl."),
    "Manufacturing": ("Mfg", "Mfg."),
    "Technologies": ("Tech", "Techs", "Technology"),
    "Technology": ("Tech",),
    "Brothers": ("Bros", "Bros."),
    "Bros.": ("Brothers",),
    "Holdings": ("Hldgs", "Holding", "Hldgs."),
    "Holding": ("Holdings", "Hldg"),
    "Industries": ("Inds", "Ind.", "Industry"),
    "Communications": ("Comms", "Communication", "Comm."),
    "Services": ("Svcs", "Service", "Svcs."),
    "Systems": ("Sys", "Sys."),
    "National": ("Natl", "Nat'l"),
    "Laboratories": ("Labs", "Lab", "Laboratory"),
    "Pharmaceuticals": ("Pharma", "Pharmaceutical"),
    "Pharmaceutical": ("Pharma",),
    "Financial": ("Finl", "Fin."),
    "Electric": ("Elec", "Electrical"),
    "Chemical": ("Chem", "Chemicals"),
    "Chemicals": ("Chem",),
    "Insurance": ("Ins", "Ins."),
    "Management": ("Mgmt",),
    "Engineering": ("Eng", "Engg"),
    "Products": ("Prods", "Product"),
    "Solutions": ("Sol", "Solution"),
    "Associates": ("Assoc", "Assocs"),
    "Investments": ("Inv",),
    "Enterprises": ("Ent", "Enterprise"),
    "Partners": ("Ptnrs",),
    "Construction": ("Constr",),
    "Transportation": ("Transport", "Transp"),
    "Center": ("Ctr", "Centre"),
    "Saint": ("St.", "St"),
    "Company": ("Co", "Co."),
    "Corporation": ("Corp", "Corp."),
}
QUALIFIERS = (
    "HQ",
    "EMEA",
    "old account",
    "software company",
    "head office",
    "Europe",
    "do not use",
    "main",
    "parent",
    "from trade fair",
)
KEYBOARD_NEIGHBOURS = {
    "a": "sqz",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "y": "tu",
    "z": "x",
}


@dataclass(frozen=True)
class Company:
    name: str
    country: str
    website: str


@dataclass(frozen=True)
class LabelledPair:
    kind: str
    duplicate: bool
    left: OrgCandidate
    right: OrgCandidate


@dataclass
class Scores:
    """Pair classification: found = merged automatically or suggested."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    #: distinct companies whose names are equal once normalized: a merge without asking
    automatic_merges_of_distinct: int = 0
    missed: list[LabelledPair] = field(default_factory=list)
    wrong: list[LabelledPair] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def pairs(self) -> int:
        return (
            self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
        )


# --- Reading and scoring --------------------------------------------------------------------


def load_companies(path: Path = COMPANIES) -> list[Company]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Company(r["name"], r["country"], r["website"]) for r in csv.DictReader(handle)]


def load_pairs(path: Path = PAIRS) -> list[LabelledPair]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [_pair_from_row(row, index) for index, row in enumerate(csv.DictReader(handle))]


def _pair_from_row(row: dict[str, str], index: int) -> LabelledPair:
    def side(prefix: str) -> OrgCandidate:
        domain = row[f"{prefix}_email_domain"]
        return OrgCandidate(
            id=f"{prefix}-{index}",
            name=row[prefix],
            email_domains=frozenset({domain}) if domain else frozenset(),
            website=row[f"{prefix}_website"] or None,
            country=row[f"{prefix}_country"] or None,
        )

    return LabelledPair(row["kind"], row["duplicate"] == "1", side("left"), side("right"))


def without_evidence(pair: LabelledPair) -> LabelledPair:
    """The pair by its names alone."""

    def bare(side: OrgCandidate) -> OrgCandidate:
        return OrgCandidate(side.id, side.name)

    return replace(pair, left=bare(pair.left), right=bare(pair.right))


def found(pair: LabelledPair) -> bool:
    """Whether the store would put the two together: merged, or suggested either way."""
    if normalize_org_name(pair.left.name) == normalize_org_name(pair.right.name):
        return True
    return compare(pair.left, pair.right) is not None or compare(pair.right, pair.left) is not None


def evaluate(pairs: Iterable[LabelledPair]) -> Scores:
    scores = Scores()
    for pair in pairs:
        hit = found(pair)
        if pair.duplicate and hit:
            scores.true_positives += 1
        elif pair.duplicate:
            scores.false_negatives += 1
            scores.missed.append(pair)
        elif hit:
            scores.false_positives += 1
            scores.wrong.append(pair)
        else:
            scores.true_negatives += 1
        if not pair.duplicate and normalize_org_name(pair.left.name) == normalize_org_name(
            pair.right.name
        ):
            scores.automatic_merges_of_distinct += 1
    return scores


# --- Making the set -------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    return name.split()


def _legal_variant(rng: random.Random, company: Company) -> str | None:
    words = _words(company.name)
    for size in (4, 3, 2, 1):
        tail = " ".join(words[-size:])
        if len(words) > size and tail in LEGAL_SPELLINGS:
            head = " ".join(words[:-size])
            choice = rng.choice((*LEGAL_SPELLINGS[tail], ""))
            if choice.startswith(","):
                return head + choice
            return f"{head} {choice}".strip()
    form = COUNTRY_FORMS.get(company.country)
    return f"{company.name} {form}" if form else None


def _case_variant(rng: random.Random, company: Company) -> str | None:
    name = company.name
    choice = rng.randrange(3)
    if choice == 0:
        return name.upper()
    if choice == 1:
        return name.lower().replace(".", "")
    words = _words(name)
    return f"{' '.join(words[:-1])}, {words[-1]}" if len(words) > 1 else name.upper()


def _typo(rng: random.Random, word: str) -> str:
    index = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # two neighbouring letters swapped
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    if kind == 1:  # a letter dropped
        return word[:index] + word[index + 1 :]
    if kind == 2:  # a letter doubled
        return word[:index] + word[index] + word[index:]
    letter = word[index].lower()
    neighbour = rng.choice(KEYBOARD_NEIGHBOURS.get(letter, "e"))
    return word[:index] + neighbour + word[index + 1 :]


def _typo_variant(rng: random.Random, company: Company) -> str | None:
    words = _words(company.name)
    targets = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not targets or len(match_key(company.name)) < 5:
        return None
    index = rng.choice(targets)
    words[index] = _typo(rng, words[index])
    return " ".join(words)


def _abbreviation_variant(rng: random.Random, company: Company) -> str | None:
    words = _words(company.name)
    targets = [i for i, w in enumerate(words) if w.strip(",") in ABBREVIATIONS]
    if not targets:
        return None
    index = rng.choice(targets)
    words[index] = rng.choice(ABBREVIATIONS[words[index].strip(",")])
    return " ".join(words)


def _qualifier_variant(rng: random.Random, company: Company) -> str | None:
    qualifier = rng.choice((*QUALIFIERS, company.country, "Germany", "London"))
    base = rng.choice((company.name, " ".join(_words(company.name)[:-1]) or company.name))
    return f"{base} ({qualifier})"


def _group_variant(rng: random.Random, company: Company) -> str | None:
    words = _words(company.name)
    for index, word in enumerate(words):
        if word in ("Group", "Holdings", "Holding", "Gruppe", "Groupe", "Grupo"):
            return " ".join(words[:index] + words[index + 1 :])
    word = rng.choice(("Group", "Holdings", "Group", "Holding"))
    if len(words) > 1 and words[-1] in LEGAL_SPELLINGS:
        return " ".join([*words[:-1], word, words[-1]])
    return f"{company.name} {word}"


def _hyphen_variant(rng: random.Random, company: Company) -> str | None:
    name = company.name
    if "-" in name:
        return name.replace("-", rng.choice((" ", "", " - ")))
    words = _words(match_key(name))
    if len(words) == 2 and all(len(w) >= 3 for w in words):
        joined = words[0].title() + rng.choice(("-", "")) + words[1].title()
        return f"{joined} {_words(name)[-1]}" if len(_words(name)) > 2 else joined
    return None


def _and_variant(rng: random.Random, company: Company) -> str | None:
    name = company.name
    if " & " in name:
        local = {"DE": "und", "AT": "und", "FR": "et"}.get(company.country, "and")
        return name.replace(" & ", f" {rng.choice((local, 'and', '+'))} ")
    if " and " in name:
        return name.replace(" and ", " & ")
    return None


def _accent_variant(rng: random.Random, company: Company) -> str | None:
    name = company.name
    if name.isascii():
        return None
    import unicodedata

    if rng.random() < 0.4 and any(ch in name for ch in "äöüÄÖÜøØ"):
        table = str.maketrans(
            {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ø": "oe"}
        )
        return name.translate(table)
    folded = unicodedata.normalize("NFKD", name.replace("ø", "o").replace("æ", "ae"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def _the_variant(rng: random.Random, company: Company) -> str | None:
    name = company.name
    if name.startswith("The "):
        return name[4:]
    if company.country in ("US", "GB", "IE", "CA", "AU", "NZ"):
        return f"The {name}"
    return None


VARIANTS: dict[str, Callable[[random.Random, Company], str | None]] = {
    "legal form": _legal_variant,
    "case and punctuation": _case_variant,
    "typo": _typo_variant,
    "abbreviation": _abbreviation_variant,
    "qualifier": _qualifier_variant,
    "group word": _group_variant,
    "hyphen or space": _hyphen_variant,
    "& or and": _and_variant,
    "accents": _accent_variant,
    "the": _the_variant,
}


def _variant(rng: random.Random, company: Company, kinds: Sequence[str]) -> tuple[str, str]:
    """A spelling of ``company`` of the first kind in ``kinds`` that applies."""
    for kind in kinds:
        name = VARIANTS[kind](rng, company)
        if name and name != company.name:
            return kind, " ".join(name.split())
    return "", company.name


def _evidence(
    rng: random.Random, company: Company | None
) -> tuple[str, str, str]:  # website, country, email domain
    if company is None:
        return "", "", ""
    domain = website_domain(company.website) or ""
    website = rng.choice((company.website, f"https://www.{company.website}", f"www.{domain}"))
    return (
        website if rng.random() < 0.5 else "",
        company.country if rng.random() < 0.6 else "",
        domain if rng.random() < 0.3 else "",
    )


def _row(
    rng: random.Random,
    kind: str,
    duplicate: bool,
    left: tuple[str, Company | None],
    right: tuple[str, Company | None],
) -> dict[str, str]:
    lw, lc, ld = _evidence(rng, left[1])
    rw, rc, rd = _evidence(rng, right[1])
    return {
        "kind": kind,
        "duplicate": "1" if duplicate else "0",
        "left": left[0],
        "right": right[0],
        "left_website": lw,
        "right_website": rw,
        "left_country": lc,
        "right_country": rc,
        "left_email_domain": ld,
        "right_email_domain": rd,
    }


def _by_loose_name(companies: Sequence[Company]) -> dict[str, Company]:
    found: dict[str, Company] = {}
    for company in companies:
        found.setdefault(normalize_org_name(company.name), company)
        found.setdefault(match_key(company.name), company)
    return found


def generate_rows(seed: int = SEED) -> list[dict[str, str]]:
    """The labelled pairs: about 600 duplicates and 450 distinct pairs."""
    rng = random.Random(seed)
    companies = load_companies()
    rows: list[dict[str, str]] = []
    kinds = list(VARIANTS)
    # Duplicates: every kind that applies, spread over the companies, one or two per company.
    for index, company in enumerate(companies[::2] + companies[1::4]):
        order = kinds[index % len(kinds) :] + kinds[: index % len(kinds)]
        kind, name = _variant(rng, company, order)
        if not kind:
            continue
        if rng.random() < 0.15:  # two things at once
            second, name = _variant(rng, Company(name, company.country, company.website), kinds)
            kind = f"{kind} + {second}" if second else kind
        left, right = (name, company), (company.name, company)
        rows.append(_row(rng, kind, True, left, right))
    # Distinct companies: the traps, written as they are and misspelt.
    known = _by_loose_name(companies)
    for first, second in TRAPS:
        a = known.get(normalize_org_name(first)) or known.get(match_key(first))
        b = known.get(normalize_org_name(second)) or known.get(match_key(second))
        rows.append(_row(rng, "trap", False, (first, a), (second, b)))
        if a is not None and rng.random() < 0.5:
            kind, name = _variant(rng, a, rng.sample(kinds, len(kinds)))
            rows.append(_row(rng, f"trap, {kind}", False, (name, a), (second, b)))
    # Distinct companies of the list whose loose keys are close or share the first word.
    keys = [match_key(c.name) for c in companies]
    near: list[tuple[int, int]] = []
    for i in range(len(companies)):
        for j in range(i + 1, len(companies)):
            a_key, b_key = keys[i], keys[j]
            first_a, first_b = a_key.split()[0], b_key.split()[0]
            if fuzz.token_sort_ratio(a_key, b_key) >= 70 or (
                first_a == first_b and len(first_a) >= 4
            ):
                near.append((i, j))
    rng.shuffle(near)
    for i, j in near[:220]:
        a, b = companies[i], companies[j]
        if rng.random() < 0.3:
            kind, name = _variant(rng, a, rng.sample(kinds, len(kinds)))
            rows.append(_row(rng, f"near miss, {kind}", False, (name, a), (b.name, b)))
        else:
            rows.append(_row(rng, "near miss", False, (a.name, a), (b.name, b)))
    return rows


def write_pairs(path: Path = PAIRS) -> int:
    rows = generate_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=PAIR_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main(argv: Sequence[str]) -> int:
    if "--write" in argv:
        print(f"wrote {write_pairs()} pairs to {PAIRS}")
    pairs = load_pairs()
    for label, chosen in (
        ("names and evidence", pairs),
        ("names alone", [without_evidence(p) for p in pairs]),
    ):
        scores = evaluate(chosen)
        print(
            f"{label}: {scores.pairs} pairs, precision {scores.precision:.3f}, "
            f"recall {scores.recall:.3f}, automatic merges of distinct companies "
            f"{scores.automatic_merges_of_distinct}"
        )
        if "-v" in argv:
            for pair in scores.missed:
                print(f"  missed [{pair.kind}] {pair.left.name!r} / {pair.right.name!r}")
            for pair in scores.wrong:
                print(f"  wrong [{pair.kind}] {pair.left.name!r} / {pair.right.name!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
