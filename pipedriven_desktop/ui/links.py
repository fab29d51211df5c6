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
