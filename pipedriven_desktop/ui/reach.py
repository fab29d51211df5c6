"""Call or mail a contact: hand a ``tel:`` or ``mailto:`` URL to the desktop's own app.

The table's context menu and the detail pane both use these, so they dial and address alike.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from pipedriven_desktop.ui.links import mailto_url, tel_url


def call(phone: str | None) -> bool:
    """Open the phone app (or softphone) on ``phone``; False when there is nothing to dial."""
    url = tel_url(phone or "")
    return url is not None and bool(QDesktopServices.openUrl(QUrl(url)))


def mail(email: str | None) -> bool:
    """Open a new message to ``email`` in the mail app; False when it is not an address."""
    url = mailto_url(email or "")
    return url is not None and bool(QDesktopServices.openUrl(QUrl(url)))
