"""OPTIMADE response documents, built and checked with the ``optimade`` package's models."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from matdiscover import __version__
from matdiscover.domains.optimade.fields import PROVIDER_PREFIX
from matdiscover.domains.optimade.service import EntryPage, entry_properties

API_VERSION = "1.2.0"
SCHEMA_URL = "https://schemas.optimade.org/openapi/v1.2/optimade.json"
ENTRY_TYPES = ("structures", "references")
ERROR_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    501: "Not Implemented",
    553: "Version Not Supported",
}


def _model(cls: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """``data`` validated by an OPTIMADE model and dumped as JSON-ready, explicit nulls
    kept (the models' advisory warnings about missing optional fields are not errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cls(**data)
        return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def meta(
    representation: str,
    *,
    returned: int,
    available: int | None = None,
    more: bool = False,
    messages: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": {"representation": representation},
        "api_version": API_VERSION,
        "more_data_available": more,
        "schema": SCHEMA_URL,
        "time_stamp": datetime.now(UTC).replace(microsecond=0),
        "data_returned": returned,
        "provider": {
            "name": "MatDiscover",
            "description": "A self-hosted MatDiscover instance: reference structures shipped "
            "with MatDiscover and each organisation's own materials",
            "prefix": PROVIDER_PREFIX,
            "homepage": None,
        },
        "implementation": {"name": "MatDiscover", "version": __version__},
    }
    if available is not None:
        out["data_available"] = available
    if messages:
        out["warnings"] = [{"detail": m, "type": "warning"} for m in messages]
    return out


def error_document(status: int, detail: str, representation: str) -> dict[str, Any]:
    from optimade.models import ErrorResponse

    return _model(
        ErrorResponse,
        {
            "errors": [
                {
                    "status": str(status),
                    "title": ERROR_TITLES.get(status, "Error"),
                    "detail": detail,
                }
            ],
            "meta": meta(representation, returned=0),
        },
    )


def info_document(base_url: str, representation: str) -> dict[str, Any]:
    from optimade.models import InfoResponse

    return _model(
        InfoResponse,
        {
            "data": {
                "id": "/",
                "type": "info",
                "attributes": {
                    "api_version": API_VERSION,
                    "available_api_versions": [{"url": f"{base_url}/v1", "version": API_VERSION}],
                    "formats": ["json"],
                    "available_endpoints": ["info", "links", *ENTRY_TYPES],
                    "entry_types_by_format": {"json": list(ENTRY_TYPES)},
                    "is_index": False,
                },
            },
            "meta": meta(representation, returned=1),
        },
    )


def entry_info_document(kind: str, representation: str) -> dict[str, Any]:
    from optimade.models import EntryInfoResponse
    from optimade.server.schemas import ENTRY_INFO_SCHEMAS, retrieve_queryable_properties

    standard = retrieve_queryable_properties(ENTRY_INFO_SCHEMAS[kind], ("id", "type", "attributes"))
    properties: dict[str, Any] = {}
    for name, served in entry_properties(kind).items():
        known = standard.get(name, {})
        kind_name = {
            "integer": "integer",
            "float": "float",
            "string": "string",
            "timestamp": "timestamp",
            "string_list": "list",
        }.get(served.field.kind)
        prop_type = known.get("type") or kind_name or "list"
        entry: dict[str, Any] = {
            "description": served.description,
            "sortable": served.sortable and served.field.kind not in ("opaque", "string_list"),
            "type": str(getattr(prop_type, "value", prop_type)),
        }
        if served.unit:
            entry["unit"] = served.unit
        properties[name] = entry
    return _model(
        EntryInfoResponse,
        {
            "data": {
                "id": kind,
                "type": "info",
                "formats": ["json"],
                "description": (
                    "Crystal structures: MatDiscover's shipped reference structures and "
                    "your organisation's materials"
                    if kind == "structures"
                    else "Publications MatDiscover's shipped data come from"
                ),
                "properties": properties,
                "output_fields_by_format": {"json": list(properties)},
            },
            "meta": meta(representation, returned=1),
        },
    )


def links_document(representation: str) -> dict[str, Any]:
    from optimade.models import LinksResponse

    return _model(LinksResponse, {"data": [], "meta": meta(representation, returned=0)})


def entries_document(
    kind: str,
    page: EntryPage,
    *,
    representation: str,
    next_url: str | None,
    response_fields: set[str] | None,
) -> dict[str, Any]:
    from optimade.models import ReferenceResponseMany, StructureResponseMany

    cls = StructureResponseMany if kind == "structures" else ReferenceResponseMany
    doc = _model(
        cls,
        {
            "data": page.entries,
            "links": {"next": next_url},
            "meta": meta(
                representation,
                returned=page.data_returned,
                available=page.data_available,
                more=next_url is not None,
                messages=page.warnings,
            ),
        },
    )
    if response_fields is not None:
        for entry in doc["data"]:
            entry["attributes"] = {
                k: v for k, v in entry.get("attributes", {}).items() if k in response_fields
            }
    return doc


def entry_document(
    kind: str,
    entry: dict[str, Any] | None,
    *,
    representation: str,
    response_fields: set[str] | None,
) -> dict[str, Any]:
    from optimade.models import ReferenceResponseOne, StructureResponseOne

    cls = StructureResponseOne if kind == "structures" else ReferenceResponseOne
    doc = _model(
        cls,
        {
            "data": entry,
            "meta": meta(representation, returned=1 if entry else 0, available=None),
        },
    )
    if response_fields is not None and doc.get("data"):
        doc["data"]["attributes"] = {
            k: v for k, v in doc["data"].get("attributes", {}).items() if k in response_fields
        }
    return doc
