"""A search term longer than the index's prefixes, spelled as the few words it starts.

The search index keeps prefixes of up to ``LONGEST_INDEXED_PREFIX`` characters ready.
FTS5 answers a longer prefix (``"mülle"*``) by reading every word that starts with it
and merging their hit lists, again in every statement that asks: testing contact after
contact against it costs that whole merge each time (seconds over a walk at 1,000,000
contacts). Spelled as the words themselves (``("muller" OR "mullers")``) the same term
is a seek per word, and it matches exactly the same contacts, since those are all the
words of the index that start with it. The words are read from an ``fts5vocab`` table
over the index, kept in the connection's temporary schema (no change to the mirror).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import MutableMapping

from pipedriven_desktop.store.contact_query import (
    LONGEST_INDEXED_PREFIX,
    PART_MARK,
    fts_query,
    fts_terms_indexed,
    long_prefixes,
)

__all__ = ["MAX_WORDS", "IndexedSearch", "fold", "indexed_search", "words_starting"]

#: A prefix starting more words than this is left to the index: each test of a contact
#: seeks once per word.
MAX_WORDS = 12
#: The search index's words, one row per word (``fts5vocab``, ``row``), per connection.
VOCABULARY = "temp.contacts_fts_words"


def _one_diacritic_letters() -> dict[str, str]:
    """Letters the tokenizer (``unicode61 remove_diacritics 2``) folds to one ASCII letter:
    a Latin letter with one diacritic. ``ǡ`` (two) is kept whole by the tokenizer, so
    letters with several are left out, as is anything else the tokenizer may fold in its
    own way: a term holding one is not spelled out."""
    folded: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        letter = chr(code)
        parts = unicodedata.normalize("NFD", letter)
        if (
            len(parts) == 2
            and parts[0].isascii()
            and parts[0].isalpha()
            and unicodedata.combining(parts[1])
        ):
            folded[letter] = parts[0].lower()
    return folded


_FOLDED = _one_diacritic_letters()

#: What a known prefix starts: its words (all of them), or None when more than MAX_WORDS.
Known = MutableMapping[str, "tuple[str, ...] | None"]
#: A search's FTS5 query, and whether testing one contact against it is a seek.
IndexedSearch = tuple["str | None", bool]


def fold(prefix: str) -> str | None:
    """``prefix`` as the search index stores it (lower case, diacritics removed); None
    when it holds a character whose folding is not known here."""
    folded: list[str] = []
    for index, char in enumerate(prefix):
        if index == 0 and char == PART_MARK:
            folded.append(char)
        elif char.isascii() and char.isalnum():
            folded.append(char.lower())
        elif char in _FOLDED:
            folded.append(_FOLDED[char])
        else:
            return None
    return "".join(folded)


def words_starting(conn: sqlite3.Connection, folded: str, known: Known) -> tuple[str, ...] | None:
    """Every word of the search index starting with ``folded`` (None: more than
    ``MAX_WORDS``). ``known`` keeps what earlier calls read, for the same index state:
    a longer prefix typed next is answered from its shorter one's words."""
    if folded in known:
        return known[folded]
    for length in range(len(folded) - 1, LONGEST_INDEXED_PREFIX, -1):
        shorter = known.get(folded[:length])
        if shorter is not None:
            found: tuple[str, ...] | None = tuple(
                word for word in shorter if word.startswith(folded)
            )
            break
    else:
        found = _read_words(conn, folded)
    known[folded] = found
    return found


def _read_words(conn: sqlite3.Connection, folded: str) -> tuple[str, ...] | None:
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab(main, contacts_fts, row)"
    )
    # Folded prefixes are ASCII letters and digits (and the mark): the next character
    # up bounds every word that starts with the prefix.
    beyond = folded[:-1] + chr(ord(folded[-1]) + 1)
    words = [
        str(word)
        for (word,) in conn.execute(
            f"SELECT term FROM {VOCABULARY} WHERE term >= ? AND term < ? LIMIT ?",
            (folded, beyond, MAX_WORDS + 1),
        )
    ]
    return None if len(words) > MAX_WORDS else tuple(words)


def indexed_search(
    conn: sqlite3.Connection, search: str, known: Known, *, inside_only: bool = False
) -> IndexedSearch:
    """``fts_query(search)``, its long prefixes spelled as their words where they start
    few; and whether every term is then read from an index (a contact's test is a seek).
    ``inside_only`` as for ``fts_query``."""
    words: dict[str, tuple[str, ...]] = {}
    for prefix in long_prefixes(search):
        folded = fold(prefix)
        found = None if folded is None else words_starting(conn, folded, known)
        if found is not None:
            words[prefix] = found
    query = fts_query(search, words=words, inside_only=inside_only)
    return query, fts_terms_indexed(search, words)
