"""Regenerate the synthetic malformed-structure corpus (CC0) and EXPECTED.json.

Run from anywhere: ``python tests/data/malformed/make_corpus.py``. Every file is
deterministic; EXPECTED.json maps each file name to a substring that the error
message raised when reading it must contain.
"""

from __future__ import annotations

import io
import json
import random
import stat
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED = (2024, 1, 1, 0, 0, 0)  # zip timestamps, for byte-identical regeneration

CELL = """_cell_length_a 5.64
_cell_length_b 5.64
_cell_length_c 5.64
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
"""
P1 = "_symmetry_space_group_name_H-M 'P 1'\n"
SITES = """loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
"""
NACL_ROWS = [
    "Na1 Na 0.0 0.0 0.0 1.0",
    "Na2 Na 0.5 0.5 0.0 1.0",
    "Na3 Na 0.5 0.0 0.5 1.0",
    "Na4 Na 0.0 0.5 0.5 1.0",
    "Cl1 Cl 0.5 0.5 0.5 1.0",
    "Cl2 Cl 0.0 0.0 0.5 1.0",
    "Cl3 Cl 0.0 0.5 0.0 1.0",
    "Cl4 Cl 0.5 0.0 0.0 1.0",
]


def cif(name: str, rows: list[str], cell: str = CELL) -> str:
    return f"data_{name}\n{cell}{P1}{SITES}" + "\n".join(rows) + "\n"


def poscar(lattice: list[str], species: str | None, counts: str, coords: list[str]) -> str:
    head = ["synthetic test file", "1.0", *lattice]
    if species is not None:
        head.append(species)
    return "\n".join([*head, counts, "Direct", *coords]) + "\n"


def zip_bytes(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry, data in entries:
            info = entry if isinstance(entry, zipfile.ZipInfo) else zipfile.ZipInfo(entry, FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def build() -> dict[str, tuple[bytes, str]]:
    rng = random.Random(20240601)
    cubic = ["5.64 0 0", "0 5.64 0", "0 0 5.64"]
    nacl_cif = cif("NaCl", NACL_ROWS)
    files: dict[str, tuple[bytes, str]] = {}

    def add(name: str, data: bytes | str, expected: str) -> None:
        files[name] = (data.encode() if isinstance(data, str) else data, expected)

    add("empty.cif", b"", "the file is empty")
    add("whitespace_only.cif", b"  \n\n\t\n", "the file is empty")
    add("binary_garbage.cif", bytes(rng.randrange(256) for _ in range(4096)), "binary")
    png = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(512))
    add("image_renamed.cif", png, "PNG image")
    add("truncated.cif", nacl_cif[: nacl_cif.index("Cl2 Cl 0.0") + 14], "appears truncated")
    add("no_atoms.cif", f"data_empty\n{CELL}{P1}", "contains no atoms")
    add(
        "unknown_element.cif",
        cif("Qq", [*NACL_ROWS[:7], "Q1 Qq 0.5 0.0 0.0 1.0"]),
        "unknown element symbol 'Qq'",
    )
    add(
        "dummy_species.cif",
        cif("vac", [*NACL_ROWS[:7], "V1 Va 0.5 0.0 0.0 1.0"]),
        "dummy/vacancy symbol 'Va'",
    )
    add(
        "zero_volume.vasp",
        poscar(["5.64 0 0", "0 5.64 0", "5.64 5.64 0"], "Na Cl", "1 1", ["0 0 0", "0.5 0.5 0.5"]),
        "zero-volume or degenerate",
    )
    add(
        "collinear_lattice.vasp",
        poscar(["5.64 0 0", "5.0 0.01 0", "0 0 5.64"], "Na Cl", "1 1", ["0 0 0", "0.5 0.5 0.5"]),
        "nearly) collinear",
    )
    add(
        "atoms_too_close.cif",
        cif("close", [*NACL_ROWS, "Na5 Na 0.0 0.0 0.01773 1.0"]),
        "Å apart (minimum 0.5 Å)",
    )
    add(
        "occupancy_1_5.cif",
        cif("occ", [*NACL_ROWS, "K1 K 0.0 0.0 0.0 0.5"]),
        "summed occupancy of 1.500",
    )
    add(
        "POSCAR_wrong_counts",
        poscar(
            cubic,
            "Na Cl",
            "4 5",
            [
                "0 0 0",
                "0.5 0.5 0",
                "0.5 0 0.5",
                "0 0.5 0.5",
                "0.5 0.5 0.5",
                "0 0 0.5",
                "0 0.5 0",
                "0.5 0 0",
            ],
        ),
        "wrong atom counts",
    )
    add(
        "POSCAR_missing_species",
        poscar(cubic, None, "1 1", ["0 0 0", "0.5 0.5 0.5"]),
        "species names are missing",
    )
    add(
        "POSCAR_unknown_element",
        poscar(cubic, "Na Xq", "1 1", ["0 0 0", "0.5 0.5 0.5"]),
        "unknown element symbol 'Xq'",
    )
    add(
        "molecule.xyz",
        "3\nwater\nO 0 0 0\nH 0.76 0.59 0\nH -0.76 0.59 0\n",
        "periodic cell is needed",
    )
    add(
        "not_a_structure.json",
        json.dumps({"name": "NaCl", "band_gap": 5.0}),
        "is not a pymatgen Structure",
    )
    add(
        "molecule.json",
        json.dumps(
            {"@module": "pymatgen.core.structure", "@class": "Molecule", "sites": [], "charge": 0}
        ),
        "a Molecule has no periodic cell",
    )
    add("garbage.json", "{ this is : not json ]", "invalid JSON")
    nan_json = {
        "@module": "pymatgen.core.structure",
        "@class": "Structure",
        "lattice": {"matrix": [[5.64, 0, 0], [0, 5.64, 0], [0, 0, 5.64]]},
        "sites": [
            {"species": [{"element": "Na", "occu": 1}], "abc": [float("nan"), 0, 0]},
            {"species": [{"element": "Cl", "occu": 1}], "abc": [0.5, 0.5, 0.5]},
        ],
    }
    add("nan_coordinates.json", json.dumps(nan_json), "NaN or infinite coordinates")
    add(
        "nan_coordinates.cif",
        cif("nan", [*NACL_ROWS[:7], "Cl4 Cl nan 0.0 0.0 1.0"]),
        "non-numeric x coordinate",
    )
    n = 6000
    coords = [f"{rng.random():.4f} {rng.random():.4f} {rng.random():.4f}" for _ in range(n)]
    add(
        "huge_site_count.vasp",
        poscar(["100 0 0", "0 100 0", "0 0 100"], "C", str(n), coords),
        "more than the limit of 5000",
    )
    add("nul_bytes.cif", nacl_cif[:40] + "\x00\x00" + nacl_cif[40:], "contains NUL bytes")
    add("structure.pdf", b"%PDF-1.4\n% not a structure\n", "'.pdf' files are not structure")
    add(
        "notes.txt",
        "These are my lab notes.\nNothing to see here.\n",
        "unknown structure file format",
    )
    add(
        "negative_lattice.cif",
        cif("neg", NACL_ROWS, CELL.replace("a 5.64", "a -5.64")),
        "must be a positive number",
    )
    add(
        "bad_angle.cif",
        cif("ang", NACL_ROWS, CELL.replace("gamma 90", "gamma 190")),
        "must be between 0 and 180 degrees",
    )

    add(
        "zip_traversal.zip",
        zip_bytes([("../../etc/evil.cif", nacl_cif.encode())]),
        "path traversal",
    )
    add("zip_absolute.zip", zip_bytes([("/etc/evil.cif", nacl_cif.encode())]), "absolute path")
    add(
        "zip_drive_letter.zip",
        zip_bytes([("C:/Windows/evil.cif", nacl_cif.encode())]),
        "absolute path",
    )
    link = zipfile.ZipInfo("link.cif", FIXED)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    add("zip_symlink.zip", zip_bytes([(link, b"/etc/passwd")]), "symbolic link")
    add(
        "zip_bomb.zip",
        zip_bytes([("bomb.cif", b"\x20" * (11 * 1024 * 1024))]),
        "larger than the per-file limit",
    )
    many: list[tuple[zipfile.ZipInfo | str, bytes]] = [(f"s{i}.cif", b"x") for i in range(1001)]
    add("zip_too_many_members.zip", zip_bytes(many), "1001 members")
    add(
        "zip_corrupt.zip",
        b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(300)),
        "not a valid .zip file",
    )
    return files


def main() -> None:
    files = build()
    for name, (data, _) in files.items():
        (HERE / name).write_bytes(data)
    expected = {name: substring for name, (_, substring) in sorted(files.items())}
    (HERE / "EXPECTED.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(files)} files to {HERE}")


if __name__ == "__main__":
    main()
