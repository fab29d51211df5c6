"""The facts each contact was last scored from, each set kept once (migration 0010).

A scoring pass reduces a contact's facts to what the rules tell apart, so a few
thousand sets cover 100,000 contacts. A contact row holds ``score_facts_id``; the set,
as text, lives in ``score_facts``. When only the lead status settings change, a pass
works out each set once again instead of reading every contact's activities and deals.
The text's form belongs to the scoring pass; here it is only kept.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from pipedriven_desktop.store.score_breakdowns import SharedTexts, prune_when_grown

__all__ = ["FACTS_PRUNE_ABOVE", "FactsIds", "prune_unused_facts"]

#: Below this many sets the table is never pruned.
FACTS_PRUNE_ABOVE: Final = 20_000


class FactsIds(SharedTexts):
    """The mirror's facts ids by text and texts by id, for one scoring pass."""

    table = "score_facts"
    column = "facts"


def prune_unused_facts(raw: sqlite3.Connection, above: int = FACTS_PRUNE_ABOVE) -> int:
    """Remove the sets no contact points to any more, once there are more than ``above``
    and half again as many as the last pruning kept (`prune_when_grown`)."""
    return prune_when_grown(raw, table="score_facts", column="score_facts_id", above=above)
