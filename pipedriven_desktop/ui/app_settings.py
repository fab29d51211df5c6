"""Typed access to the few things the window remembers in QSettings.

The API token is deliberately absent: it lives in the keychain (``secrets``), never here.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from pipedriven_desktop.paths import DEFAULT_BASE_URL

_BASE_URL = "pipedrive/base_url"
_COMPANY_DOMAIN = "pipedrive/company_domain"
_GEOMETRY = "window/geometry"
_MAIN_SPLITTER = "window/main_splitter"
_ALL_CONTACTS = "view/all_contacts"


class AppSettings:
    """A thin, typed wrapper so keys and defaults live in one place."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings if settings is not None else QSettings()

    def _text(self, key: str) -> str:
        value = self.qsettings.value(key, "")
        return value.strip() if isinstance(value, str) else ""

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def base_url(self) -> str:
        return self._text(_BASE_URL) or DEFAULT_BASE_URL

    @base_url.setter
    def base_url(self, value: str) -> None:
        value = value.strip()
        if value and value.rstrip("/") != DEFAULT_BASE_URL:
            self.qsettings.setValue(_BASE_URL, value)
        else:
            self.qsettings.remove(_BASE_URL)

    @property
    def company_domain(self) -> str:
        return self._text(_COMPANY_DOMAIN)

    @company_domain.setter
    def company_domain(self, value: str) -> None:
        self.qsettings.setValue(_COMPANY_DOMAIN, value.strip())

    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.qsettings.setValue(_GEOMETRY, value)

    @property
    def main_splitter(self) -> QByteArray | None:
        return self._bytes(_MAIN_SPLITTER)

    @main_splitter.setter
    def main_splitter(self, value: QByteArray) -> None:
        self.qsettings.setValue(_MAIN_SPLITTER, value)

    @property
    def all_contacts(self) -> bool:
        value = self.qsettings.value(_ALL_CONTACTS, False)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    @all_contacts.setter
    def all_contacts(self, value: bool) -> None:
        self.qsettings.setValue(_ALL_CONTACTS, value)

    def sync(self) -> None:
        self.qsettings.sync()
