"""``matdiscover.load_model("energy_above_hull")`` returns the hull route (issue 15)."""

from __future__ import annotations

import matdiscover
from matdiscover.science.models.composition import (
    HullRoute,
    load_composition_model,
    load_hull_route,
    predict_compositions,
)


def test_load_model_energy_above_hull_is_the_hull_route() -> None:
    route = matdiscover.load_model("energy_above_hull")
    assert isinstance(route, HullRoute) and route is load_hull_route()
    assert matdiscover.load_model(" Energy_Above_Hull ") is route
    # It is usable: the same numbers as the batch prediction path.
    formulas = ["NaCl", "Fe2O3", "LiFePO4"]
    eform = load_composition_model("formation_energy").predict(formulas)
    pred, details = route.predict(formulas, eform)
    df = predict_compositions(formulas, properties=["energy_above_hull"])
    assert list(pred.value) == list(df["energy_above_hull"])
    assert all(d["hull_dataset"] == "mp_e_form" for d in details)
    # The other properties still load their composition models.
    assert matdiscover.load_model("band_gap") is load_composition_model("band_gap")
