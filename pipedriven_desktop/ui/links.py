"""Where a contact lives in Pipedrive's web app."""

from __future__ import annotations

from pipedriven_desktop.paths import DEFAULT_BASE_URL

#: The API host serves no web pages; this one redirects to the signed-in company.
WEB_APP_URL = "https://app.pipedrive.com"


def company_url(company_domain: str) -> str:
    """'acme', 'acme.pipedrive.com' or a full URL, as the https URL of the company."""
    domain = company_domain.strip().rstrip("/")
    if domain.startswith(("http://", "https://")):
        return domain
    if "." not in domain:
        domain = f"{domain}.pipedrive.com"
    return f"https://{domain}"


def person_url(company_domain: str, base_url: str, person_id: int) -> str:
    """The person's page: the company's domain when known, else the configured address."""
    if company_domain.strip():
        root = company_url(company_domain)
    else:
        base = base_url.strip().rstrip("/")
        root = WEB_APP_URL if not base or base == DEFAULT_BASE_URL else base
    return f"{root}/person/{person_id}"


def organization_url(company_domain: str, base_url: str, org_id: int) -> str:
    """The organization's page, on the same host as a person's."""
    return person_url(company_domain, base_url, org_id).rsplit("/person/", 1)[0] + (
        f"/organization/{org_id}"
    )


def tel_url(phone: str) -> str | None:
    """A ``tel:`` URL the phone app dials: digits only, a leading + kept; None without digits.

    Spaces, dots, dashes and brackets are for reading; dialers want the bare number.
    """
    digits = "".join(char for char in phone if char.isdigit())
    if not digits:
        return None
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def mailto_url(email: str) -> str | None:
    """A ``mailto:`` URL for one address; None when it is not one."""
    address = email.strip()
    if "@" not in address or any(char in address for char in " \t\r\n?&<>\"'"):
        return None
    return f"mailto:{address}"
