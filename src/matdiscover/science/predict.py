"""One prediction entry point for every caller (Python, CLI, API, workers).

``predict(obj)`` takes a pymatgen ``Structure``, a ``Composition``, a formula
string or a path to a structure file and returns every requested property with
a calibrated standard deviation, the method that produced it and the model
version. Structures get formation energy and energy above hull from the selected
structure model (SevenNet ``7net-0`` by default, ``7net-l3i5`` or ``chgnet``; falling
back to the composition models, with a warning, when it cannot handle the structure);
band gap, moduli and Debye temperature come from the composition ensembles.

Example:
    >>> from matdiscover.science.predict import predict
    >>> report = predict("Fe2O3", properties=["band_gap"])
    >>> report.predictions[0].unit
    'eV'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pymatgen.core import Composition, Structure

from matdiscover.errors import InvalidComposition, InvalidInput, NotFound
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.properties import PROPERTY_NAMES, structure_properties

ALL_PROPERTIES: tuple[str, ...] = PROPERTY_NAMES
STRUCTURE_PROPERTIES: frozenset[str] = structure_properties()
MAX_FORMULA_LENGTH = 200


@dataclass(frozen=True)
class RelaxationSummary:
    """How a requested relaxation went (forces in eV/Å)."""

    converged: bool
    steps: int
    max_force: float
    message: str | None = None


@dataclass(frozen=True)
class PredictionReport:
    """All predictions for one input."""

    input: str
    formula: str
    method: Literal["structure", "composition"]
    predictions: tuple[PropertyPrediction, ...]
    relaxation: RelaxationSummary | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def by_property(self) -> dict[str, PropertyPrediction]:
        return {p.property: p for p in self.predictions}


def check_properties(properties: Sequence[str] | None) -> list[str]:
    """The requested properties in canonical order; unknown names raise ``InvalidInput``."""
    if properties is None:
        return list(ALL_PROPERTIES)
    unknown = sorted(set(properties) - set(ALL_PROPERTIES))
    if unknown:
        raise InvalidInput(f"unknown properties {unknown}; choose from {list(ALL_PROPERTIES)}")
    return [p for p in ALL_PROPERTIES if p in set(properties)]


def parse_formula(formula: str) -> Composition:
    """A validated composition from a formula string (clear errors for bad input)."""
    text = formula.strip()
    if not text:
        raise InvalidComposition("empty formula")
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidComposition(f"formula longer than {MAX_FORMULA_LENGTH} characters")
    # the strict parser first: pymatgen reads Fe1e308 as 1e308 atoms and drops tiny amounts
    from matdiscover.science.featurize.formula import parse_formula as parse_strictly

    parse_strictly(text)
    try:
        comp = Composition(text)
    except Exception as exc:
        raise InvalidComposition(f"cannot parse formula {formula!r}: {exc}") from exc
    if comp.num_atoms <= 0 or any(amt < 0 for amt in comp.values()):
        raise InvalidComposition(f"formula {formula!r} has no atoms or negative amounts")
    return comp


def _composition_predictions(formula: str, properties: list[str]) -> list[PropertyPrediction]:
    from matdiscover.science.models.composition import predict_composition

    return predict_composition(formula, properties=properties) if properties else []


def predict_composition_report(
    comp: Composition | str, *, properties: Sequence[str] | None = None
) -> PredictionReport:
    """All requested properties of a composition from the composition ensembles."""
    props = check_properties(properties)
    composition = parse_formula(comp) if isinstance(comp, str) else comp
    formula = composition.reduced_formula
    preds = _composition_predictions(composition.formula.replace(" ", ""), props)
    return PredictionReport(
        input=comp if isinstance(comp, str) else formula,
        formula=formula,
        method="composition",
        predictions=tuple(preds),
    )


def predict_structure_report(
    structure: Structure,
    *,
    properties: Sequence[str] | None = None,
    relax: bool = False,
    label: str | None = None,
    model: str | None = None,
) -> PredictionReport:
    """All requested properties of a structure (the selected structure model where it
    applies: ``model`` is ``"chgnet"``, ``"7net-0"`` or ``"7net-l3i5"``, ``None`` =
    ``"7net-0"``, see :mod:`matdiscover.science.models.structure_models`)."""
    from matdiscover.science.models.structure_models import (
        check_structure_model,
        predict_structure_properties,
        relax_with,
    )

    structure_model = check_structure_model(model)
    props = check_properties(properties)
    warnings: list[str] = []
    relaxation = None
    target = structure
    if relax:
        if not structure.is_ordered:
            raise InvalidInput("cannot relax a disordered structure; order it first")
        result = relax_with(structure, structure_model)
        message = "; ".join(result.warnings) or None
        relaxation = RelaxationSummary(
            converged=result.converged,
            steps=result.steps,
            max_force=float(result.max_force),
            message=message,
        )
        if result.converged:
            target = result.structure
        else:
            warnings.append(
                "relaxation did not converge "
                f"(max force {result.max_force:.3g} eV/Å after {result.steps} steps); "
                "predictions use the input structure"
            )
    structure_props = [p for p in props if p in STRUCTURE_PROPERTIES]
    preds: dict[str, PropertyPrediction] = {}
    if structure_props:
        try:
            for p in predict_structure_properties([target], model=structure_model)[0]:
                if p.property in structure_props:
                    preds[p.property] = p
        except InvalidInput as exc:
            warnings.append(f"structure path unavailable ({exc.message}); used composition models")
    remaining = [p for p in props if p not in preds]
    comp_formula = target.composition.formula.replace(" ", "")
    for p in _composition_predictions(comp_formula, remaining):
        preds[p.property] = p
    return PredictionReport(
        input=label or target.composition.reduced_formula,
        formula=target.composition.reduced_formula,
        method="structure",
        predictions=tuple(preds[p] for p in props if p in preds),
        relaxation=relaxation,
        warnings=tuple(warnings),
    )


def predict(
    obj: Structure | Composition | str | Path,
    *,
    properties: Sequence[str] | None = None,
    relax: bool = False,
    model: str | None = None,
) -> PredictionReport:
    """Predict properties of a structure, composition, formula or structure file.

    Args:
        obj: a pymatgen ``Structure`` or ``Composition``, a formula such as ``"Fe2O3"``,
            or a path to a CIF/POSCAR/XYZ/JSON file (the first structure is used).
        properties: any of ``formation_energy`` (eV/atom), ``band_gap`` (eV),
            ``bulk_modulus`` (GPa), ``shear_modulus`` (GPa), ``debye_temperature`` (K),
            ``energy_above_hull`` (eV/atom); all six when ``None``.
        relax: relax a structure with the structure model before predicting (reported in
            ``relaxation``; a non-converged relaxation is never used silently).
        model: structure model for structures: ``"chgnet"`` (fast), ``"7net-0"``
            (default when ``None``) or ``"7net-l3i5"`` (accurate). Checked even for formulas;
            compositions ignore it.

    Raises:
        InvalidInput: unknown property, structure model, unreadable file or formula.
    """
    if model is not None:
        from matdiscover.science.models.structure_models import check_structure_model

        model = check_structure_model(model)
    if isinstance(obj, Structure):
        return predict_structure_report(obj, properties=properties, relax=relax, model=model)
    if isinstance(obj, Composition):
        if relax:
            raise InvalidInput("relax needs a structure, not a composition")
        return predict_composition_report(obj, properties=properties)
    path = Path(obj)
    if isinstance(obj, Path) or (len(str(obj)) < 4096 and _is_file(path)):
        from matdiscover.science.io import read_structures

        if not path.is_file():
            raise NotFound(f"no such file: {path}")
        parsed = read_structures(path.read_bytes(), path.name).structures[0]
        return predict_structure_report(
            parsed.structure, properties=properties, relax=relax, label=str(obj), model=model
        )
    if relax:
        raise InvalidInput("relax needs a structure, not a formula")
    return predict_composition_report(str(obj), properties=properties)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
