"""pActivity conversion and ligand-efficiency indices against hand-computed values.

For each molecule the descriptor values of the RDKit parent are stated (and checked against
``descriptors``), then every index is written out by hand from them:
LE = 1.37 pA / HA, LLE = pA - cLogP, SEI = pA / (TPSA/100), BEI = pA / (MW/1000),
NSEI = pA / (N+O), NBEI = pA / HA, nBEI = pA + log10(HA). Activities are literature-scale
values used as inputs (e.g. celecoxib COX-2 IC50 40 nM, Penning et al. 1997).
"""

from __future__ import annotations

import math

import pytest
from rdkit import Chem

from matdiscover.science.chemistry import (
    Activity,
    InvalidActivity,
    descriptors,
    efficiency_indices,
    normalise_relation,
    p_activity,
    standardise,
)

# name: (SMILES, activity, stated descriptors (MW, TPSA, cLogP, HA, N+O), expected indices)
# expected = (pA, LE, LLE, SEI, BEI, NSEI, NBEI, nBEI)
CASES = {
    "aspirin": (
        "CC(=O)Oc1ccccc1C(=O)O",
        Activity(value=1700.0, unit="nM", type="IC50"),
        (180.159, 63.60, 1.3101, 13, 4),
        # pA = 9 - log10(1700) = 9 - 3.23045 = 5.76955; LE = 1.37*5.76955/13 = 0.60802
        # LLE = 5.76955 - 1.3101 = 4.45945; SEI = 5.76955/0.636 = 9.07162
        # BEI = 5.76955/0.180159 = 32.02477; NSEI = 5.76955/4 = 1.44239
        # NBEI = 5.76955/13 = 0.44381; nBEI = 5.76955 + 1.11394 = 6.88349
        (5.76955, 0.60802, 4.45945, 9.07162, 32.02477, 1.44239, 0.44381, 6.88349),
    ),
    "ibuprofen": (
        "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
        Activity(value=13.0, unit="uM", type="IC50"),
        (206.285, 37.30, 3.0732, 15, 2),
        # pA = 6 - log10(13) = 6 - 1.11394 = 4.88606; LE = 1.37*4.88606/15 = 0.44626
        # LLE = 4.88606 - 3.0732 = 1.81286; SEI = 4.88606/0.373 = 13.09935
        # BEI = 4.88606/0.206285 = 23.68595; NSEI = 4.88606/2 = 2.44303
        # NBEI = 4.88606/15 = 0.32574; nBEI = 4.88606 + 1.17609 = 6.06215
        (4.88606, 0.44626, 1.81286, 13.09935, 23.68595, 2.44303, 0.32574, 6.06215),
    ),
    "caffeine": (
        "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
        Activity(value=2.4, unit="µM", type="Ki"),
        (194.194, 61.82, -1.0293, 14, 6),
        # pA = 6 - log10(2.4) = 6 - 0.38021 = 5.61979; LE = 1.37*5.61979/14 = 0.54994
        # LLE = 5.61979 + 1.0293 = 6.64909; SEI = 5.61979/0.6182 = 9.09057
        # BEI = 5.61979/0.194194 = 28.93904; NSEI = 5.61979/6 = 0.93663
        # NBEI = 5.61979/14 = 0.40141; nBEI = 5.61979 + 1.14613 = 6.76592
        (5.61979, 0.54994, 6.64909, 9.09057, 28.93904, 0.93663, 0.40141, 6.76592),
    ),
    "celecoxib": (
        "Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1",
        Activity(value=40.0, unit="nM", type="IC50"),
        (381.379, 77.98, 3.51392, 26, 5),
        # pA = 9 - log10(40) = 9 - 1.60206 = 7.39794; LE = 1.37*7.39794/26 = 0.38981
        # LLE = 7.39794 - 3.51392 = 3.88402; SEI = 7.39794/0.7798 = 9.48697
        # BEI = 7.39794/0.381379 = 19.39787; NSEI = 7.39794/5 = 1.47959
        # NBEI = 7.39794/26 = 0.28454; nBEI = 7.39794 + 1.41497 = 8.81291
        (7.39794, 0.38981, 3.88402, 9.48697, 19.39787, 1.47959, 0.28454, 8.81291),
    ),
    "imatinib": (
        "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1",
        Activity(value=0.025, unit="uM", type="IC50"),
        (493.615, 86.28, 4.59032, 37, 8),
        # pA = 9 - log10(25) = 9 - 1.39794 = 7.60206; LE = 1.37*7.60206/37 = 0.28148
        # LLE = 7.60206 - 4.59032 = 3.01174; SEI = 7.60206/0.8628 = 8.81092
        # BEI = 7.60206/0.493615 = 15.40079; NSEI = 7.60206/8 = 0.95026
        # NBEI = 7.60206/37 = 0.20546; nBEI = 7.60206 + 1.56820 = 9.17026
        (7.60206, 0.28148, 3.01174, 8.81092, 15.40079, 0.95026, 0.20546, 9.17026),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_descriptors_match_stated_values(name: str) -> None:
    smiles, _, (mw, tpsa, clogp, ha, n_o), _ = CASES[name]
    d = descriptors(standardise(Chem.MolFromSmiles(smiles)).mol)
    assert d.mw == pytest.approx(mw, abs=1e-3)
    assert d.tpsa == pytest.approx(tpsa, abs=1e-2)
    assert d.clogp == pytest.approx(clogp, abs=1e-4)
    assert (d.heavy_atoms, d.n_o_count) == (ha, n_o)


@pytest.mark.parametrize("name", sorted(CASES))
def test_indices_match_hand_computed(name: str) -> None:
    smiles, activity, _, expected = CASES[name]
    d = descriptors(standardise(Chem.MolFromSmiles(smiles)).mol)
    pa = p_activity(activity)
    assert pa.exact
    idx = efficiency_indices(
        pa.value,
        mw=d.mw,
        tpsa=d.tpsa,
        clogp=d.clogp,
        heavy_atoms=d.heavy_atoms,
        n_o_count=d.n_o_count,
    )
    got = (idx.p_activity, idx.le, idx.lle, idx.sei, idx.bei, idx.nsei, idx.nbei, idx.n_bei)
    assert got == pytest.approx(expected, abs=6e-5)


@pytest.mark.parametrize(
    ("activity", "expected"),
    [
        (Activity(value=1.0, unit="M"), 0.0),
        (Activity(value=1.0, unit="mM"), 3.0),
        (Activity(value=1.0, unit="µM"), 6.0),
        (Activity(value=1.0, unit="μM"), 6.0),  # Greek mu
        (Activity(value=1.0, unit="uM"), 6.0),
        (Activity(value=1.0, unit="umol/L"), 6.0),
        (Activity(value=1.0, unit="nM"), 9.0),
        (Activity(value=100.0, unit="pM"), 10.0),
        (Activity(value=7.5, type="pKi"), 7.5),
        (Activity(value=6.1, type="pIC50", unit=""), 6.1),
        (Activity(value=8.2, type="pChEMBL"), 8.2),
    ],
)
def test_p_activity_units(activity: Activity, expected: float) -> None:
    assert p_activity(activity).value == pytest.approx(expected, abs=1e-12)


def test_censored_relations_are_flagged_and_flipped() -> None:
    above = p_activity(Activity(value=10.0, unit="uM", type="IC50", relation=">"))
    assert (above.value, above.relation, above.exact) == (pytest.approx(5.0), "<", False)
    assert above.note and "not exact" in above.note
    below = p_activity(Activity(value=1.0, unit="nM", relation="<="))
    assert (below.relation, below.exact) == (">=", False)
    log_type = p_activity(Activity(value=5.0, type="pKi", relation="<"))
    assert (log_type.relation, log_type.exact) == ("<", False)
    assert normalise_relation("'>'") == ">"
    with pytest.raises(InvalidActivity, match="unknown activity relation"):
        normalise_relation("<<")


@pytest.mark.parametrize(
    ("activity", "message"),
    [
        (Activity(value=5.0, unit="furlongs"), "unknown concentration unit"),
        (Activity(value=5.0, unit=""), "has no unit"),
        (Activity(value=0.0, unit="nM"), "not positive"),
        (Activity(value=-3.0, unit="nM"), "not positive"),
        (Activity(value=math.nan, unit="nM"), "not a finite number"),
        (Activity(value=1e-30, unit="M"), "outside 0-20"),
        (Activity(value=25.0, type="pKi"), "outside 0-20"),
    ],
)
def test_bad_activities_raise(activity: Activity, message: str) -> None:
    with pytest.raises(InvalidActivity, match=message):
        p_activity(activity)


def test_zero_denominators_give_none() -> None:
    # hexane: no polar surface, no N or O
    d = descriptors(Chem.MolFromSmiles("CCCCCC"))
    idx = efficiency_indices(
        5.0, mw=d.mw, tpsa=d.tpsa, clogp=d.clogp, heavy_atoms=d.heavy_atoms, n_o_count=d.n_o_count
    )
    assert idx.sei is None and idx.nsei is None
    assert idx.bei == pytest.approx(5.0 / (d.mw / 1000.0))
    with pytest.raises(InvalidActivity):
        efficiency_indices(5.0, mw=0.0, tpsa=0.0, clogp=0.0, heavy_atoms=0, n_o_count=0)
