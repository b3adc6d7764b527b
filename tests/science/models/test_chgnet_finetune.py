"""Fine-tuning CHGNet on structures with energies: input refusals, fingerprint, split, and
small real fine-tunes (bundled CHGNet weights, 2-atom cells; the module runs in well
under a minute)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write
from pymatgen.core import Lattice, Structure
from pymatgen.io.ase import AseAtomsAdaptor

from matdiscover.errors import InvalidInput
from matdiscover.science.models.chgnet_path import evaluate_structures
from matdiscover.science.models.chgnet_path.finetune import (
    EnergyFrames,
    EpochPoint,
    StructureFineTuneConfig,
    StructureFineTuneResult,
    finetune_chgnet,
    load_finetuned_chgnet,
    predict_energies,
    read_checkpoint,
    read_energy_frames,
)
from matdiscover.science.models.chgnet_path.finetune_data import holdout_split, parent_groups

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*")

#: The "other DFT setup": eV per atom of each element (per-atom shifts of the compounds:
#: NaCl +0.075, KBr +0.1, MgO -0.2, CaO -0.125).
SHIFT = {"Na": 0.2, "Cl": -0.05, "K": 0.15, "Br": 0.05, "Mg": -0.1, "Ca": 0.05, "O": -0.3}
CELL = 'Lattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3 pbc="T T T"'


def _frame(
    *,
    header: str = CELL,
    energy: str | None = "-7.5",
    atoms: tuple[str, ...] = ("Na 0 0 0", "Cl 2 2 2"),
) -> str:
    extra = "" if energy is None else f" energy={energy}"
    return f"{len(atoms)}\n{header}{extra}\n" + "\n".join(atoms) + "\n"


def _file(n: int = 10, **special: dict[str, object]) -> bytes:
    """``n`` valid NaCl frames (energies -7.50, -7.51, ...); ``special`` maps a 1-based frame
    number (as ``"f3"``) to :func:`_frame` keyword overrides."""
    frames = []
    for i in range(1, n + 1):
        kwargs: dict[str, object] = {"energy": f"{-7.5 - 0.01 * i:.2f}"}
        kwargs.update(special.get(f"f{i}", {}))
        frames.append(_frame(**kwargs))  # type: ignore[arg-type]
    return "".join(frames).encode()


FORCES = 'Lattice="4 0 0 0 4 0 0 0 4" Properties=species:S:1:pos:R:3:forces:R:3 pbc="T T T"'
REFUSALS: dict[str, tuple[bytes, str]] = {
    "empty": (b"  \n", "no frames"),
    "binary": (b"%PDF-1.4 not a structure", "not an extxyz file; it looks like a PDF"),
    "unparseable": (b'2\nLattice="4 0 0 0 4 0 0 0 4"\nNa 0 0 0\n', "could not be read as extxyz"),
    "not utf-8": (b"2\n\xff\xfe\xfa\n", "not UTF-8"),
    "too few": (_file(9), "9 frame(s); a fine-tune needs at least 10"),
    "missing energy": (_file(f3={"energy": None}), "frame 3: no total energy"),
    "nan energy": (_file(f2={"energy": "nan"}), "frame 2: the energy is not a finite number"),
    "inf energy": (_file(f5={"energy": "inf"}), "frame 5: the energy is not a finite number"),
    "nan forces": (
        _file(f4={"header": FORCES, "atoms": ("Na 0 0 0 0 0 nan", "Cl 2 2 2 0 0 0")}),
        "frame 4: forces are not finite",
    ),
    "forces shape": (
        _file(
            f1={
                "header": FORCES.replace("forces:R:3", "forces:R:2"),
                "atoms": ("Na 0 0 0 0 0", "Cl 2 2 2 0 0"),
            }
        ),
        "frame 1: forces of shape (2, 2), expected (2, 3)",
    ),
    "forces on some frames": (
        _file(f1={"header": FORCES, "atoms": ("Na 0 0 0 0 0 0", "Cl 2 2 2 0 0 0")}),
        "frame 2: no forces, while other frames have them (give all or none) (also frames 3",
    ),
    "not periodic": (
        _file(f2={"header": CELL.replace('pbc="T T T"', 'pbc="T T F"')}),
        "frame 2: not periodic in 3 dimensions",
    ),
    "no cell": (_file(f6={"header": "Properties=species:S:1:pos:R:3"}), "frame 6: not periodic"),
    "zero volume": (
        _file(f7={"header": CELL.replace("4 0 0 0 4 0", "4 0 0 4 0 0")}),
        "frame 7: the cell has zero volume",
    ),
    "element beyond Pu": (
        _file(f8={"atoms": ("Am 0 0 0", "Cl 2 2 2")}),
        "frame 8: elements CHGNet does not cover (Am)",
    ),
    "dummy element": (_file(f9={"atoms": ("X 0 0 0", "Cl 2 2 2")}), "(unknown)"),
    "isolated atom": (
        _file(
            f10={
                "header": CELL.replace("4 0 0 0 4 0 0 0 4", "30 0 0 0 30 0 0 0 30"),
                "atoms": ("Na 0 0 0", "Cl 15 15 15"),
            }
        ),
        "frame 10: an atom has no neighbour within CHGNet's 6 Å cutoff",
    ),
    "atoms too close": (
        _file(f1={"atoms": ("Na 0 0 0", "Cl 0.2 0 0")}),
        "frame 1: atoms closer than 0.5 Å",
    ),
    "same energies": (
        b"".join(_frame(energy="-7.5").encode() for _ in range(10)),
        "every frame has the same energy per atom (-3.75 eV/atom)",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_read_energy_frames_refuses_bad_input(case: str) -> None:
    data, words = REFUSALS[case]
    with pytest.raises(InvalidInput) as err:
        read_energy_frames(data, "frames.extxyz")
    assert words in str(err.value), str(err.value)


def test_read_energy_frames_limits_and_many_problems() -> None:
    with pytest.raises(InvalidInput, match="more than 10 frames"):
        read_energy_frames(_file(11), "x.extxyz", max_frames=10)
    with pytest.raises(InvalidInput, match="frame 1: more than 1 atoms"):
        read_energy_frames(_file(10), "x.extxyz", max_atoms=1)
    bad = {f"f{i}": {"energy": None} for i in range(1, 11)}
    with pytest.raises(InvalidInput) as err:
        read_energy_frames(_file(10, **bad), "x.extxyz")  # type: ignore[arg-type]
    assert "frame 1: no total energy" in str(err.value)
    assert "(also frames 2, 3, 4, 5, 6, 7, 8, ...)" in str(err.value)


def test_energy_sources_and_forces_are_read() -> None:
    header = FORCES + " REF_energy=-8.0 energy=-7.0"  # REF_ labels win over plain ones
    frames = [_frame(header=header, energy=None, atoms=("Na 0 0 0 1 0 0", "Cl 2 2 2 -1 0 0"))]
    frames += [
        _frame(header=FORCES, energy=f"-7.{i}", atoms=("Na 0 0 0 0 0 0", "Cl 2 2 2 0 0 0"))
        for i in range(9)
    ]
    data = read_energy_frames("".join(frames).encode(), "x.extxyz")
    assert data.energies_per_atom[0] == pytest.approx(-4.0)
    assert data.energies_per_atom[1] == pytest.approx(-3.5)
    assert data.forces is not None and data.forces[0].tolist() == [[1, 0, 0], [-1, 0, 0]]
    assert data.elements == ["Na", "Cl"] and data.num_atoms == 20
    assert all(s.lattice.abc == pytest.approx((4, 4, 4)) for s in data.structures)


def test_fingerprint_ignores_frame_and_atom_order() -> None:
    def frames(*, reverse_atoms: bool) -> list[str]:
        out = []
        for i in range(10):
            atoms = ("Na 0 0 0", f"Cl 2 2 {2 + 0.01 * i:.2f}")
            atoms = atoms[::-1] if reverse_atoms else atoms
            out.append(_frame(energy=f"{-7.5 - 0.01 * i:.2f}", atoms=atoms))
        return out

    a = read_energy_frames("".join(frames(reverse_atoms=False)).encode(), "a.extxyz")
    b = read_energy_frames("".join(frames(reverse_atoms=True)[::-1]).encode(), "b.extxyz")
    assert (
        str(b.structures[0][0].specie) == "Cl" and b.energies_per_atom[0] != a.energies_per_atom[0]
    )
    assert a.fingerprint() == b.fingerprint()
    changed = frames(reverse_atoms=False)
    changed[3] = changed[3].replace("energy=-7.53", "energy=-7.531")
    c = read_energy_frames("".join(changed).encode(), "c.extxyz")
    assert c.fingerprint() != a.fingerprint()


def _parents() -> list[Structure]:
    out = []
    for cation, anion, a_rs, a_cs in (
        ("Na", "Cl", 5.64, 3.4),
        ("K", "Br", 6.6, 4.0),
        ("Mg", "O", 4.21, 2.6),
        ("Ca", "O", 4.81, 2.95),
    ):
        rocksalt = Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(a_rs), [cation, anion], [[0, 0, 0], [0.5, 0.5, 0.5]]
        )
        out.append(rocksalt.get_primitive_structure())
        out.append(Structure(Lattice.cubic(a_cs), [cation, anion], [[0, 0, 0], [0.5] * 3]))
    return out


def _perturbed(per_parent: int, seed: int = 0) -> list[Structure]:
    rng = np.random.default_rng(seed)
    out = []
    for parent in _parents():
        for _ in range(per_parent):
            s = parent.copy().apply_strain(rng.uniform(-0.02, 0.02))
            out.append(
                Structure(
                    s.lattice,
                    s.species,
                    s.cart_coords + rng.normal(0, 0.04, (2, 3)),
                    coords_are_cartesian=True,
                )
            )
    return out


@pytest.fixture(scope="module")
def frames() -> EnergyFrames:
    """24 frames (8 parents x 3) labelled with CHGNet + :data:`SHIFT`, through extxyz."""
    structures = _perturbed(3)
    atoms = []
    for s, r in zip(structures, evaluate_structures(structures), strict=True):
        a = AseAtomsAdaptor.get_atoms(s)
        shift = sum(SHIFT[site.specie.symbol] for site in s)
        a.calc = SinglePointCalculator(a, energy=r.energy + shift, forces=r.forces)
        atoms.append(a)
    buf = io.StringIO()
    write(buf, atoms, format="extxyz")
    return read_energy_frames(buf.getvalue().encode(), "frames.extxyz")


def test_split_holds_out_whole_parents_with_known_elements(frames: EnergyFrames) -> None:
    groups = parent_groups(frames.structures)
    assert len(set(groups)) == 8  # rocksalt and CsCl-type polymorphs apart
    assert groups[:3] == [groups[0]] * 3 and groups[3] != groups[0]
    train, hold, how = holdout_split(frames.structures, fraction=0.2, seed=0)
    assert how == "by parent structure" and len(hold) == 6 and len(train) == 18
    assert not {groups[i] for i in hold} & {groups[i] for i in train}
    els = lambda ix: {e.symbol for i in ix for e in frames.structures[i].composition}  # noqa: E731
    assert els(hold) <= els(train)
    again = holdout_split(frames.structures, fraction=0.2, seed=0)
    assert again[1].tolist() == hold.tolist()


FAST = StructureFineTuneConfig(epochs=3, batch_size=6)


def test_finetune_learns_the_shift_and_the_state_loads(frames: EnergyFrames) -> None:
    points: list[EpochPoint] = []

    def keep(point: EpochPoint, checkpoint: bytes) -> bool:
        points.append(point)
        assert read_checkpoint(checkpoint)[0] == point.epoch
        return True

    result = finetune_chgnet(frames, config=FAST, on_epoch=keep)
    assert isinstance(result, StructureFineTuneResult)
    hold = result.metrics["holdout"]
    assert hold["frames"] == 6 and hold["split"] == "by parent structure"
    assert hold["shipped"]["energy_mae"] > 0.05
    assert hold["candidate"]["energy_mae"] < 0.3 * hold["shipped"]["energy_mae"], hold
    assert hold["candidate"]["force_mae"] < 0.05
    assert [p.epoch for p in points] == [1, 2, 3] and result.learning_curve == points
    parity = result.metrics["holdout_points"]
    assert len(parity) == 6 and set(parity[0]) == {"formula", "measured", "shipped", "candidate"}
    card = result.card
    assert card["training_data"]["fingerprint_sha256"] == frames.fingerprint()
    assert card["training_data"]["frames_held_out"] == 6
    assert card["trainable_parameters"] < 20_000  # readout + AtomRef only
    assert card["hyperparameters"]["epochs"] == 3 and card["training_seconds"] > 0
    model = load_finetuned_chgnet(result.state)
    _, hold_ix, _ = holdout_split(frames.structures, fraction=0.2, seed=0)
    pred = predict_energies(model, [frames.structures[i] for i in hold_ix])
    mae = float(np.mean(np.abs(pred - frames.energies_per_atom[hold_ix])))
    assert mae == pytest.approx(hold["candidate"]["energy_mae"], abs=1e-5)
    with pytest.raises(InvalidInput, match="not a fine-tuned CHGNet state"):
        load_finetuned_chgnet(b"not a state")


def _collect(
    into: list[bytes], stop_after: int | None = None
) -> Callable[[EpochPoint, bytes], bool]:
    def on_epoch(point: EpochPoint, checkpoint: bytes) -> bool:
        into.append(checkpoint)
        return stop_after is None or point.epoch < stop_after

    return on_epoch


def test_resume_reaches_the_uninterrupted_weights(frames: EnergyFrames) -> None:
    import torch

    cfg = StructureFineTuneConfig(epochs=3, batch_size=6, freeze_backbone=False)
    full = finetune_chgnet(frames, config=cfg)
    ckpts: list[bytes] = []
    assert finetune_chgnet(frames, config=cfg, on_epoch=_collect(ckpts, stop_after=1)) is None
    assert len(ckpts) == 1  # cancelled after the first epoch
    resumed = finetune_chgnet(frames, config=cfg, resume=ckpts[0])
    assert full is not None and resumed is not None
    a = torch.load(io.BytesIO(full.state), weights_only=True)["state_dict"]
    b = torch.load(io.BytesIO(resumed.state), weights_only=True)["state_dict"]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert [p.holdout_mae for p in resumed.learning_curve] == [
        p.holdout_mae for p in full.learning_curve
    ]
    assert full.card["trainable_parameters"] > 400_000  # the backbone trained too
    other = StructureFineTuneConfig(epochs=3, batch_size=6, freeze_backbone=False, seed=1)
    with pytest.raises(InvalidInput, match="checkpoint belongs to a fine-tune of other"):
        finetune_chgnet(frames, config=other, resume=ckpts[0])


def test_config_is_validated() -> None:
    with pytest.raises(InvalidInput, match="epochs must be between"):
        StructureFineTuneConfig(epochs=0)
    with pytest.raises(InvalidInput, match="holdout_fraction"):
        StructureFineTuneConfig(holdout_fraction=1.0)
    assert StructureFineTuneConfig().effective_force_weight == 0.0
    assert StructureFineTuneConfig(freeze_backbone=False).effective_force_weight == 0.1
