from __future__ import annotations

import pandas as pd
import pytest

from matdiscover.errors import ConfigurationError, NotFound
from matdiscover.science.reference_data import (
    data_dir,
    list_element_tables,
    list_tables,
    load_element_table,
    load_table,
)

EXPECTED = {
    "mp_e_form": 132_752,
    "mp_gap": 106_113,
    "mp_log10_k_vrh": 10_987,
    "mp_log10_g_vrh": 10_987,
    "expt_gap": 4_604,
    "steels_yield": 312,
    "aflow_debye_temperature": 4_896,
    "mp_e_hull": 56_662,
}


def test_tables_listed() -> None:
    names = list_tables()
    assert set(EXPECTED) <= set(names)
    assert {"magpie", "mat2vec", "oliynyk"} <= set(list_element_tables())


@pytest.mark.parametrize(("name", "rows"), sorted(EXPECTED.items()))
def test_row_counts_and_columns(name: str, rows: int) -> None:
    df = load_table(name)
    assert len(df) == rows
    assert list(df.columns[:2]) == ["formula", "target"]
    assert df["target"].dtype == "float64"
    assert df["formula"].map(type).eq(str).all()


def test_split_column_when_upstream_has_splits() -> None:
    df = load_table("aflow_debye_temperature")
    assert set(df["split"]) == {"train", "val", "test"}
    assert "split" not in load_table("mp_gap").columns


def test_first_rows_preserved() -> None:
    assert load_table("mp_e_form")["formula"].iloc[0] == "C1Pt1"
    assert load_table("expt_gap")["formula"].iloc[0] == "Ag(AuS)2"


def test_returns_copies() -> None:
    df = load_table("steels_yield")
    df["target"] = 0.0
    assert load_table("steels_yield")["target"].max() > 0


def test_element_table() -> None:
    magpie = load_element_table("magpie").set_index("element")
    assert magpie.loc["O", "Number"] == 8
    assert len(magpie) == 97
    assert isinstance(magpie, pd.DataFrame)


def test_errors(tmp_path: object) -> None:
    with pytest.raises(NotFound):
        load_table("nope")
    with pytest.raises(NotFound):
        load_table("../elements/magpie")
    with pytest.raises(ConfigurationError):
        data_dir("/nonexistent/dir")


def test_override(tmp_path: pytest.TempPathFactory) -> None:
    assert data_dir(data_dir()) == data_dir()
