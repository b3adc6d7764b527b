"""The session-level tenant scope: what a bound session can read and write."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select, update

from matdiscover.db.engine import make_session_factory, session_scope
from matdiscover.db.tenancy import TenantViolation, bind_tenant
from matdiscover.domains.auth.models import ApiKey
from matdiscover.domains.identity import Role
from matdiscover.domains.materials.models import Material
from matdiscover.domains.organizations.models import User
from tests.platform.tenants import make_org, make_user


def _material(org_id: int | None, formula: str) -> Material:
    return Material(
        organization_id=org_id,
        formula=formula,
        reduced_formula=formula,
        chemical_system="Cl-Na",
        elements=["Na", "Cl"],
        nelements=2,
        source="test",
    )


def test_bound_session_reads_and_writes_only_its_organisation(engine: Engine) -> None:
    a, b = make_org(engine, "A"), make_org(engine, "B")
    make_user(engine, a, "a@a.org", Role.admin)
    make_user(engine, b, "b@b.org", Role.admin)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        mine, theirs, shared = (
            _material(a.id, "NaCl"),
            _material(b.id, "NaCl"),
            _material(None, "NaCl"),
        )
        s.add_all([mine, theirs, shared])
        s.flush()
        ids = mine.id, theirs.id, shared.id

    with factory() as s:
        bind_tenant(s, a.id)
        visible = set(s.scalars(select(Material.id)))
        assert visible == {ids[0], ids[2]}  # own and reference rows
        assert s.get(Material, ids[1]) is None
        assert [u.email for u in s.scalars(select(User))] == ["a@a.org"]
        # bulk statements are scoped too, and never touch reference rows
        s.execute(update(Material).values(formula="X"))
        s.execute(delete(ApiKey))
        s.commit()

    with factory() as s:
        bind_tenant(s, a.id)
        s.add(_material(b.id, "KCl"))
        with pytest.raises(TenantViolation):
            s.flush()
        s.rollback()
        reference = s.get(Material, ids[2])
        assert reference is not None
        reference.formula = "tampered"
        with pytest.raises(TenantViolation):
            s.flush()
        s.rollback()
        unowned = _material(None, "LiF")
        s.add(unowned)
        s.flush()
        assert unowned.organization_id == a.id  # stamped with the bound organisation
        s.rollback()

    with factory() as s:  # unbound: the bulk UPDATE changed A's row only
        formulas = {m.id: m.formula for m in s.scalars(select(Material))}
        assert formulas == {ids[0]: "X", ids[1]: "NaCl", ids[2]: "NaCl"}
