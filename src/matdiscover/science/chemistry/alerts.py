"""Assay-interference and structural alerts from RDKit's FilterCatalog.

Catalogues:

- ``PAINS_A``, ``PAINS_B``, ``PAINS_C``: pan-assay interference compounds, families A/B/C
  (Baell & Holloway, J. Med. Chem. 53, 2719 (2010)).
- ``BRENK``: unwanted functionality for toxicity or pharmacokinetics (Brenk et al.,
  ChemMedChem 3, 435 (2008)).
- ``NIH``: problematic functional groups from the NCGC (Jadhav et al., J. Med. Chem. 53,
  37 (2010)).

Each :class:`Alert` carries the catalogue, the filter's name as RDKit spells it (e.g.
``ene_rhod_A(235)``), its chemotype ``family`` (the name without the PAINS family letter
and the count, e.g. ``ene_rhod``), a readable description and the matched atom indices of
the molecule, which :func:`matdiscover.science.chemistry.depict.depict_svg` highlights.

Example:
    >>> from rdkit import Chem
    >>> hits = find_alerts(Chem.MolFromSmiles("O=C1C=CC(=O)C=C1"), catalogs=("PAINS_A",))
    >>> [(a.catalog, a.family, a.atoms) for a in hits]
    [('PAINS_A', 'quinone', (0, 1, 2, 3, 4, 5, 6, 7))]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rdkit import Chem
from rdkit.Chem import FilterCatalog

from matdiscover.science.chemistry._screen import Bits, QueryScreen, pattern_bits

__all__ = ["ALL_CATALOGS", "PAINS_CATALOGS", "Alert", "Catalog", "find_alerts"]

Catalog = Literal["PAINS_A", "PAINS_B", "PAINS_C", "BRENK", "NIH"]
PAINS_CATALOGS: tuple[Catalog, ...] = ("PAINS_A", "PAINS_B", "PAINS_C")
ALL_CATALOGS: tuple[Catalog, ...] = (*PAINS_CATALOGS, "BRENK", "NIH")

_SCOPES: dict[Catalog, str] = {
    "PAINS_A": "PAINS family A (pan-assay interference, Baell & Holloway 2010)",
    "PAINS_B": "PAINS family B (pan-assay interference, Baell & Holloway 2010)",
    "PAINS_C": "PAINS family C (pan-assay interference, Baell & Holloway 2010)",
    "BRENK": "Brenk unwanted group (toxicity or pharmacokinetics, Brenk et al. 2008)",
    "NIH": "NIH/NCGC problematic functional group (Jadhav et al. 2010)",
}
_PAINS_SUFFIX = re.compile(r"(_[A-Z][a-z]?)?\(\d+\)$")


@dataclass(frozen=True)
class Alert:
    """One matched alert.

    Attributes:
        catalog: which catalogue matched.
        name: the filter's name as in RDKit (``quinone_A(370)``, ``chinone_1``...).
        family: the chemotype family (``quinone``, ``ene_rhod``, ``catechol``...).
        description: readable text: the catalogue's scope and the filter name.
        atoms: matched atom indices of the molecule, sorted.
        is_pains: whether it comes from a PAINS catalogue.
    """

    catalog: Catalog
    name: str
    family: str
    description: str
    atoms: tuple[int, ...]

    @property
    def is_pains(self) -> bool:
        return self.catalog in PAINS_CATALOGS


# Every filter of the five catalogues, built once per process. Matching screens each filter
# with RDKit's pattern fingerprint first (see ._screen): a filter whose query has a bit the
# molecule lacks cannot match and is skipped (about 70 % of them on drug-like molecules);
# every other filter is matched by RDKit's own FilterCatalogEntry as before. On the 9,997
# standardised seed molecules of benchmarks/molecules_core.py the profiles are identical
# (0 differences), in 2.0 instead of 4.1 ms per molecule for the alerts.
@dataclass(frozen=True)
class _Filter:
    catalog: Catalog
    entry: FilterCatalog.FilterCatalogEntry
    name: str


@dataclass(frozen=True)
class _Filters:
    filters: tuple[_Filter, ...]
    screen: QueryScreen
    catalogs: tuple[FilterCatalog.FilterCatalog, ...]  # keeps the entries' owners alive


# a serialised FilterCatalogEntry holding one SmartsMatcher: boost archive header, the
# description, the pickled query molecule, then the minimum and maximum match counts
_ENTRY_HEADER = re.compile(rb"^22 serialization::archive \d+ 1 1\n0 0 1 4 1 1\n1 0 0 (\d+) ")
_LENGTH = re.compile(rb"(\d+) ")
_COUNTS = re.compile(rb" (\d+) (\d+) ")


def _entry_query(entry: FilterCatalog.FilterCatalogEntry) -> Chem.Mol | None:
    """The query molecule of an entry whose only matcher is one SMARTS pattern that must
    match at least once, else ``None`` (then the entry is never screened out)."""
    blob = bytes(entry.Serialize())
    head = _ENTRY_HEADER.match(blob)
    if head is None:
        return None
    at = head.end()
    described = blob[at : at + int(head.group(1))]
    at += int(head.group(1)) + 1
    length = _LENGTH.match(blob, at)
    if length is None or described != str(entry.GetDescription()).encode():
        return None
    at = length.end()
    pickle = blob[at : at + int(length.group(1))]
    counts = _COUNTS.match(blob, at + len(pickle))
    if counts is None or int(counts.group(1)) < 1:
        return None
    try:
        return Chem.Mol(pickle)  # type: ignore[call-overload]  # stubs lack bytes
    except Exception:  # not a molecule pickle: leave the entry unscreened
        return None


@functools.cache
def _filters() -> _Filters:
    filters: list[_Filter] = []
    queries: list[Chem.Mol | None] = []
    owners: list[FilterCatalog.FilterCatalog] = []
    for catalog in ALL_CATALOGS:
        params = FilterCatalog.FilterCatalogParams()
        params.AddCatalog(getattr(FilterCatalog.FilterCatalogParams.FilterCatalogs, catalog))
        cat = FilterCatalog.FilterCatalog(params)
        owners.append(cat)
        for i in range(cat.GetNumEntries()):
            entry = cat.GetEntryWithIdx(i)
            filters.append(_Filter(catalog, entry, str(entry.GetDescription())))
            queries.append(_entry_query(entry))
    return _Filters(tuple(filters), QueryScreen(queries), tuple(owners))


def _family(catalog: Catalog, name: str) -> str:
    if catalog in PAINS_CATALOGS:
        return _PAINS_SUFFIX.sub("", name)
    return name


def find_alerts(mol: Chem.Mol, *, catalogs: Sequence[Catalog] = ALL_CATALOGS) -> list[Alert]:
    """All alerts of ``catalogs`` matching ``mol``, in catalogue order then by name.

    An alert that matches several times lists the union of the matched atoms.
    """
    return _find_alerts(mol, catalogs=catalogs, bits=pattern_bits(mol))


def _find_alerts(mol: Chem.Mol, *, catalogs: Sequence[Catalog], bits: Bits) -> list[Alert]:
    """:func:`find_alerts` with the pattern fingerprint of ``mol`` already computed.

    The screen never drops a filter that RDKit matches, and skips most of the others:

    >>> table = _filters()
    >>> smiles = ("O=C1NC(=S)SC1=Cc1ccccc1", "Oc1ccccc1O", "CN(C)c1ccc(N=Nc2ccccc2)cc1",
    ...           "O=[N+]([O-])c1ccc(C=O)cc1", "CC(=O)Oc1ccccc1C(=O)O")
    >>> for mol in map(Chem.MolFromSmiles, smiles):
    ...     kept = set(table.screen.candidates(pattern_bits(mol)).tolist())
    ...     matched = {i for i, f in enumerate(table.filters) if f.entry.HasFilterMatch(mol)}
    ...     print(len(matched) > 0, matched <= kept, len(kept) < len(table.filters) / 2)
    True True True
    True True True
    True True True
    True True True
    True True True
    """
    table = _filters()
    wanted = set(catalogs)
    found: dict[Catalog, list[Alert]] = {}
    for i in table.screen.candidates(bits):
        f = table.filters[i]
        if f.catalog not in wanted or not f.entry.HasFilterMatch(mol):
            continue
        atoms: set[int] = set()
        for match in f.entry.GetFilterMatches(mol):
            atoms.update(int(pair.target) for pair in match.atomPairs)
        found.setdefault(f.catalog, []).append(
            Alert(
                catalog=f.catalog,
                name=f.name,
                family=_family(f.catalog, f.name),
                description=f"{_SCOPES[f.catalog]}: {f.name}",
                atoms=tuple(sorted(atoms)),
            )
        )
    alerts: list[Alert] = []
    for catalog in ALL_CATALOGS:
        alerts.extend(sorted(found.get(catalog, ()), key=lambda a: a.name))
    return alerts
