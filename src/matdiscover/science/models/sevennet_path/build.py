"""Reference fit, σ calibration and model cards for the SevenNet path (build time only)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from matdiscover.science.known_structures import load_known_structures


def mp_formation_rows() -> pd.DataFrame:
    """Shipped Materials Project rows with a formation energy (the ``flla_2015`` table),
    sorted by id, with a ``formation_energy`` column (eV/atom, MP legacy corrections)."""
    df = load_known_structures()
    df = df[df["source_database"] == "materials_project"].copy()
    props = df["properties"].map(json.loads)
    df["formation_energy"] = props.map(lambda p: p.get("formation_energy"))
    df["energy_above_hull"] = props.map(lambda p: p.get("energy_above_hull"))
    df = df[df["formation_energy"].notna()]
    return df.sort_values("source_id").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# split

#: Seed of the chemistry-stratified split.
SPLIT_SEED = 15
#: Target rows of the validation and of the test split (the rest is the fit split).
SPLIT_SIZE = 600
_CLASSES = (
    ("oxide", ("O",)),
    ("chalcogenide", ("S", "Se", "Te")),
    ("halide", ("F", "Cl", "Br", "I")),
    ("pnictide", ("N", "P", "As", "Sb")),
    ("hydride", ("H",)),
)


def chemistry_class(elements: Sequence[str]) -> str:
    """Stratum of a chemical system: anion class of its most electronegative element and
    the number of elements (``"oxide/3"``, ``"intermetallic/2"``, ``"element/1"``)."""
    from pymatgen.core import Element

    n = len(elements)
    if n == 1:
        return "element/1"
    most = max(elements, key=lambda e: float(Element(e).X) if Element(e).X == Element(e).X else 0)
    kind = next((name for name, els in _CLASSES if most in els), "intermetallic")
    return f"{kind}/{min(n, 4)}"


def split_rows(rows: pd.DataFrame) -> pd.Series:
    """``fit`` / ``val`` / ``test`` per row, grouped by chemical system (a system is never
    in two splits) and stratified by :func:`chemistry_class`, seeded."""
    from pymatgen.core import Composition

    systems = rows["formula"].map(lambda f: "-".join(sorted(e.symbol for e in Composition(f))))
    strata = systems.map(lambda s: chemistry_class(s.split("-")))
    rng = np.random.default_rng(SPLIT_SEED)
    out = pd.Series("fit", index=rows.index)
    n_total = len(rows)
    for stratum in sorted(strata.unique()):
        in_stratum = strata == stratum
        counts = systems[in_stratum].value_counts().sort_index()
        order = list(counts.index)
        rng.shuffle(order)
        quota = SPLIT_SIZE * int(in_stratum.sum()) / n_total
        taken = {"test": 0, "val": 0}
        for system in order:
            split = next((k for k in ("test", "val") if taken[k] < quota), None)
            if split is None:
                break
            out[systems == system] = split
            taken[split] += int(counts[system])
    return out


# ---------------------------------------------------------------------------------------
# fit

_SIGMA_RARE = 0.10  # extra σ (eV/atom) of an element seen in fewer than 3 fit compounds
_LAMBDAS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
_Z1, _Z2 = 1.0, 2.0


def _design(comps: Sequence[dict[str, float]], symbols: list[str]) -> NDArray[np.float64]:
    index = {s: i for i, s in enumerate(symbols)}
    x = np.zeros((len(comps), len(symbols)))
    for r, comp in enumerate(comps):
        total = sum(comp.values())
        for el, amt in comp.items():
            x[r, index[el]] = amt / total
    return x


def _ridge(x: NDArray[np.float64], y: NDArray[np.float64], lam: float) -> NDArray[np.float64]:
    a = x.T @ x + lam * np.eye(x.shape[1])
    return np.asarray(np.linalg.solve(a, x.T @ y), dtype=np.float64)


def _coverage(err: NDArray[np.float64], sigma: NDArray[np.float64], z: float) -> float:
    return float(np.mean(np.abs(err) <= z * sigma))


def fit_and_write(out_dir: str | Path, *, chgnet_refs: Path | None = None) -> dict[str, Any]:
    """Fit μ per checkpoint, calibrate σ, write ``references.json`` and the model cards."""
    from pymatgen.core import Composition, Structure

    from matdiscover.science.known_structures import known_structures_sha256
    from matdiscover.science.models.chgnet_path.references import load_references
    from matdiscover.science.models.sevennet_path._model import BUNDLED_CHECKPOINTS, sevenn_version
    from matdiscover.science.models.sevennet_path.references import legacy_energy

    out = Path(out_dir)
    rows = mp_formation_rows()
    energies = {
        m: json.loads((out / f"raw_energies_{m}.json").read_text())["energies"]
        for m in BUNDLED_CHECKPOINTS
    }
    chg = load_references(chgnet_refs, variant="physical")
    ok = rows["source_id"].map(lambda i: all(energies[m].get(i) is not None for m in energies))
    # elements without a physical prior (U, Np, Pu, Pa) get no reference: refused, as in CHGNet
    no_prior = rows["formula"].map(
        lambda f: any(el.symbol not in chg.elements for el in Composition(f).elements)
    )
    dropped_no_prior = sorted(rows.loc[ok & no_prior, "source_id"])
    rows = rows[ok & ~no_prior].reset_index(drop=True)
    rows["split"] = split_rows(rows)
    structures = [Structure.from_dict(json.loads(s)) for s in rows["structure"]]
    # correction (eV, whole cell) raw → legacy; independent of the energy itself
    corr = np.array([legacy_energy(s, 0.0) for s in structures])
    comps = [{el.symbol: float(a) for el, a in Composition(f).items()} for f in rows["formula"]]
    nat = np.array([len(s) for s in structures], dtype=float)
    y_mp = rows["formation_energy"].to_numpy(dtype=float)
    symbols = sorted({el for c in comps for el in c} | set(chg.elements))
    prior = np.array(
        [chg.elements[s].energy_per_atom if s in chg.elements else np.nan for s in symbols]
    )
    if np.isnan(prior).any():  # pragma: no cover - every MP element has a CHGNet prior
        lacking = [s for s, p in zip(symbols, prior, strict=True) if np.isnan(p)]
        raise ValueError(f"no prior for {lacking}")
    x = _design(comps, symbols)
    split = rows["split"].to_numpy()
    systems = rows["formula"].map(lambda f: Composition(f).chemical_system)
    fit, val, test = split == "fit", split == "val", split == "test"
    n_train = (x[fit] > 0).sum(axis=0)
    sigma_el = np.where(n_train < 3, _SIGMA_RARE, 0.0)

    e_form: dict[str, NDArray[np.float64]] = {}
    per_model: dict[str, dict[str, Any]] = {}
    for m in BUNDLED_CHECKPOINTS:
        e_raw = rows["source_id"].map(energies[m]).to_numpy(dtype=float)
        legacy_per_atom = (e_raw * nat + corr) / nat
        r = legacy_per_atom - x @ prior - y_mp  # residual the shifts δ must explain
        physical_mae = float(np.mean(np.abs(r[val])))
        best = None
        for lam in _LAMBDAS:
            delta = _ridge(x[fit], r[fit], lam)
            mae = float(np.mean(np.abs(r[val] - x[val] @ delta)))
            if best is None or mae < best[1]:
                best = (lam, mae)
        assert best is not None
        lam = best[0]
        # out-of-fold RMSE on the fit split (5 folds by chemical system) → σ_base
        fit_idx = np.flatnonzero(fit)
        fold_of = {s: k % 5 for k, s in enumerate(sorted(set(systems[fit])))}
        folds = np.array([fold_of[systems[i]] for i in fit_idx])
        oof = np.empty(len(fit_idx))
        for k in range(5):
            tr, te = fit_idx[folds != k], fit_idx[folds == k]
            d = _ridge(x[tr], r[tr], lam)
            oof[folds == k] = r[te] - x[te] @ d
        # robust scale (1.4826 MAD): the errors are heavy-tailed, the tails go to z95
        sigma_base = float(1.4826 * np.median(np.abs(oof - np.median(oof))))
        oof_rmse = float(np.sqrt(np.mean(oof**2)))
        delta = _ridge(x[fit], r[fit], lam)
        mu = prior + delta
        e_form[m] = legacy_per_atom - x @ mu
        per_model[m] = {
            "lambda": lam,
            "lambda_grid": list(_LAMBDAS),
            "val_mae_physical_prior_only": physical_mae,
            "val_mae_chosen": best[1],
            "sigma_base": sigma_base,
            "oof_rmse": oof_rmse,
            "mu": mu,
        }
    spread = np.abs(e_form["7net-0"] - e_form["7net-l3i5"])
    models_json: dict[str, Any] = {}
    for m, pm in per_model.items():
        ref = np.sqrt(pm["sigma_base"] ** 2 + ((x * sigma_el) ** 2).sum(axis=1))
        err = e_form[m] - y_mp
        best_cal: tuple[float, float, float] | None = None
        for k_ref in np.round(np.arange(0.1, 4.0, 0.05), 2):
            for k_c in np.round(np.arange(0.0, 8.01, 0.25), 2):
                trial = np.sqrt((k_ref * ref[val]) ** 2 + (k_c * spread[val]) ** 2)
                score = abs(_coverage(err[val], trial, _Z1) - 0.683) + abs(
                    _coverage(err[val], trial, _Z2) - 0.954
                )
                if best_cal is None or score < best_cal[2] - 1e-12:
                    best_cal = (float(k_ref), float(k_c), score)
        assert best_cal is not None
        factor, committee_factor = best_cal[0], best_cal[1]
        sig = np.sqrt((factor * ref) ** 2 + (committee_factor * spread) ** 2)
        # split-conformal 95 % half-width in units of sigma (finite-sample corrected)
        ratios = np.sort(np.abs(err[val]) / sig[val])
        n_val = len(ratios)
        z95 = float(ratios[min(n_val - 1, int(np.ceil(0.95 * (n_val + 1))) - 1)])

        def metrics(
            mask: NDArray[np.bool_],
            err: NDArray[np.float64] = err,
            sig: NDArray[np.float64] = sig,
            z95: float = z95,
        ) -> dict[str, float]:
            return {
                "n": int(mask.sum()),
                "mae_eV/atom": float(np.mean(np.abs(err[mask]))),
                "rmse_eV/atom": float(np.sqrt(np.mean(err[mask] ** 2))),
                "median_ae_eV/atom": float(np.median(np.abs(err[mask]))),
                "coverage_1sigma": _coverage(err[mask], sig[mask], _Z1),
                "coverage_2sigma": _coverage(err[mask], sig[mask], _Z2),
                "coverage_95_interval": _coverage(err[mask], sig[mask], z95),
                "mean_sigma_eV/atom": float(np.mean(sig[mask])),
                "mean_committee_spread_eV/atom": float(np.mean(spread[mask])),
            }

        models_json[m] = {
            "checkpoint": BUNDLED_CHECKPOINTS[m],
            "lambda": pm["lambda"],
            "lambda_grid": pm["lambda_grid"],
            "sigma_base": round(pm["sigma_base"], 6),
            "fit_oof_rmse_eV/atom": round(pm["oof_rmse"], 6),
            "calibration_factor": factor,
            "committee_factor": committee_factor,
            "z95": round(z95, 4),
            "calibration": (
                "sigma = sqrt((k_ref * sqrt(sigma_base^2 + sum_i (x_i sigma_i)^2))^2 + "
                "(k_c * spread)^2), spread = |E_form(7net-0) - E_form(7net-l3i5)|; k_ref, k_c "
                "chosen on the validation split to minimise |cov(1 sigma) - 0.683| + "
                "|cov(2 sigma) - 0.954|; 95 % interval = value +- z95 * sigma, z95 the "
                "split-conformal 95th percentile of |error|/sigma on the validation split "
                "(errors are heavy-tailed, so z95 > 1.96)"
            ),
            "val_mae_physical_prior_only": round(pm["val_mae_physical_prior_only"], 6),
            "metrics_fit": metrics(fit),
            "metrics_val": metrics(val),
            "metrics_test": metrics(test),
            "elements": {
                s: {
                    "energy_per_atom": round(float(pm["mu"][i]), 6),
                    "prior": round(float(prior[i]), 6),
                    "n_train": int(n_train[i]),
                    "sigma": float(sigma_el[i]),
                }
                for i, s in enumerate(symbols)
            },
        }
    created = _today()
    payload = {
        "schema": 1,
        "created": created,
        "sevenn_version": sevenn_version(),
        "convention": "MP legacy corrections (Matbench v0.1)",
        "convention_detail": (
            "raw SevenNet energy + pymatgen MP2020 corrections (MP2020Compatibility.yaml) "
            "= MPtrj corrected scale; + (legacy - MP2020) corrections (MPCompatibility.yaml) = "
            "MP legacy scale of the mp_e_form hull; minus sum_i n_i mu_i"
        ),
        "prior": "CHGNet 0.3.0 physical elemental references (data/chgnet_references, variant "
        "'physical'; legacy fitted gas energies for N, F, Cl, H)",
        "data": {
            "table": "data/reference/known_structures.parquet (materials_project rows from "
            "matminer 0.4.2 flla_2015, formation_energy = MP legacy-corrected 2015 values)",
            "sha256": known_structures_sha256(),
            "rows": int(len(rows)),
            "static": "single points of the shipped MP-relaxed structures (no relaxation)",
        },
        "split": {
            "method": "grouped by chemical system, stratified by anion class x number of "
            "elements (matdiscover.science.models.sevennet_path.build.split_rows)",
            "seed": SPLIT_SEED,
            "n_fit": int(fit.sum()),
            "n_val": int(val.sum()),
            "n_test": int(test.sum()),
            "dropped_no_prior": dropped_no_prior,
            "val_ids": sorted(rows.loc[val, "source_id"]),
            "test_ids": sorted(rows.loc[test, "source_id"]),
        },
        "models": models_json,
    }
    (out / "references.json").write_text(json.dumps(payload, indent=1) + "\n")
    return payload


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


# ---------------------------------------------------------------------------------------
# model cards

TRAINING_OVERLAP = (
    "CHGNet 0.3.0, SevenNet-0 and SevenNet-l3i5 were all trained on MPtrj, relaxation "
    "trajectories of Materials Project compounds, which include these structures (or their "
    "relaxation paths): this is NOT a held-out test of the potentials. For the SevenNet tiers "
    "the elemental references and sigma were fitted/calibrated on other chemical systems "
    "than the test split; CHGNet's references come from prototype crystals."
)
_MP2020_TO_LEGACY = (
    "E_form = (E_raw*N + C_MP2020 + (C_legacy - C_MP2020) - sum_i n_i mu_i)/N: raw SevenNet "
    "energies get pymatgen's MP2020 corrections (MP2020Compatibility.yaml constants; MPtrj's "
    "corrected scale), then are moved to the MP legacy scheme (MPCompatibility.yaml) of the "
    "platform hull (mp_e_form, Matbench v0.1), matdiscover.science.models.chgnet_path."
    "conventions"
)


def structure_cards(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Model cards (``name`` → card) of the three structure tiers from ``references.json``
    (SevenNet) and ``data/chgnet_references/references.json`` (CHGNet)."""
    from matdiscover.science.models.chgnet_path import chgnet_version
    from matdiscover.science.models.chgnet_path.references import load_references

    cards: dict[str, dict[str, Any]] = {}
    tag = f"refs-{payload['created']}"
    for m, info in payload["models"].items():
        name = f"sevennet-{m}-mptrj+{tag}"
        cards[m] = {
            "name": name,
            "version": f"{payload['sevenn_version']}+{tag}",
            "property": "formation_energy",
            "properties": ["formation_energy", "energy_above_hull"],
            "unit": "eV/atom",
            "method": "structure",
            "structure_model": m,
            "tier": "default" if m == "7net-0" else "accurate",
            "description": f"SevenNet {m} (bundled checkpoint {info['checkpoint']} of "
            f"sevenn {payload['sevenn_version']}, MIT) single point + elemental references; "
            "energy above hull against the mp_e_form hull",
            "architecture": "equivariant message-passing interatomic potential (NequIP-like), "
            "trained on MPtrj raw energies; run on one CPU thread",
            "licence": "SevenNet weights: MIT (sevenn wheel)",
            "energy_convention": payload["convention"],
            "convention_detail": _MP2020_TO_LEGACY,
            "training_data": {
                "potential": "MPtrj (Materials Project relaxation trajectories), by the "
                "SevenNet authors",
                "references_fit": payload["data"],
                "prior": payload["prior"],
            },
            "split": {k: v for k, v in payload["split"].items() if not k.endswith("_ids")},
            "references_fit": {
                "method": "mu = prior + ridge-shrunk shift per element, fitted to the shipped "
                "MP formation energies of the fit split; lambda chosen on the validation split",
                "lambda": info["lambda"],
                "lambda_grid": info["lambda_grid"],
                "val_mae_prior_only_eV/atom": info["val_mae_physical_prior_only"],
            },
            "calibration": {
                "formula": info["calibration"],
                "sigma_base_eV/atom": info["sigma_base"],
                "k_ref": info["calibration_factor"],
                "k_committee": info["committee_factor"],
                "z95": info["z95"],
                "interval_95": f"value +- {info['z95']:.2f} sigma (split-conformal on the "
                "validation split; not 1.96 sigma because the errors are heavy-tailed: most "
                "compounds are within a few meV/atom, a few are off by > 0.1 eV/atom); "
                "coverage on the test split reported below",
            },
            "metrics_val": info["metrics_val"],
            "metrics_test": info["metrics_test"],
            "overlap": TRAINING_OVERLAP,
            "limitations": "sigma is calibrated on MP-relaxed structures of compounds the "
            "potentials were trained on; for unrelaxed, hypothetical or off-distribution "
            "structures the errors are larger than sigma suggests (the committee spread "
            "grows there, but only partly). Elements U, Np, Pu, Pa (and those CHGNet has no "
            "reference for) are refused.",
            "rebuild": "scripts/build_sevennet_references.py (README in data/sevennet_references)",
        }
    chg = load_references()
    cards["chgnet"] = {
        "name": f"chgnet-{chgnet_version()}-mptrj+{chg.tag}",
        "version": f"{chgnet_version()}+{chg.tag}",
        "property": "formation_energy",
        "properties": ["formation_energy", "energy_above_hull"],
        "unit": "eV/atom",
        "method": "structure",
        "structure_model": "chgnet",
        "tier": "fast",
        "description": "CHGNet 0.3.0 (bundled in the chgnet wheel, BSD-3-Clause) + elemental "
        "references; also the source of similarity embeddings",
        "architecture": "crystal graph network with charge (magmom) head, trained on MPtrj "
        "MP2020-corrected energies",
        "licence": "CHGNet weights: BSD-3-Clause (chgnet wheel)",
        "energy_convention": chg.convention,
        "convention_detail": "E_form = (E_CHGNet*N + C_legacy - C_MP2020 - sum_i n_i mu_i)/N "
        "(CHGNet energies already include MP2020 corrections)",
        "training_data": {
            "potential": "MPtrj (Materials Project relaxation trajectories), by the CHGNet authors",
            "references_fit": "434 prototype compounds relaxed with CHGNet against mp_e_form "
            "labels (data/chgnet_references/README.md)",
        },
        "references_fit": {
            "method": chg.method,
            "cv_5fold": chg.metadata.get("cv_5fold", {}),
        },
        "calibration": {
            "formula": "sigma = sqrt(sigma_base^2 + sum_i (x_i sigma_i)^2) (no committee)",
            "sigma_base_eV/atom": chg.sigma_base,
            "interval_95": "value +- 1.96 sigma",
        },
        "overlap": TRAINING_OVERLAP,
        "rebuild": "scripts/build_chgnet_references.py",
    }
    return cards


def write_cards(
    cards: dict[str, dict[str, Any]], models_dir: Path, benchmark: dict[str, Any] | None = None
) -> None:
    """Write ``<models_dir>/structure/<tier>/card.json`` and ``card.md``; ``benchmark``
    (the output of ``benchmarks/structure_models.py``) adds its per-tier figures."""
    for tier, card in cards.items():
        if benchmark is not None and tier in benchmark.get("models", {}):
            card = dict(card)
            card["benchmark"] = {
                "program": "benchmarks/structure_models.py",
                "set": benchmark["set"],
                **benchmark["models"][tier],
            }
        folder = models_dir / "structure" / tier
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "card.json").write_text(json.dumps(card, indent=1, default=float) + "\n")
        (folder / "card.md").write_text(_card_md(card))


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _card_md(card: dict[str, Any]) -> str:
    lines = [
        f"# {card['name']}",
        "",
        f"Structure model tier `{card['structure_model']}` ({card['tier']}). "
        f"{card['description']}.",
        "",
        f"- Properties: {', '.join(card['properties'])} ({card['unit']})",
        f"- Convention: {card['energy_convention']}. {card['convention_detail']}",
        f"- Licence: {card['licence']}",
        f"- Potential training data: {card['training_data']['potential']}",
        f"- Calibration: {card['calibration']['formula']}",
        f"- Overlap: {card['overlap']}",
        "",
    ]
    for key, title in (("metrics_test", "Test split (build)"), ("benchmark", "Benchmark")):
        if key in card:
            lines += [f"## {title}", "", "| metric | value |", "|---|---|"]
            for k, v in card[key].items():
                if isinstance(v, dict | list):
                    continue
                lines.append(f"| {k} | {_fmt(v)} |")
            lines.append("")
    return "\n".join(lines)
