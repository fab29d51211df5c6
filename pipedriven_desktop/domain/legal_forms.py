"""Legal forms, generic company words and abbreviations, as the loose name key sets them aside.

Words here are already folded (accents dropped, case-folded, punctuation gone). A legal form
is compared with its spaces removed, so "S.A.", "S. A." and "SA" are one form, and the last
word may be a typo of a long one ("Corproation"). cleanco's list of legal forms in many
countries is the base; forms that are also ordinary words ("private", "uk", "et") are left
out, because stripping them would make different companies look alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from cleanco.clean import get_unique_terms
from rapidfuzz.distance import OSA

__all__ = [
    "ABBREVIATIONS",
    "GENERIC_LEADING",
    "GENERIC_TRAILING",
    "canonical_word",
    "compact_legal_forms",
    "fuzzy_legal_form",
]

#: cleanco forms that are ordinary words or name parts more often than legal forms.
_NOT_LEGAL_FORMS = frozenset(
    {"private", "uk", "at", "et", "ok", "sp", "pp", "ps", "ei", "ep", "ba", "bl", "da"}
    | {"sd", "kt", "ud", "fa", "ij", "mb", "xt", "pt", "ee", "ec", "ev", "oe", "ent"}
    | {"sem", "sep", "sal", "sf", "teo", "vat", "ik", "kf", "og", "gp", "stg", "cio", "pc"}
)

#: Spelled-out and common forms cleanco lacks (folded, spaces removed).
_EXTRA_LEGAL_FORMS = frozenset(
    {
        "aktiengesellschaft",
        "gesellschaftmitbeschrankterhaftung",
        "kommanditgesellschaft",
        "kommanditgesellschaftaufaktien",
        "offenehandelsgesellschaft",
        "eg",
        "mbh",
        "se",
        "societasuropaea",
        "societeanonyme",
        "societeparactionssimplifiee",
        "sociedadanonima",
        "sociedadlimitada",
        "societaperazioni",
        "societaaresponsabilitalimitata",
        "spa",
        "naamlozevennootschap",
        "beslotenvennootschap",
        "aktiebolag",
        "aktieselskab",
        "allmennaksjeselskap",
        "osakeyhtio",
        "julkinenosakeyhtio",
        "abp",
        "publiclimitedcompany",
        "limitedliabilitycompany",
        "kabushikikaisha",
        "kabushikigaisha",
        "coltd",
        "cos",
        "corpn",
        "incorp",
        "ltee",
        "sab",
        "sadecv",
        "sabdecv",
        "sapidecv",
        "pjsc",
        "ojsc",
        "jsc",
        "cjsc",
        "pvtltd",
        "privatelimited",
        "pty",
        "ou",
        "nyrt",
        "zrt",
        "kft",
        "tbk",
        "ehf",
        "as",
        "asa",
        "qcsc",
        "llc",
        "plc",
        "company",
        "companies",
    }
)

#: Long legal forms a typo in the last word may stand for ("Corproation", "Limted").
_TYPO_PRONE_FORMS = (
    "corporation",
    "incorporated",
    "limited",
    "company",
    "companies",
    "aktiengesellschaft",
    "gesellschaft",
    "aktiebolag",
    "aktieselskab",
    "holdings",
    "international",
    "group",
)

#: Words that say "a group of companies" rather than which one, dropped at the end of a
#: name ("Acme Group", "Acme Holdings", "Marriott International"), after legal forms.
GENERIC_TRAILING = frozenset(
    {"group", "gruppe", "groupe", "grupo", "gruppo", "holdings", "international", "worldwide"}
)
#: The same at the start of a name ("Groupe SEB", "Grupo Bimbo").
GENERIC_LEADING = frozenset({"groupe", "grupo", "gruppo", "gruppe"})

#: Common company words and the abbreviations people write for them: each is read as the
#: word, so "Acme Intl Mfg" and "Acme International Manufacturing" agree, and a typo in
#: the long word stays one typo away ("Technloogies").
_ABBREVIATION_GROUPS: dict[str, tuple[str, ...]] = {
    "international": ("intl", "internat", "internatl", "intnl"),
    "manufacturing": ("mfg", "manufacturers", "manufacturer", "mfrs", "mfr", "manuf", "mfrg"),
    "technologies": ("technology", "tech", "techn", "technol", "techs"),
    "brothers": ("bros", "bro", "brother"),
    "holdings": ("holding", "hldgs", "hldg", "hlds", "holdg"),
    "group": ("grp", "grup"),
    "industries": ("industry", "inds", "indus", "ind", "indust"),
    "communications": ("communication", "comms", "comm", "commun", "comns", "commns"),
    "services": ("service", "svcs", "svc", "servs", "serv", "srvcs"),
    "systems": ("system", "sys", "syst", "systs"),
    "national": ("natl",),
    "associates": ("associated", "assoc", "assocs", "assn", "association"),
    "management": ("mgmt", "mgt", "mngmt", "mgmnt"),
    "laboratories": ("laboratory", "labs", "lab", "labo", "labor"),
    "pharmaceuticals": ("pharmaceutical", "pharma", "pharm"),
    "university": ("univ", "universitat", "universite", "universidad"),
    "american": ("amer",),
    "financial": ("finl", "fin", "financials", "finance"),
    "electric": ("electrical", "elec", "elect"),
    "chemicals": ("chemical", "chem", "chems", "chemie"),
    "development": ("developments", "dev", "devel", "devt"),
    "investments": ("investment", "inv", "invest", "invt", "invts"),
    "engineering": ("eng", "engg", "engr", "engin"),
    "products": ("product", "prods", "prod"),
    "solutions": ("solution", "sol", "soln", "solns", "sols"),
    "marketing": ("mktg", "mkt"),
    "distribution": ("distributors", "distributor", "dist", "distr", "distrib"),
    "equipment": ("equip", "eqpt", "equipmt"),
    "insurance": ("ins", "insur", "insce"),
    "enterprises": ("enterprise", "ent", "entps", "enterp", "entpr"),
    "partners": ("partner", "ptnrs", "prtnrs", "ptnr"),
    "construction": ("constructions", "constr", "const", "constrn"),
    "transportation": ("transport", "transp", "trans", "transpt"),
    "center": ("centre", "ctr", "cntr"),
    "saint": ("st", "sankt"),
    "department": ("dept", "depts"),
    "bancorporation": ("bancorp",),
}

ABBREVIATIONS: dict[str, str] = {
    spelling: canonical
    for canonical, spellings in _ABBREVIATION_GROUPS.items()
    for spelling in spellings
}


def canonical_word(word: str) -> str:
    """The canonical form of a common company word; other words unchanged."""
    return ABBREVIATIONS.get(word, word)


def _fold(term: str) -> str:
    decomposed = unicodedata.normalize("NFKD", term.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in kept if ch.isalnum())


@lru_cache(maxsize=1)
def compact_legal_forms() -> frozenset[str]:
    """Every legal form, folded, spaces and punctuation removed ("spzoo", "gmbhcokg")."""
    forms = {_fold(term) for term in get_unique_terms() if term.strip()}
    forms = {form for form in forms if form and form not in _NOT_LEGAL_FORMS}
    return frozenset(forms | _EXTRA_LEGAL_FORMS)


@lru_cache(maxsize=1)
def _form_endings() -> frozenset[str]:
    """Every ending of every legal form: a last word outside it starts no legal form."""
    return frozenset(form[i:] for form in compact_legal_forms() for i in range(len(form)))


#: How many trailing words a legal form may span ("s a de c v" is five).
MAX_FORM_WORDS = 5


def legal_form_length(words: Sequence[str]) -> int:
    """How many trailing words of ``words`` are a legal form (0: none), longest first.

    Never the whole name: at least one word stays.
    """
    if words[-1] not in _form_endings():
        return 0
    forms = compact_legal_forms()
    for count in range(min(MAX_FORM_WORDS, len(words) - 1), 0, -1):
        if "".join(words[-count:]) in forms:
            return count
    return 0


@lru_cache(maxsize=65_536)
def fuzzy_legal_form(word: str) -> bool:
    """Whether ``word`` is a misspelt long legal form or group word ("corproation")."""
    if len(word) < 5 or word in compact_legal_forms() or word in GENERIC_TRAILING:
        return False
    for form in _TYPO_PRONE_FORMS:
        allowed = 1 if len(form) < 9 else 2
        if abs(len(form) - len(word)) > allowed or form[0] != word[0]:
            continue
        if OSA.distance(word, form, score_cutoff=allowed) <= allowed:
            return True
    return False
