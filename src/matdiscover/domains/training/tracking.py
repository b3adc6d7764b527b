"""MLflow tracking of training runs: the tracking store is the platform's own PostgreSQL
database (its own schema, ``mlflow``, so MLflow's tables and Alembic history never mix
with ours), the artifacts go to the object store under ``mlflow/``.

One experiment per organisation and property (``org-<id>/<property>``); each training job
is one run with its options and data fingerprint as parameters, the learning curve and
held-out metrics as metrics, and the card as an artifact. Query it with
``MlflowClient(tracking_uri=tracking_uri(database_url))``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from matdiscover.storage import ObjectStore

log = logging.getLogger(__name__)

SCHEMA = "mlflow"
#: MLflow names of learning-curve fields whose own name is ambiguous.
_CURVE_NAMES = {"holdout_mae": "holdout_mae_regressor"}


def database_url_of(factory: sessionmaker[Session]) -> str:
    bind = factory.kw["bind"]
    return str(bind.url.render_as_string(hide_password=False))


def tracking_uri(database_url: str) -> str:
    """The MLflow tracking URI of ``database_url``: same database, schema ``mlflow``."""
    sep = "&" if "?" in database_url else "?"
    return f"{database_url}{sep}options={quote(f'-csearch_path={SCHEMA}')}"


def experiment_name(organization_id: int, prop: str) -> str:
    return f"org-{organization_id}/{prop}"


def log_training_run(
    factory: sessionmaker[Session],
    store: ObjectStore,
    *,
    organization_id: int,
    prop: str,
    params: Mapping[str, Any],
    curve: list[Mapping[str, Any]],
    metrics: Mapping[str, Any],
    card: Mapping[str, Any],
    tags: Mapping[str, Any],
) -> str:
    """Log one training run; its MLflow run id."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    with factory() as session, session.begin():
        session.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    client = MlflowClient(tracking_uri=tracking_uri(database_url_of(factory)))
    name = experiment_name(organization_id, prop)
    found = client.get_experiment_by_name(name)
    experiment_id = (
        found.experiment_id
        if found is not None
        else client.create_experiment(name, artifact_location=store.url_for(f"mlflow/{name}"))
    )
    run = client.create_run(experiment_id, run_name=str(tags.get("model_version", "")) or None)
    run_id = run.info.run_id
    now = int(time.time() * 1000)
    ms: list[Metric] = []
    for point in curve:
        step = int(point["epoch"])
        for key, value in point.items():
            if key not in ("epoch", "epochs") and _number(value):
                ms.append(Metric(_CURVE_NAMES.get(key, key), float(value), now, step))
    for part, by_model in metrics.items():
        if not isinstance(by_model, Mapping):
            continue
        for model in ("shipped", "candidate"):
            for key, value in (by_model.get(model) or {}).items():
                if _number(value):
                    ms.append(Metric(f"{part}_{model}_{key}", float(value), now, 0))
    client.log_batch(
        run_id,
        metrics=ms,
        params=[Param(k, str(v)[:6000]) for k, v in params.items()],
        tags=[RunTag(k, str(v)) for k, v in tags.items()],
    )
    client.log_dict(run_id, dict(card), "card.json")
    client.set_terminated(run_id)
    return str(run_id)


def _number(value: Any) -> bool:
    """A finite int or float (MLflow refuses NaN on PostgreSQL; bools are not metrics)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value
