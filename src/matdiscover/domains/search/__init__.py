"""The search domain: the one query model of materials search, shared by REST, CLI, web UI
and OPTIMADE. Other domains and the CLI use it through :mod:`.service` and :mod:`.schemas`.

:class:`MaterialQuery` describes *what* to find; :func:`build_select` turns it into a
SQLAlchemy select (tenancy included); :func:`search` runs it with sorting, keyset
pagination and a count.

Modules, each importing only the ones above it (never this package's ``__init__``):

* :mod:`.paging`: cursors and the exact-or-estimated total;
* :mod:`.schemas`: the pydantic query model, its ``Literal`` choices and the result models;
* :mod:`.formulas`: formula, pattern and element resolution;
* :mod:`.values`: value sources, reference values vs the latest predictions (read
  through ``matdiscover.domains.predictions.service``);
* :mod:`.sql`: the select of a query, and sort expressions;
* :mod:`.run`: :func:`search` itself;
* :mod:`.service`: the public interface (re-exports the above);
* :mod:`.router`: ``GET /materials``, the list/search route.

The domain reads materials through ``matdiscover.domains.materials.service`` (the rows,
the tenancy filter ``visible_to``) and predictions through
``matdiscover.domains.predictions.service``; neither imports search.

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
re-exported by :mod:`.service` are copies, so patch them where they are defined.
"""
