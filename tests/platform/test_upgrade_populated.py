"""Upgrading a database made by the previous release keeps every row (issue 12).

An empty database is migrated to ``BASE_REVISION`` (the schema of the last release) and
filled with plain SQL the way that release wrote its rows: organisations, accounts, API
keys, uploads with structures, composition-only rows, a duplicate, shared reference rows,
models, predictions, jobs, usage, audit, the job queue. Then it is upgraded to whatever
head is now, so every future migration is checked too: each old column of each old table
keeps every row, new columns hold NULL or their default, a downgrade to the base and a
second upgrade keep the rows as well, and the app serves the old rows through the API.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pymatgen.core import Lattice, Structure
from sqlalchemy import Connection, Engine, create_engine, text

from matdiscover.db.embedded import EmbeddedDatabase
from matdiscover.db.engine import create_db_engine
from matdiscover.db.migrate import current_revision, downgrade, head_revision, upgrade
from matdiscover.domains.auth.secrets import digest
from matdiscover.settings import Settings
from tests.platform.conftest import database_url

BASE_REVISION = "0008"
#: an API key as the previous release issued it (``mdk_<12 hex>_<secret>``); stored hashed
API_KEY = "mdk_0123456789ab_" + "s3cret-upgrade-test-key-0123456789abcdefghij"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Json:
    value: Any


@dataclass(frozen=True)
class Vec:
    values: list[float]


@pytest.fixture()
def old_engine(pg_server: EmbeddedDatabase) -> Iterator[Engine]:
    """An empty database (not a clone of the migrated template)."""
    name = f"u_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = create_db_engine(database_url(pg_server.url, name), pool_size=1)
    yield eng
    eng.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ------------------------------------------------------------------ the old installation


def _insert(conn: Connection, table: str, returning: str | None = "id", **values: Any) -> Any:
    """INSERT one row with plain SQL; ``Json``/``Vec`` wrap jsonb and vector values."""
    exprs, params = [], {}
    for i, value in enumerate(values.values()):
        if isinstance(value, Json):
            exprs.append(f"CAST(:p{i} AS jsonb)")
            params[f"p{i}"] = json.dumps(value.value)
        elif isinstance(value, Vec):
            exprs.append(f"CAST(:p{i} AS vector)")
            params[f"p{i}"] = "[" + ",".join(repr(v) for v in value.values) + "]"
        else:
            exprs.append(f":p{i}")
            params[f"p{i}"] = value
    cols = ", ".join(f'"{c}"' for c in values)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(exprs)})"
    if returning is None:
        conn.execute(text(sql), params)
        return None
    return conn.execute(text(f"{sql} RETURNING {returning}"), params).scalar_one()


def _vector(n: int, seed: int) -> Vec:
    return Vec([round(((seed * 7919 + i * 104729) % 1000) / 1000 - 0.5, 3) for i in range(n)])


def _structure(spacegroup: str, a: float, species: list[str], coords: list[list[float]]) -> Any:
    return Structure.from_spacegroup(spacegroup, Lattice.cubic(a), species, coords)


NACL = _structure("Fm-3m", 5.64, ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
NACL_DUP = _structure("Fm-3m", 5.66, ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
SI = _structure("Fd-3m", 5.43, ["Si"], [[0, 0, 0]])
GAAS = _structure("F-43m", 5.65, ["Ga", "As"], [[0, 0, 0], [0.25, 0.25, 0.25]])


def _upload(
    conn: Connection,
    org: int,
    s: Structure,
    sg: tuple[int, str],
    *,
    filename: str,
    seed: int,
    **extra: Any,
) -> int:
    """A structure upload as the previous release stored it (``row_from_parsed``)."""
    comp = s.composition
    elements = sorted({el.symbol for el in comp.elements})
    a, b, c = s.lattice.abc
    alpha, beta, gamma = s.lattice.angles
    return int(
        _insert(
            conn,
            "materials",
            organization_id=org,
            formula=comp.formula,
            reduced_formula=comp.reduced_formula,
            chemical_system="-".join(elements),
            elements=elements,
            nsites=len(s),
            nelements=len(elements),
            space_group_number=sg[0],
            space_group_symbol=sg[1],
            crystal_system="cubic",
            volume=float(s.volume),
            density=float(s.density),
            lattice=Json({"a": a, "b": b, "c": c, "alpha": alpha, "beta": beta, "gamma": gamma}),
            is_ordered=True,
            structure=Json(s.as_dict()),
            source="upload",
            filename=filename,
            content_hash=digest(filename + comp.formula),
            warnings=Json(["structure was symmetrised"] if seed == 3 else []),
            properties=Json({}),
            structure_embedding=_vector(64, seed),
            anonymous_formula="AB" if len(elements) == 2 else "A",
            created_at=T0 + timedelta(minutes=seed),
            **extra,
        )
    )


def _composition_only(conn: Connection, org: int, formula: str, reduced: str, **extra: Any) -> int:
    elements = sorted(set(extra.pop("elements")))
    return int(
        _insert(
            conn,
            "materials",
            organization_id=org,
            formula=formula,
            reduced_formula=reduced,
            chemical_system="-".join(elements),
            elements=elements,
            nelements=len(elements),
            warnings=Json([]),
            properties=Json({}),
            is_ordered=True,
            **extra,
        )
    )


def _reference(conn: Connection, source_id: str, formula: str, prop: str, value: float) -> int:
    """A shared reference row as the loader writes it: no organisation, one property."""
    elements = sorted({"Na", "Cl"} if "Na" in formula else {"Si"})
    return int(
        _insert(
            conn,
            "materials",
            organization_id=None,
            formula=formula,
            reduced_formula=formula,
            chemical_system="-".join(elements),
            elements=elements,
            nelements=len(elements),
            source="reference",
            source_database="materials_project",
            source_id=source_id,
            properties=Json({prop: value}),
            is_ordered=True,
            warnings=Json([]),
            anonymous_formula="AB" if len(elements) == 2 else "A",
        )
    )


@dataclass
class OldRows:
    acme: int
    beta: int
    nacl: int
    nacl_dup: int
    si: int
    fe2o3: int
    gaas: int
    references: list[int]
    #: (material id) -> predictions inserted, as (property, value, std, model_name), oldest first
    predictions: dict[int, list[tuple[str, float, float | None, str]]]


def _populate(conn: Connection) -> OldRows:
    ph = PasswordHasher()
    local = _insert(conn, "organizations", name="Local workspace", slug="local")
    acme = _insert(conn, "organizations", name="Acme Materials Lab", slug="acme", plan="lab")
    beta = _insert(conn, "organizations", name="Beta Institute", slug="beta", plan="researcher")
    local_user = _insert(conn, "users", email="local@localhost", full_name="Local user")
    alice = _insert(
        conn,
        "users",
        email="alice@acme.test",
        full_name="Alice",
        password_hash=ph.hash("pw-alice-1"),
    )
    bob = _insert(
        conn,
        "users",
        email="bob@beta.test",
        password_hash=ph.hash("pw-bob-12345"),
        tokens_valid_after=T0,
    )
    carol = _insert(conn, "users", email="carol@both.test", is_active=False)
    for org, user, role in [
        (local, local_user, "admin"),
        (acme, alice, "admin"),
        (acme, carol, "researcher"),
        (beta, bob, "admin"),
        (beta, carol, "viewer"),
    ]:
        _insert(conn, "org_memberships", organization_id=org, user_id=user, role=role)
    _insert(
        conn,
        "api_keys",
        organization_id=acme,
        user_id=alice,
        name="notebook",
        key_id="0123456789ab",
        key_hash=digest(API_KEY),
        role="researcher",
    )
    _insert(
        conn,
        "api_keys",
        organization_id=beta,
        user_id=bob,
        name="old ci",
        key_id="ba5eba11c0de",
        key_hash=digest("mdk_ba5eba11c0de_revoked"),
        role="viewer",
        revoked_at=T0,
        last_used_at=T0 - timedelta(days=3),
    )
    _insert(
        conn,
        "refresh_tokens",
        user_id=alice,
        session_organization_id=acme,
        family_id="f" * 32,
        token_hash=digest("refresh-alice"),
        expires_at=T0 + timedelta(days=30),
        ip="127.0.0.1",
    )
    _insert(
        conn,
        "invitations",
        organization_id=beta,
        email="dave@beta.test",
        role="researcher",
        invited_by=bob,
        token_hash=digest("invite-dave"),
        expires_at=T0 + timedelta(days=7),
    )
    _insert(
        conn,
        "rate_limit_windows",
        returning=None,
        bucket=f"write:user:{alice}",
        window_start=T0,
        hits=3,
    )
    project = _insert(conn, "projects", organization_id=acme, name="Halides", description="salt")

    # shared reference rows (one property each) and the loader's ledger
    references = [
        _reference(conn, "mp_band_gap:mp-22862", "NaCl", "band_gap", 5.0039),
        _reference(conn, "mp_formation_energy:mp-22862", "NaCl", "formation_energy", -2.0955),
        _reference(conn, "mp_band_gap:mp-149", "Si", "band_gap", 0.6105),
    ]
    for table, rows in [("mp_band_gap", 2), ("mp_formation_energy", 1)]:
        _insert(
            conn,
            "reference_loads",
            returning=None,
            table_name=table,
            sha256=digest(table),
            rows=rows,
            loaded_at=T0,
        )

    # uploads (a duplicate among them) and composition-only rows, in both organisations
    nacl = _upload(
        conn, acme, NACL, (225, "Fm-3m"), filename="NaCl.cif", seed=1, project_id=project
    )
    nacl_dup = _upload(
        conn, acme, NACL_DUP, (225, "Fm-3m"), filename="NaCl_2.cif", seed=2, duplicate_of_id=nacl
    )
    si = _upload(conn, acme, SI, (227, "Fd-3m"), filename="POSCAR_Si", seed=3)
    gaas = _upload(conn, beta, GAAS, (216, "F-43m"), filename="GaAs.cif", seed=4)

    job_acme = _insert(
        conn,
        "jobs",
        organization_id=acme,
        created_by_id=alice,
        kind="batch_prediction",
        status="succeeded",
        params=Json({"filename": "oxides.csv", "input_kind": "formulas"}),
        total=2,
        processed=2,
        input_uri="file:///data/jobs/1/input.csv",
        result_uri="file:///data/jobs/1/result.csv",
        started_at=T0,
        finished_at=T0 + timedelta(minutes=1),
    )
    queue_job = _insert(
        conn,
        "procrastinate_jobs",
        queue_name="batch",
        task_name="matdiscover.run_chunk",
        args=Json({"chunk_id": 3}),
        lock="job-2",
        scheduled_at=T0,
    )
    job_beta = _insert(
        conn,
        "jobs",
        organization_id=beta,
        created_by_id=bob,
        kind="batch_prediction",
        status="running",
        params=Json({"filename": "phosphates.csv"}),
        total=10,
        processed=4,
        error_count=1,
    )
    for job, index, status, queue in [
        (job_acme, 0, "succeeded", None),
        (job_acme, 1, "succeeded", None),
        (job_beta, 0, "queued", queue_job),
    ]:
        _insert(
            conn,
            "job_chunks",
            job_id=job,
            index=index,
            status=status,
            start_row=index * 5,
            end_row=index * 5 + 5,
            attempts=1,
            queue_job_id=queue,
        )
    _insert(conn, "procrastinate_workers", last_heartbeat=T0)
    _insert(
        conn,
        "worker_processes",
        host="lab-server",
        pid=4242,
        queues=Json(["batch", "default"]),
        concurrency=2,
        last_heartbeat=T0,
        current_task="run_chunk",
        current_job_id=job_beta,
    )
    fe2o3 = _composition_only(
        conn,
        acme,
        "Fe2 O3",
        "Fe2O3",
        elements=["Fe", "O"],
        source="batch",
        source_id=f"job-{job_acme}:row-0",
        filename="oxides.csv",
    )
    lifepo4 = _composition_only(
        conn,
        beta,
        "Li1 Fe1 P1 O4",
        "LiFePO4",
        elements=["Li", "Fe", "P", "O"],
        source="batch",
        source_id=f"job-{job_beta}:row-0",
        filename="phosphates.csv",
    )
    _composition_only(conn, local, "Ti1 O2", "TiO2", elements=["Ti", "O"], source="upload")
    for i, formula in enumerate(["NaCl", "Si", "GaAs", "Fe2O3", "LiFePO4", "TiO2"]):
        _insert(
            conn,
            "composition_embeddings",
            returning=None,
            reduced_formula=formula,
            embedding=_vector(184, i),
        )
    _insert(
        conn,
        "experimental_results",
        organization_id=acme,
        material_id=nacl,
        project_id=project,
        property="band_gap",
        value=8.5,
        unit="eV",
        uncertainty=0.2,
        conditions=Json({"temperature_K": 300}),
        created_by_id=alice,
    )

    # models and predictions: several properties, both organisations, a history
    models = {
        (prop, method): _insert(
            conn,
            "ml_models",
            name=f"{method}-{prop}",
            version="2026.10",
            property=prop,
            method=method,
            unit=unit,
            card=Json({"dataset": "mp-2026", "mae": 0.1}),
        )
        for prop, unit in [("band_gap", "eV"), ("formation_energy", "eV/atom")]
        for method in ("composition", "structure")
    }
    predictions: dict[int, list[tuple[str, float, float | None, str]]] = {}
    plan = [  # oldest first
        (acme, nacl, "band_gap", "structure", 4.7031, 0.41, None, 10),
        (acme, nacl, "formation_energy", "structure", -2.0312, 0.05, None, 11),
        (acme, nacl, "band_gap", "structure", 4.8125, 0.35, None, 20),  # newer: the latest
        (acme, si, "band_gap", "composition", 0.8717, None, None, 12),
        (acme, fe2o3, "band_gap", "composition", 2.1875, 0.5, job_acme, 13),
        (beta, gaas, "band_gap", "structure", 1.3906, 0.2, None, 14),
        (beta, gaas, "formation_energy", "structure", -0.3711, 0.03, None, 15),
        (beta, lifepo4, "formation_energy", "composition", -2.5156, 0.1, job_beta, 16),
    ]
    for org, material, prop, method, value, std, job, minute in plan:
        unit = "eV" if prop == "band_gap" else "eV/atom"
        _insert(
            conn,
            "predictions",
            organization_id=org,
            material_id=material,
            ml_model_id=models[(prop, method)],
            property=prop,
            value=value,
            std=std,
            interval_low=None if std is None else value - 1.96 * std,
            interval_high=None if std is None else value + 1.96 * std,
            unit=unit,
            method=method,
            model_name=f"{method}-{prop}",
            model_version="2026.10",
            in_domain=material != fe2o3,
            warnings=Json(["outside the training domain"] if material == fe2o3 else []),
            details=Json({"n_models": 5}),
            job_id=job,
            created_at=T0 + timedelta(minutes=minute),
        )
        predictions.setdefault(material, []).append((prop, value, std, f"{method}-{prop}"))

    for org, user, kind, quantity in [
        (acme, alice, "prediction", 6),
        (acme, alice, "storage_bytes", 18_000),
        (beta, bob, "prediction", 3),
    ]:
        _insert(
            conn,
            "usage_records",
            organization_id=org,
            user_id=user,
            kind=kind,
            quantity=quantity,
            details=Json({"source": "upload"}),
        )
    for org, user, action, obj in [
        (acme, alice, "POST /api/v1/materials", ("material", str(nacl))),
        (beta, bob, "auth.login", (None, None)),
        (None, None, "auth.rejected", (None, None)),
    ]:
        _insert(
            conn,
            "audit_log",
            organization_id=org,
            user_id=user,
            action=action,
            object_type=obj[0],
            object_id=obj[1],
            ip="10.0.0.5",
            user_agent="pytest",
            details=Json({"path": "/api/v1/materials"}),
        )
    return OldRows(
        acme=int(acme),
        beta=int(beta),
        nacl=nacl,
        nacl_dup=nacl_dup,
        si=si,
        fe2o3=fe2o3,
        gaas=gaas,
        references=references,
        predictions=predictions,
    )


# ------------------------------------------------------------------ snapshots


def _columns(conn: Connection) -> dict[str, list[str]]:
    """Every table's columns (in order), except Alembic's own."""
    rows = conn.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name <> 'alembic_version' "
            "ORDER BY table_name, ordinal_position"
        )
    ).all()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def _snapshot(conn: Connection, columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each table's rows as text, on the given columns only, ordered by primary key."""
    out = {}
    for table, cols in columns.items():
        pk = conn.execute(
            text(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                "WHERE i.indrelid = CAST(:t AS regclass) AND i.indisprimary ORDER BY a.attnum"
            ),
            {"t": table},
        ).scalars()
        order = ", ".join(f'"{c}"' for c in pk) or "1"
        row = ", ".join(f't."{c}"' for c in cols)
        sql = f'SELECT CAST(ROW({row}) AS text) FROM "{table}" t ORDER BY {order}'
        out[table] = list(conn.execute(text(sql)).scalars())
    return out


def _sequences(conn: Connection) -> dict[str, int | None]:
    rows = conn.execute(
        text(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()"
        )
    ).all()
    return {str(name): value for name, value in rows}


def _assert_same_rows(before: dict[str, list[str]], after: dict[str, list[str]], when: str) -> None:
    assert set(after) == set(before), f"{when}: tables differ"
    for table, rows in before.items():
        assert len(after[table]) == len(rows), f"{when}: {table} row count changed"
        changed = [(old, new) for old, new in zip(rows, after[table], strict=True) if old != new]
        assert not changed, f"{when}: {table} rows changed, first: {changed[0]}"


def _assert_new_columns_defaulted(conn: Connection, old: dict[str, list[str]]) -> list[str]:
    """New columns of old tables hold NULL, or their (non-volatile) default."""
    checked = []
    for table, column, default in conn.execute(
        text(
            "SELECT table_name, column_name, column_default FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ANY(:tables)"
        ),
        {"tables": list(old)},
    ).all():
        if column in old[table]:
            continue
        col = f't."{column}"'
        if default is None:
            bad = f"{col} IS NOT NULL"
        elif "now()" in default or "nextval(" in default:
            bad = f"{col} IS NULL"
        else:
            bad = f"{col} IS DISTINCT FROM ({default})"
        sql = f'SELECT count(*) FROM "{table}" t WHERE {bad}'
        assert conn.execute(text(sql)).scalar_one() == 0, f"{table}.{column}: {bad}"
        checked.append(f"{table}.{column}")
    return checked


# ------------------------------------------------------------------ the test


def test_upgrade_keeps_every_row_of_a_populated_database(
    old_engine: Engine, tmp_path: Path
) -> None:
    upgrade(old_engine, BASE_REVISION)
    with old_engine.begin() as conn:
        old = _populate(conn)
    with old_engine.connect() as conn:
        old_columns = _columns(conn)
        before = _snapshot(conn, old_columns)
        sequences = _sequences(conn)
    assert all(before[t] for t in ("materials", "predictions", "jobs", "procrastinate_jobs"))

    head = head_revision()
    upgrade(old_engine)
    assert current_revision(old_engine) == head
    with old_engine.connect() as conn:
        assert set(old_columns) <= set(_columns(conn)), "a table of the old schema is gone"
        _assert_same_rows(before, _snapshot(conn, old_columns), f"{BASE_REVISION} -> {head}")
        new_columns = _assert_new_columns_defaulted(conn, old_columns)
        assert {k: _sequences(conn)[k] for k in sequences} == sequences
    if head == "0009":  # the migration this test was written with
        assert new_columns == ["materials.known_match"]

    downgrade(old_engine, BASE_REVISION)
    assert current_revision(old_engine) == BASE_REVISION
    with old_engine.connect() as conn:
        assert _columns(conn) == old_columns
        _assert_same_rows(before, _snapshot(conn, old_columns), f"{head} -> {BASE_REVISION}")
    upgrade(old_engine)
    assert current_revision(old_engine) == head
    with old_engine.connect() as conn:
        _assert_same_rows(before, _snapshot(conn, old_columns), f"again {BASE_REVISION} -> head")

    _check_api(old_engine, old, tmp_path)


def _check_api(engine: Engine, old: OldRows, tmp_path: Path) -> None:
    """The app starts on the upgraded database and serves the old rows."""
    from matdiscover.api.app import create_app

    url = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=url, data_dir=tmp_path / "data")
    with TestClient(create_app(settings), headers={"X-API-Key": API_KEY}) as client:
        r = client.get("/api/v1/materials", params={"include_reference": "false"})
        assert r.status_code == 200, r.text
        own = {m["id"]: m for m in r.json()["items"]}
        assert set(own) == {old.nacl, old.nacl_dup, old.si, old.fe2o3}
        r = client.get("/api/v1/materials", params={"limit": 100})
        assert r.status_code == 200, r.text
        ids = {m["id"] for m in r.json()["items"]}
        assert ids == set(own) | set(old.references)  # not Beta's, nor the local workspace's
        ref = next(m for m in r.json()["items"] if m["id"] == old.references[0])
        assert ref["is_reference"] and ref["properties"] == {"band_gap": 5.0039}

        r = client.get(f"/api/v1/materials/{old.nacl}")
        assert r.status_code == 200, r.text
        m = r.json()
        assert (m["formula"], m["reduced_formula"], m["nsites"]) == ("Na4 Cl4", "NaCl", 8)
        assert (m["space_group_number"], m["filename"], m["source"]) == (225, "NaCl.cif", "upload")
        assert m["lattice"]["a"] == pytest.approx(5.64)
        assert m["volume"] == pytest.approx(NACL.volume)
        dup = client.get(f"/api/v1/materials/{old.nacl_dup}").json()
        assert dup["duplicate_of"] == old.nacl
        si = client.get(f"/api/v1/materials/{old.si}").json()
        assert si["warnings"] == ["structure was symmetrised"]
        fe2o3 = client.get(f"/api/v1/materials/{old.fe2o3}").json()
        assert (fe2o3["source"], fe2o3["nsites"], fe2o3["lattice"]) == ("batch", None, None)
        r = client.get(f"/api/v1/materials/{old.nacl}/structure", params={"format": "json"})
        assert r.status_code == 200, r.text
        assert Structure.from_dict(r.json()) == NACL
        assert client.get(f"/api/v1/materials/{old.gaas}").status_code == 404  # Beta's

        for material in (old.nacl, old.si, old.fe2o3):
            r = client.get(f"/api/v1/materials/{material}/predictions")
            assert r.status_code == 200, r.text
            body = r.json()
            history = [
                (p["property"], p["value"], p["std"], p["model_name"])
                for p in reversed(body["history"])
            ]
            assert history == old.predictions[material]
            latest = {p["property"]: p["value"] for p in body["latest"]}
            assert latest == {prop: value for prop, value, _, _ in old.predictions[material]}
        nacl_latest = client.get(f"/api/v1/materials/{old.nacl}/predictions").json()["latest"]
        band_gap = next(p for p in nacl_latest if p["property"] == "band_gap")
        assert band_gap["interval_low"] == pytest.approx(4.8125 - 1.96 * 0.35)
        fe2o3_pred = client.get(f"/api/v1/materials/{old.fe2o3}/predictions").json()["latest"][0]
        assert not fe2o3_pred["in_domain"] and fe2o3_pred["warnings"]
        assert client.get(f"/api/v1/materials/{old.gaas}/predictions").status_code == 404
