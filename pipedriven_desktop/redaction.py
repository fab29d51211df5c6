"""Keep secrets out of every text the app shows, stores or logs.

The Pipedrive token is registered here as soon as it is read or used; `redact` masks every
registered secret (and the user-info part of any address, ``scheme://user:pass@``) in a
text. Error messages are redacted where they are built; `RedactingFilter` on the log
handlers is the safety net for whatever else reaches a log line.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

__all__ = ["MASK", "RedactingFilter", "install_log_redaction", "redact", "register_secret"]

MASK: Final = "[redacted]"
#: Shorter strings are too likely to occur by chance to be masked everywhere.
MIN_SECRET_LENGTH: Final = 8
_USER_INFO: Final = re.compile(r"(?<=://)[^/\s@]+@")

_lock = threading.Lock()
_secrets: frozenset[str] = frozenset()


def register_secret(secret: str | None) -> None:
    """Mask `secret` (as typed and URL-encoded) in every later `redact` call."""
    if secret is None:
        return
    secret = secret.strip()
    if len(secret) < MIN_SECRET_LENGTH:
        return
    global _secrets
    with _lock:
        _secrets = _secrets | {secret, quote(secret, safe="")}


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`text` without any registered secret, `extra` secret or address user info."""
    for secret in sorted({*_secrets, *extra}, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, MASK)
    if "@" in text:
        text = _USER_INFO.sub(MASK + "@", text)
    return text


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message, the traceback and the stack."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_redaction(*handlers: logging.Handler) -> None:
    """Add a `RedactingFilter` to `handlers`; by default the root logger's handlers and
    Python's last-resort handler (what prints warnings when logging is not set up)."""
    if not handlers:
        candidates = [*logging.getLogger().handlers, logging.lastResort]
        handlers = tuple(handler for handler in candidates if handler is not None)
    for handler in handlers:
        if not any(isinstance(existing, RedactingFilter) for existing in handler.filters):
            handler.addFilter(RedactingFilter())
