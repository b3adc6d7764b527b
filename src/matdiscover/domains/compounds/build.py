"""Building ``compounds`` from the shared reference rows of ``materials``.

One compound per reduced formula with at least one shared reference row. Per property
and source table it keeps a summary (headline value, number of entries, range, the ids
of up to :data:`ENTRY_IDS` entries, the citable ids of up to :data:`CITABLE_IDS`); the
compound's headline value of a property comes from the most authoritative source that
has it (:data:`SOURCE_PRIORITY`):

* energies (:data:`ENERGY_PROPERTIES`): the lowest-energy entry of that source (the
  ground-state polymorph);
* every other property: the median over that source's entries in its largest table
  (tables cannot be joined row by row, so "the value of the ground-state polymorph"
  is only known where one row carries both, as the shipped structures do).

Rows are never dropped: the summaries point back at them. The build is an upsert on
``reduced_formula`` (ids are stable across rebuilds) restricted to the formulas given,
so a reload of one table only rebuilds the compounds it touches; formulas without any
shared reference row left are deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from sqlalchemy import Connection, text

logger = logging.getLogger(__name__)

#: Where a property's headline value comes from, most authoritative first.
SOURCE_PRIORITY = ("materials_project", "aflow", "oqmd", "experimental")
#: Properties whose headline is the minimum over the entries (the ground state).
ENERGY_PROPERTIES = ("formation_energy", "energy_above_hull", "energy_per_atom")
#: Entry ids kept per (property, table) summary.
ENTRY_IDS = 5
#: Citable source ids kept per (property, table) summary.
CITABLE_IDS = 10
#: Table label of reference rows whose ``source_id`` is a citable id (``mp-22862``),
#: i.e. the shipped structures; other rows' ids are ``<table>:<row>``.
STRUCTURES_TABLE = "known_structures"

_PRIORITY = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(SOURCE_PRIORITY))
_ENERGIES = ", ".join(f"'{p}'" for p in ENERGY_PROPERTIES)

#: ``:formulas`` NULL rebuilds every compound. Runs as one statement (a snapshot).
_UPSERT = f"""
WITH ref AS (
    SELECT m.id, m.reduced_formula, m.source_database, m.source_id, m.properties,
           m.structure IS NOT NULL AS has_structure, m.space_group_number,
           m.crystal_system, m.elements, m.nelements, m.anonymous_formula,
           CASE WHEN strpos(m.source_id, ':') > 0 THEN split_part(m.source_id, ':', 1)
                ELSE '{STRUCTURES_TABLE}' END AS tbl
    FROM materials m
    WHERE m.organization_id IS NULL AND m.source = 'reference'
      AND (CAST(:formulas AS text[]) IS NULL
           OR m.reduced_formula = ANY(CAST(:formulas AS text[])))
),
vals AS (
    SELECT r.reduced_formula, r.source_database, r.tbl, r.id, r.source_id,
           r.has_structure, kv.key AS prop, (kv.value #>> '{{}}')::float8 AS v
    FROM ref r CROSS JOIN LATERAL jsonb_each(r.properties) kv
    WHERE jsonb_typeof(kv.value) = 'number'
),
per_table AS (
    SELECT reduced_formula, prop, source_database, tbl,
           count(*) AS n, min(v) AS lo, max(v) AS hi,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS med,
           (array_agg(id ORDER BY v, id))[1:{ENTRY_IDS}] AS ids,
           (array_agg(source_id ORDER BY v, id) FILTER (WHERE tbl = '{STRUCTURES_TABLE}'))
               [1:{CITABLE_IDS}] AS sids
    FROM vals
    GROUP BY reduced_formula, prop, source_database, tbl
),
ranked AS (
    SELECT p.*,
           CASE WHEN prop IN ({_ENERGIES}) THEN lo ELSE med END AS value,
           row_number() OVER (
               PARTITION BY reduced_formula, prop
               ORDER BY CASE source_database {_PRIORITY} ELSE 99 END,
                        CASE WHEN prop IN ({_ENERGIES}) THEN lo END NULLS LAST,
                        n DESC, tbl
           ) AS rank
    FROM per_table p
),
summaries AS (
    SELECT reduced_formula,
           jsonb_object_agg(prop, value) FILTER (WHERE rank = 1) AS headline,
           jsonb_agg(jsonb_build_object(
               'property', prop, 'source_database', source_database, 'table', tbl,
               'value', value, 'n_entries', n, 'min', lo, 'max', hi,
               'headline', rank = 1, 'entry_ids', to_jsonb(ids),
               'source_ids', to_jsonb(coalesce(sids, ARRAY[]::text[]))
           ) ORDER BY prop, rank) AS reference_values
    FROM ranked
    GROUP BY reduced_formula
),
structures AS (
    SELECT reduced_formula,
           count(*) FILTER (WHERE has_structure) AS n_structures,
           coalesce(array_agg(DISTINCT space_group_number)
               FILTER (WHERE has_structure AND space_group_number IS NOT NULL),
               ARRAY[]::int[]) AS space_groups,
           coalesce(array_agg(DISTINCT crystal_system)
               FILTER (WHERE has_structure AND crystal_system IS NOT NULL),
               ARRAY[]::varchar[]) AS crystal_systems,
           coalesce(array_agg(source_id ORDER BY
                   CASE source_database {_PRIORITY} ELSE 99 END,
                   (properties ->> 'energy_above_hull')::float8 NULLS LAST, source_id)
               FILTER (WHERE has_structure), ARRAY[]::varchar[]) AS source_ids,
           count(*) AS n_entries,
           min(array_to_string(elements, '-')) AS chemical_system,
           min(elements) AS elements,
           min(nelements) AS nelements,
           min(anonymous_formula) AS anonymous_formula
    FROM ref
    GROUP BY reduced_formula
)
INSERT INTO compounds AS c (
    reduced_formula, chemical_system, elements, nelements, anonymous_formula,
    properties, reference_values, n_entries, n_structures, space_group_numbers,
    crystal_systems, source_ids, updated_at
)
SELECT s.reduced_formula, s.chemical_system, s.elements, s.nelements, s.anonymous_formula,
       coalesce(v.headline, '{{}}'::jsonb), coalesce(v.reference_values, '[]'::jsonb),
       s.n_entries, s.n_structures, s.space_groups, s.crystal_systems, s.source_ids, now()
FROM structures s LEFT JOIN summaries v USING (reduced_formula)
ORDER BY md5(s.reduced_formula)
ON CONFLICT (reduced_formula) DO UPDATE SET
    chemical_system = EXCLUDED.chemical_system, elements = EXCLUDED.elements,
    nelements = EXCLUDED.nelements, anonymous_formula = EXCLUDED.anonymous_formula,
    properties = EXCLUDED.properties, reference_values = EXCLUDED.reference_values,
    n_entries = EXCLUDED.n_entries, n_structures = EXCLUDED.n_structures,
    space_group_numbers = EXCLUDED.space_group_numbers,
    crystal_systems = EXCLUDED.crystal_systems, source_ids = EXCLUDED.source_ids,
    updated_at = now()
WHERE (c.properties, c.reference_values, c.n_entries, c.n_structures,
       c.space_group_numbers, c.crystal_systems, c.source_ids)
   IS DISTINCT FROM
      (EXCLUDED.properties, EXCLUDED.reference_values, EXCLUDED.n_entries,
       EXCLUDED.n_structures, EXCLUDED.space_group_numbers, EXCLUDED.crystal_systems,
       EXCLUDED.source_ids)
"""  # noqa: S608 (module constants only; values are bound parameters)

_DELETE_GONE = """
DELETE FROM compounds c
WHERE (CAST(:formulas AS text[]) IS NULL OR c.reduced_formula = ANY(CAST(:formulas AS text[])))
  AND NOT EXISTS (
      SELECT 1 FROM materials m
      WHERE m.organization_id IS NULL AND m.source = 'reference'
        AND m.reduced_formula = c.reduced_formula
  )
"""


def rebuild_compounds(conn: Connection, formulas: Sequence[str] | None = None) -> int:
    """Upsert the compounds of ``formulas`` (all when ``None``) from the shared reference
    rows and delete those left without any; returns the compounds inserted or changed.

    Runs in the caller's transaction: readers see the old compounds until it commits.
    """
    t0 = time.perf_counter()
    params = {"formulas": None if formulas is None else sorted(set(formulas))}
    conn.execute(text("SET LOCAL work_mem = '256MB'"))
    changed = conn.execute(text(_UPSERT), params).rowcount
    conn.execute(text(_DELETE_GONE), params)
    logger.info("compounds rebuilt: %s changed in %.1f s", changed, time.perf_counter() - t0)
    return int(changed or 0)


def compounds_missing(conn: Connection) -> bool:
    """Shared reference rows exist but no compound does (e.g. right after an upgrade)."""
    return bool(
        conn.execute(
            text(
                "SELECT NOT EXISTS (SELECT 1 FROM compounds) AND EXISTS "
                "(SELECT 1 FROM materials WHERE organization_id IS NULL "
                "AND source = 'reference')"
            )
        ).scalar_one()
    )


__all__ = [
    "CITABLE_IDS",
    "ENERGY_PROPERTIES",
    "ENTRY_IDS",
    "SOURCE_PRIORITY",
    "STRUCTURES_TABLE",
    "compounds_missing",
    "rebuild_compounds",
]
