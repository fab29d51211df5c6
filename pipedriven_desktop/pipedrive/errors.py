"""Errors the Pipedrive client raises.

Each message is written for the salesperson who will read it in the status bar, and none
ever contains the API token or request headers: the client builds them from the status
code, the path and Pipedrive's own error text, with the token masked out of that text
(a proxy or server may echo it).
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BadResponseError",
    "CursorLoopError",
    "OutcomeUnknownError",
    "PipedriveConnectionError",
    "PipedriveError",
    "RateLimitError",
    "RequestCancelledError",
    "RequestRejectedError",
    "ResponseTimeoutError",
    "ServerError",
]

#: The message of a request stopped by `PipedriveClient.cancel()`.
CANCELLED = "cancelled"


class PipedriveError(Exception):
    """Base of every error the Pipedrive layer raises; `status` is the HTTP status if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class AuthError(PipedriveError):
    """401 or 403: retrying cannot help, the user has to act."""

    @classmethod
    def for_status(cls, status: int) -> AuthError:
        if status == 401:
            return cls("Pipedrive rejected the API token. Check it in Settings.", status=status)
        return cls(
            "Pipedrive refused access (403). The token may lack permission for this data, "
            "or Pipedrive is blocking requests for a while; try again later.",
            status=status,
        )


class RateLimitError(PipedriveError):
    """Still rate limited (429) after the bounded number of waits."""


class ServerError(PipedriveError):
    """Pipedrive kept answering with 5xx after the bounded retries."""


class PipedriveConnectionError(PipedriveError):
    """The network failed (timeout, refused or dropped connection) after the bounded retries."""


class OutcomeUnknownError(PipedriveError):
    """A write went out and no usable answer came back (5xx, dropped connection, timeout).

    Pipedrive may or may not have done it: the caller must look before sending it again.
    """


class BadResponseError(PipedriveError):
    """The response was not the JSON envelope Pipedrive promises; nothing of it was used."""


class RequestRejectedError(PipedriveError):
    """Another 4xx (400, 402, 404, 410, 422...): the request itself was refused."""


class CursorLoopError(PipedriveError):
    """Pipedrive handed back a cursor already seen in the same listing, which would loop."""


class ResponseTimeoutError(PipedriveError):
    """The answer did not arrive in full within the request's overall deadline.

    Not retried: a server that trickles its answer is unlikely to do better at once, and
    the next sync resumes where this one stopped.
    """


class RequestCancelledError(PipedriveError):
    """`PipedriveClient.cancel()` was called: the request in flight was abandoned."""

    def __init__(self) -> None:
        super().__init__(CANCELLED)
