"""Secrets never reach a shown, stored or logged text: the redaction helpers and the log filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedriven_desktop.redaction import (
    MASK,
    RedactingFilter,
    install_log_redaction,
    redact,
    register_secret,
)

SECRET = "tok-redaction-5e1f0c9a7b3d"


@pytest.fixture
def logger_and_output() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    install_log_redaction(handler)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, output
    logger.removeHandler(handler)
    logger.propagate = True


def test_registered_secrets_are_masked_as_typed_and_url_encoded() -> None:
    secret = "tok/with+odd=chars-1234"
    register_secret(secret)
    text = f"a {secret} b tok%2Fwith%2Bodd%3Dchars-1234 c"
    assert redact(text) == f"a {MASK} b {MASK} c"


def test_short_strings_are_not_treated_as_secrets() -> None:
    register_secret("abc")
    assert redact("abc abc") == "abc abc"


def test_user_info_in_any_address_is_masked() -> None:
    text = "GET https://user:pa55@api.example.com/v1 and ftp://only-user@x"
    assert redact(text) == f"GET https://{MASK}@api.example.com/v1 and ftp://{MASK}@x"
    assert redact("mail me: someone@example.com") == "mail me: someone@example.com"


def test_extra_secrets_are_masked_without_registering_them() -> None:
    assert redact("x unregistered-secret-42 y", ("unregistered-secret-42",)) == f"x {MASK} y"
    assert redact("x unregistered-secret-42 y") == "x unregistered-secret-42 y"


def test_the_log_filter_masks_messages_arguments_and_tracebacks(
    logger_and_output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, output = logger_and_output
    register_secret(SECRET)
    logger.warning("server said: %s", f"bad token {SECRET}")
    try:
        raise RuntimeError(f"proxy echoed {SECRET}")
    except RuntimeError:
        logger.exception("request failed")
    text = output.getvalue()
    assert SECRET not in text
    assert f"server said: bad token {MASK}" in text
    assert f"RuntimeError: proxy echoed {MASK}" in text


def test_installing_twice_adds_one_filter() -> None:
    handler = logging.StreamHandler(io.StringIO())
    install_log_redaction(handler)
    install_log_redaction(handler)
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1


def test_the_app_log_file_never_holds_a_secret(tmp_path: Path) -> None:
    from pipedriven_desktop import app

    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "_pipedriven", False)]
    for handler in ours:
        root.removeHandler(handler)
    app.setup_logging(tmp_path)
    added = [h for h in root.handlers if getattr(h, "_pipedriven", False)]
    try:
        register_secret(SECRET)
        logging.getLogger("pipedriven_desktop.sync").warning("sync failed: %s", SECRET)
        for handler in added:
            handler.flush()
        text = (tmp_path / app.LOG_FILE).read_text(encoding="utf-8")
    finally:
        for handler in added:
            root.removeHandler(handler)
            handler.close()
        for handler in ours:
            root.addHandler(handler)
    assert f"sync failed: {MASK}" in text
    assert SECRET not in text
