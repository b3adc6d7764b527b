"""The one query model of materials search, shared by REST, CLI, web UI and OPTIMADE.

:class:`MaterialQuery` describes *what* to find; :func:`build_select` turns it into a
SQLAlchemy select (tenancy included); :func:`search` runs it with sorting, keyset
pagination and a count.

Modules, each importing only the ones above it (never this package's ``__init__``):

* :mod:`.query`: the pydantic query model and its ``Literal`` choices;
* :mod:`.formulas`: formula, pattern and element resolution;
* :mod:`.values`: value sources, reference values vs the latest predictions (read
  through ``matdiscover.domains.predictions.service``);
* :mod:`.paging`: cursors and the exact-or-estimated total;
* :mod:`.sql`: the select of a query, and sort expressions;
* :mod:`.run`: :func:`search` itself and the result models.

The package uses ``matdiscover.domains.materials.service`` (the tenancy filter
``visible_to``); the service does not import search.

Conventions
-----------
* Property values are in the units of ``matdiscover.science.reference_entries``:
  band gap eV, formation energy and energy above hull eV/atom, moduli GPa, Debye
  temperature K.
* ``property_source``: ``reference`` uses the value stored with a reference entry,
  ``predicted`` the caller's latest prediction, ``any`` the reference value where
  present and otherwise the latest prediction.
* ``is_stable``: energy above hull ≤ :data:`STABLE_E_HULL` (1 meV/atom, the same
  tolerance as ``matdiscover.science.thermo``). Entries without an energy above hull
  match neither ``is_stable=true`` nor ``false``.
* Sorting is always total: ``(key, id)``; entries without a value for the sort key come
  last in both directions. The cursor records the phase (with value / without value).
* ``total`` is exact up to :data:`EXACT_COUNT_LIMIT` matches when that count takes at
  most :data:`~.paging.COUNT_TIMEOUT_MS`; otherwise (more matches by the planner's
  estimate, a capped count that overflows, or one that runs out of time) it is the
  planner's estimate and ``total_is_estimate`` is set. A first page holding every match
  is counted exactly for free.

The limits are module constants of the module that uses them
(``paging.EXACT_COUNT_LIMIT``, ``formulas.MAX_RESOLVED_FORMULAS``); the names
re-exported here are copies, so patch them where they are defined.
"""

from matdiscover.domains.materials.search.paging import EXACT_COUNT_LIMIT, count_matches
from matdiscover.domains.materials.search.query import (
    SEARCH_PROPERTIES,
    STABLE_E_HULL,
    MaterialQuery,
    MaterialSearchParams,
    PropertySource,
    SortKey,
)
from matdiscover.domains.materials.search.run import (
    MaterialHit,
    MaterialSearchPage,
    SearchResult,
    search,
    to_hit,
)
from matdiscover.domains.materials.search.sql import build_select
from matdiscover.domains.materials.search.values import (
    predicted_value,
    property_value,
    reference_value,
)

__all__ = [
    "EXACT_COUNT_LIMIT",
    "SEARCH_PROPERTIES",
    "STABLE_E_HULL",
    "MaterialHit",
    "MaterialQuery",
    "MaterialSearchPage",
    "MaterialSearchParams",
    "PropertySource",
    "SearchResult",
    "SortKey",
    "build_select",
    "count_matches",
    "predicted_value",
    "property_value",
    "reference_value",
    "search",
    "to_hit",
]
