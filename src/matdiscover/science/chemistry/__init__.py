"""Small-molecule chemistry on RDKit: input, standardisation, descriptors, ligand-efficiency
indices, interference alerts, depiction, the O[Q/P/L]A score, similarity and the seed set.

Pure functions and frozen dataclasses; no platform imports. Errors derive from
:class:`matdiscover.errors.InvalidInput` (see :mod:`.errors`).

>>> from matdiscover.science.chemistry import read_molecules, profile_molecule, Activity
>>> rows = read_molecules(b"smiles,name\\nOc1ccccc1O,catechol\\n", filename="x.csv")
>>> p = profile_molecule(rows.molecules[0].mol, activity=Activity(value=3.0, unit="uM"))
>>> [a.family for a in p.alerts if a.is_pains], p.score.classification
(['catechol'], 'Weak')
"""

from __future__ import annotations

from matdiscover.science.chemistry.alerts import (
    ALL_CATALOGS,
    PAINS_CATALOGS,
    Alert,
    Catalog,
    find_alerts,
)
from matdiscover.science.chemistry.depict import depict_svg
from matdiscover.science.chemistry.descriptors import MolecularDescriptors, descriptors
from matdiscover.science.chemistry.efficiency import (
    Activity,
    EfficiencyIndices,
    PActivity,
    Relation,
    efficiency_indices,
    normalise_relation,
    p_activity,
)
from matdiscover.science.chemistry.errors import (
    InvalidActivity,
    InvalidMolecule,
    InvalidMoleculeFile,
    InvalidSmarts,
)
from matdiscover.science.chemistry.inputs import (
    InputFormat,
    InputIssue,
    MoleculeInput,
    MoleculeRow,
    parse_smiles,
    read_molecules,
)
from matdiscover.science.chemistry.profile import MoleculeProfile, describe, profile_molecule
from matdiscover.science.chemistry.score import (
    Classification,
    ScoreComponents,
    ScoreSettings,
    classify,
    oqpla_score,
)
from matdiscover.science.chemistry.seed import (
    SeedNeighbour,
    load_moleculeace_seed,
    nearest_seed_activities,
)
from matdiscover.science.chemistry.similarity import (
    FingerprintIndex,
    SimilarityHit,
    compile_smarts,
    fingerprint,
    fingerprint_bitstring,
    substructure_search,
    tanimoto,
)
from matdiscover.science.chemistry.standardise import (
    StandardisedMolecule,
    inchikey,
    standardise,
)

__all__ = [
    "ALL_CATALOGS",
    "PAINS_CATALOGS",
    "Activity",
    "Alert",
    "Catalog",
    "Classification",
    "EfficiencyIndices",
    "FingerprintIndex",
    "InputFormat",
    "InputIssue",
    "InvalidActivity",
    "InvalidMolecule",
    "InvalidMoleculeFile",
    "InvalidSmarts",
    "MolecularDescriptors",
    "MoleculeInput",
    "MoleculeProfile",
    "MoleculeRow",
    "PActivity",
    "Relation",
    "ScoreComponents",
    "ScoreSettings",
    "SeedNeighbour",
    "SimilarityHit",
    "StandardisedMolecule",
    "classify",
    "compile_smarts",
    "depict_svg",
    "describe",
    "descriptors",
    "efficiency_indices",
    "fingerprint",
    "fingerprint_bitstring",
    "find_alerts",
    "inchikey",
    "load_moleculeace_seed",
    "nearest_seed_activities",
    "normalise_relation",
    "oqpla_score",
    "p_activity",
    "parse_smiles",
    "profile_molecule",
    "read_molecules",
    "standardise",
    "substructure_search",
    "tanimoto",
]
