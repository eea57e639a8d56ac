"""The outlet's HTTP client to the district: verified HTTPS, plain HTTP only to this computer
(or where allowed on purpose)."""

from __future__ import annotations

import ipaddress
import ssl
from urllib.parse import urlsplit

import httpx

from ewarung.errors import N_, AppError

TIMEOUT_S = 30.0


class InsecureUrl(AppError):
    code = "insecure_district_url"
    status = 422
    template = N_("Alamat dinas %(url)s harus https:// (http:// hanya untuk komputer ini, "
                  "atau bila diizinkan dengan --allow-http).")


def is_loopback(host: str) -> bool:
    """Whether `host` names this computer."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, allow_http: bool = False) -> str:
    """The district's base URL without a trailing slash; refuses what would go in clear."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureUrl(url=url)
    if parts.scheme == "http" and not (allow_http or is_loopback(parts.hostname)):
        raise InsecureUrl(url=url)
    return url.strip().rstrip("/")


def client(ca_bundle: str | None = None, timeout: float = TIMEOUT_S) -> httpx.Client:
    """An HTTP client that verifies the district's certificate (against `ca_bundle` when
    given, else the system's authorities) and never follows redirects."""
    verify: ssl.SSLContext | bool = True
    if ca_bundle:
        verify = ssl.create_default_context(cafile=ca_bundle)
    return httpx.Client(verify=verify, timeout=timeout, follow_redirects=False,
                        headers={"User-Agent": "ewarung-outlet"})
