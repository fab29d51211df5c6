"""A warning when a contact who unsubscribed from campaign mail is added to the campaign.

Pipedrive's marketing status is email consent: the flag is still saved (the campaign may
not be mail), but the user is told, in a notice that stays until dismissed.
"""

from __future__ import annotations

from pipedriven_desktop.store.contact_extras import UNSUBSCRIBED
from pipedriven_desktop.ui.notice_banner import NoticeBanner


class ConsentNotice(NoticeBanner):
    """The notice banner without Retry: there is nothing to retry, only something to know."""

    def __init__(self) -> None:
        super().__init__("consentNotice")
        self.retry_button.hide()

    def check(self, name: str, marketing_status: str | None) -> bool:
        """Warn if ``name`` is unsubscribed; True when a warning was shown."""
        if marketing_status != UNSUBSCRIBED:
            return False
        self.show_notice(
            f"{name} unsubscribed from campaign mail.",
            "They are in the campaign now; do not send them campaign email.",
        )
        self.retry_button.hide()
        return True
