"""The one check of a Pipedrive API address, used by the client, the CLI and Settings.

An address is saved in a plain-text settings file and shown in messages, so one carrying
credentials (``https://user:secret@host``) or a query string (a token's old hiding place)
is refused, and no message here ever repeats what was typed: it may hold a secret.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final
from urllib.parse import urlsplit

__all__ = ["InvalidAddressError", "checked_base_url", "is_loopback"]

#: A host name: dot-separated labels of letters, digits, '-' and '_' (IDNA-encoded first).
_LABEL: Final = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
_HOST_NAME: Final = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?", re.IGNORECASE)
_API_SUFFIXES: Final = ("/api/v2", "/api/v1", "/v1")
EXAMPLE: Final = "https://api.pipedrive.com"


class InvalidAddressError(ValueError):
    """The address cannot be used; the message says why without repeating it."""


def checked_base_url(address: str) -> str:
    """The normalised base URL (no trailing slash or API suffix), or InvalidAddressError.

    Plain http is allowed for this computer only (the demo and tests), never to send the
    token across a network.
    """
    text = address.strip()
    if not text:
        raise InvalidAddressError(f"Enter the Pipedrive API address, e.g. {EXAMPLE}.")
    if any(ord(char) < 32 or char.isspace() for char in text):
        raise InvalidAddressError("The Pipedrive address must not contain spaces.")
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidAddressError(_not_an_address()) from None
    if "@" in parts.netloc:
        raise InvalidAddressError(
            "The Pipedrive address must not contain a user name or password "
            "(the part before '@'); the API token is entered separately."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidAddressError(_not_an_address())
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise InvalidAddressError(
            "The Pipedrive address must not contain a query or fragment (the part from '?' or '#')."
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or parts.netloc.endswith(":"):
        raise InvalidAddressError(
            "The Pipedrive address has an invalid port; use a number from 1 to 65535."
        )
    host = parts.hostname
    if not _valid_host(host):
        raise InvalidAddressError("The Pipedrive address has an invalid host name.")
    if parts.scheme == "http" and not is_loopback(host):
        raise InvalidAddressError(
            "Pipedrive must be reached over https (plain http only for this computer)."
        )
    path = parts.path.rstrip("/")
    for suffix in _API_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return len(ascii_host) <= 253 and _HOST_NAME.fullmatch(ascii_host) is not None


def _not_an_address() -> str:
    return f"The Pipedrive address must be a web address starting with https://, e.g. {EXAMPLE}."
