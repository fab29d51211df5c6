"""Which organizations could be near duplicates of which, without comparing every pair.

A first sync brings tens of thousands of organizations; comparing each with each is
hundreds of millions of comparisons. Names the matcher can suggest share, in their loose
keys, the first word or one typo of it, and the first letter of the second word; or they
are equal once spaces are removed or umlauts written out. So the names are put in blocks
by those, and only names of a block are scored against each other (in rapidfuzz, with the
matcher's own cut-off); ``orgnames.compare`` then decides on the few pairs left.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from pipedriven_desktop.domain.orgnames import (
    BORDERLINE_SCORE,
    SPELLING_SUGGEST_SCORE,
    NameKey,
    name_key,
)

__all__ = ["NameIndex"]

#: Sorted-word keys this long score at least SPELLING_SUGGEST_SCORE against any spelling
#: one typo away, so without shared evidence a lower score can never be a suggestion.
_LONG_ENOUGH_FOR_STRICT = 11

#: First words shorter than this get no typo neighbours: a typo in them is another word.
_MIN_TYPO_WORD = 3


def _block(words: Sequence[str], first: str) -> tuple[str, str]:
    return (first, words[1][0] if len(words) > 1 else "")


def _deletions(word: str) -> set[str]:
    """The word and every spelling of it with one letter left out."""
    found = {word}
    if len(word) >= _MIN_TYPO_WORD:
        found.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return found


class NameIndex:
    """Organization names in blocks, for finding the plausible duplicate pairs fast."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        self._ids: list[str] = []
        self._names: list[str] = []
        self._keys: list[NameKey] = []
        self._position: dict[str, int] = {}
        self._sorted_words: list[str] = []
        self._blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._block_of: dict[int, tuple[str, str]] = {}
        self._near: dict[tuple[str, str], tuple[list[tuple[str, str]], list[int], list[str]]] = {}
        self._spelled: dict[str, list[int]] = defaultdict(list)
        self._first_words: set[str] = set()
        for org_id, name in names:
            key = name_key(name)
            index = len(self._ids)
            self._ids.append(org_id)
            self._names.append(name)
            self._keys.append(key)
            self._position[org_id] = index
            words = key.words
            self._sorted_words.append(" ".join(sorted(words)))
            if not words:
                continue
            self._block_of[index] = _block(words, words[0])
            self._blocks[self._block_of[index]].append(index)
            self._first_words.add(words[0])
            self._spelled[key.compact].append(index)
            if key.transliterated:
                self._spelled[key.transliterated.replace(" ", "")].append(index)
        self._neighbours: dict[str, list[str]] = {}
        self._by_deletion: dict[str, set[str]] = defaultdict(set)
        for word in self._first_words:
            for variant in _deletions(word):
                self._by_deletion[variant].add(word)

    def name_of(self, org_id: str) -> str:
        return self._names[self._position[org_id]]

    def __len__(self) -> int:
        return len(self._ids)

    def _typo_neighbours(self, word: str) -> list[str]:
        found = self._neighbours.get(word)
        if found is None:
            near: set[str] = set()
            for variant in _deletions(word):
                near.update(self._by_deletion.get(variant, ()))
            found = self._neighbours[word] = sorted(near)
        return found

    @staticmethod
    def _similar(
        query: str, members: Sequence[int], choices: Sequence[str], cutoff: float
    ) -> list[int]:
        return [
            members[position]
            for _, _, position in process.extract(
                query, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
            )
        ]

    def plausible_pairs(
        self, ids: Iterable[str], evidence: Mapping[str, Collection[str]] | None = None
    ) -> list[tuple[str, str]]:
        """Pairs (one of ``ids``, another organization) the matcher may suggest, each once.

        Every pair ``orgnames.compare`` can suggest is here; most pairs here it rejects.
        ``evidence``: each organization's site names (website and email domains, as
        ``orgnames.site_name`` gives them), when known for all: a long name's spelling
        too loose to be suggested on its own needs a shared one, so such pairs without
        one are left out here, before the matcher reads them.
        """
        seen: set[tuple[int, int]] = set()
        pairs: list[tuple[str, str]] = []
        # Each block's members by site name, for the loose spellings that need one shared.
        by_site: dict[tuple[tuple[str, str], str], list[int]] = defaultdict(list)
        for org_id, names in (evidence or {}).items():
            position = self._position.get(org_id)
            if names and position is not None and position in self._block_of:
                for site in names:
                    by_site[(self._block_of[position], site)].append(position)
        wanted = list(ids)
        # When every name asks (a first sync), a pair is scored by the first of the two
        # only: the blocks compared are the same seen from either side.
        everyone = len(set(wanted)) >= len(self._ids)
        for org_id in wanted:
            index = self._position.get(org_id)
            if index is None or index not in self._block_of:
                continue
            key = self._keys[index]
            query = self._sorted_words[index]
            # Without shared evidence, a long name's loose spellings can never be suggested.
            strict = evidence is not None and len(query) >= _LONG_ENOUGH_FOR_STRICT
            cutoff = SPELLING_SUGGEST_SCORE if strict else BORDERLINE_SCORE
            blocks, members, choices = self._near_blocks(self._block_of[index])
            if everyone:
                after = bisect_right(members, index)
                members, choices = members[after:], choices[after:]
            found = self._similar(query, members, choices, cutoff) if members else []
            if strict and evidence is not None:
                for site in evidence.get(org_id, ()):
                    for block in blocks:
                        found += [
                            other
                            for other in by_site.get((block, site), ())
                            if fuzz.ratio(
                                query, self._sorted_words[other], score_cutoff=BORDERLINE_SCORE
                            )
                        ]
            found += self._spelled.get(key.compact, ())
            if key.transliterated:
                found += self._spelled.get(key.transliterated.replace(" ", ""), ())
            for other in found:
                pair = (index, other) if index < other else (other, index)
                if other != index and pair not in seen:
                    seen.add(pair)
                    pairs.append((org_id, self._ids[other]))
        return pairs

    def _near_blocks(
        self, block: tuple[str, str]
    ) -> tuple[list[tuple[str, str]], list[int], list[str]]:
        """The blocks a name of ``block`` is compared with (its first word's typo
        neighbours', same initial of the next word), their members and sorted words."""
        found = self._near.get(block)
        if found is None:
            first, initial = block
            blocks = [(word, initial) for word in self._typo_neighbours(first)]
            members = sorted(m for near in blocks for m in self._blocks.get(near, ()))
            found = self._near[block] = (blocks, members, [self._sorted_words[m] for m in members])
        return found
