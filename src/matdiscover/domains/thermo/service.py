"""Phase diagrams and stability: the reference hull plus the caller's predictions.

One energy convention per hull: the hull phases are the Materials Project formation
energies bundled as ``mp_e_form`` (MP legacy corrections, Matbench v0.1). OQMD and AFLOW
energies are never placed on it. A tenant material joins the hull with its latest
predicted ``formation_energy`` (the composition model is trained on ``mp_e_form``, the
structure path converts to that convention), or, for a Materials Project reference
entry, its stored formation energy.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pymatgen.core import Composition
from sqlalchemy.orm import Session

from matdiscover.domains.materials import service as materials_service
from matdiscover.domains.search import service as search_service
from matdiscover.domains.thermo.schemas import (
    DecompositionPart,
    HullProvenanceRead,
    PhaseDiagramRead,
    PhaseEntry,
    StabilityRead,
)
from matdiscover.errors import InvalidInput, NotFound
from matdiscover.science.properties import PropertyName
from matdiscover.science.thermo import (
    HULL_DATASET,
    HullProvenance,
    ReferenceHull,
    phase_diagram,
    stability,
)
from matdiscover.science.thermo import reference_hull as _science_reference_hull

E_FORM = PropertyName.formation_energy.value

logger = logging.getLogger(__name__)

#: Most of the caller's predicted materials placed on one diagram (newest first).
MAX_EXTRA_ENTRIES = 500


def reference_hull() -> ReferenceHull:
    """The cached MP formation-energy hull (:func:`matdiscover.science.thermo.reference_hull`).

    The first call reads and indexes ``mp_e_form`` (~1-2 s, longer on a busy machine); the
    API does that at start-up in the background (:func:`warm_up_lifespan`). Callers that
    arrive during the build wait for it instead of building a second copy.
    """
    return _science_reference_hull()


def warm() -> None:
    """Build the reference hull and one small diagram (the first PhaseDiagram also loads
    scipy's qhull), so the first phase-diagram request finds everything ready."""
    t0 = time.perf_counter()
    hull = reference_hull()
    phase_diagram(["Li", "O"], [], hull=hull)
    logger.info("phase-diagram hull ready in %.1f s", time.perf_counter() - t0)


def _warm_quietly() -> None:
    try:
        warm()
    except Exception:  # a failed warm-up only means the first request builds the hull
        logger.exception("phase-diagram warm-up failed")


@asynccontextmanager
async def warm_up_lifespan(app: Any) -> AsyncIterator[None]:
    """Router lifespan: start :func:`warm` in a daemon thread when the API starts."""
    threading.Thread(target=_warm_quietly, name="thermo-warm-up", daemon=True).start()
    yield


def _provenance(p: HullProvenance) -> HullProvenanceRead:
    return HullProvenanceRead(dataset=p.dataset, convention=p.convention, n_formulas=p.n_formulas)


def _parts(dec: tuple[tuple[str, float], ...]) -> list[DecompositionPart]:
    return [DecompositionPart(formula=f, fraction=x) for f, x in dec]


def plot_coordinates(
    fractions: list[float], energy: float
) -> tuple[float | None, float | None, float | None]:
    """Binary: (x_B, E_form); ternary: triangle (x, y); quaternary: tetrahedron (x, y, z).

    Components in sorted order; ternary vertices A (0, 0), B (1, 0), C (½, √3/2).
    """
    n = len(fractions)
    if n == 2:
        return fractions[1], energy, None
    if n == 3:
        _, b, c = fractions
        return b + c / 2, c * math.sqrt(3) / 2, None
    if n == 4:
        _, b, c, d = fractions
        return b + c / 2 + d / 2, c * math.sqrt(3) / 2 + d * math.sqrt(3) / 6, d * math.sqrt(2 / 3)
    return None, None, None


def _caller_predictions(
    session: Session, symbols: list[str], *, organization_id: int
) -> list[tuple[int, str, float]]:
    """(material id, formula, predicted E_form) of the caller's materials within the system."""
    return search_service.own_predicted_values(
        session,
        E_FORM,
        organization_id=organization_id,
        within=symbols,
        limit=MAX_EXTRA_ENTRIES,
    )


def get_phase_diagram(session: Session, chemsys: str, *, organization_id: int) -> PhaseDiagramRead:
    """Hull of ``chemsys`` (1–4 components) over MP reference phases and your predictions."""
    parts = [p.strip() for p in chemsys.replace(",", "-").split("-") if p.strip()]
    if not parts:
        raise InvalidInput("chemsys is empty; use e.g. Li-Fe-O")
    symbols = sorted({p.capitalize() for p in parts})
    if len(symbols) > 4:
        raise InvalidInput(f"phase diagrams support up to 4 components, got {len(symbols)}")
    extras = (
        _caller_predictions(session, symbols, organization_id=organization_id)
        if all(len(s) <= 2 and s.isalpha() for s in symbols)
        else []
    )
    result = phase_diagram(symbols, [(f, e) for _, f, e in extras], hull=reference_hull())
    symbols = result.chemsys.split("-")
    extra_ids = {
        f"{Composition(f).reduced_formula} (extra #{i})": mid
        for i, (mid, f, _) in enumerate(extras)
    }
    stable = set(result.stable)
    entries = []
    for name, e_form, e_hull in result.entries:
        formula = name.split(" (extra #")[0]
        comp = Composition(formula)
        fractions = [float(comp.get_atomic_fraction(el)) for el in symbols]
        x, y, z = plot_coordinates(fractions, e_form)
        entries.append(
            PhaseEntry(
                name=name,
                formula=comp.reduced_formula,
                source="predicted" if name in extra_ids else "reference",
                material_id=extra_ids.get(name),
                formation_energy_per_atom=e_form,
                e_above_hull=e_hull,
                is_stable=name in stable,
                decomposition=_parts(result.decompositions.get(name, ())),
                fractions=dict(zip(symbols, fractions, strict=True)),
                x=x,
                y=y,
                z=z,
            )
        )
    return PhaseDiagramRead(
        chemsys=result.chemsys,
        elements=symbols,
        stable=sorted({n.split(" (extra #")[0] for n in stable}),
        entries=entries,
        tie_lines=_tie_lines(result.diagram),
        provenance=_provenance(result.provenance),
    )


def _tie_lines(diagram: Any) -> list[tuple[str, str]]:
    names = [str(e.name) for e in diagram.qhull_entries]
    pairs: set[tuple[str, str]] = set()
    for facet in diagram.facets:
        for i, j in itertools.combinations(sorted(int(k) for k in facet), 2):
            a, b = sorted((names[i], names[j]))
            pairs.add((a, b))
    return sorted(pairs)


def get_stability(session: Session, material_id: int, *, organization_id: int) -> StabilityRead:
    """Energy above the MP reference hull of one material and its decomposition.

    The formation energy is the stored MP value for a Materials Project reference entry,
    otherwise the caller's latest prediction.

    Raises:
        NotFound: Unknown or invisible material, or no formation energy in the hull's
            convention (predict ``formation_energy`` first).
    """
    material = materials_service.get(session, material_id, organization_id=organization_id)
    energy: float | None = None
    source: str = "predicted"
    if material.source_database == "materials_project":
        energy = search_service.stored_value(session, material.id, E_FORM)
        source = "reference"
    if energy is None:
        energy = search_service.latest_predicted_value(
            session, material.id, E_FORM, organization_id=organization_id
        )
        source = "predicted"
    if energy is None:
        raise NotFound(
            f"material {material_id} has no formation energy in the hull's convention "
            f"({HULL_DATASET}); predict formation_energy first"
        )
    # the one energy-above-hull function (also behind predicted energy_above_hull values)
    result = stability(material.formula, float(energy))
    return StabilityRead(
        material_id=material.id,
        formula=material.reduced_formula,
        formation_energy_per_atom=float(energy),
        energy_source=source,  # type: ignore[arg-type]
        e_above_hull=result.e_above_hull,
        hull_energy_per_atom=result.hull_energy_per_atom,
        below_hull_by=result.below_hull_by,
        is_stable=result.is_stable,
        decomposition=_parts(result.decomposition),
        provenance=_provenance(result.provenance),
    )
