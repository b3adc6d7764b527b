"""The molecules service on the real database: add_molecules is idempotent by InChIKey
(a chunk run twice stores every row once), the primary activity is the most potent exact
one, and every query is scoped to the caller's organisation."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matdiscover.db.engine import make_session_factory
from matdiscover.domains.identity import Caller, Role
from matdiscover.domains.molecules import service
from matdiscover.errors import NotFound
from matdiscover.science.chemistry import Activity, read_molecules
from tests.platform.conftest import count_rows
from tests.platform.tenants import make_org

TABLE = (
    "smiles,name,standard_type,standard_relation,standard_value,standard_units\n"
    "CC(=O)Oc1ccccc1C(=O)O,aspirin,IC50,=,2.5,uM\n"
    "[Na+].[O-]C(=O)c1ccccc1OC(C)=O,aspirin sodium,Ki,=,50,nM\n"
    "Cn1cnc2c1c(=O)n(C)c(=O)n2C,caffeine,,,,\n"
    "C1CC,broken,,,,\n"
    "O=C1NC(=S)SC1=Cc1ccccc1,rhodanine,IC50,>,10,uM\n"
    "CCO,ethanol,Ki,=,3,furlongs\n"
)


def test_add_molecules_is_idempotent_and_scores_the_primary_activity(
    engine: Engine, session: Session
) -> None:
    org, other = make_org(engine, "Chem A"), make_org(engine, "Chem B")
    caller = Caller(organization_id=org.id, user_id=None, role=Role.researcher)
    read = read_molecules(TABLE.encode(), filename="t.csv")
    assert [e.row for e in read.errors] == [5]  # the reader drops the broken SMILES

    first = service.add_molecules(session, caller, read.molecules, source="upload")
    session.commit()
    by_row = {o.row: o for o in first.outcomes}
    # the sodium salt standardises to aspirin: matched, and its activity added to aspirin
    assert by_row[2].created and not by_row[3].created
    assert by_row[3].molecule_id == by_row[2].molecule_id
    assert by_row[3].activity_added
    assert by_row[7].warning and "furlongs" in by_row[7].warning and by_row[7].molecule_id
    assert first.created == 4 and count_rows(engine, "molecules") == 4
    assert count_rows(engine, "molecule_activities") == 3

    aspirin = service.get(session, by_row[2].molecule_id, organization_id=org.id)
    acts = service.activities_of(session, aspirin)
    # 50 nM Ki (pKi 7.30) beats 2.5 uM IC50 (5.60): it is the primary activity
    assert [round(a.p_activity, 2) for a in acts] == [7.3, 5.6]
    assert aspirin.primary_activity_id == acts[0].id
    assert aspirin.p_activity == acts[0].p_activity
    total = aspirin.score["total"]
    wp, we, wq = aspirin.score["weights"]
    parts = wp * aspirin.score_potency + we * aspirin.score_efficiency + wq * aspirin.score_quality
    assert abs(100 * parts / (wp + we + wq) - total) < 1e-9 and aspirin.score_total == total
    assert aspirin.indices["bei"] == aspirin.p_activity / (aspirin.mw / 1000)

    rhodanine = service.get(session, by_row[6].molecule_id, organization_id=org.id)
    assert rhodanine.has_pains and rhodanine.score["censored"]
    assert any(a["family"] == "ene_rhod" and a["atoms"] for a in rhodanine.alerts)
    caffeine = service.get(session, by_row[4].molecule_id, organization_id=org.id)
    assert caffeine.classification == "Unscored" and caffeine.score_total is None

    # the same chunk again (a retried job): nothing new, the same ids
    again = service.add_molecules(session, caller, read.molecules, source="batch")
    session.commit()
    assert again.created == 0 and not any(o.activity_added for o in again.outcomes)
    assert [o.molecule_id for o in again.outcomes] == [o.molecule_id for o in first.outcomes]
    assert count_rows(engine, "molecules") == 4
    assert count_rows(engine, "molecule_activities") == 3

    # another organisation stores its own copy and cannot read A's
    b = Caller(organization_id=other.id, user_id=None, role=Role.researcher)
    mine = service.add_molecules(session, b, read.molecules[:1], source="api")
    session.commit()
    assert mine.created == 1 and mine.outcomes[0].molecule_id != by_row[2].molecule_id
    with pytest.raises(NotFound):
        service.get(session, by_row[2].molecule_id, organization_id=other.id)


def test_a_new_more_potent_activity_becomes_primary(engine: Engine, session: Session) -> None:
    org = make_org(engine, "Chem C")
    caller = Caller(organization_id=org.id, user_id=None, role=Role.researcher)
    rows = read_molecules(b"Oc1ccccc1O catechol\n", filename="c.smi").molecules
    out = service.add_molecules(session, caller, rows, source="api")
    molecule = service.get(session, out.outcomes[0].molecule_id, organization_id=org.id)
    assert molecule.classification == "Unscored"
    for value in (3.0, 0.2):  # µM
        service.add_activity(
            session, molecule, Activity(value=value, unit="uM", type="IC50"), user_id=None
        )
        service.rescore(
            molecule, service.activities_of(session, molecule), service.score_settings()
        )
    assert round(molecule.p_activity or 0, 3) == 6.699  # 0.2 µM
    assert molecule.classification in ("Strong", "Moderate", "Weak")


def test_concurrent_adds_of_one_molecule_store_it_once(engine: Engine) -> None:
    """Two transactions add the same molecule at once: the second waits on the unique
    (organisation, InChIKey) index, then matches the first's row instead of failing."""
    org = make_org(engine, "Chem D")
    caller = Caller(organization_id=org.id, user_id=None, role=Role.researcher)
    rows = read_molecules(b"CC(=O)Oc1ccccc1C(=O)O aspirin\n", filename="a.smi").molecules
    factory = make_session_factory(engine)
    first, second = factory(), factory()
    try:
        a = service.add_molecules(first, caller, rows, source="api")  # flushed, not committed
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(service.add_molecules, second, caller, rows, source="batch")
            time.sleep(0.5)
            assert not pending.done()  # blocked on the unique index
            first.commit()
            b = pending.result(timeout=30)
        second.commit()
    finally:
        first.close()
        second.close()
    assert a.created == 1 and b.created == 0
    assert b.outcomes[0].molecule_id == a.outcomes[0].molecule_id
    assert count_rows(engine, "molecules") == 1
