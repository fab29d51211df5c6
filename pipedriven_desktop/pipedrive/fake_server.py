"""A local fake of the Pipedrive API subset the app uses, for the demo, tests and benchmarks.

It serves a `FakeAccount` over real HTTP on 127.0.0.1 (stdlib `ThreadingHTTPServer` in a
daemon thread) the way Pipedrive does: the `x-api-token` header, v2 lists with opaque
keyset cursors, `updated_since` filters that return the boundary item again, rate-limit
headers, and error envelopes. Faults (429, 5xx, slow, dropped or garbled answers, an HTML
403 from the edge, a cursor that repeats, an answer that trickles in a byte at a time, a
gzip body that does not decode, an error text echoing the token) can be queued for tests.

It accepts the writes the app makes (`POST`/`PATCH` activities in v2, `POST /v1/notes`,
see `fake_writes`), and write faults: a refusal (400, 403, 404) that changes nothing, and
the unknown outcomes, where the record IS written and then the connection drops
(`drop_after`) or a 500 comes back (`500_after`). A plain `drop`, `500` or `429` happens
before the write. `request_validator` may check write bodies further (tests plug in the
OpenAPI description); what it returns is refused with a 400.

It never logs or records request headers, so the token cannot leak from here either.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import math
import re
import socket
import sys
import threading
import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Literal, get_args
from urllib.parse import parse_qsl, urlsplit

from pipedriven_desktop.pipedrive import fake_writes
from pipedriven_desktop.pipedrive.fake_data import (
    ENTITY_NAMES,
    ORGANIZATION_FIELDS,
    PERSON_FIELDS,
    EntityName,
    FakeAccount,
)

__all__ = ["FakePipedriveServer", "Fault", "FaultKind", "FaultPlan", "LoggedRequest"]

FaultKind = Literal[
    "429",
    "500",
    "503",
    "slow",
    "drop",
    "bad_json",
    "html_403",
    "repeat_cursor",
    "trickle",
    "bad_gzip",
    "echo_token",
    "400",
    "403",
    "404",
    "drop_after",
    "500_after",
]
FAULT_KINDS: Final[tuple[str, ...]] = get_args(FaultKind)

MAX_LIMIT: Final = 500
DEFAULT_LIMIT: Final = 100
_SORT_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "persons": ("id", "update_time", "add_time"),
    "organizations": ("id", "update_time", "add_time"),
    "activities": ("id", "update_time", "add_time", "due_date"),
    "deals": ("id", "update_time", "add_time"),
}
#: Integer equality filters each list accepts, besides `owner_id` and `ids`.
_ID_FILTERS: Final[dict[str, tuple[str, ...]]] = {
    "persons": ("org_id",),
    "organizations": (),
    "activities": ("person_id", "org_id", "deal_id"),
    "deals": ("person_id", "org_id", "pipeline_id", "stage_id"),
}
_DEAL_STATUSES: Final = frozenset({"open", "won", "lost", "deleted"})
_PERSON_EXTRA_FIELDS: Final = frozenset(
    {
        "email_messages_count",
        "last_incoming_mail_time",
        "last_outgoing_mail_time",
        "marketing_status",
    }
)
_RFC3339_SECONDS: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")
_VIEW_CACHE_SIZE: Final = 16
#: Faults that let the write happen first, then fail its answer: the outcome is unknown.
_AFTER_WRITE: Final = frozenset({"drop_after", "500_after"})
_REFUSALS: Final[dict[str, str]] = {
    "400": "Validation failed: the request is not valid",
    "403": "You do not have permission to do this",
    "404": "Person not found",
}


# --- Faults and the request log ---------------------------------------------------------------


@dataclass
class Fault:
    """A queued misbehaviour, applied to the next `remaining` matching requests."""

    kind: FaultKind
    remaining: int
    path_prefix: str | None = None
    delay: float = 1.0
    retry_after: int = 2
    #: Only requests of this HTTP method (None: any).
    method: str | None = None

    def matches(self, path: str, has_cursor: bool, method: str = "GET") -> bool:
        if self.path_prefix is not None and not path.startswith(self.path_prefix):
            return False
        if self.method is not None and self.method != method:
            return False
        # A repeated cursor only makes sense on a request that carries one.
        return self.kind != "repeat_cursor" or has_cursor


class FaultPlan:
    """The queue of faults; the first matching one is applied and counted down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        kind: FaultKind,
        count: int = 1,
        *,
        path_prefix: str | None = None,
        delay: float = 1.0,
        retry_after: int = 2,
        method: str | None = None,
    ) -> None:
        """Queue `count` occurrences of `kind` for requests whose path starts with the prefix
        (and of `method`, if given: "POST", "PATCH", "GET").

        `delay` is the pause of a "slow" answer, or between the bytes of a "trickle" one;
        `retry_after` the seconds a "429" asks for.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(Fault(kind, count, path_prefix, delay, retry_after, method))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return sum(fault.remaining for fault in self._faults)

    def take(self, path: str, has_cursor: bool, method: str = "GET") -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(path, has_cursor, method):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the fake saw it: never its headers."""

    method: str
    path: str
    params: dict[str, str] = field(hash=False)
    status: int


# --- Sorted, filtered views -------------------------------------------------------------------


@dataclass(slots=True)
class _View:
    """Items of one listing in ascending (sort key, id) order, with their keys for bisect.

    A whole table's view also holds its items by table key (``by_key``), so that after a
    few changes it is brought up to date item by item instead of sorted again.
    """

    keys: list[tuple[Any, int]]
    items: list[dict[str, Any]]
    by_key: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of_table(cls, table: dict[int, dict[str, Any]], sort_by: str) -> _View:
        keyed = sorted(
            ((_sort_key(item_id, item, sort_by), item) for item_id, item in table.items()),
            key=lambda pair: pair[0],
        )
        return cls([k for k, _ in keyed], [item for _, item in keyed], dict(table))

    def updated(self, table: dict[int, dict[str, Any]], sort_by: str) -> _View:
        """This table's view after the table changed: a few items moved, or sorted anew.

        Every change to a `FakeAccount` item replaces the dict, so an item that is still
        the same object is still where it was.
        """
        changed = [key for key, item in table.items() if self.by_key.get(key) is not item]
        gone = [key for key in self.by_key if key not in table]
        if (len(changed) + len(gone)) * 8 > len(table):
            return _View.of_table(table, sort_by)
        keys, items = list(self.keys), list(self.items)
        for key in (*gone, *changed):
            old = self.by_key.get(key)
            if old is not None:
                at = bisect_left(keys, _sort_key(key, old, sort_by))
                del keys[at], items[at]
        for key in changed:
            sort_key = _sort_key(key, table[key], sort_by)
            at = bisect_left(keys, sort_key)
            keys.insert(at, sort_key)
            items.insert(at, table[key])
        return _View(keys, items, dict(table))


@dataclass(frozen=True, slots=True)
class _Listed:
    """One page of an entity's listing: each item with its optional extras (persons'
    `include_fields`), the extra fields asked for, and the next page's cursor."""

    entity: EntityName
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]]
    include: frozenset[str]
    next_cursor: str | None

    def merged(self, item: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
        """The item as served: with the extra fields asked for (None where it has none)."""
        if not self.include:
            return item
        found = extra or {}
        return {**item, **{name: found.get(name) for name in self.include}}

    def items(self) -> list[dict[str, Any]]:
        return [self.merged(item, extra) for item, extra in self.pairs]

    def answer(self) -> dict[str, Any]:
        """The v2 list answer holding this page."""
        return {
            "success": True,
            "data": self.items(),
            "additional_data": {"next_cursor": self.next_cursor},
        }


def _encode(body: object) -> bytes:
    """JSON as the fake sends it: UTF-8, or escaped where a lone surrogate has no UTF-8 form."""
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(body).encode()


def _sort_key(item_id: int, item: dict[str, Any], sort_by: str) -> tuple[Any, int]:
    """(value, id) for keyset paging; `item_id` is the table key, even for a malformed item."""
    if sort_by == "id":
        return (item_id, item_id)
    value = item.get(sort_by)
    if value.__class__ is not str:
        value = "" if value is None else str(value)
    return (value, item_id)


class _BadRequestError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _canonical_time(name: str, value: str) -> str:
    if not _RFC3339_SECONDS.fullmatch(value):
        raise _BadRequestError(
            f"{name} must be an RFC 3339 date-time in whole seconds, e.g. 2025-01-01T10:20:00Z"
        )
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_param(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise _BadRequestError(f"{name} must be an integer") from None


def _encode_cursor(sort_by: str, direction: str, key: tuple[Any, int]) -> str:
    raw = json.dumps(
        {"field": sort_by, "fieldValue": key[0], "sortDirection": direction, "id": key[1]},
        separators=(",", ":"),
    ).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(cursor: str, sort_by: str, direction: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        value, item_id = data["fieldValue"], data["id"]
        ok = (
            data["field"] == sort_by
            and data["sortDirection"] == direction
            and isinstance(item_id, int)
            and isinstance(value, int if sort_by == "id" else str)
        )
    except (ValueError, TypeError, KeyError):
        ok = False
    if not ok:
        raise _BadRequestError("Invalid cursor")
    return (value, item_id)


def _encode_offset(offset: int) -> str:
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_offset(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["offset"]
    except (ValueError, TypeError, KeyError):
        offset = None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise _BadRequestError("Invalid cursor")
    return offset


# --- The server -------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: FakePipedriveServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep stderr quiet; a handler crash is recorded for tests to see."""
        self.app.errors.append(repr(sys.exc_info()[1]))


class FakePipedriveServer:
    """Serves a FakeAccount at `http://127.0.0.1:<port>` until stopped.

    `burst_limit` requests per `rate_window` seconds are reported in the
    `x-ratelimit-*` headers; beyond it the answer is 429 when `enforce_rate_limit`.
    """

    def __init__(
        self,
        account: FakeAccount,
        token: str = "test-token",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        burst_limit: int = 1000,
        rate_window: float = 2.0,
        enforce_rate_limit: bool = True,
    ) -> None:
        self.account = account
        self._token = token.encode()
        self.host = host
        self.port = port
        self.burst_limit = burst_limit
        self.rate_window = rate_window
        self.enforce_rate_limit = enforce_rate_limit
        self.faults = FaultPlan()
        #: Page like an offset-paging API instead of by keyset (opt-in, for tests): a cursor
        #: is a position in the listing, so deleting items before it skips as many after it.
        self.offset_cursors = False
        self.request_log: list[LoggedRequest] = []
        #: Each accepted write's method, path and body, in order (never its headers).
        self.write_log: list[tuple[str, str, dict[str, Any]]] = []
        #: (method, path, body) → problems; any problem refuses the write with a 400.
        self.request_validator: Callable[[str, str, dict[str, Any]], list[str]] | None = None
        self.errors: list[str] = []
        self._log_lock = threading.Lock()
        self._rate_lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_count = 0
        self._views: OrderedDict[tuple[Any, ...], tuple[int, _View]] = OrderedDict()
        #: (entity, extra fields) → item id → (the item, its extras, its JSON): `list_page_json`.
        self._encoded: dict[
            tuple[str, frozenset[str]],
            dict[int, tuple[dict[str, Any], dict[str, Any] | None, bytes]],
        ] = {}
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    def __repr__(self) -> str:
        state = self.base_url if self._httpd else "stopped"
        return f"FakePipedriveServer({state}, {self.account!r})"

    # --- Lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the fake Pipedrive server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        """Start serving in a daemon thread; returns the base URL."""
        if self._httpd is not None:
            return self.base_url
        httpd = _HTTPServer((self.host, self.port), _make_handler(self))
        httpd.app = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-pipedrive",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close every open connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakePipedriveServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- Introspection ------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        with self._log_lock:
            return len(self.request_log)

    def requests_to(self, path: str) -> list[LoggedRequest]:
        with self._log_lock:
            return [entry for entry in self.request_log if entry.path == path]

    def reset_log(self) -> None:
        with self._log_lock:
            self.request_log.clear()

    # --- Request handling (called from handler threads) ---------------------------------------

    def _token_ok(self, headers: Any) -> bool:
        token = headers.get("x-api-token")
        if token is None:
            auth = headers.get("Authorization") or ""
            token = auth[7:] if auth[:7].lower() == "bearer " else None
        return token is not None and hmac.compare_digest(token.strip().encode(), self._token)

    def _count_request(self) -> tuple[int, int, bool]:
        """(remaining, reset seconds, over the limit) for the current rate window."""
        with self._rate_lock:
            now = time.monotonic()
            if now - self._window_start >= self.rate_window:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            remaining = max(0, self.burst_limit - self._window_count)
            reset = max(1, math.ceil(self._window_start + self.rate_window - now))
            return remaining, reset, self._window_count > self.burst_limit

    def _log(self, method: str, path: str, params: dict[str, str], status: int) -> None:
        with self._log_lock:
            self.request_log.append(LoggedRequest(method, path, params, status))

    def _view(
        self,
        entity: EntityName,
        sort_by: str,
        filter_key: tuple[Any, ...],
        keep: Callable[[dict[str, Any]], bool] | None,
    ) -> _View:
        """The sorted, filtered listing; cached until the entity changes. Call under the lock."""
        version = self.account.versions[entity]
        cache_key = (entity, sort_by, filter_key)
        cached = self._views.get(cache_key)
        if cached is not None and cached[0] == version:
            self._views.move_to_end(cache_key)
            return cached[1]
        base_key = (entity, sort_by, ())
        base = self._views.get(base_key)
        if base is None or base[0] != version:
            table = self.account.table(entity)
            if base is None:
                base = (version, _View.of_table(table, sort_by))
            else:
                base = (version, base[1].updated(table, sort_by))
            self._views[base_key] = base
        view = base[1]
        if keep is not None:
            # In update time order, what `updated_since` keeps is a tail of the listing:
            # only that tail is filtered (an incremental pass after a change asks for
            # it again, filtered anew, every time).
            since = dict(filter_key).get("since") if sort_by == "update_time" else None
            start = bisect_left(view.keys, (since,)) if since else 0
            pairs = [
                (k, it)
                for k, it in zip(view.keys[start:], view.items[start:], strict=True)
                if keep(it)
            ]
            view = _View([k for k, _ in pairs], [it for _, it in pairs])
            self._views[cache_key] = (version, view)
        self._views.move_to_end(cache_key)
        while len(self._views) > _VIEW_CACHE_SIZE:
            self._views.popitem(last=False)
        return view

    def list_page(
        self, entity: EntityName, params: dict[str, str], repeat_cursor: bool = False
    ) -> dict[str, Any]:
        """The v2 list answer for `params`, as Pipedrive would build it."""
        return self._list(entity, params, repeat_cursor).answer()

    def list_page_json(
        self, entity: EntityName, params: dict[str, str], repeat_cursor: bool = False
    ) -> bytes:
        """`list_page` as the JSON body served; from kept item encodings once the
        entity's listing was encoded ahead (`encode_listing`).

        A real Pipedrive's time to answer is not the app's; encoding every item of every
        page anew made the fake's own work most of a benchmark's full sync on a two-core
        machine. A kept item is encoded again only when it is replaced (every change to a
        `FakeAccount` item replaces the dict), or when its optional extras do. Without
        an encoding ahead, each page is encoded whole, in one call: item by item, in a
        fake serving from the window's own process (the demo, the UI stall probe), the
        loop took turns on the interpreter lock with the window's thread.
        """
        listed = self._list(entity, params, repeat_cursor)
        if (listed.entity, listed.include) not in self._encoded:
            return _encode(listed.answer())
        return self._json(listed)

    def _json(self, listed: _Listed) -> bytes:
        """The page's JSON body, from the kept encoding of each item that has not changed."""
        encoded = self._encoded.setdefault((listed.entity, listed.include), {})
        parts: list[bytes] = []
        for item, extra in listed.pairs:
            key = item.get("id")
            kept = encoded.get(key) if key.__class__ is int else None
            if kept is not None and kept[0] is item and kept[1] is extra:
                parts.append(kept[2])
                continue
            body = _encode(listed.merged(item, extra))
            if key.__class__ is int:
                encoded[key] = (item, extra, body)
            parts.append(body)
        cursor = json.dumps(listed.next_cursor).encode()
        return b"".join(
            (
                b'{"success": true, "data": [',
                b", ".join(parts),
                b'], "additional_data": {"next_cursor": ',
                cursor,
                b"}}",
            )
        )

    def encode_listing(self, entity: EntityName, params: dict[str, str]) -> int:
        """Encode every item of a listing ahead of its requests; returns the pages walked.

        For a benchmark: the first walk of a listing then answers as fast as later ones.
        """
        asked = {**params, "limit": str(MAX_LIMIT)}
        pages = 0
        while True:
            listed = self._list(entity, asked, False)
            self._json(listed)
            pages += 1
            if listed.next_cursor is None:
                return pages
            asked["cursor"] = listed.next_cursor

    def _list(self, entity: EntityName, params: dict[str, str], repeat_cursor: bool) -> _Listed:
        """One page of a v2 listing: its items (with their extras) and the next cursor."""
        limit = _int_param(params, "limit")
        limit = DEFAULT_LIMIT if limit is None else limit
        if limit < 1 or limit > MAX_LIMIT:
            raise _BadRequestError(f"limit must be between 1 and {MAX_LIMIT}")
        sort_by = params.get("sort_by") or "id"
        if sort_by not in _SORT_FIELDS[entity]:
            raise _BadRequestError(f"sort_by must be one of {', '.join(_SORT_FIELDS[entity])}")
        direction = params.get("sort_direction") or "asc"
        if direction not in ("asc", "desc"):
            raise _BadRequestError("sort_direction must be asc or desc")
        keep, filter_key = self._filter(entity, params)
        cursor = params.get("cursor") or None
        offset = _decode_offset(cursor) if cursor and self.offset_cursors else None
        position = _decode_cursor(cursor, sort_by, direction) if cursor and offset is None else None
        include: set[str] = set()
        if entity == "persons":
            asked = {name.strip() for name in (params.get("include_fields") or "").split(",")}
            include = asked & _PERSON_EXTRA_FIELDS

        with self.account.lock:
            view = self._view(entity, sort_by, filter_key, keep)
            keys, items = view.keys, view.items
            next_key: tuple[Any, int] | None = None
            next_offset: int | None = None
            if self.offset_cursors:
                ordered = items if direction == "asc" else items[::-1]
                start = offset or 0
                page = ordered[start : start + limit]
                next_offset = start + limit if start + limit < len(ordered) else None
            elif direction == "asc":
                start = 0 if position is None else bisect_left(keys, position)
                page = items[start : start + limit]
                next_key = keys[start + limit] if start + limit < len(keys) else None
            else:
                end = len(keys) if position is None else bisect_right(keys, position)
                page = items[max(0, end - limit) : end][::-1]
                next_key = keys[end - limit - 1] if end - limit > 0 else None
            if include:
                extras = self.account.person_extras
                pairs = [(item, extras.get(item["id"])) for item in page]
            else:
                pairs = [(item, None) for item in page]
        next_cursor = None if next_key is None else _encode_cursor(sort_by, direction, next_key)
        if next_offset is not None:
            next_cursor = _encode_offset(next_offset)
        if repeat_cursor and cursor:
            next_cursor = cursor
        return _Listed(entity, pairs, frozenset(include), next_cursor)

    def _filter(
        self, entity: EntityName, params: dict[str, str]
    ) -> tuple[Callable[[dict[str, Any]], bool] | None, tuple[Any, ...]]:
        """A predicate for the filters in `params`, and a hashable key describing it."""
        checks: list[Callable[[dict[str, Any]], bool]] = []
        key: list[Any] = []
        since = params.get("updated_since")
        if since:
            since_c = _canonical_time("updated_since", since)
            checks.append(lambda it: str(it.get("update_time") or "") >= since_c)
            key.append(("since", since_c))
        until = params.get("updated_until")
        if until:
            until_c = _canonical_time("updated_until", until)
            checks.append(lambda it: str(it.get("update_time") or "") < until_c)
            key.append(("until", until_c))
        for name in ("owner_id", *_ID_FILTERS[entity]):
            wanted = _int_param(params, name)
            if wanted is not None:
                checks.append(_equals(name, wanted))
                key.append((name, wanted))
        ids = params.get("ids")
        if ids:
            try:
                id_set = frozenset(int(part) for part in ids.split(",") if part.strip())
            except ValueError:
                raise _BadRequestError("ids must be a comma separated list of integers") from None
            if len(id_set) > 100:
                raise _BadRequestError("ids accepts at most 100 ids")
            checks.append(lambda it: it.get("id") in id_set)
            key.append(("ids", id_set))
        if entity == "activities" and params.get("done"):
            done = params["done"].lower() in ("1", "true")
            checks.append(lambda it: bool(it.get("done")) == done)
            key.append(("done", done))
        if entity == "deals":
            statuses = frozenset(
                s.strip() for s in (params.get("status") or "open,won,lost").split(",") if s.strip()
            )
            if not statuses <= _DEAL_STATUSES:
                raise _BadRequestError("status must be a comma list of open, won, lost, deleted")
            if statuses != _DEAL_STATUSES:
                checks.append(lambda it: it.get("status") in statuses)
                key.append(("status", statuses))
        if not checks:
            return None, ()
        if len(checks) == 1:
            return checks[0], tuple(key)
        return (lambda it: all(check(it) for check in checks)), tuple(key)


def _equals(name: str, wanted: int) -> Callable[[dict[str, Any]], bool]:
    return lambda item: item.get(name) == wanted


# --- The HTTP handler -------------------------------------------------------------------------

_ME_PATHS: Final = frozenset({"/v1/users/me", "/api/v1/users/me"})
_USERS_PATHS: Final = frozenset({"/v1/users", "/api/v1/users"})
_PERSON_FIELDS_PATHS: Final = frozenset({"/v1/personFields", "/api/v1/personFields"})
_ORG_FIELDS_PATHS: Final = frozenset({"/v1/organizationFields", "/api/v1/organizationFields"})
_NOTES_PATHS: Final = frozenset({"/v1/notes", "/api/v1/notes"})
_LIST_PREFIX: Final = "/api/v2/"


def _person_fields_page(
    params: dict[str, str], fields: tuple[dict[str, Any], ...] = PERSON_FIELDS
) -> dict[str, Any]:
    """A v1 page of person (or other) fields (`start`/`limit`, v1's offset paging)."""
    try:
        start = max(0, int(params.get("start", "0")))
        limit = min(MAX_LIMIT, max(1, int(params.get("limit", str(DEFAULT_LIMIT)))))
    except ValueError:
        raise _BadRequestError("start and limit must be whole numbers") from None
    page = [dict(item) for item in fields[start : start + limit]]
    more = start + limit < len(fields)
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return {"success": True, "data": page, "additional_data": {"pagination": pagination}}


def _error_body(status: int, message: str) -> bytes:
    return json.dumps({"success": False, "error": message, "errorCode": status}).encode()


def _make_handler(app: FakePipedriveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakePipedrive/1.0"
        sys_version = ""
        disable_nagle_algorithm = True
        _req_path: str
        _req_params: dict[str, str]
        _trickle_delay: float = 0.0

        def setup(self) -> None:
            super().setup()
            with app._conn_lock:
                app._connections.add(self.connection)

        def finish(self) -> None:
            with app._conn_lock:
                app._connections.discard(self.connection)
            with contextlib.suppress(OSError):
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the fake never writes request lines (or anything else) to stderr."""

        def do_GET(self) -> None:
            self._begin()
            try:
                self._handle_get(self._req_path, self._req_params)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _write(self) -> None:
            self._begin()
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                self._handle_get(self._req_path, self._req_params, raw)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _begin(self) -> None:
            split = urlsplit(self.path)
            self._trickle_delay = 0.0
            self._req_path = split.path.rstrip("/") or "/"
            self._req_params = dict(parse_qsl(split.query, keep_blank_values=True))

        def _refuse(self) -> None:
            self._begin()
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._send(405, _error_body(405, "Method not allowed in the fake"))

        def do_POST(self) -> None:
            self._write()

        def do_PUT(self) -> None:
            self._refuse()

        def do_PATCH(self) -> None:
            self._write()

        def do_DELETE(self) -> None:
            self._refuse()

        def _handle_get(
            self, path: str, params: dict[str, str], raw_body: bytes | None = None
        ) -> int:
            remaining, reset, over = app._count_request()
            rate = {
                "x-ratelimit-limit": str(app.burst_limit),
                "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-reset": str(reset),
            }
            if not app._token_ok(self.headers):
                return self._send(401, _error_body(401, "unauthorized access"), rate)
            if over and app.enforce_rate_limit:
                return self._send(
                    429, _error_body(429, "Request over limit"), {**rate, "Retry-After": str(reset)}
                )
            fault = app.faults.take(path, bool(params.get("cursor")), self.command)
            if raw_body is not None:
                return self._handle_write(path, raw_body, fault, rate)
            repeat_cursor = False
            if fault is not None:
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                elif fault.kind == "trickle":
                    self._trickle_delay = fault.delay
                elif fault.kind == "repeat_cursor":
                    repeat_cursor = True
                else:
                    return self._fault(fault, rate)
            try:
                if path in _ME_PATHS:
                    with app.account.lock:
                        me = dict(app.account.me)
                    return self._send_json(200, {"success": True, "data": me}, rate)
                if path in _USERS_PATHS:
                    with app.account.lock:
                        users = [dict(user) for user in app.account.users.values()]
                    return self._send_json(200, {"success": True, "data": users}, rate)
                if path in _PERSON_FIELDS_PATHS:
                    return self._send_json(200, _person_fields_page(params), rate)
                if path in _ORG_FIELDS_PATHS:
                    page = _person_fields_page(params, ORGANIZATION_FIELDS)
                    return self._send_json(200, page, rate)
                if path in _NOTES_PATHS:
                    return self._send_json(200, fake_writes.notes_page(app.account, params), rate)
                note_path, _, note_id = path.rpartition("/")
                if note_path in _NOTES_PATHS and note_id.isdigit():
                    answer = fake_writes.note_answer(app.account, int(note_id))
                    return self._send_json(200, answer, rate)
                if path.startswith(_LIST_PREFIX):
                    return self._serve_v2(path[len(_LIST_PREFIX) :], params, repeat_cursor, rate)
            except (_BadRequestError, fake_writes.FakeRequestError) as exc:
                return self._send(exc.status, _error_body(exc.status, str(exc)), rate)
            return self._send(404, _error_body(404, f"Unknown method {path}"), rate)

        def _handle_write(
            self, path: str, raw: bytes, fault: Fault | None, rate: dict[str, str]
        ) -> int:
            """A POST or PATCH: faults before the write, the write, faults after it."""
            if fault is not None and fault.kind in _REFUSALS:
                status = int(fault.kind)
                return self._send(status, _error_body(status, _REFUSALS[fault.kind]), rate)
            if fault is not None and fault.kind not in _AFTER_WRITE:
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                else:
                    return self._fault(fault, rate)
            try:
                body = json.loads(raw or b"null")
                if not isinstance(body, dict):
                    raise fake_writes.FakeRequestError("The request body must be a JSON object")
                problems = (
                    app.request_validator(self.command, path, body) if app.request_validator else []
                )
                if problems:
                    raise fake_writes.FakeRequestError("; ".join(problems[:3]))
                status, answer = self._apply_write(path, body)
            except ValueError:
                return self._send(400, _error_body(400, "The request body is not JSON"), rate)
            except fake_writes.FakeRequestError as exc:
                return self._send(exc.status, _error_body(exc.status, str(exc)), rate)
            with app._log_lock:
                app.write_log.append((self.command, path, body))
            if fault is not None and fault.kind == "drop_after":
                app._log(self.command, path, self._req_params, 0)
                self.close_connection = True
                return 0
            if fault is not None and fault.kind == "500_after":
                return self._send(500, _error_body(500, "Internal server error"), rate)
            return self._send_json(status, answer, rate)

        def _apply_write(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            method = self.command
            account = app.account
            if method == "POST" and path == "/api/v2/activities":
                item = fake_writes.create_activity(account, body)
            elif method == "PATCH" and path.startswith("/api/v2/activities/"):
                item_id = path.rsplit("/", 1)[1]
                if not item_id.isdigit():
                    raise fake_writes.FakeRequestError("id must be an integer")
                item = fake_writes.update_activity(account, int(item_id), body)
            elif method == "POST" and path in _NOTES_PATHS:
                item = fake_writes.create_note(account, body)
                return 201, {"success": True, "data": item}
            else:
                raise fake_writes.FakeRequestError("Method not allowed in the fake", 405)
            return 200, {"success": True, "data": item}

        def _serve_v2(
            self, rest: str, params: dict[str, str], repeat_cursor: bool, rate: dict[str, str]
        ) -> int:
            entity_name, _, item_id = rest.partition("/")
            if entity_name not in ENTITY_NAMES:
                raise _BadRequestError(f"Unknown method /api/v2/{rest}", 404)
            entity: EntityName = entity_name
            if not item_id:
                return self._send(200, app.list_page_json(entity, params, repeat_cursor), rate)
            if not item_id.isdigit():
                raise _BadRequestError("id must be an integer")
            with app.account.lock:
                item = app.account.table(entity).get(int(item_id))
            if item is None:
                raise _BadRequestError(f"{entity[:-1].capitalize()} not found", 404)
            return self._send_json(200, {"success": True, "data": item}, rate)

        def _fault(self, fault: Fault, rate: dict[str, str]) -> int:
            kind = fault.kind
            if kind == "429":
                wait = str(fault.retry_after)
                headers = {**rate, "x-ratelimit-remaining": "0", "x-ratelimit-reset": wait}
                headers["Retry-After"] = wait
                return self._send(429, _error_body(429, "Request over limit"), headers)
            if kind in ("500", "503"):
                status = int(kind)
                text = "Internal server error" if status == 500 else "Service unavailable"
                return self._send(status, _error_body(status, text), rate)
            if kind == "drop":
                app._log(self.command, self._req_path, self._req_params, 0)
                self.close_connection = True
                return 0
            if kind == "bad_json":
                return self._send(200, b'{"success": true, "data": [{"id": 1, "name": "Jos', rate)
            if kind == "bad_gzip":
                garbage = b"\x1f\x8b this is not a gzip stream at all"
                return self._send(200, garbage, {**rate, "Content-Encoding": "gzip"})
            if kind == "echo_token":
                # Like a careless proxy or server: the request's own token in the error text.
                text = f"Invalid request for token {app._token.decode()}"
                return self._send(400, _error_body(400, text), rate)
            html = b"<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>"
            return self._send(403, html, rate, content_type="text/html; charset=utf-8")

        def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> int:
            return self._send(status, _encode(body), headers)

        def _send(
            self,
            status: int,
            payload: bytes,
            headers: dict[str, str] | None = None,
            content_type: str = "application/json; charset=utf-8",
        ) -> int:
            # Logged before answering, so a client that has its answer finds it in the log.
            app._log(self.command, self._req_path, self._req_params, status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if self._trickle_delay > 0:
                self._trickle(payload)
            else:
                self.wfile.write(payload)
            return status

        def _trickle(self, payload: bytes) -> None:
            """Send `payload` a byte at a time, until done, the client leaves or we stop."""
            for index in range(len(payload)):
                if app._httpd is None:
                    break
                try:
                    self.wfile.write(payload[index : index + 1])
                    self.wfile.flush()
                except OSError:
                    break
                time.sleep(self._trickle_delay)
            self.close_connection = True

    return Handler
