"""CIF specifics: blocks, occupancy, formula check, truncation, captured warnings."""

from __future__ import annotations

import warnings

import pytest

from matdiscover.errors import InvalidStructure
from matdiscover.science.io import ParseLimits, read_structures
from matdiscover.science.io.cif import split_blocks, truncation_problem
from tests.science.structure_fixtures import REAL_DIR

HEAD = """data_{name}
_chemical_formula_sum '{formula}'
_cell_length_a 5.64
_cell_length_b 5.64
_cell_length_c 5.64
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
"""


def nacl_like(rows: str, *, name: str = "x", formula: str = "Na Cl") -> bytes:
    return (HEAD.format(name=name, formula=formula) + rows).encode()


def real(name: str) -> str:
    return (REAL_DIR / name).read_text()


def test_multi_block_labels_and_per_block_errors() -> None:
    broken = "data_broken\n_cell_length_a 5\n_cell_length_b 5\n_cell_length_c 5\n"
    broken += "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n"
    broken += "_atom_site_fract_y\n_atom_site_fract_z\nZz1 Zz 0 0 0\n"
    text = real("Rutile.cif") + "\n" + real("PbTe.cif") + "\n" + broken
    result = read_structures(text.encode(), "three.cif")
    labels = [s.label for s in result.structures]
    assert labels == ["three.cif#Rutile", "three.cif#LeadTelluride"]
    assert [s.reduced_formula for s in result.structures] == ["TiO2", "TePb"]
    assert len(result.errors) == 1
    label, message = result.errors[0]
    assert label == "three.cif#broken" and "unknown element symbol 'Zz'" in message


def test_all_blocks_failing_raises_with_each_reason() -> None:
    bad = nacl_like("Na1 Qq 0 0 0 1\n", name="a") + nacl_like("Cl1 Cl 0 0 0 1.7\n", name="b")
    with pytest.raises(InvalidStructure) as info:
        read_structures(bad, "bad.cif")
    assert "bad.cif#a: site Na1 has unknown element symbol 'Qq'" in info.value.message
    assert "bad.cif#b:" in info.value.message and "1.700" in info.value.message


def test_metadata_block_is_skipped() -> None:
    result = read_structures((REAL_DIR / "Sr3LiRuO6.cif").read_bytes(), "Sr3LiRuO6.cif")
    assert [s.label for s in result.structures] == ["Sr3LiRuO6.cif"]
    assert not result.errors


def test_occupancy_slightly_over_one_is_normalised() -> None:
    rows = "Na1 Na 0 0 0 0.51\nK1 K 0 0 0 0.50\nCl1 Cl 0.5 0.5 0.5 1\n"
    parsed = read_structures(nacl_like(rows, formula="Na0.51 K0.5 Cl"), "x.cif").structures[0]
    assert not parsed.is_ordered
    assert max(site.species.num_atoms for site in parsed.structure) == pytest.approx(1.0)
    assert any("sum to > 1" in w for w in parsed.warnings)


def test_occupancy_beyond_tolerance_names_site_and_sum() -> None:
    rows = "Na1 Na 0 0 0 0.7\nK1 K 0 0 0 0.4\nCl1 Cl 0.5 0.5 0.5 1\n"
    with pytest.raises(InvalidStructure, match=r"site .*K1.* summed occupancy of 1\.100"):
        read_structures(nacl_like(rows), "x.cif")
    limits = ParseLimits(occupancy_tolerance=0.15)
    assert read_structures(nacl_like(rows, formula="Na0.7 K0.4 Cl"), "x.cif", limits=limits)


def test_formula_mismatch_warns_and_match_does_not() -> None:
    rows = "Na1 Na 0 0 0 1\nCl1 Cl 0.5 0.5 0.5 1\n"
    same = read_structures(nacl_like(rows, formula="Na4 Cl4"), "x.cif").structures[0]
    assert not any("does not match" in w for w in same.warnings)
    parsed = read_structures(nacl_like(rows, formula="K Cl"), "x.cif").structures[0]
    assert any("does not match" in w and "'K Cl'" in w for w in parsed.warnings)
    organic = read_structures(nacl_like(rows, formula="H4 Na Cl"), "x.cif").structures[0]
    assert any("hydrogens missing" in w for w in organic.warnings)


def test_partial_occupancy_formula_within_tolerance() -> None:
    parsed = read_structures((REAL_DIR / "4003024.cif").read_bytes(), "4003024.cif")
    assert not any("does not match" in w for w in parsed.structures[0].warnings)


def test_truncated_real_cif() -> None:
    text = real("PbTe.cif")
    cut = text[: text.rindex("Te1") + 12]
    with pytest.raises(InvalidStructure, match="appears truncated"):
        read_structures(cut.encode(), "PbTe.cif")
    assert truncation_problem("data_x\n_a 1\n;\nunterminated text\n") == (
        "it ends inside a ';' text field"
    )


def test_split_blocks_ignores_data_inside_text_fields() -> None:
    text = "data_a\n_x\n;\ndata_not_a_block\n;\ndata_b\n_y 1\n"
    assert [name for name, _ in split_blocks(text)] == ["a", "b"]


def test_no_data_block() -> None:
    with pytest.raises(InvalidStructure, match="no 'data_' block"):
        read_structures(b"_cell_length_a 5\nloop_\n_atom_site_label\nNa\n", "x.cif")


def test_parser_warnings_are_captured_not_emitted() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parsed = read_structures((REAL_DIR / "TeI.cif").read_bytes(), "TeI.cif").structures[0]
    assert any("_symmetry_equiv_pos_as_xyz" in w for w in parsed.warnings)


def test_too_many_atom_site_rows_rejected_before_expansion() -> None:
    from matdiscover.errors import InputTooLarge

    rows = "".join(f"C{i} C 0.{i:04d} 0.1 0.1 1\n" for i in range(60))
    with pytest.raises(InputTooLarge, match="60 atom sites, more than the limit of 50"):
        read_structures(nacl_like(rows), "x.cif", limits=ParseLimits(max_sites=50))


def test_symmetry_expansion_bomb_refused_before_expansion() -> None:
    from matdiscover.errors import InputTooLarge

    ops = "loop_\n_symmetry_equiv_pos_as_xyz\n" + "".join(f"'x,y,z+{i}/100'\n" for i in range(100))
    rows = "".join(f"C{i} C 0.{i:03d} 0.2 0.3 1\n" for i in range(60))
    data = nacl_like(rows).replace(
        b"loop_\n_atom_site_label", ops.encode() + b"loop_\n_atom_site_label"
    )
    with pytest.raises(InputTooLarge, match="60 atom sites under 100 symmetry operations"):
        read_structures(data, "x.cif", limits=ParseLimits(max_sites=200))
