"""An activity's owner, due time and note, as the mirror keeps them."""

from __future__ import annotations

from typing import Any

import pytest

from pipedriven_desktop.pipedrive import Activity
from pipedriven_desktop.pipedrive.records import html_text

BASE: dict[str, Any] = {"id": 7, "type": "call", "subject": "Intro", "owner_id": 3}


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("15:00:00", "15:00"),
        ("09:30", "09:30"),
        (None, None),
        ("", None),
        ("soon", None),
        (9, None),
    ],
)
def test_the_due_time_is_kept_as_hours_and_minutes(sent: object, kept: str | None) -> None:
    assert Activity.from_api({**BASE, "due_time": sent}).due_time == kept


def test_the_owner_is_kept() -> None:
    assert Activity.from_api(BASE).owner_id == 3


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Wants a demo<br>next week &lt;soon&gt;", "Wants a demo\nnext week <soon>"),
        ("<p>First</p><p>Second &amp; last</p>", "First\nSecond & last"),
        ("<b>Bold</b> move", "Bold move"),
        ("", None),
        (None, None),
        ("<br>", None),
    ],
)
def test_the_note_is_kept_as_plain_text(sent: object, kept: str | None) -> None:
    assert Activity.from_api({**BASE, "note": sent}).note == kept


def test_html_text_keeps_line_breaks_and_drops_spacing_around_them() -> None:
    assert html_text("  a <br/>  b  <BR>c ") == "a\nb\nc"
