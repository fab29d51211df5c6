"""The Pipedrive HTTP client: one pooled session, the token in a header, careful retries.

Writes (`create_activity`, `update_activity`, `add_note`) go through `_write_json`, which
never repeats a request that may have reached Pipedrive: only a 429 (refused before any
work) is retried, after the wait Pipedrive asks for. A 5xx, a dropped connection or a
timeout once the request went out is an `OutcomeUnknownError`; the caller looks in
Pipedrive (`person_activities`, `activity`, `person_notes`) before sending again.

Every request goes through `PipedriveClient._get_json`, the one place that decides what a
response means: honour rate-limit headers, ride out 429 / 5xx / network failures and
garbled answers a bounded number of times, stop at once on 401/403, and hand back only a
verified JSON envelope.

Each attempt runs on a short-lived helper thread (`_Exchange`) while the calling thread
waits for it against an overall deadline and for `cancel()`: a server that trickles its
answer a byte at a time, or a user who cancels, never leaves the caller stuck on a socket.
An abandoned exchange has its socket shut down, so its thread ends too.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal, get_args

import requests
import urllib3

from pipedriven_desktop.pipedrive.address import checked_base_url
from pipedriven_desktop.pipedrive.errors import (
    AuthError,
    BadResponseError,
    CursorLoopError,
    OutcomeUnknownError,
    PipedriveConnectionError,
    PipedriveError,
    RateLimitError,
    RequestCancelledError,
    RequestRejectedError,
    ResponseTimeoutError,
    ServerError,
)
from pipedriven_desktop.pipedrive.records import (
    Activity,
    ApiRecord,
    Deal,
    Organization,
    Person,
    PersonField,
    User,
    format_api_time,
)
from pipedriven_desktop.redaction import redact, register_secret

__all__ = [
    "DEAL_STATUSES_ALL",
    "DEFAULT_BASE_URL",
    "ENTITIES",
    "PAGE_LIMIT",
    "PERSON_INCLUDE_FIELDS",
    "RECORD_TYPES",
    "Entity",
    "Page",
    "PipedriveClient",
]

Entity = Literal["persons", "organizations", "activities", "deals"]
ENTITIES: Final[tuple[Entity, ...]] = get_args(Entity)

DEFAULT_BASE_URL: Final = "https://api.pipedrive.com"
PAGE_LIMIT: Final = 500
#: Deals: ask for deleted ones too, so deletions reach the mirror.
DEAL_STATUSES_ALL: Final = "open,won,lost,deleted"
#: Optional person fields the warmness score can use (pass as `extra={"include_fields": ...}`).
PERSON_INCLUDE_FIELDS: Final = (
    "email_messages_count,last_incoming_mail_time,last_outgoing_mail_time,marketing_status"
)
RECORD_TYPES: Final[Mapping[Entity, type[ApiRecord]]] = {
    "persons": Person,
    "organizations": Organization,
    "activities": Activity,
    "deals": Deal,
}

_RETRYABLE_NETWORK_ERRORS: Final = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)
#: Person fields come 500 a page; no account has anywhere near this many pages.
_MAX_FIELD_PAGES: Final = 20
#: An answer larger than this is refused rather than held in memory (a page is ~1 MB).
MAX_BODY_BYTES: Final = 64 * 1024 * 1024
_CHUNK_BYTES: Final = 64 * 1024
#: How often a waiting caller looks at the deadline and for a cancel (seconds).
_POLL_SECONDS: Final = 0.05


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a v2 listing: the raw items, so each can be parsed (or skipped) alone."""

    entity: Entity
    items: list[dict[str, Any]]
    next_cursor: str | None
    number: int

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None


class PipedriveClient:
    """A client for the part of the Pipedrive API the mirror needs.

    `timeout` bounds connecting and each wait for data on the socket; `deadline` bounds a
    whole request, its answer included. `cancel()`, from any thread, abandons the request
    in flight and every later one within a fraction of a second. `requests_made` counts
    HTTP attempts, retries included. `sleep` is injectable so tests can check every wait
    without spending it; by default waits end early on `cancel()`. One client serves one
    thread at a time (plus whoever calls `cancel()`).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30,
        deadline: float = 120,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        max_wait: float = 60,
        sleep: Callable[[float], None] | None = None,
        on_retry: Callable[[PipedriveError, float], None] | None = None,
    ) -> None:
        if not token or not token.strip():
            raise ValueError("An API token is required.")
        if deadline <= 0 or timeout <= 0:
            raise ValueError("timeout and deadline must be positive")
        self.base_url = checked_base_url(base_url)
        self._token = token.strip()
        register_secret(self._token)
        self._session = session if session is not None else requests.Session()
        self._owns_session = session is None
        self.timeout = timeout
        self.deadline = deadline
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_wait = max_wait
        self._sleep = sleep
        #: told (error, seconds until the next attempt) before each wait to retry, so a
        #: window can say why nothing arrives yet; called on the requesting thread
        self.on_retry = on_retry
        self._cancel = threading.Event()
        self._requests = 0
        self._answered = 0
        self._pause_before_next = 0.0
        #: This client and its siblings (``sibling``): one account's rate budget.
        self._family: list[PipedriveClient] = [self]

    @property
    def requests_made(self) -> int:
        """HTTP attempts, retries included, by this client and its siblings."""
        return sum(client._requests for client in self._family)

    @property
    def requests_answered(self) -> int:
        """Requests Pipedrive answered with success, by this client and its siblings: while
        none was, nothing was read from Pipedrive or changed in it."""
        return sum(client._answered for client in self._family)

    def sibling(self) -> PipedriveClient:
        """A client for another thread: the same account, settings and cancel, a session of
        its own. Requests are counted together, and when Pipedrive says the burst budget
        is spent, every client of the family waits out its reset before its next request.
        """
        twin = PipedriveClient(
            self.base_url,
            self._token,
            timeout=self.timeout,
            deadline=self.deadline,
            max_retries=self.max_retries,
            backoff_base=self.backoff_base,
            max_wait=self.max_wait,
            sleep=self._sleep,
            on_retry=self.on_retry,
        )
        twin._cancel = self._cancel
        twin._family = self._family
        self._family.append(twin)
        return twin

    def __repr__(self) -> str:
        return f"PipedriveClient(base_url={self.base_url!r}, token=<hidden>)"

    def cancel(self) -> None:
        """Abandon the request in flight and refuse later ones; safe from any thread."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Endpoints ----------------------------------------------------------------------------

    def me(self) -> User:
        """The signed-in user (`GET /v1/users/me`): their id defines My-500."""
        body = self._get_json("/v1/users/me", {})
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("Pipedrive's answer about the current user had no user in it.")
        try:
            return User.from_api(data)
        except ValueError as exc:
            message = self._redact(f"Pipedrive sent an unusable user record ({exc}).")
            raise BadResponseError(message) from None

    def users(self) -> list[User]:
        """Every user of the company (`GET /v1/users`, one request): names for owner ids.

        An unusable record is skipped rather than failing the sync over a name.
        """
        body = self._get_json("/v1/users", {})
        data = body.get("data")
        if data is None:
            return []
        if not isinstance(data, list):
            raise BadResponseError("Pipedrive's answer about the users held no list of users.")
        users = []
        for item in data:
            if not isinstance(item, dict):
                continue
            try:
                users.append(User.from_api(item))
            except ValueError:
                continue
        return users

    def person_fields(self, limit: int = PAGE_LIMIT) -> list[PersonField]:
        """Every person field the account describes (`GET /v1/personFields`, paged).

        Used to choose the field holding the lead status and to read an option field's
        labels; an unusable field description is skipped.
        """
        return self._fields("/v1/personFields", "person", limit)

    def organization_fields(self, limit: int = PAGE_LIMIT) -> list[PersonField]:
        """Every organization field (`GET /v1/organizationFields`, paged): the labels of
        option fields such as the industry."""
        return self._fields("/v1/organizationFields", "organization", limit)

    def _fields(self, path: str, what: str, limit: int) -> list[PersonField]:
        fields: list[PersonField] = []
        start = 0
        for _ in range(_MAX_FIELD_PAGES):
            body = self._get_json(path, {"start": str(start), "limit": str(limit)})
            data = body.get("data")
            if data is not None and not isinstance(data, list):
                raise BadResponseError(f"Pipedrive's answer about {what} fields held no list.")
            for item in data or ():
                if isinstance(item, dict):
                    try:
                        fields.append(PersonField.from_api(item))
                    except ValueError:
                        continue
            more = body.get("additional_data")
            pagination = more.get("pagination") if isinstance(more, dict) else None
            if not isinstance(pagination, dict) or not pagination.get("more_items_in_collection"):
                break
            next_start = pagination.get("next_start")
            if not isinstance(next_start, int) or next_start <= start:
                break
            start = next_start
        return fields

    def iter_pages(
        self,
        entity: Entity,
        *,
        updated_since: datetime | None = None,
        sort_by: str = "update_time",
        sort_direction: Literal["asc", "desc"] = "asc",
        limit: int = PAGE_LIMIT,
        extra: Mapping[str, str] | None = None,
    ) -> Iterator[Page]:
        """Walk `GET /api/v2/{entity}` page by page, following `next_cursor`.

        `updated_since` is sent as whole-second UTC and Pipedrive returns items with
        `update_time >= updated_since`, so the boundary item comes again. Deals default to
        `status=open,won,lost,deleted`; `extra` adds or overrides query parameters.
        """
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
        params: dict[str, str] = {
            "limit": str(limit),
            "sort_by": sort_by,
            "sort_direction": sort_direction,
        }
        if updated_since is not None:
            params["updated_since"] = format_api_time(updated_since)
        if entity == "deals":
            params["status"] = DEAL_STATUSES_ALL
        params.update(extra or {})
        path = f"/api/v2/{entity}"
        seen: set[str] = set()
        number = 0
        while True:
            body = self._get_json(path, params)
            page = _page_from_body(entity, body, number + 1)
            number = page.number
            yield page
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise CursorLoopError(
                    f"Pipedrive returned the same {entity} page marker twice; "
                    "stopped to avoid looping forever."
                )
            seen.add(page.next_cursor)
            params["cursor"] = page.next_cursor

    def iter_items(self, entity: Entity, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every raw item of a listing, across pages (see `iter_pages` for the arguments)."""
        for page in self.iter_pages(entity, **kwargs):
            yield from page.items

    # --- Writes, and the reads that check an unknown outcome ----------------------------------

    def create_activity(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /api/v2/activities`: the activity as Pipedrive stored it (with its `id`)."""
        return _record(self._write_json("POST", "/api/v2/activities", body), "activity")

    def update_activity(self, activity_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
        """`PATCH /api/v2/activities/{id}` with the fields to change; the activity after it."""
        path = f"/api/v2/activities/{int(activity_id)}"
        return _record(self._write_json("PATCH", path, body), "activity")

    def add_note(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """`POST /v1/notes` (`content` in HTML, `person_id`): the note as stored."""
        return _record(self._write_json("POST", "/v1/notes", body), "note")

    def activity(self, activity_id: int) -> dict[str, Any] | None:
        """`GET /api/v2/activities/{id}`; None when Pipedrive has no such activity."""
        try:
            body = self._get_json(f"/api/v2/activities/{int(activity_id)}", {})
        except RequestRejectedError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return _record(body, "activity")

    def person_activities(self, person_id: int, *, updated_since: datetime) -> list[dict[str, Any]]:
        """The person's activities changed since `updated_since` (raw v2 items)."""
        return list(
            self.iter_items(
                "activities",
                updated_since=updated_since,
                extra={"person_id": str(int(person_id))},
            )
        )

    def person_notes(self, person_id: int, *, since: date) -> list[dict[str, Any]]:
        """The person's notes added from `since` on (`GET /v1/notes`, v1 offset paging)."""
        notes: list[dict[str, Any]] = []
        start = 0
        for _ in range(_MAX_FIELD_PAGES):
            body = self._get_json(
                "/v1/notes",
                {
                    "person_id": str(int(person_id)),
                    "start_date": since.isoformat(),
                    "sort": "id ASC",
                    "start": str(start),
                    "limit": str(PAGE_LIMIT),
                },
            )
            data = body.get("data")
            if data is not None and not isinstance(data, list):
                raise BadResponseError("Pipedrive's answer about notes held no list.")
            notes.extend(item for item in data or () if isinstance(item, dict))
            more = body.get("additional_data")
            pagination = more.get("pagination") if isinstance(more, dict) else None
            if not isinstance(pagination, dict) or not pagination.get("more_items_in_collection"):
                break
            next_start = pagination.get("next_start")
            if not isinstance(next_start, int) or next_start <= start:
                break
            start = next_start
        return notes

    def _write_json(self, method: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """Send one write; its verified success envelope, or an error saying what is known.

        Only 429 is retried (Pipedrive did nothing), after `Retry-After` or the reset header.
        Failing before the request left (no connection) is a `PipedriveConnectionError`; once
        it may have arrived, an `OutcomeUnknownError`; a refusal a `RequestRejectedError`
        (or `AuthError` for a bad token, or an HTML 403 from the edge).
        """
        retries = 0
        try:
            while True:
                try:
                    answer = self._write_attempt(method, path, body, retries)
                    self._answered += 1
                    return answer
                except _Retry as retry:
                    if retries >= self.max_retries:
                        raise retry.error from retry.error.__cause__
                    retries += 1
                    if self.on_retry is not None:
                        self.on_retry(retry.error, retry.wait)
                    self._wait(retry.wait)
        except PipedriveError as error:
            error.args = (self._redact(error.message), *error.args[1:])
            raise

    def _write_attempt(
        self, method: str, path: str, body: Mapping[str, Any], retries: int
    ) -> dict[str, Any]:
        if self._pause_before_next > 0:
            pause, self._pause_before_next = self._pause_before_next, 0.0
            self._wait(pause)
        if self._cancel.is_set():
            raise RequestCancelledError
        self._requests += 1
        unknown = (
            "The connection to Pipedrive broke while sending a change ({}); "
            "it may or may not have arrived."
        )
        try:
            answer = self._exchange(path, {}, method, body)
        except ResponseTimeoutError as exc:
            raise OutcomeUnknownError(unknown.format("no answer in time")) from exc
        except _RETRYABLE_NETWORK_ERRORS as exc:
            if _never_connected(exc):
                raise PipedriveConnectionError(
                    f"Could not reach Pipedrive ({_describe_network_error(exc)}). "
                    "Check the internet connection and try again."
                ) from exc
            raise OutcomeUnknownError(unknown.format(_describe_network_error(exc))) from exc
        except (requests.exceptions.ContentDecodingError, _BodyTooLargeError) as exc:
            raise OutcomeUnknownError(unknown.format("the answer was unreadable")) from exc
        except requests.RequestException as exc:
            raise PipedriveConnectionError(
                f"Could not send the change to Pipedrive ({type(exc).__name__})."
            ) from exc
        status = answer.status
        self._note_rate_limit(answer)
        if status == 429:
            error = RateLimitError(
                "Pipedrive is limiting requests right now. Try again in a few minutes.",
                status=status,
            )
            raise _Retry(error, self._rate_limit_wait(answer, retries))
        if status >= 500:
            raise OutcomeUnknownError(
                f"Pipedrive had trouble with a change (HTTP {status}); "
                "it may or may not have been saved.",
                status=status,
            )
        if status == 401 or (status == 403 and not _is_json(answer)):
            raise AuthError.for_status(status)
        if 300 <= status < 400:
            raise BadResponseError(
                f"Pipedrive answered {path} with a redirect (HTTP {status}). "
                "Check the Pipedrive address in Settings.",
                status=status,
            )
        if status >= 400:
            raise RequestRejectedError(_error_text(answer.body), status=status)
        try:
            return _envelope(answer, path)
        except (_Garbled, BadResponseError) as exc:
            raise OutcomeUnknownError(
                f"Pipedrive's answer to a change (HTTP {status}) could not be read; "
                "it may or may not have been saved."
            ) from exc

    # --- The request loop ---------------------------------------------------------------------

    def _get_json(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """GET `path` and return the verified success envelope, retrying what can be retried.

        429, 5xx, network failures and garbled answers are retried at most `max_retries`
        times, each after the wait `_attempt` chose; the last failure is raised as it is.
        Every error leaves with the token masked out of its message.
        """
        retries = 0
        try:
            while True:
                try:
                    answer = self._attempt(path, params, retries)
                    self._answered += 1
                    return answer
                except _Retry as retry:
                    if retries >= self.max_retries:
                        raise retry.error from retry.error.__cause__
                    retries += 1
                    if self.on_retry is not None:
                        self.on_retry(retry.error, retry.wait)
                    self._wait(retry.wait)
        except PipedriveError as error:
            error.args = (self._redact(error.message), *error.args[1:])
            raise

    def _attempt(self, path: str, params: Mapping[str, str], retries: int) -> dict[str, Any]:
        """One request: the envelope, a final error, or `_Retry` with how long to wait first."""
        if self._pause_before_next > 0:
            pause, self._pause_before_next = self._pause_before_next, 0.0
            self._wait(pause)
        if self._cancel.is_set():
            raise RequestCancelledError
        self._requests += 1
        try:
            answer = self._exchange(path, params)
        except _RETRYABLE_NETWORK_ERRORS as exc:
            error: PipedriveError = PipedriveConnectionError(
                f"Could not reach Pipedrive ({_describe_network_error(exc)}). "
                "Check the internet connection and try again."
            )
            error.__cause__ = exc
            raise _Retry(error, self._backoff(retries)) from None
        except requests.exceptions.ContentDecodingError as exc:
            error = BadResponseError(
                f"Pipedrive's answer for {path} could not be decoded (its compression is "
                "broken); nothing of it was used."
            )
            error.__cause__ = exc
            raise _Retry(error, self._backoff(retries)) from None
        except _BodyTooLargeError:
            raise BadResponseError(
                f"Pipedrive's answer for {path} was larger than "
                f"{MAX_BODY_BYTES // (1024 * 1024)} MB; it was not used."
            ) from None
        except requests.RequestException as exc:
            raise PipedriveConnectionError(
                f"Could not send the request to Pipedrive ({type(exc).__name__})."
            ) from exc
        status = answer.status
        self._note_rate_limit(answer)
        if status == 429:
            error = RateLimitError(
                "Pipedrive is limiting requests right now. Try again in a few minutes.",
                status=status,
            )
            raise _Retry(error, self._rate_limit_wait(answer, retries))
        if status >= 500:
            error = ServerError(
                f"Pipedrive is having trouble (HTTP {status}). Try again later.", status=status
            )
            raise _Retry(error, self._backoff(retries))
        if status in (401, 403):
            raise AuthError.for_status(status)
        if 300 <= status < 400:
            raise BadResponseError(
                f"Pipedrive answered {path} with a redirect (HTTP {status}). "
                "Check the Pipedrive address in Settings.",
                status=status,
            )
        if status >= 400:
            raise RequestRejectedError(
                f"Pipedrive refused the request for {path} (HTTP {status}): "
                f"{_error_text(answer.body)}",
                status=status,
            )
        try:
            return _envelope(answer, path)
        except _Garbled as garbled:
            raise _Retry(garbled.error, self._backoff(retries)) from None

    def _exchange(
        self,
        path: str,
        params: Mapping[str, str],
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
    ) -> _Answer:
        """The whole answer, or the helper's exception; waits at most `deadline` seconds and
        stops waiting as soon as `cancel()` is called."""
        # No redirects: a custom header would follow one to any host, token included.
        exchange = _Exchange(
            self._session,
            self.base_url + path,
            params,
            {"x-api-token": self._token, "Accept": "application/json"},
            self.timeout,
            method,
            body,
        )
        give_up = time.monotonic() + self.deadline
        try:
            exchange.start()
            while not exchange.done.wait(_POLL_SECONDS):
                if self._cancel.is_set():
                    raise RequestCancelledError
                if time.monotonic() >= give_up:
                    raise ResponseTimeoutError(
                        f"Pipedrive took longer than {self.deadline:g} s to answer {path}; "
                        "stopped waiting. Try again later."
                    )
        except BaseException:
            exchange.abandon()
            raise
        return exchange.result()

    def _wait(self, seconds: float) -> None:
        """Sleep between attempts; a cancel ends the wait (and the request) at once."""
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            self._cancel.wait(seconds)
        if self._cancel.is_set():
            raise RequestCancelledError

    def _redact(self, text: str) -> str:
        return redact(text, (self._token,))

    def _backoff(self, retries_so_far: int) -> float:
        return float(min(self.max_wait, self.backoff_base * 2**retries_so_far))

    def _rate_limit_wait(self, answer: _Answer, retries_so_far: int) -> float:
        told = _seconds(answer.headers.get("Retry-After"))
        if told is None:
            told = _seconds(answer.headers.get("x-ratelimit-reset"))
        if told is None:
            return self._backoff(retries_so_far)
        return float(min(self.max_wait, told))

    def _note_rate_limit(self, answer: _Answer) -> None:
        """When the burst budget is spent, wait out its reset before the next request."""
        if answer.status == 429 or answer.headers.get("x-ratelimit-remaining") != "0":
            return
        reset = _seconds(answer.headers.get("x-ratelimit-reset"))
        if reset is None:
            reset = self.backoff_base
        pause = float(min(self.max_wait, reset))
        for client in self._family:
            client._pause_before_next = max(client._pause_before_next, pause)


# --- One exchange on a helper thread ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class _BodyTooLargeError(Exception):
    pass


class _Exchange:
    """One request (a GET, or a write with a JSON body) and its whole (decoded) answer,
    read on a daemon thread.

    The caller waits on `done`; `abandon()` (after a cancel, the deadline or an interrupt)
    shuts the socket down, so a thread blocked on a trickling answer ends too.
    """

    def __init__(
        self,
        session: requests.Session,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        timeout: float,
        method: str = "GET",
        body: Mapping[str, Any] | None = None,
    ) -> None:
        self.done = threading.Event()
        self._session = session
        self._request = (url, dict(params), dict(headers), timeout)
        self._method = method
        self._body = None if body is None else dict(body)
        self._lock = threading.Lock()
        self._response: requests.Response | None = None
        self._abandoned = False
        self._answer: _Answer | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="pipedrive-request", daemon=True).start()

    def result(self) -> _Answer:
        if self._error is not None:
            raise self._error
        assert self._answer is not None
        return self._answer

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            response = self._response
        if response is not None:
            _shut_down(response)

    def _run(self) -> None:
        url, params, headers, timeout = self._request
        try:
            response = self._session.request(
                self._method,
                url,
                params=params,
                headers=headers,
                json=self._body,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
            )
            try:
                with self._lock:
                    self._response = response
                    abandoned = self._abandoned
                body = b"" if abandoned else self._read(response)
            finally:
                response.close()
            self._answer = _Answer(response.status_code, response.headers, body)
        except BaseException as exc:
            self._error = exc
        finally:
            self.done.set()

    def _read(self, response: requests.Response) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(_CHUNK_BYTES):
            if self._abandoned:
                break
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _BodyTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)


def _shut_down(response: requests.Response) -> None:
    """Shut the response's socket down, waking a thread blocked reading it (best effort)."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


# --- Helpers ----------------------------------------------------------------------------------


class _Retry(Exception):  # noqa: N818 - a signal inside the request loop, not an error
    """Raised by one attempt that may be retried: the error to raise if not, and the wait."""

    def __init__(self, error: PipedriveError, wait: float) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait


def _seconds(header: str | None) -> float | None:
    if header is None:
        return None
    try:
        value = float(header.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _never_connected(exc: Exception) -> bool:
    """Whether the request surely never left: the connection itself could not be made."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _is_json(answer: _Answer) -> bool:
    return "json" in str(answer.headers.get("Content-Type") or "").lower()


def _record(body: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The envelope's `data` object with an integer `id`, or BadResponseError."""
    data = body.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise BadResponseError(f"Pipedrive's answer held no {what} record.")
    return data


def _describe_network_error(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "the request timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke off mid-answer"
    return "the connection failed"


def _error_text(body: bytes) -> str:
    """Pipedrive's own error text, if the body is its JSON error envelope."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return "no details"
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        return str(parsed["error"])[:200]
    return "no details"


class _Garbled(Exception):  # noqa: N818 - a signal inside the request loop, not an error
    """The body was not JSON: possibly cut short or mangled on the way, so worth a retry."""

    def __init__(self, error: PipedriveError) -> None:
        super().__init__(error.message)
        self.error = error


def _envelope(answer: _Answer, path: str) -> dict[str, Any]:
    try:
        body = json.loads(answer.body)
    except ValueError:
        raise _Garbled(
            BadResponseError(
                f"Pipedrive's answer for {path} was not valid JSON.", status=answer.status
            )
        ) from None
    if not isinstance(body, dict) or body.get("success") is not True:
        raise BadResponseError(
            f"Pipedrive's answer for {path} was not a success envelope.",
            status=answer.status,
        )
    return body


def _page_from_body(entity: Entity, body: Mapping[str, Any], number: int) -> Page:
    items = body.get("data")
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadResponseError(f"Pipedrive's {entity} page did not hold a list of records.")
    additional = body.get("additional_data")
    if additional is None:
        additional = {}
    if not isinstance(additional, dict):
        raise BadResponseError(f"Pipedrive's {entity} page had malformed paging data.")
    cursor = additional.get("next_cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise BadResponseError(f"Pipedrive's {entity} page had a malformed page marker.")
    return Page(entity=entity, items=items, next_cursor=cursor or None, number=number)
