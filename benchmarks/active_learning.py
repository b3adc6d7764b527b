"""Retrospective active learning: how many evaluations each acquisition needs to find a
top candidate in shipped tables, compared with random picking.

Protocol (issue 14). Every campaign starts from 10 random candidates of the pool, then
acquires batches of 5; before each batch a surrogate is refitted on the points acquired
so far only: a bootstrap ensemble of decision trees (each tree a member, trained on its
own bootstrap sample) on the project's composition features
(``matdiscover.science.featurize``). No shipped model is used, and the pools are tables
(or splits) no shipped model was trained on. Acquisitions come from
``matdiscover.science.ranking``: greedy (ensemble mean), UCB (mean + kappa sigma), EI
(against the best value acquired so far), Thompson sampling (one random member per pick)
and, for the band-gap window task, the probability of lying in the 1.1-1.7 eV window.
Batches are the top 5 scores (Thompson: 5 draws).

Tasks (pools):
- ``steels_yield``: all 312 steels (matbench_steels; no shipped model uses it), maximise
  yield strength.
- ``expt_gap_window``: all 4,604 experimental band gaps (matbench_expt_gap; the shipped
  band-gap model is trained on PBE gaps), target 1.1-1.7 eV: objective -|gap - 1.4 eV|.
- ``bulk_modulus``: the held-out test split (947) of the CrabNet MP bulk-modulus table,
  maximise K_VRH.
- ``aflow_hard_ductile`` (two objectives): the held-out test split (736) of the AFLOW
  AEL-AGL moduli tables, maximise shear modulus G and Pugh ratio K/G (hard yet ductile).
  Strategies: random, greedy/UCB (hypervolume improvement of the mean / optimistic
  vector, batch filled by believing earlier picks), EHVI (botorch qLogEHVI over every
  member, sequential q-batch) and Thompson (HVI under one random member per pick).

Metric: evaluations (initial 10 + batches, counted per whole batch) until a top-1 %
candidate of the pool has been evaluated (ties included; for the two-objective task: a
point of the pool's true Pareto front), median and IQR over 20 seeds; campaigns stop at a
budget and unfinished ones count as the budget (a lower bound, reported). For the
two-objective task also the hypervolume of the acquired points (fraction of the pool's)
per evaluation count. Surrogate type and kappa are chosen first on validation tasks (the
validation splits of the MP shear-modulus and AFLOW Debye-temperature tables) with other
seeds, never on the reported ones.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/active_learning.py [--workers 2] [--quick]

writes benchmarks/results/active_learning.json and prints a summary table.
"""

# ruff: noqa: E402  (thread limits must be set before numpy is imported)
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one thread per process (SCIENCE-NOTES); before numpy

import argparse
import json
import math
import multiprocessing
import platform
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.ranking import (
    ensemble_mean_std,
    expected_improvement,
    greedy,
    hypervolume,
    hypervolume_improvement,
    pareto_ranks,
    target_window_probability,
    thompson_sampling,
    upper_confidence_bound,
)
from matdiscover.science.ranking.ehvi import select_ehvi_batch
from matdiscover.science.reference_data import load_table

OUT = Path(__file__).resolve().parent / "results" / "active_learning.json"
N_INIT = 10
BATCH = 5
MEMBER_COUNTS = (10, 30)  # ensemble sizes tried on the validation tasks
BUDGET = 250  # evaluations before a single-objective campaign gives up
MO_ROUNDS = 24  # two-objective campaigns: 10 + 24 x 5 = 130 evaluations
REPORT_SEEDS = list(range(20))
VALIDATION_SEEDS = list(range(1000, 1020))
WINDOW = (1.1, 1.7)
KAPPAS = (0.5, 1.0, 2.0, 3.0)
SURROGATES = tuple(f"{k}:{n}" for k in ("random_forest", "extra_trees") for n in MEMBER_COUNTS)


@dataclass
class Task:
    name: str
    description: str
    formulas: list[str]
    X: np.ndarray  # features
    y: np.ndarray  # (n,) target, or (n, 2) objectives for the two-objective task
    hits: np.ndarray  # bool: a top candidate
    hit_rule: str
    kind: str  # "max", "window" or "pareto"


TASKS: dict[str, Task] = {}


def _features(formulas: list[str]) -> np.ndarray:
    feats = featurize_compositions(formulas)
    if feats.errors:
        raise SystemExit(f"featurisation failed: {feats.errors[:3]}")
    return feats.features


def _top(values: np.ndarray) -> tuple[np.ndarray, str]:
    n_top = math.ceil(0.01 * values.size)
    threshold = np.sort(values)[::-1][n_top - 1]
    return (
        values >= threshold,
        f"value >= {threshold:.4g} (top 1 %: {n_top} of {values.size}, ties included)",
    )


def _max_task(name: str, table: str, split: str | None, description: str) -> Task:
    df = load_table(table)
    if split is not None:
        df = df[df["split"] == split]
    formulas = [str(f) for f in df["formula"]]
    y = df["target"].to_numpy(dtype=np.float64)
    hits, rule = _top(y)
    return Task(name, description, formulas, _features(formulas), y, hits, rule, "max")


def build_tasks(*, validation: bool) -> dict[str, Task]:
    if validation:
        return {
            "val_shear_modulus": _max_task(
                "val_shear_modulus",
                "mp_shear_modulus",
                "val",
                "MP G_VRH validation split, maximise",
            ),
            "val_debye": _max_task(
                "val_debye",
                "aflow_debye_temperature",
                "val",
                "AFLOW Debye T validation split, maximise",
            ),
        }
    tasks = {
        "steels_yield": _max_task(
            "steels_yield",
            "steels_yield",
            None,
            "matbench steels (312), maximise yield strength (MPa)",
        ),
        "bulk_modulus": _max_task(
            "bulk_modulus",
            "mp_bulk_modulus",
            "test",
            "MP bulk modulus test split (947), maximise K_VRH (GPa)",
        ),
    }
    gap = load_table("expt_gap")
    formulas = [str(f) for f in gap["formula"]]
    y = gap["target"].to_numpy(dtype=np.float64)
    centre = 0.5 * (WINDOW[0] + WINDOW[1])
    hits, rule = _top(-np.abs(y - centre))
    tasks["expt_gap_window"] = Task(
        "expt_gap_window",
        (
            f"experimental band gaps (4,604), target window {WINDOW[0]}-{WINDOW[1]} eV: maximise "
            f"-|gap - {centre} eV|"
        ),
        formulas,
        _features(formulas),
        y,
        hits,
        f"|gap - {centre} eV| <= {-float(np.min(-np.abs(y - centre)[hits])):.3g} eV"
        f" (top 1 %: {int(hits.sum())} of {y.size}, ties included)",
        "window",
    )
    k = load_table("aflow_bulk_modulus_vrh")
    g = load_table("aflow_shear_modulus_vrh")
    if not (k["formula"].to_numpy() == g["formula"].to_numpy()).all():
        raise SystemExit("AFLOW bulk and shear tables are not row-aligned")
    test = (k["split"] == "test").to_numpy()
    formulas = [str(f) for f in k["formula"][test]]
    kv = k["target"].to_numpy(dtype=np.float64)[test]
    gv = g["target"].to_numpy(dtype=np.float64)[test]
    objectives = np.column_stack([gv, kv / gv])
    front = pareto_ranks(objectives) == 0
    tasks["aflow_hard_ductile"] = Task(
        "aflow_hard_ductile",
        "AFLOW AEL-AGL test split (736): maximise shear modulus G (GPa) and Pugh ratio K/G",
        formulas,
        _features(formulas),
        objectives,
        front,
        f"on the pool's true Pareto front ({int(front.sum())} of {front.size})",
        "pareto",
    )
    return tasks


def fit_members(
    X: np.ndarray, y: np.ndarray, pool: np.ndarray, *, surrogate: str, seed: int
) -> np.ndarray:
    """(len(pool), n_members) predictions, one column per bootstrap tree; ``surrogate``
    is ``"<random_forest|extra_trees>:<n_members>"``."""
    kind, count = surrogate.split(":")
    cls = RandomForestRegressor if kind == "random_forest" else ExtraTreesRegressor
    model = cls(
        n_estimators=int(count), bootstrap=True, max_features=0.3, random_state=seed, n_jobs=1
    )
    model.fit(X, y)
    return np.column_stack([tree.predict(pool) for tree in model.estimators_])


def _evals_to_hit(order: list[int], hits: np.ndarray) -> int | None:
    for count in range(N_INIT, len(order) + 1, BATCH):
        if hits[order[:count]].any():
            return count
    return None


def single_objective(
    task: Task, strategy: str, seed: int, *, surrogate: str, kappa: float
) -> dict[str, Any]:
    n = task.y.size
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    if strategy == "random":
        evals = _evals_to_hit(list(perm), task.hits)
        return {"evals": evals, "censored": evals is None}
    ts_rng = np.random.default_rng([seed, 7])
    acquired = list(perm[:N_INIT])
    centre = 0.5 * (WINDOW[0] + WINDOW[1])
    budget = min(BUDGET, n)
    rounds = 0
    while not task.hits[acquired].any():
        if len(acquired) >= budget:
            return {"evals": budget, "censored": True, "rounds": rounds}
        taken = np.zeros(n, dtype=bool)
        taken[acquired] = True
        pool = np.flatnonzero(~taken)
        members = fit_members(
            task.X[acquired],
            task.y[acquired],
            task.X[pool],
            surrogate=surrogate,
            seed=seed * 1000 + rounds,
        )
        objective = -np.abs(members - centre) if task.kind == "window" else members
        seen = -np.abs(task.y[acquired] - centre) if task.kind == "window" else task.y[acquired]
        mean, std = ensemble_mean_std(objective)
        size = min(BATCH, pool.size)
        if strategy == "thompson":
            picks = thompson_sampling(objective, rng=ts_rng, size=size).indices
        else:
            if strategy == "greedy":
                score = greedy(mean)
            elif strategy == "ucb":
                score = upper_confidence_bound(mean, std, kappa=kappa)
            elif strategy == "ei":
                score = expected_improvement(mean, std, best=float(seen.max()))
            elif strategy == "window":
                y_mean, y_std = ensemble_mean_std(members)
                score = target_window_probability(y_mean, y_std, lo=WINDOW[0], hi=WINDOW[1])
            else:
                raise ValueError(strategy)
            picks = np.argsort(-score, kind="stable")[:size]
        acquired.extend(int(i) for i in pool[picks])
        rounds += 1
    return {"evals": len(acquired), "censored": False, "rounds": rounds}


def _believer_batch(
    vectors: np.ndarray, front: np.ndarray, ref: np.ndarray, size: int
) -> list[int]:
    """Greedy HVI batch, each pick's vector added to the front for the next pick; when no
    candidate improves the hypervolume, the best sum of range-scaled objectives."""
    picks: list[int] = []
    current = front.copy()
    span = np.ptp(vectors, axis=0) + 1e-12
    fallback = ((vectors - vectors.min(axis=0)) / span).sum(axis=1)
    for _ in range(size):
        hvi = hypervolume_improvement(vectors, front=current, ref_point=ref)
        hvi[picks] = -1.0
        if hvi.max() <= 0:
            fb = fallback.copy()
            fb[picks] = -np.inf
            j = int(np.argmax(fb))
        else:
            j = int(np.argmax(hvi))
        picks.append(j)
        current = np.vstack([current, vectors[j]])
    return picks


def two_objective(
    task: Task, strategy: str, seed: int, *, surrogate: str, kappa: float
) -> dict[str, Any]:
    n = task.y.shape[0]
    ref = task.y[task.hits].min(axis=0)  # nadir of the true front
    total = hypervolume(task.y, ref_point=ref)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    ts_rng = np.random.default_rng([seed, 7])
    acquired = list(perm[:N_INIT])
    curve = [hypervolume(task.y[acquired], ref_point=ref) / total]
    for r in range(MO_ROUNDS):
        taken = np.zeros(n, dtype=bool)
        taken[acquired] = True
        pool = np.flatnonzero(~taken)
        if strategy == "random":
            picks = list(perm[len(acquired) : len(acquired) + BATCH])
        else:
            Xa, Xp = task.X[acquired], task.X[pool]
            members = np.stack(
                [
                    fit_members(
                        Xa,
                        task.y[acquired, j],
                        Xp,
                        surrogate=surrogate,
                        seed=seed * 1000 + 10 * r + j,
                    )
                    for j in range(2)
                ],
                axis=2,
            )  # (pool, members, 2)
            observed = task.y[acquired]
            if strategy == "ehvi":
                local = list(
                    select_ehvi_batch(members, observed=observed, ref_point=ref, size=BATCH)
                )
            elif strategy in ("greedy", "ucb"):
                mean = members.mean(axis=1)
                vec = mean if strategy == "greedy" else mean + kappa * members.std(axis=1, ddof=1)
                local = _believer_batch(vec, observed, ref, BATCH)
            elif strategy == "thompson":
                local = []
                current = observed.copy()
                for _ in range(BATCH):
                    k = int(ts_rng.integers(members.shape[1]))
                    hvi = hypervolume_improvement(members[:, k, :], front=current, ref_point=ref)
                    hvi[local] = -1.0
                    j = (
                        int(np.argmax(hvi))
                        if hvi.max() > 0
                        else _believer_batch(members[:, k, :], current, ref, 1)[0]
                    )
                    if j in local:  # fallback collided with an earlier pick
                        j = int(np.flatnonzero(~np.isin(np.arange(pool.size), local))[0])
                    local.append(j)
                    current = np.vstack([current, members[j, k, :]])
            else:
                raise ValueError(strategy)
            picks = [int(pool[i]) for i in local]
        acquired.extend(int(i) for i in picks)
        curve.append(hypervolume(task.y[acquired], ref_point=ref) / total)
    evals = _evals_to_hit(acquired, task.hits)
    return {
        "evals": evals if evals is not None else len(acquired),
        "censored": evals is None,
        "hv_curve": [round(v, 5) for v in curve],
    }


def run_one(job: tuple[str, str, int, str, float, bool]) -> dict[str, Any]:
    name, strategy, seed, surrogate, kappa, _ = job
    task = TASKS[name]
    t0 = time.perf_counter()
    fn = two_objective if task.kind == "pareto" else single_objective
    out = fn(task, strategy, seed, surrogate=surrogate, kappa=kappa)
    out.update(
        task=name,
        strategy=strategy,
        seed=seed,
        surrogate=surrogate,
        kappa=kappa,
        seconds=round(time.perf_counter() - t0, 3),
    )
    return out


def run_jobs(
    jobs: list[tuple[str, str, int, str, float, bool]], workers: int
) -> list[dict[str, Any]]:
    if workers <= 1:
        return [run_one(j) for j in jobs]
    ctx = multiprocessing.get_context("fork")  # children inherit TASKS (features computed once)
    with ctx.Pool(workers) as pool:
        return pool.map(run_one, jobs, chunksize=1)


def _random_reference(hits: np.ndarray) -> dict[str, float]:
    """Random picking over 2,000 permutations (seeds apart from the reported ones): what
    the 20-seed random median estimates."""
    ev = [
        _evals_to_hit(list(np.random.default_rng([s, 99]).permutation(hits.size)), hits)
        for s in range(2000)
    ]
    arr = np.array([e if e is not None else hits.size for e in ev], dtype=np.float64)
    return {
        "median": float(np.median(arr)),
        "mean": round(float(arr.mean()), 1),
        "permutations": 2000,
    }


def summarise(
    results: list[dict[str, Any]], key: tuple[str, ...]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in results:
        groups.setdefault(tuple(r[k] for k in key), []).append(r)
    out = {}
    for k, rs in groups.items():
        ev = np.array([r["evals"] for r in rs], dtype=np.float64)
        q1, med, q3 = np.percentile(ev, [25, 50, 75])
        out[k] = {
            "median": float(med),
            "iqr": [float(q1), float(q3)],
            "n_censored": int(sum(r["censored"] for r in rs)),
            "n_seeds": len(rs),
        }
    return out


def validate(workers: int, seeds: list[int]) -> dict[str, Any]:
    TASKS.clear()
    TASKS.update(build_tasks(validation=True))
    jobs = []
    for name in TASKS:
        for seed in seeds:
            jobs.append((name, "random", seed, "none", 0.0, True))
            for sur in SURROGATES:
                for strat in ("greedy", "ei", "thompson"):
                    jobs.append((name, strat, seed, sur, 0.0, True))
                for kappa in KAPPAS:
                    jobs.append((name, "ucb", seed, sur, kappa, True))
    results = run_jobs(jobs, workers)
    summ = summarise(results, ("task", "strategy", "surrogate", "kappa"))
    random_med = {k[0]: v["median"] for k, v in summ.items() if k[1] == "random"}

    def rel(task: str, strat: str, sur: str, kappa: float) -> float:
        return summ[(task, strat, sur, kappa)]["median"] / random_med[task]

    sur_score = {
        sur: float(
            np.mean(
                [rel(t, s, sur, 0.0) for t in TASKS for s in ("greedy", "ei", "thompson")]
                + [rel(t, "ucb", sur, 1.0) for t in TASKS]
            )
        )
        for sur in SURROGATES
    }
    best_sur = min(SURROGATES, key=lambda s: (sur_score[s], s))
    kappa_score = {k: float(np.mean([rel(t, "ucb", best_sur, k) for t in TASKS])) for k in KAPPAS}
    best_kappa = min(KAPPAS, key=lambda k: (kappa_score[k], k))
    return {
        "tasks": {
            n: {"description": t.description, "pool": int(t.y.shape[0]), "hit_rule": t.hit_rule}
            for n, t in TASKS.items()
        },
        "seeds": seeds,
        "grid": {"surrogate": list(SURROGATES), "kappa": list(KAPPAS)},
        "criterion": (
            "mean over validation tasks (and greedy, EI, Thompson, UCB kappa=1) of "
            "median evaluations / random median; kappa then by UCB alone with the chosen surrogate"
        ),
        "surrogate_score": sur_score,
        "kappa_score": {str(k): v for k, v in kappa_score.items()},
        "chosen": {"surrogate": best_sur, "kappa": best_kappa},
        "medians": {"/".join(map(str, k)): v for k, v in summ.items()},
    }


def main() -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--quick", action="store_true", help="3 seeds, 2 validation seeds (smoke run, not written)"
    )
    args = ap.parse_args()
    start = time.perf_counter()
    load_start = os.getloadavg()
    report_seeds = REPORT_SEEDS[:3] if args.quick else REPORT_SEEDS
    val_seeds = VALIDATION_SEEDS[:2] if args.quick else VALIDATION_SEEDS

    t0 = time.perf_counter()
    val = validate(args.workers, val_seeds)
    val["seconds"] = round(time.perf_counter() - t0, 1)
    sur, kappa = val["chosen"]["surrogate"], val["chosen"]["kappa"]
    print(
        f"validation ({val['seconds']} s): surrogate {sur}, kappa {kappa}; scores "
        f"{val['surrogate_score']} {val['kappa_score']}"
    )

    TASKS.clear()
    TASKS.update(build_tasks(validation=False))
    jobs = []
    for name, task in TASKS.items():
        strategies = ["random", "greedy", "ucb", "ei", "thompson"]
        if task.kind == "window":
            strategies.append("window")
        if task.kind == "pareto":
            strategies = ["random", "greedy", "ucb", "ehvi", "thompson"]
        for seed in report_seeds:
            for strat in strategies:
                jobs.append((name, strat, seed, sur, kappa, False))
    # longest jobs first so the two workers finish together
    jobs.sort(key=lambda j: (TASKS[j[0]].kind != "pareto", j[1] == "random"))
    t0 = time.perf_counter()
    results = run_jobs(jobs, args.workers)
    run_seconds = time.perf_counter() - t0
    summ = summarise(results, ("task", "strategy"))

    tasks_out: dict[str, Any] = {}
    goal_every, goal_five = True, False
    for name, task in TASKS.items():
        rnd = summ[(name, "random")]["median"]
        strategies: dict[str, Any] = {}
        for (tname, strat), s in summ.items():
            if tname != name:
                continue
            s = dict(s)
            s["speedup_vs_random"] = round(rnd / s["median"], 3)
            strategies[strat] = s
        model_based = {k: v for k, v in strategies.items() if k != "random"}
        best = min(model_based, key=lambda k: model_based[k]["median"])
        entry: dict[str, Any] = {
            "description": task.description,
            "pool": int(task.y.shape[0]),
            "hit_rule": task.hit_rule,
            "n_hits": int(task.hits.sum()),
            "strategies": strategies,
            "random_reference": _random_reference(task.hits),
            "best_strategy": best,
            "best_speedup": model_based[best]["speedup_vs_random"],
        }
        if task.kind == "pareto":
            curves: dict[str, Any] = {}
            for strat in strategies:
                arr = np.array(
                    [r["hv_curve"] for r in results if r["task"] == name and r["strategy"] == strat]
                )
                q1, med, q3 = np.percentile(arr, [25, 50, 75], axis=0)
                curves[strat] = {
                    "median": med.round(4).tolist(),
                    "q1": q1.round(4).tolist(),
                    "q3": q3.round(4).tolist(),
                }
            entry["hypervolume_curve"] = {
                "evaluations": [N_INIT + BATCH * r for r in range(MO_ROUNDS + 1)],
                "fraction_of_pool_hypervolume": curves,
                "ref_point": task.y[task.hits].min(axis=0).round(4).tolist(),
                "ref_rule": "nadir of the pool's true Pareto front (G, K/G)",
            }
        tasks_out[name] = entry
        goal_every &= entry["best_speedup"] >= 3.0
        goal_five |= entry["best_speedup"] >= 5.0

    res: dict[str, Any] = {
        "benchmark": "active_learning",
        "protocol": {
            "initial_random": N_INIT,
            "batch_size": BATCH,
            "seeds": report_seeds,
            "budget_single_objective": BUDGET,
            "rounds_two_objective": MO_ROUNDS,
            "surrogate": (
                f"{sur} (kind:number of bootstrap trees, max_features=0.3), refitted every "
                "round on the acquired points only; members = trees; features: 241 composition "
                "features (matdiscover.science.featurize)"
            ),
            "kappa": kappa,
            "ei_xi": 0.0,
            "batch_rule": (
                "top-5 scores (Thompson: 5 member draws); two-objective: sequential "
                "(botorch X_pending for EHVI, believed predictions otherwise)"
            ),
            "evaluations_counted": (
                "per whole batch, initial 10 included; unfinished campaigns count "
                "as the budget (n_censored)"
            ),
            "pools": "whole tables/splits, no subsetting; no shipped model was trained on them",
        },
        "hyperparameter_validation": val,
        "tasks": tasks_out,
        "goal": {
            "statement": (
                "median evaluations to a top-1 % candidate at most one third of random on "
                "every task (best acquisition per task), 5x on at least one"
            ),
            "third_of_random_on_every_task": bool(goal_every),
            "five_x_on_at_least_one": bool(goal_five),
            "met": bool(goal_every and goal_five),
        },
        "seconds": {
            "total": round(time.perf_counter() - start, 1),
            "reported_runs": round(run_seconds, 1),
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "workers": args.workers,
            "threads": os.environ["OMP_NUM_THREADS"],
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        },
    }
    print(f"\n{'task':<20}{'strategy':<10}{'median':>8}{'IQR':>14}{'cens':>6}{'x random':>10}")
    for name, entry in tasks_out.items():
        for strat, s in entry["strategies"].items():
            iqr = f"{s['iqr'][0]:.0f}-{s['iqr'][1]:.0f}"
            print(
                f"{name:<20}{strat:<10}{s['median']:>8.1f}{iqr:>14}{s['n_censored']:>6}{s['speedup_vs_random']:>10.2f}"
            )
        if "hypervolume_curve" in entry:
            hv = entry["hypervolume_curve"]["fraction_of_pool_hypervolume"]
            ev = entry["hypervolume_curve"]["evaluations"]
            marks = [0, len(ev) // 2, len(ev) - 1]
            for strat, c in hv.items():
                pts = ", ".join(f"{ev[i]}: {c['median'][i]:.3f}" for i in marks)
                print(f"  HV fraction {strat:<9} {pts}")
    print(
        f"\ngoal met: {res['goal']['met']} (third on every task: {goal_every}, 5x on one: "
        f"{goal_five}); total {res['seconds']['total']} s"
    )
    if not args.quick:
        OUT.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    return res


if __name__ == "__main__":
    main()
