"""The line above the table: which list, how many, and in which order.

My-500 is never cut at 500: the table shows every contact the user owns (a cap would
hide contacts from search and from the campaign), so the count is the real one and the
500 target is named beside it: "My-500: 320 contacts (target 500)" for a small book,
"My-500: 800 contacts — work the top 500" for a large one. The subline names the order
actually shown, since a header click replaces the My-500 order.
"""

from __future__ import annotations

from pipedriven_desktop.store.contact_query import SortKey
from pipedriven_desktop.ui import formatting

MY500_TARGET = 500
MY500_ORDER_TEXT = "in My-500 order: campaign first, then coldest, then longest uncontacted"

SORT_NAMES: dict[SortKey, str] = {
    SortKey.CAMPAIGN: "Campaign",
    SortKey.NAME: "Name",
    SortKey.ORGANIZATION: "Organization",
    SortKey.WARMNESS: "Warmness",
    SortKey.LAST_CONTACTED: "Last contacted",
    SortKey.EMAIL: "Email",
    SortKey.PHONE: "Phone",
}


def order_text(sort: SortKey, descending: bool) -> str:
    if sort is SortKey.MY500:
        return MY500_ORDER_TEXT
    name = SORT_NAMES.get(sort, sort.value.replace("_", " ").capitalize())
    return f"sorted by {name}" + (", descending" if descending else "")


def headline(
    *,
    mine: bool,
    narrowed: bool,
    total: int | None,
    base_total: int,
    sort: SortKey = SortKey.MY500,
    descending: bool = False,
) -> tuple[str, str]:
    """(headline, subline) for the table; ``total`` None while it is being counted."""
    order = order_text(sort, descending)
    name = "My-500" if mine else "All contacts"
    if total is None:
        return name, f"counting… · {order}"
    if narrowed:
        return (
            f"{name}: {formatting.count(total)} of {formatting.count(base_total)}",
            f"match the search and filters · {order}",
        )
    if not mine:
        return (
            f"{name}: {formatting.count(total)}",
            f"everyone in the mirror, whoever owns them · {order}",
        )
    text = f"{name}: {formatting.plural(total, 'contact')}"
    if total < MY500_TARGET:
        text += f" (target {MY500_TARGET})"
    elif total > MY500_TARGET:
        text += f" — work the top {MY500_TARGET}"
    return text, order
