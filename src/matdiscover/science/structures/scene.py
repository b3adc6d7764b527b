"""Build a JSON-able 3D scene of a crystal for the web viewer.

The browser only draws: every atom position, bond, coordination polyhedron and
cell edge is computed here, from a pymatgen ``Structure``, with pymatgen's
near-neighbour analysis (``CrystalNN`` by default; a fast covalent-radius
cutoff for large cells).

Conventions (all lengths in ångström, Å; all positions Cartesian, Å, in the
frame of the lattice matrix whose rows are the cell vectors a, b, c):

* the structure is wrapped into the unit cell and repeated ``supercell`` times;
* atoms lying on a face, edge or corner of the supercell box are repeated on the
  opposite side (``is_boundary_image``) so that the box looks complete;
* a bond joins two drawn atoms (``b`` is an atom index) or, when the partner lies
  outside the drawn region — a bond that crosses the periodic boundary — it ends at
  the partner's true position with ``b = None`` and is drawn as a half bond;
* polyhedra are built around every drawn cation (every neighbour more electronegative
  than the centre) with at least four neighbours; faces are triangles of the convex hull.

Example:
    >>> from pymatgen.core import Lattice, Structure
    >>> s = Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> scene = build_scene(s, supercell=(1, 1, 1))
    >>> len(scene.atoms)  # 8 corner Cs images + 1 Cl
    9
    >>> scene.atoms[-1].neighbours[0].distance  # Cs-Cl in Å
    3.637
"""

from __future__ import annotations

import itertools
import logging
import math
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np
from pymatgen.core import Element, Species, Structure

from matdiscover.errors import InputTooLarge, InvalidInput

logger = logging.getLogger(__name__)

Bonding = Literal["crystalnn", "cutoff"]
ColourScheme = Literal["jmol", "vesta"]

#: Above this many sites per unit cell CrystalNN is replaced by the cutoff method
#: (CrystalNN costs ~10-50 ms per site; the cutoff method handles 500 sites in < 1 s).
CRYSTALNN_MAX_SITES = 120
#: Largest number of drawn atoms (after supercell and boundary repeats).
MAX_SCENE_ATOMS = 20_000
#: Cutoff bonding: a bond when d <= CUTOFF_SCALE * (r_cov(i) + r_cov(j)).
CUTOFF_SCALE = 1.2
#: Fractional-coordinate tolerance for "on the cell boundary".
BOUNDARY_TOL = 1e-3
#: Smallest coordination number that gets a polyhedron.
MIN_POLYHEDRON_CN = 4
_ROUND = 4  # decimals of Å in the JSON (0.1 pm)


@dataclass(frozen=True)
class Neighbour:
    """One neighbour of an atom: element, distance (Å), its position (Å) and drawn index."""

    element: str
    distance: float
    position: tuple[float, float, float]
    atom: int | None


@dataclass(frozen=True)
class SceneAtom:
    """One drawn atom.

    ``radius`` is the covalent radius (Å, ball-and-stick); ``radius_space_filling``
    the ionic (or metallic / van der Waals, see ``space_filling_radius``) radius (Å).
    ``fractional`` is relative to the unit cell (so ranges to the supercell size).
    """

    index: int
    site_index: int
    element: str
    label: str
    occupancy: float
    position: tuple[float, float, float]
    fractional: tuple[float, float, float]
    radius: float
    radius_space_filling: float
    colour: str
    is_boundary_image: bool
    neighbours: list[Neighbour] = field(default_factory=list)


@dataclass(frozen=True)
class Bond:
    """A bond from atom ``a`` to atom ``b`` (or to ``end`` outside the drawn region); Å."""

    a: int
    b: int | None
    start: tuple[float, float, float]
    end: tuple[float, float, float]
    length: float


@dataclass(frozen=True)
class Polyhedron:
    """Coordination polyhedron: centre atom, vertex positions (Å) and triangular faces."""

    centre: int
    element: str
    colour: str
    vertices: list[tuple[float, float, float]]
    faces: list[tuple[int, int, int]]


@dataclass(frozen=True)
class LegendEntry:
    """Element colour legend; radii in Å."""

    element: str
    colour: str
    radius: float
    radius_space_filling: float


@dataclass(frozen=True)
class Scene:
    """Everything the viewer draws. ``lattice`` rows are a, b, c (Å)."""

    formula: str
    lattice: list[tuple[float, float, float]]
    supercell: tuple[int, int, int]
    bonding: Bonding
    bonding_requested: Bonding
    colour_scheme: ColourScheme
    atoms: list[SceneAtom]
    bonds: list[Bond]
    polyhedra: list[Polyhedron]
    cell_edges: list[tuple[tuple[float, float, float], tuple[float, float, float]]]
    unit_cell_edges: list[tuple[tuple[float, float, float], tuple[float, float, float]]]
    legend: list[LegendEntry]
    centre: tuple[float, float, float]
    extent: float
    warnings: list[str]


# ---------------------------------------------------------------------------- element data


@lru_cache(maxsize=1)
def _colour_tables() -> dict[str, dict[str, list[int]]]:
    from monty.serialization import loadfn

    path = resources.files("pymatgen.vis").joinpath("ElementColorSchemes.yaml")
    with resources.as_file(path) as p:
        data: dict[str, dict[str, list[int]]] = loadfn(str(p))
    return data


def element_colour(element: str, *, scheme: ColourScheme = "jmol") -> str:
    """Hex colour (``#rrggbb``) of an element in the Jmol or VESTA scheme (grey if unknown)."""
    table = _colour_tables()["Jmol" if scheme == "jmol" else "VESTA"]
    rgb = table.get(element, [200, 200, 200])
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


@lru_cache(maxsize=256)
def covalent_radius(element: str) -> float:
    """Covalent radius in Å (Cordero et al. 2008), 1.5 Å if unknown."""
    from pymatgen.core.molecule_structure_comparator import CovalentRadius

    return float(CovalentRadius.radius.get(element, 1.5))


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) and out > 0 else None


def space_filling_radius(
    element: str, *, oxidation_state: float | None = None, ionic: bool = True
) -> float:
    """Radius in Å for the space-filling mode.

    The Shannon ionic radius of ``oxidation_state`` when given; in an ionic compound
    (``ionic=True``) the ionic radius of the element's most common cation (metals)
    or anion (non-metals) state; otherwise the metallic/atomic radius, then the van
    der Waals radius, then 1.5 Å.
    """
    el = Element(element)
    if oxidation_state:
        r = _float(el.ionic_radii.get(int(oxidation_state)))
        if r:
            return r
    if ionic:
        states = [s for s in el.common_oxidation_states if (s > 0) == bool(el.is_metal)]
        for s in sorted(states, key=abs):
            r = _float(el.ionic_radii.get(s))
            if r:
                return r
    return _float(el.atomic_radius) or _float(el.van_der_waals_radius) or 1.5


# ---------------------------------------------------------------------------- helpers


def _r(values: Any) -> tuple[float, float, float]:
    x, y, z = (round(float(v), _ROUND) for v in values)
    return (x, y, z)


def _site_element(site: Any) -> tuple[str, float | None, float, str]:
    """(element symbol, declared oxidation state, occupancy, label) of the dominant species."""
    species, amount = max(site.species.items(), key=lambda kv: kv[1])
    symbol = species.symbol if hasattr(species, "symbol") else str(species)
    oxi = species.oxi_state if isinstance(species, Species) else None
    label = (
        symbol if site.is_ordered else "".join(f"{sp}{occ:g}" for sp, occ in site.species.items())
    )
    return symbol, oxi, float(amount), label


def _wrapped(structure: Structure) -> Structure:
    """Copy with fractional coordinates in [0, 1), snapping values within tolerance of 1 to 0."""
    frac = np.mod(structure.frac_coords, 1.0)
    frac[frac > 1.0 - BOUNDARY_TOL] = 0.0
    frac[np.abs(frac) < 1e-9] = 0.0
    return Structure(
        structure.lattice,
        [site.species for site in structure],
        frac,
        site_properties=structure.site_properties or None,
    )


Pairs = list[list[tuple[int, tuple[int, int, int], float]]]


def _neighbours_crystalnn(structure: Structure) -> Pairs:
    from pymatgen.analysis.local_env import CrystalNN

    nn = CrystalNN()
    out: Pairs = []
    frac = structure.frac_coords
    for i in range(len(structure)):
        with warnings.catch_warnings():
            # "no oxidation states" / "cannot locate an appropriate radius": expected
            warnings.simplefilter("ignore", UserWarning)
            entries = nn.get_nn_info(structure, i)
        row = []
        for e in entries:
            image = tuple(int(round(v)) for v in e["image"])
            j = int(e["site_index"])
            d = float(
                np.linalg.norm(
                    structure.lattice.get_cartesian_coords(frac[j] + np.array(image) - frac[i])
                )
            )
            row.append((j, (image[0], image[1], image[2]), d))
        out.append(row)
    return out


def _neighbours_cutoff(structure: Structure, elements: list[str], *, ionic: bool) -> Pairs:
    """Pairs closer than CUTOFF_SCALE x (sum of covalent radii); in an ionic compound
    (metals and non-metals) metal-metal contacts are not bonds."""
    radii = np.array([covalent_radius(e) for e in elements])
    metal = np.array([bool(Element(e).is_metal) for e in elements])
    rmax = float(CUTOFF_SCALE * 2 * radii.max())
    centres, points, images, dists = structure.get_neighbor_list(r=rmax)
    out: Pairs = [[] for _ in range(len(structure))]
    for i, j, img, d in zip(centres, points, images, dists, strict=True):
        if d < 1e-6 or d > CUTOFF_SCALE * (radii[i] + radii[j]):
            continue
        if ionic and metal[i] and metal[j]:
            continue
        ii = (int(round(img[0])), int(round(img[1])), int(round(img[2])))
        out[int(i)].append((int(j), ii, float(d)))
    return out


def _convex_faces(points: np.ndarray) -> list[tuple[int, int, int]]:
    from scipy.spatial import ConvexHull, QhullError

    if len(points) < 4:
        return []
    try:
        hull = ConvexHull(points)
    except (QhullError, ValueError):
        return []  # coplanar neighbours (e.g. square-planar): no solid polyhedron
    return [(int(a), int(b), int(c)) for a, b, c in hull.simplices]


# ---------------------------------------------------------------------------- build


def parse_supercell(text: str) -> tuple[int, int, int]:
    """Parse ``"2,2,2"`` (or ``"2"``) into a repeat per axis, each 1..3."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1:
        parts = parts * 3
    if len(parts) != 3:
        raise InvalidInput("supercell must be three integers such as 2,2,2")
    try:
        values = [int(p) for p in parts]
    except ValueError as exc:
        raise InvalidInput("supercell must be three integers such as 2,2,2") from exc
    if any(v < 1 or v > 3 for v in values):
        raise InvalidInput("each supercell repeat must be between 1 and 3")
    return (values[0], values[1], values[2])


def build_scene(
    structure: Structure,
    *,
    supercell: tuple[int, int, int] = (1, 1, 1),
    bonding: Bonding = "crystalnn",
    colour_scheme: ColourScheme = "jmol",
    repeat_boundary_atoms: bool = True,
    max_atoms: int = MAX_SCENE_ATOMS,
) -> Scene:
    """Build the viewer scene of ``structure`` repeated ``supercell`` times (1-3 per axis).

    Bonds are computed with ``bonding`` (``"crystalnn"`` falls back to ``"cutoff"``
    above :data:`CRYSTALNN_MAX_SITES` sites, with a warning). Raises
    :class:`~matdiscover.errors.InvalidInput` for a bad supercell and
    :class:`~matdiscover.errors.InputTooLarge` above ``max_atoms`` drawn atoms.
    """
    if len(supercell) != 3 or any(int(n) < 1 or int(n) > 3 for n in supercell):
        raise InvalidInput("each supercell repeat must be between 1 and 3")
    if len(structure) == 0:
        raise InvalidInput("the structure has no sites")
    n = np.array([int(v) for v in supercell])
    notes: list[str] = []
    s = _wrapped(structure)
    matrix = s.lattice.matrix
    frac_coords = s.frac_coords  # computed on every access by pymatgen: read once

    info = [_site_element(site) for site in s]
    elements = [e for e, _, _, _ in info]
    metals = {e for e in elements if Element(e).is_metal}
    ionic = bool(metals) and len(metals) < len(set(elements))

    # drawn atoms: (site, integer translation) -> atom index
    keys: list[tuple[int, tuple[int, int, int]]] = []
    for j, fc in enumerate(frac_coords):
        axes = []
        for k in range(3):
            ts = list(range(int(n[k])))
            if repeat_boundary_atoms and fc[k] < BOUNDARY_TOL:
                ts.append(int(n[k]))
            axes.append(ts)
        keys.extend((j, (a, b, c)) for a, b, c in itertools.product(*axes))
    if len(keys) > max_atoms:
        raise InputTooLarge(
            f"the scene would have {len(keys)} atoms (limit {max_atoms}); use a smaller supercell"
        )
    index = {key: i for i, key in enumerate(keys)}

    used: Bonding = bonding
    if bonding == "crystalnn" and len(s) > CRYSTALNN_MAX_SITES:
        used = "cutoff"
        notes.append(
            f"{len(s)} sites: bonds from covalent-radius cutoffs instead of CrystalNN "
            f"(used up to {CRYSTALNN_MAX_SITES} sites)"
        )
    if used == "crystalnn" and not s.is_ordered:
        used = "cutoff"
        notes.append("partially occupied sites: bonds from covalent-radius cutoffs")
    if used == "crystalnn":
        try:
            pairs = _neighbours_crystalnn(s)
        except (ValueError, RuntimeError, AttributeError) as exc:  # pragma: no cover
            logger.warning("CrystalNN failed (%s); using cutoff bonds", exc)
            notes.append("CrystalNN failed on this structure; bonds from cutoffs")
            used = "cutoff"
            pairs = _neighbours_cutoff(s, elements, ionic=ionic)
    else:
        pairs = _neighbours_cutoff(s, elements, ionic=ionic)

    def cart(j: int, t: tuple[int, int, int]) -> np.ndarray:
        result: np.ndarray = (frac_coords[j] + np.array(t)) @ matrix
        return result

    radius_sf = {
        e: space_filling_radius(e, oxidation_state=oxi, ionic=ionic) for e, oxi, _, _ in info
    }
    colours = {e: element_colour(e, scheme=colour_scheme) for e in set(elements)}

    def bond_class(
        j: int, t: tuple[int, int, int], jj: int, img: tuple[int, int, int]
    ) -> tuple[object, ...]:
        """The bond's identity up to a translation by whole supercells."""
        tm = tuple(int(v) for v in np.mod(t, n))
        tt = tuple(int(v) for v in np.mod(np.array(t) + img, n))
        back = (-img[0], -img[1], -img[2])
        return min((j, tm, jj, img), (jj, tt, j, back))

    # pass 1: bonds between two drawn atoms, and the periodic classes they represent
    bonds: list[Bond] = []
    drawn_classes: set[tuple[object, ...]] = set()
    seen_pairs: set[tuple[int, int]] = set()
    stubs: list[tuple[int, int, tuple[int, int, int], tuple[int, int, int], float]] = []
    for ai, (j, t) in enumerate(keys):
        for jj, img, d in pairs[j]:
            tt = (t[0] + img[0], t[1] + img[1], t[2] + img[2])
            other = index.get((jj, tt))
            if other is None:
                if all(0 <= t[k] < n[k] for k in range(3)):
                    stubs.append((ai, jj, t, img, d))
                continue
            drawn_classes.add(bond_class(j, t, jj, img))
            pair = (min(ai, other), max(ai, other))
            if pair not in seen_pairs:
                seen_pairs.add(pair)
                bonds.append(Bond(ai, other, _r(cart(j, t)), _r(cart(jj, tt)), round(d, 3)))
    # pass 2: a bond that crosses the boundary and is not already drawn elsewhere
    # (between boundary images) is drawn as a half bond towards its true partner
    for ai, jj, t, img, d in stubs:
        j = keys[ai][0]
        if bond_class(j, t, jj, img) in drawn_classes:
            continue
        tt = (t[0] + img[0], t[1] + img[1], t[2] + img[2])
        bonds.append(Bond(ai, None, _r(cart(j, t)), _r(cart(jj, tt)), round(d, 3)))

    atoms: list[SceneAtom] = []
    polyhedra: list[Polyhedron] = []
    electroneg = {e: float(Element(e).X) if Element(e).X == Element(e).X else 0.0 for e in colours}

    for ai, (j, t) in enumerate(keys):
        el, _oxi, occ, label = info[j]
        pos = cart(j, t)
        home = all(0 <= t[k] < n[k] for k in range(3))
        neighbours: list[Neighbour] = []
        vertex_positions: list[np.ndarray] = []
        for jj, img, d in pairs[j]:
            tt = (t[0] + img[0], t[1] + img[1], t[2] + img[2])
            end = cart(jj, tt)
            neighbours.append(Neighbour(elements[jj], round(d, 3), _r(end), index.get((jj, tt))))
            vertex_positions.append(end)
        neighbours.sort(key=lambda nb: nb.distance)
        # boundary images get their polyhedra too, so the box looks complete (as in VESTA)
        if len(vertex_positions) >= MIN_POLYHEDRON_CN and all(
            electroneg[elements[jj]] > electroneg[el] for jj, _, _ in pairs[j]
        ):
            pts = np.array(vertex_positions)
            faces = _convex_faces(pts)
            if faces:
                polyhedra.append(Polyhedron(ai, el, colours[el], [_r(p) for p in pts], faces))
        atoms.append(
            SceneAtom(
                index=ai,
                site_index=j,
                element=el,
                label=label,
                occupancy=round(occ, 4),
                position=_r(pos),
                fractional=_r(frac_coords[j] + np.array(t)),
                radius=covalent_radius(el),
                radius_space_filling=round(radius_sf[el], 3),
                colour=colours[el],
                is_boundary_image=not home,
                neighbours=neighbours,
            )
        )

    if not structure.is_ordered:
        notes.append("partially occupied sites are drawn as their majority species")

    corners = [np.array(c, dtype=float) for c in itertools.product((0, 1), repeat=3)]
    edge_pairs = [
        (a, b)
        for a, b in itertools.combinations(range(8), 2)
        if np.abs(corners[a] - corners[b]).sum() == 1
    ]

    def edges(
        scale: np.ndarray,
    ) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
        return [
            (_r((corners[a] * scale) @ matrix), _r((corners[b] * scale) @ matrix))
            for a, b in edge_pairs
        ]

    box = [(np.array(c) * n) @ matrix for c in itertools.product((0, 1), repeat=3)]
    centre = np.mean(box, axis=0)
    extent = float(max(np.linalg.norm(p - centre) for p in box))
    legend = [
        LegendEntry(e, colours[e], covalent_radius(e), round(radius_sf[e], 3))
        for e in sorted(colours, key=lambda x: (electroneg[x], x))
    ]
    return Scene(
        formula=structure.composition.reduced_formula,
        lattice=[_r(row) for row in matrix],
        supercell=(int(n[0]), int(n[1]), int(n[2])),
        bonding=used,
        bonding_requested=bonding,
        colour_scheme=colour_scheme,
        atoms=atoms,
        bonds=bonds,
        polyhedra=polyhedra,
        cell_edges=edges(n.astype(float)),
        unit_cell_edges=edges(np.ones(3)),
        legend=legend,
        centre=_r(centre),
        extent=round(extent, 3),
        warnings=notes,
    )
