"""Talking to an OPTIMADE provider: one page of structures at a time, ``next`` links
followed, 429/503 answered by waiting (``Retry-After``, else exponential backoff), and
every other failure (timeouts, 5xx after retries, malformed JSON or documents) a clear
:class:`ProviderError`. Nothing here touches the database."""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from matdiscover import __version__
from matdiscover.errors import MatDiscoverError

RETRY_STATUSES = frozenset({429, 502, 503, 504, 500})
MAX_WAIT_S = 60.0


class ProviderError(MatDiscoverError):
    """The OPTIMADE provider did not give a usable answer."""


@dataclass(frozen=True)
class Page:
    url: str
    entries: list[dict[str, Any]]
    next_url: str | None
    data_returned: int | None
    provider_prefix: str | None


@dataclass(frozen=True)
class ClientOptions:
    timeout_s: float = 30.0
    max_retries: int = 4
    backoff_s: float = 1.0


def versioned_base(provider: str) -> str:
    """``https://host/optimade`` or ``.../v1`` -> ``.../v1`` (no trailing slash)."""
    base = provider.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ProviderError(f"not an http(s) URL: {provider!r}")
    if parts.query or parts.fragment:
        raise ProviderError(f"the provider URL must not have a query: {provider!r}")
    return base if base.rsplit("/", 1)[-1] == "v1" else f"{base}/v1"


def first_url(provider: str, *, filter_: str, page_limit: int) -> str:
    query = {"page_limit": str(page_limit)}
    if filter_.strip():
        query["filter"] = filter_
    return f"{versioned_base(provider)}/structures?{urlencode(query)}"


def _wait_s(response: httpx.Response, attempt: int, options: ClientOptions) -> float:
    header = response.headers.get("retry-after", "")
    try:
        wait = float(header)
    except ValueError:
        wait = options.backoff_s * 2**attempt
    return min(max(wait, 0.0), MAX_WAIT_S)


def _describe_errors(response: httpx.Response) -> str:
    try:
        errors = response.json().get("errors") or []
        details = "; ".join(str(e.get("detail") or e.get("title") or "") for e in errors)
    except (ValueError, AttributeError):
        details = ""
    return details[:300] or response.text[:200].strip() or response.reason_phrase


def fetch_page(http: httpx.Client, url: str, options: ClientOptions) -> Page:
    """One page of structures from ``url``.

    Raises:
        ProviderError: unreachable, slower than ``timeout_s``, an error status (after
            ``max_retries`` waits for 429/5xx), or a body that is not an OPTIMADE page.
    """
    response: httpx.Response | None = None
    for attempt in range(options.max_retries + 1):
        try:
            response = http.get(url, timeout=options.timeout_s)
        except httpx.TimeoutException as exc:
            raise ProviderError(
                f"{url}: no answer within {options.timeout_s:g} s ({type(exc).__name__})"
            ) from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"{url}: cannot connect ({exc})") from exc
        if response.status_code not in RETRY_STATUSES or attempt == options.max_retries:
            break
        time.sleep(_wait_s(response, attempt, options))
    assert response is not None
    if response.status_code == 429:
        raise ProviderError(f"{url}: the provider is still rate limiting after retries (429)")
    if response.status_code != 200:
        raise ProviderError(
            f"{url}: the provider answered {response.status_code}: {_describe_errors(response)}"
        )
    try:
        doc = json.loads(response.content)
    except ValueError as exc:
        raise ProviderError(f"{url}: the provider's answer is not valid JSON ({exc})") from exc
    return _page(url, doc)


def _page(url: str, doc: Any) -> Page:
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ProviderError(f"{url}: not an OPTIMADE response (no 'data' list)")
    entries = doc["data"]
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ProviderError(f"{url}: an entry has no string 'id'")
        if not isinstance(entry.get("attributes"), dict):
            raise ProviderError(f"{url}: entry {entry['id']!r} has no attributes")
    links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
    nxt = links.get("next") if links else None
    if isinstance(nxt, dict):
        nxt = nxt.get("href")
    if nxt is not None and not isinstance(nxt, str):
        raise ProviderError(f"{url}: the 'next' link is not a URL")
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    returned = meta.get("data_returned") if meta else None
    provider = (meta or {}).get("provider") or {}
    prefix = provider.get("prefix") if isinstance(provider, dict) else None
    return Page(
        url=url,
        entries=entries,
        next_url=nxt or None,
        data_returned=returned if isinstance(returned, int) else None,
        provider_prefix=prefix if isinstance(prefix, str) else None,
    )


def http_client() -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": f"MatDiscover/{__version__} (OPTIMADE client)"},
        follow_redirects=True,
    )


def to_pymatgen_json(entry: dict[str, Any]) -> bytes:
    """The entry as pymatgen ``Structure.as_dict()`` JSON (what the upload path reads).

    Raises:
        ProviderError: the entry is not a periodic structure the adapter can convert.
    """
    from optimade.adapters.structures import Structure as OptimadeStructure
    from pymatgen.core import Structure

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            converted = OptimadeStructure(entry).as_pymatgen
    except Exception as exc:
        raise ProviderError(f"cannot convert entry {entry.get('id')!r}: {exc}") from exc
    if not isinstance(converted, Structure):
        raise ProviderError(f"entry {entry.get('id')!r} is not a periodic crystal structure")
    return json.dumps(converted.as_dict()).encode()
