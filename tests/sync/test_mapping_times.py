"""Records' times are written in the store's text form whichever way they are formatted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from pipedriven_desktop.pipedrive.records import Activity, Deal, Person
from pipedriven_desktop.store.clock import to_text
from pipedriven_desktop.sync.mapping import activity_values, contact_values, deal_values

MOMENTS = [
    datetime(2025, 6, 2, 9, 30, tzinfo=UTC),
    datetime(2025, 6, 2, 9, 30, 5, 123456, tzinfo=UTC),
    datetime(5, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 6, 2, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2025, 6, 2, 9, 30, 1, 7, tzinfo=timezone(timedelta(hours=2))),
    None,
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_each_writer_stores_a_time_as_the_store_text_would(moment: datetime | None) -> None:
    expected = to_text(moment)
    activity = Activity(
        id=1,
        type="call",
        subject="Call",
        due_date=date(2025, 6, 3),
        marked_as_done_time=moment,
        add_time=moment,
        update_time=moment,
    )
    values = activity_values(activity)
    assert (values.marked_as_done_time, values.add_time, values.update_time) == (expected,) * 3
    assert values.due_date == "2025-06-03"
    deal = Deal(id=2, title="Deal", value=1.0, currency="EUR", status="open", update_time=moment)
    assert deal_values(deal).update_time == expected
    person = Person(
        id=3, name="Ann", update_time=moment, add_time=moment, last_incoming_mail_time=moment
    )
    contact = contact_values(person, "2025-01-01 00:00:00.000000")
    assert contact.last_pipedrive_update == expected
    assert contact.last_incoming_mail_time == expected
    assert contact.created_at == (expected or "2025-01-01 00:00:00.000000")
