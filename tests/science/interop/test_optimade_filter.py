"""OPTIMADE filter grammar cases: the tree each filter parses to, the SQL it compiles to,
and every kind of refusal (syntax errors, unknown properties, type mismatches)."""

from __future__ import annotations

import pytest

from matdiscover.science.interop.optimade_filter import (
    And,
    Compare,
    Field,
    FilterError,
    FilterNotImplemented,
    Fuzzy,
    Has,
    Known,
    Length,
    Not,
    Or,
    compile_filter,
    parse_filter,
)

FIELDS = {
    "id": Field("string", "m.id_text"),
    "nsites": Field("integer", "m.nsites"),
    "elements": Field("string_list", "m.elements", length_sql="m.nelements"),
    "last_modified": Field("timestamp", "m.updated_at"),
    "species": Field("opaque", "NULL"),
}


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("nsites<=10", Compare("nsites", "<=", 10)),
        ("10 >= nsites", Compare("nsites", "<=", 10)),
        ('id = "mp-1"', Compare("id", "=", "mp-1")),
        ('"mp-1" != id', Compare("id", "!=", "mp-1")),
        ("nsites = 1.5", Compare("nsites", "=", 1.5)),
        ('id CONTAINS "a"', Fuzzy("id", "CONTAINS", "a")),
        ('id STARTS WITH "a"', Fuzzy("id", "STARTS", "a")),
        ('id STARTS "a"', Fuzzy("id", "STARTS", "a")),
        ('id ENDS WITH "a"', Fuzzy("id", "ENDS", "a")),
        ('id = "say \\"hi\\" \\\\"', Compare("id", "=", 'say "hi" \\')),
        ('elements HAS "Fe"', Has("elements", "ONE", ("Fe",))),
        ('elements HAS ALL "Si","O"', Has("elements", "ALL", ("Si", "O"))),
        ('elements HAS ANY "Si", "O"', Has("elements", "ANY", ("Si", "O"))),
        ('elements HAS ONLY "Fe","O"', Has("elements", "ONLY", ("Fe", "O"))),
        ("elements LENGTH 3", Length("elements", "=", 3)),
        ("elements LENGTH >= 3", Length("elements", ">=", 3)),
        ("nsites IS KNOWN", Known("nsites", True)),
        ("nsites IS UNKNOWN", Known("nsites", False)),
        ("NOT nsites > 2", Not(Compare("nsites", ">", 2))),
        (
            "nsites = 1 OR nsites = 2 AND nsites = 3",
            Or(
                (
                    Compare("nsites", "=", 1),
                    And((Compare("nsites", "=", 2), Compare("nsites", "=", 3))),
                )
            ),
        ),
        (
            "(nsites = 1 OR nsites = 2) AND NOT (nsites = 3)",
            And(
                (
                    Or((Compare("nsites", "=", 1), Compare("nsites", "=", 2))),
                    Not(Compare("nsites", "=", 3)),
                )
            ),
        ),
        ("", None),
        ("   ", None),
    ],
)
def test_parse(text: str, tree: object) -> None:
    assert parse_filter(text) == tree


@pytest.mark.parametrize(
    "text", ["nsites <", "nsites == 1", "elements HAS", "(nsites = 1", "NSITES = 1", 'id = "x']
)
def test_syntax_errors_are_filter_errors(text: str) -> None:
    with pytest.raises(FilterError, match="cannot parse the filter"):
        parse_filter(text)


@pytest.mark.parametrize(
    "text", ["nsites = nelements", 'elements:species HAS "a":"b"', "nsites = TRUE", "1 = 2"]
)
def test_optional_language_parts_are_not_implemented(text: str) -> None:
    with pytest.raises(FilterNotImplemented):
        parse_filter(text)


def _sql(text: str) -> tuple[str, dict[str, object], list[str]]:
    where = compile_filter(
        parse_filter(text), FIELDS, provider_prefix="matdiscover", unsupported={"immutable_id"}
    )
    return where.sql, where.params, where.warnings


def test_compile_binds_every_value() -> None:
    sql, params, _ = _sql('elements HAS ALL "Si","O" AND nsites <= 10 OR id CONTAINS "50%_"')
    assert sql == (
        "((((m.elements) @> CAST(:f0 AS varchar[])) AND ((m.nsites) <= :f1))"
        " OR ((m.id_text) LIKE :f2))"
    )
    assert params == {"f0": ["Si", "O"], "f1": 10, "f2": "%50\\%\\_%"}


def test_compile_set_operators_and_length() -> None:
    assert _sql('elements HAS "Fe"')[0] == "(:f0 = ANY(m.elements))"
    assert "&&" in _sql('elements HAS ANY "Fe"')[0]
    assert "<@" in _sql('elements HAS ONLY "Fe"')[0]
    assert _sql("elements LENGTH > 2")[0] == "((m.nelements) > :f0)"
    assert _sql("NOT nsites != 2")[0] == "(NOT COALESCE(((m.nsites) <> :f0), FALSE))"


def test_unknown_values() -> None:
    # a standard property we never know: unknown for every entry
    assert _sql('immutable_id = "x"')[0] == "FALSE"
    assert _sql("immutable_id IS UNKNOWN")[0] == "TRUE"
    sql, _, warnings = _sql("_exmpl_band_gap > 1 OR nsites = 1")
    assert sql == "(FALSE OR ((m.nsites) = :f0))"
    assert warnings == [
        "unknown property '_exmpl_band_gap' of another provider: treated as unknown"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("crazyfield = 2", "unknown property 'crazyfield'"),
        ("_matdiscover_nope = 2", "not a field of this provider"),
        ('nsites = "ten"', "is a number"),
        ("id = 3", "is a string"),
        ('elements = "Fe"', "is a list"),
        ("elements HAS 3", "HAS needs strings"),
        ('nsites HAS "x"', "HAS needs a list"),
        ("nsites LENGTH 2", "LENGTH needs a list"),
        ('nsites CONTAINS "1"', "needs a string property"),
        ('last_modified > "yesterday"', "ISO 8601"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        _sql(text)


def test_opaque_properties_are_not_filterable() -> None:
    with pytest.raises(FilterNotImplemented, match="species"):
        _sql('species HAS "Fe"')


def test_timestamps_are_bound_as_datetimes() -> None:
    _, params, _ = _sql('last_modified >= "2024-01-02T03:04:05Z"')
    assert str(params["f0"]) == "2024-01-02 03:04:05+00:00"


def test_overlong_filter_is_refused() -> None:
    with pytest.raises(FilterError, match="longer than"):
        parse_filter("nsites = 1 OR " * 1000 + "nsites = 1")
