"""Typed, immutable views of Pipedrive API v2 items.

`from_api` is tolerant where Pipedrive is loose (unknown fields, missing or null optional
fields, v1-style `{"value": ...}` references, `YYYY-MM-DD HH:MM:SS` times) and strict where
a wrong value would corrupt the mirror: a record without an integer `id`, or with a required
field of the wrong type, raises `ValueError` so the sync can count and skip it alone. Text
that no UTF-8 file can hold (a lone UTF-16 surrogate, half of an emoji cut in two) is
repaired as it is read, so every string a record holds can be stored and shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol, Self, TypeVar

__all__ = [
    "Activity",
    "ApiRecord",
    "Deal",
    "Organization",
    "Person",
    "PersonField",
    "User",
    "clean_text",
    "format_api_time",
    "option_labels",
    "parse_api_date",
    "parse_api_time",
]


class ApiRecord(Protocol):
    """What every record type offers: an id and a constructor from an API item."""

    @property
    def id(self) -> int: ...

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self: ...


# --- Value parsing ----------------------------------------------------------------------------


def parse_api_time(value: object) -> datetime | None:
    """An RFC 3339 time (or v1's `YYYY-MM-DD HH:MM:SS`, which is UTC) as an aware UTC datetime.

    None and "" mean "not set"; anything else unparseable raises ValueError.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a time string, got {type(value).__name__}")
    try:
        # The common case, "2025-01-01T10:20:00Z", as it comes (Python 3.11 reads the Z).
        parsed = datetime.fromisoformat(value)
    except ValueError:
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not an RFC 3339 time: {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo is UTC else parsed.astimezone(UTC)


def parse_api_date(value: object) -> date | None:
    """A `YYYY-MM-DD` date; None and "" mean "not set"."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected a date string, got {type(value).__name__}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(f"not a date: {value!r}") from None


def format_api_time(moment: datetime) -> str:
    """Whole-second UTC RFC 3339 (`2025-01-01T10:20:00Z`), the form Pipedrive accepts.

    A naive datetime is taken as UTC. Sub-second parts are dropped (floored), never rounded
    up, so a filter built from it can only include more, never less.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_text(value: str) -> str:
    """``value`` with each lone UTF-16 surrogate replaced by U+FFFD; pairs are joined.

    JSON may carry half an emoji as a ``"\\ud83d"`` escape, which decodes to a string
    that cannot be encoded to UTF-8: SQLite, the log and the screen would all refuse it.
    """
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _require_id(data: Mapping[str, Any]) -> int:
    if not isinstance(data, Mapping):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    value = data.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"record without an integer id: {value!r}")
    return value


def _ref_id(data: Mapping[str, Any], key: str) -> int | None:
    """An optional reference id; accepts v1's `{"value": id, ...}` objects too."""
    value = data.get(key)
    if value.__class__ is int or value is None:  # the common cases, first (a bool is no int)
        return value
    if isinstance(value, Mapping):
        value = value.get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be an integer id, got {value!r}")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    """A required text field where absent or null means empty (Pipedrive allows empty names)."""
    value = data.get(key)
    if value.__class__ is str and value.isascii():  # the common case, first
        return value
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {type(value).__name__}")
    return clean_text(value)


def _opt_text(data: Mapping[str, Any], key: str) -> str | None:
    """An optional free-text field: empty or of an unexpected shape reads as absent."""
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return clean_text(value) or None
    return None


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key)
    if value is False or value is None:
        return False
    if value is True:
        return True
    if isinstance(value, int) and value in (0, 1):  # v1 sends 0/1
        return bool(value)
    raise ValueError(f"{key} must be a boolean, got {value!r}")


def _time(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if value.__class__ is str:
        # The common case, "2025-01-01T10:20:00Z", without parse_api_time's layers: a
        # first sync reads three times of each of tens of thousands of activities.
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass  # "", or a form parse_api_time reads or refuses in words
        else:
            if parsed.tzinfo is UTC:
                return parsed
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC)
    try:
        return parse_api_time(value)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None


def _contact_values(data: Mapping[str, Any], key: str) -> tuple[tuple[str, ...], str | None]:
    """Values of `emails`/`phones` with the primary first, and the primary itself.

    v2 gives `[{value, primary, label}]`; v1 the same under `email`/`phone`; plain strings are
    accepted too. Empty values are dropped; without a flagged primary the first one is it.
    """
    raw = data.get(key)
    if raw is None:
        raw = data.get(key[:-1])
    if raw is None or raw == "":
        return (), None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ValueError(f"{key} must be a list, got {type(raw).__name__}")
    primary: list[str] = []
    others: list[str] = []
    for entry in raw:
        value: object
        if isinstance(entry, str):
            value, is_primary = entry, False
        elif isinstance(entry, Mapping):
            value, is_primary = entry.get("value"), entry.get("primary") is True
        else:
            continue
        if not isinstance(value, str) or not value.strip():
            continue
        (primary if is_primary else others).append(clean_text(value.strip()))
    values = tuple(dict.fromkeys(primary + others))
    return values, (values[0] if values else None)


# --- Records ----------------------------------------------------------------------------------

_R = TypeVar("_R")


def whole_constructor(cls: type[_R]) -> Callable[..., _R]:
    """``cls(**every_field)`` for a frozen slots dataclass, without ``frozen``'s price.

    The dataclass's own ``__init__`` sets each field through ``object.__setattr__``:
    for a 15-field record that was half the time of parsing it (tens of thousands per
    first sync). This sets each slot through its descriptor instead, a third of the
    time; the instance is the same, as immutable afterwards. Every field must be given,
    by name (no defaults, so a field added later cannot be left unset by mistake).
    """
    names = [field.name for field in fields(cls)]  # type: ignore[arg-type]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{name}": vars(cls)[name].__set__ for name in names})
    lines = [f"    set_{name}(self, {name})" for name in names]
    source = (
        f"def build(*, {', '.join(names)}):\n    self = new(cls)\n"
        + "\n".join(lines)
        + "\n    return self\n"
    )
    exec(source, scope)  # the names are the dataclass's own fields
    build: Callable[..., _R] = scope["build"]
    return build


@dataclass(frozen=True, slots=True)
class Person:
    """A Pipedrive person (a contact)."""

    id: int
    name: str
    owner_id: int | None = None
    org_id: int | None = None
    emails: tuple[str, ...] = ()
    primary_email: str | None = None
    phones: tuple[str, ...] = ()
    primary_phone: str | None = None
    job_title: str | None = None
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False
    label_ids: tuple[int, ...] = ()
    lead_status: str | None = None
    marketing_status: str | None = None
    email_messages_count: int | None = None
    incoming_mail_count: int | None = None
    outgoing_mail_count: int | None = None
    last_incoming_mail_time: datetime | None = None
    last_outgoing_mail_time: datetime | None = None
    #: The lead status as option ids, when the chosen field is an option field (v2 gives
    #: ids, not labels); the sync turns them into labels with the field's options.
    lead_status_option_ids: tuple[int, ...] = ()

    @classmethod
    def from_api(
        cls,
        data: Mapping[str, Any],
        *,
        lead_status_field: str | None = None,
        lead_status_options: Mapping[int, str] | None = None,
    ) -> Self:
        """Parse a v2 person item.

        Pipedrive has no built-in lead status for persons; accounts keep it in a custom
        field, whose 40-character key is passed as `lead_status_field`: a text field is
        read as text, an option field (single or multiple) gives option ids, turned into
        their labels with `lead_status_options` when given. A top-level `lead_status` is
        read too when present. `marketing_status` is email consent, not a lead status.
        """
        item_id = _require_id(data)
        emails, primary_email = _contact_values(data, "emails")
        phones, primary_phone = _contact_values(data, "phones")
        lead_status = _opt_text(data, "lead_status")
        option_ids: tuple[int, ...] = ()
        custom = data.get("custom_fields")
        if lead_status_field and isinstance(custom, Mapping):
            custom_value = custom.get(lead_status_field)
            if isinstance(custom_value, Mapping):
                custom_value = custom_value.get("label", custom_value.get("value"))
            if isinstance(custom_value, str) and custom_value.strip():
                lead_status = clean_text(custom_value).strip()
            option_ids = _option_ids(custom_value)
            if option_ids and lead_status_options is not None:
                lead_status = option_labels(option_ids, lead_status_options)
                option_ids = ()
        labels = data.get("label_ids")
        label_ids = (
            tuple(v for v in labels if isinstance(v, int) and not isinstance(v, bool))
            if isinstance(labels, list)
            else ()
        )
        build: Callable[..., Self] = _NEW_PERSON if cls is Person else cls
        return build(
            id=item_id,
            name=_text(data, "name"),
            owner_id=_ref_id(data, "owner_id"),
            org_id=_ref_id(data, "org_id"),
            emails=emails,
            primary_email=primary_email,
            phones=phones,
            primary_phone=primary_phone,
            job_title=_opt_text(data, "job_title"),
            add_time=_time(data, "add_time"),
            update_time=_time(data, "update_time"),
            is_deleted=_flag(data, "is_deleted"),
            label_ids=label_ids,
            lead_status=lead_status,
            marketing_status=_opt_text(data, "marketing_status"),
            email_messages_count=_opt_int(data, "email_messages_count"),
            incoming_mail_count=_opt_int(data, "incoming_mail_count"),
            outgoing_mail_count=_opt_int(data, "outgoing_mail_count"),
            last_incoming_mail_time=_time(data, "last_incoming_mail_time"),
            last_outgoing_mail_time=_time(data, "last_outgoing_mail_time"),
            lead_status_option_ids=option_ids,
        )


def _option_ids(value: object) -> tuple[int, ...]:
    """Option ids of an option field's value: one id, or a list of them (a "set" field)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool))
    return ()


def option_labels(ids: tuple[int, ...], options: Mapping[int, str]) -> str | None:
    """The labels of option ids, joined; an id the field no longer lists is shown as such."""
    labels = [options.get(option_id) or f"option {option_id}" for option_id in ids]
    return ", ".join(labels) or None


#: Person field types whose values are option ids.
OPTION_FIELD_TYPES: Final = frozenset({"enum", "set"})
#: Person field types that hold free text a lead status can be read from.
TEXT_FIELD_TYPES: Final = frozenset({"varchar", "varchar_auto", "text"})


@dataclass(frozen=True, slots=True)
class PersonField:
    """A person field as `GET /v1/personFields` describes it: key, name, type, options."""

    key: str
    name: str
    field_type: str
    options: tuple[tuple[int, str], ...] = ()

    @property
    def is_option(self) -> bool:
        return self.field_type in OPTION_FIELD_TYPES

    @property
    def can_hold_lead_status(self) -> bool:
        """Option and text fields of the account's own (custom, 40-character key) fields."""
        return (self.is_option or self.field_type in TEXT_FIELD_TYPES) and len(self.key) == 40

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        key = data.get("key")
        if not isinstance(key, str) or not key:
            raise ValueError("a person field without a key")
        raw_options = data.get("options")
        options = []
        for option in raw_options if isinstance(raw_options, list) else ():
            if not isinstance(option, Mapping):
                continue
            option_id, label = option.get("id"), option.get("label")
            if isinstance(option_id, int) and not isinstance(option_id, bool):
                options.append((option_id, clean_text(str(label or ""))))
        field_type = data.get("field_type")
        return cls(
            key=key,
            name=clean_text(str(data.get("name") or key)),
            field_type=field_type if isinstance(field_type, str) else "",
            options=tuple(options),
        )


@dataclass(frozen=True, slots=True)
class Organization:
    """A Pipedrive organization, with its address split into the parts the app shows."""

    id: int
    name: str
    owner_id: int | None = None
    address: str | None = None
    country: str | None = None
    city: str | None = None
    website: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        item_id = _require_id(data)
        address = data.get("address")
        if isinstance(address, Mapping):
            full = _opt_text(address, "value") or _opt_text(address, "formatted_address")
            country = _opt_text(address, "country")
            city = _opt_text(address, "locality")
        else:
            full = clean_text(address.strip()) or None if isinstance(address, str) else None
            country = _opt_text(data, "address_country")
            city = _opt_text(data, "address_locality")
        build: Callable[..., Self] = _NEW_ORGANIZATION if cls is Organization else cls
        return build(
            id=item_id,
            name=_text(data, "name"),
            owner_id=_ref_id(data, "owner_id"),
            address=full,
            country=country,
            city=city,
            website=_opt_text(data, "website"),
            industry=_opt_text(data, "industry"),
            employee_count=_opt_int(data, "employee_count"),
            add_time=_time(data, "add_time"),
            update_time=_time(data, "update_time"),
            is_deleted=_flag(data, "is_deleted"),
        )


@dataclass(frozen=True, slots=True)
class Activity:
    """A call, meeting, email, task, deadline, lunch or custom-type activity."""

    id: int
    type: str
    subject: str
    owner_id: int | None = None
    person_id: int | None = None
    org_id: int | None = None
    deal_id: int | None = None
    due_date: date | None = None
    done: bool = False
    marked_as_done_time: datetime | None = None
    add_time: datetime | None = None
    update_time: datetime | None = None
    is_deleted: bool = False
    #: "HH:MM" (Pipedrive sends "HH:MM" or "HH:MM:SS"); None for a whole-day activity.
    due_time: str | None = None
    note: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        item_id = _require_id(data)
        person_id = _ref_id(data, "person_id")
        if person_id is None:
            participants = data.get("participants")
            if isinstance(participants, list):
                person_id = next(
                    (
                        p.get("person_id")
                        for p in participants
                        if isinstance(p, Mapping)
                        and p.get("primary") is True
                        and isinstance(p.get("person_id"), int)
                    ),
                    None,
                )
        due = data.get("due_date")
        try:
            # The common case, "2025-01-31", read as it comes.
            due_date = date.fromisoformat(due) if due.__class__ is str and len(due) == 10 else None
        except ValueError:
            due_date = None
        if due_date is None:
            try:
                due_date = parse_api_date(due)
            except ValueError as exc:
                raise ValueError(f"due_date: {exc}") from None
        note = _opt_text(data, "note")
        build: Callable[..., Self] = _NEW_ACTIVITY if cls is Activity else cls
        return build(
            id=item_id,
            type=_text(data, "type"),
            subject=_text(data, "subject"),
            owner_id=_ref_id(data, "owner_id"),
            person_id=person_id,
            org_id=_ref_id(data, "org_id"),
            deal_id=_ref_id(data, "deal_id"),
            due_date=due_date,
            done=_flag(data, "done"),
            marked_as_done_time=_time(data, "marked_as_done_time"),
            add_time=_time(data, "add_time"),
            update_time=_time(data, "update_time"),
            is_deleted=_flag(data, "is_deleted"),
            due_time=_due_time(data.get("due_time")),
            note=html_text(note) or None if note else None,
        )


_BREAKS = re.compile(r"<br\s*/?>|</p>|</div>|</li>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def html_text(value: str) -> str:
    """Pipedrive's HTML (notes) as plain text: line breaks kept, tags and entities gone."""
    text = html.unescape(_TAGS.sub("", _BREAKS.sub("\n", value)))
    lines = [line.strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _due_time(value: object) -> str | None:
    """Pipedrive's due time as "HH:MM"; None when absent or not a time."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) < 5 or text[2] != ":" or not (text[:2] + text[3:5]).isdigit():
        return None
    return text[:5]


@dataclass(frozen=True, slots=True)
class Deal:
    """A deal; `status` is open, won, lost or deleted."""

    id: int
    title: str
    owner_id: int | None = None
    person_id: int | None = None
    org_id: int | None = None
    value: float = 0.0
    currency: str = ""
    status: str = "open"
    add_time: datetime | None = None
    update_time: datetime | None = None
    close_time: datetime | None = None
    is_deleted: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        item_id = _require_id(data)
        raw_value = data.get("value")
        if raw_value is None:
            value = 0.0
        elif isinstance(raw_value, bool) or not isinstance(raw_value, int | float):
            raise ValueError(f"value must be a number, got {raw_value!r}")
        else:
            value = float(raw_value)
        is_deleted = _flag(data, "is_deleted")
        status = _text(data, "status") or ("deleted" if is_deleted else "open")
        build: Callable[..., Self] = _NEW_DEAL if cls is Deal else cls
        return build(
            id=item_id,
            title=_text(data, "title"),
            owner_id=_ref_id(data, "owner_id"),
            person_id=_ref_id(data, "person_id"),
            org_id=_ref_id(data, "org_id"),
            value=value,
            currency=_text(data, "currency"),
            status=status,
            add_time=_time(data, "add_time"),
            update_time=_time(data, "update_time"),
            close_time=_time(data, "close_time"),
            is_deleted=is_deleted or status == "deleted",
        )


@dataclass(frozen=True, slots=True)
class User:
    """A Pipedrive user; from `/v1/users/me` it is the signed-in salesperson."""

    id: int
    name: str
    email: str | None = None
    company_id: int | None = None
    company_name: str | None = None
    company_domain: str | None = None
    timezone_name: str | None = None
    #: False for a deactivated user (`active_flag`), whose contacts still name them.
    active: bool = True

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=_require_id(data),
            name=_text(data, "name"),
            email=_opt_text(data, "email"),
            company_id=_opt_int(data, "company_id"),
            company_name=_opt_text(data, "company_name"),
            company_domain=_opt_text(data, "company_domain"),
            timezone_name=_opt_text(data, "timezone_name"),
            active=_flag(data, "active_flag") if data.get("active_flag") is not None else True,
        )


_NEW_PERSON: Final[Callable[..., Any]] = whole_constructor(Person)
_NEW_ORGANIZATION: Final[Callable[..., Any]] = whole_constructor(Organization)
_NEW_ACTIVITY: Final[Callable[..., Any]] = whole_constructor(Activity)
_NEW_DEAL: Final[Callable[..., Any]] = whole_constructor(Deal)
