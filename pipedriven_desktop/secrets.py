"""The Pipedrive API token, kept in the OS keychain and nowhere else.

``PIPEDRIVE_API_TOKEN`` overrides the keychain for headless runs. When no
usable keyring backend exists the caller is told plainly (``KeyringUnavailableError``)
and may keep the token in memory for the session; there is no silent fallback
to a plain-text file. A keychain that is locked or fails in any other way raises
``KeyringLockedError``, which every caller turns into a message, never a traceback.
Every token read or stored here is registered for redaction, so no log line,
error text or stored message can carry it.
"""

from __future__ import annotations

import contextlib
import os

import keyring
from keyring.errors import NoKeyringError, PasswordDeleteError

from pipedriven_desktop.redaction import register_secret

SERVICE = "pipedriven-desktop"
ACCOUNT = "pipedrive-api-token"
ENV_VAR = "PIPEDRIVE_API_TOKEN"


class KeyringUnavailableError(Exception):
    """No usable keychain: the token can only live in memory for this session."""


class KeyringLockedError(Exception):
    """A keychain exists but refused access (locked or denied)."""


_session_token: str | None = None


def keyring_usable() -> bool:
    backend = keyring.get_keyring()
    priority = getattr(backend, "priority", 0)
    return not isinstance(priority, (int, float)) or priority > 0


def get_token() -> str | None:
    """The token from the environment, the session, or the keychain (None if unset)."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        register_secret(from_env)
        return from_env
    if _session_token:
        return _session_token
    if not keyring_usable():
        return None
    try:
        token = keyring.get_password(SERVICE, ACCOUNT)
    except NoKeyringError:
        return None
    except Exception as exc:  # KeyringError, or a backend's own (D-Bus, OS) error
        raise KeyringLockedError(
            "The system keychain refused access to the Pipedrive token"
        ) from exc
    register_secret(token)
    return token


def store_token(token: str) -> None:
    """Save the token in the keychain; raises KeyringUnavailableError when there is none."""
    token = token.strip()
    if not token:
        raise ValueError("The API token is empty")
    register_secret(token)
    if not keyring_usable():
        raise KeyringUnavailableError("No system keychain is available to store the token")
    try:
        keyring.set_password(SERVICE, ACCOUNT, token)
    except NoKeyringError as exc:
        raise KeyringUnavailableError("No system keychain is available to store the token") from exc
    except Exception as exc:  # KeyringError, or a backend's own (D-Bus, OS) error
        raise KeyringLockedError("The system keychain refused to store the token") from exc


def use_for_session(token: str | None) -> None:
    """Keep the token in memory only, for when the keychain is unavailable."""
    global _session_token
    _session_token = token.strip() if token else None
    register_secret(_session_token)


def delete_token() -> None:
    use_for_session(None)
    if not keyring_usable():
        return
    with contextlib.suppress(PasswordDeleteError, NoKeyringError):
        keyring.delete_password(SERVICE, ACCOUNT)
