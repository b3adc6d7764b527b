"""Writing structures as CIF, POSCAR or pymatgen JSON text."""

from __future__ import annotations

import json
import warnings
from typing import Literal

from pymatgen.core import Structure
from pymatgen.io.cif import CifWriter
from pymatgen.io.vasp import Poscar

from matdiscover.errors import InvalidInput, InvalidStructure
from matdiscover.science.io.base import to_plain


def write_structure(structure: Structure, fmt: Literal["cif", "poscar", "json"]) -> str:
    """Serialise ``structure`` to text that reads back to the same crystal.

    CIF is written in P1 with all sites (exact round trip; occupancies kept; site
    labels renumbered so that they are unique, as the CIF standard requires).
    POSCAR is VASP 5 with a species line and direct coordinates; it cannot hold
    partial occupancy. JSON is ``Structure.as_dict()`` with numpy values and magnetic
    moments converted to plain numbers.

    Raises:
        InvalidStructure: for a disordered structure written as POSCAR.
        InvalidInput: for an unknown format.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> write_structure(s, "poscar").splitlines()[5]
        'Cs Cl'
    """
    if fmt == "cif":
        relabelled = structure.copy()
        for site in relabelled:
            site.label = site.species_string  # lets CifWriter number the labels uniquely
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(CifWriter(relabelled))
    if fmt == "poscar":
        if not structure.is_ordered:
            raise InvalidStructure(
                "POSCAR cannot represent partially occupied sites; write CIF or JSON instead."
            )
        return str(Poscar(structure).get_str(significant_figures=10))
    if fmt == "json":
        return json.dumps(to_plain(structure.as_dict()))
    raise InvalidInput(f"Unknown output format {fmt!r}; use 'cif', 'poscar' or 'json'.")
