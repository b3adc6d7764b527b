"""OPTIMADE filters: parsed with the ``optimade`` package's v1.2 grammar into a small typed
tree, then compiled to a PostgreSQL ``WHERE`` clause with bound parameters.

Pure: no database here. The caller describes each queryable property as a :class:`Field`
(its kind and the SQL expression it reads), so the same tree serves any table layout.

    >>> tree = parse_filter('elements HAS ALL "Si","O" AND nelements=2')
    >>> tree.items[0]
    Has(prop='elements', mode='ALL', values=('Si', 'O'))
    >>> fields = {"elements": Field("string_list", "m.elements", length_sql="m.nelements"),
    ...           "nelements": Field("integer", "m.nelements")}
    >>> where = compile_filter(tree, fields, provider_prefix="matdiscover")
    >>> where.sql
    '(((m.elements) @> CAST(:f0 AS varchar[])) AND ((m.nelements) = :f1))'
    >>> where.params
    {'f0': ['Si', 'O'], 'f1': 2}

Semantics (OPTIMADE v1.2, "Filtering on properties of unknown value"): a comparison with a
property of unknown value (SQL NULL) is false, so ``NOT`` of it is true; only
``IS UNKNOWN`` matches it. Properties of other providers (``_exmpl_x``) are unknown for
every entry (and a warning says so); an unprefixed name that is neither one of ``fields``
nor a standard property (``unsupported``) is an error.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Literal

from lark import Token

from matdiscover.errors import InvalidInput, MatDiscoverError

__all__ = [
    "And",
    "Compare",
    "Field",
    "FilterError",
    "FilterNotImplemented",
    "Fuzzy",
    "Has",
    "Known",
    "Length",
    "Node",
    "Not",
    "Or",
    "SqlWhere",
    "compile_filter",
    "parse_filter",
    "properties_of",
]

Op = Literal["=", "!=", "<", "<=", ">", ">="]
Scalar = str | int | float | bool
Kind = Literal["integer", "float", "string", "timestamp", "boolean", "string_list", "opaque"]

_FLIP: dict[str, Op] = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
MAX_FILTER_LENGTH = 10_000


class FilterError(InvalidInput):
    """The OPTIMADE filter is not valid."""


class FilterNotImplemented(MatDiscoverError):
    """This part of the OPTIMADE filter language is not supported by this server."""


# ------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Compare:
    """``prop <op> value`` (constant-first comparisons are flipped into this form)."""

    prop: str
    op: Op
    value: Scalar


@dataclass(frozen=True)
class Fuzzy:
    """``prop CONTAINS|STARTS WITH|ENDS WITH "value"``."""

    prop: str
    op: Literal["CONTAINS", "STARTS", "ENDS"]
    value: Scalar


@dataclass(frozen=True)
class Known:
    """``prop IS KNOWN`` (``known``) or ``prop IS UNKNOWN``."""

    prop: str
    known: bool


@dataclass(frozen=True)
class Has:
    """``prop HAS v`` (ONE), ``HAS ALL``/``ANY``/``ONLY v1, v2, ...``."""

    prop: str
    mode: Literal["ONE", "ALL", "ANY", "ONLY"]
    values: tuple[Scalar, ...]


@dataclass(frozen=True)
class Length:
    """``prop LENGTH [op] n``."""

    prop: str
    op: Op
    value: int


@dataclass(frozen=True)
class Not:
    expr: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Compare | Fuzzy | Known | Has | Length | Not | And | Or


# ------------------------------------------------------------------------- parsing


@cache
def _parser() -> Any:
    from optimade.filterparser import LarkParser

    return LarkParser(version=(1, 2, 0))


def parse_filter(text: str) -> Node | None:
    """The filter as a tree; ``None`` for an empty filter (everything matches).

    Raises:
        FilterError: on a syntax error.
        FilterNotImplemented: for optional parts of the language this server lacks
            (property values on the right-hand side, zipped ``:`` comparisons,
            operators inside ``HAS`` lists).
    """
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"the filter is longer than {MAX_FILTER_LENGTH} characters")
    if not text.strip():
        return None
    from lark.exceptions import LarkError

    try:
        tree = _parser().lark.parse(text)
    except (LarkError, RecursionError) as exc:
        raise FilterError(f"cannot parse the filter {text!r}: {_first_line(exc)}") from exc
    try:
        return _build(tree)
    except RecursionError as exc:
        raise FilterError("the filter is nested too deeply") from exc


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines[:3])[:300] if lines else type(exc).__name__


def _build(tree: Any) -> Node | None:
    def children(t: Any) -> list[Any]:
        return list(t.children)

    def node(t: Any) -> Node:
        kind = t.data
        if kind == "filter":
            found = [node(c) for c in children(t)]
            return found[0] if len(found) == 1 else And(tuple(found))
        if kind == "expression":
            items = tuple(node(c) for c in children(t))
            return items[0] if len(items) == 1 else Or(items)
        if kind == "expression_clause":
            items = tuple(node(c) for c in children(t))
            return items[0] if len(items) == 1 else And(items)
        if kind == "expression_phrase":
            parts = [c for c in children(t) if c is not None]
            negated = isinstance(parts[0], Token) and parts[0].type == "NOT"
            inner = node(parts[-1])
            return Not(inner) if negated else inner
        if kind == "comparison":
            return node(children(t)[0])
        if kind == "constant_first_comparison":
            constant, op, rhs = children(t)
            target = children(rhs)[0]
            if rhs.data == "not_implemented_string" or target.data != "property":
                raise FilterNotImplemented(
                    "comparisons between two constants or of a string constant with a "
                    "property are not supported"
                )
            return Compare(prop(target), _FLIP[str(op)], scalar(children(constant)[0]))
        if kind == "property_first_comparison":
            name = prop(children(t)[0])
            return rhs_node(name, children(t)[1])
        raise FilterError(f"unexpected filter element {kind!r}")

    def prop(t: Any) -> str:
        return ".".join(str(c) for c in children(t))

    def scalar(t: Any) -> Scalar:
        if t.data == "value":
            t = children(t)[0]
        if t.data == "string":
            return _unescape(str(children(t)[0]))
        if t.data == "number":
            token = str(children(t)[0])
            try:
                return int(token)
            except ValueError:
                return float(token)
        if t.data == "bool":  # the grammar drops the TRUE/FALSE token itself
            raise FilterNotImplemented("boolean values are not supported")
        if t.data == "property":
            raise FilterNotImplemented("comparing a property with another property")
        raise FilterError(f"unexpected value {t.data!r}")

    def rhs_node(name: str, rhs: Any) -> Node:
        parts = [c for c in children(rhs) if c is not None]
        kind = rhs.data
        if kind == "value_op_rhs":
            return Compare(name, _op(parts[0]), scalar(parts[1]))
        if kind == "known_op_rhs":
            return Known(name, str(parts[1]) == "KNOWN")
        if kind == "fuzzy_string_op_rhs":
            verb = str(parts[0])
            value = scalar(parts[-1])
            return Fuzzy(name, verb, value)  # type: ignore[arg-type]
        if kind == "length_op_rhs":
            op: Op = _op(parts[1]) if len(parts) == 3 else "="
            return Length(name, op, int(str(children(parts[-1])[0])))
        if kind == "set_op_rhs":
            words = [str(p) for p in parts if isinstance(p, Token)]
            if any(isinstance(p, Token) and p.type == "OPERATOR" for p in parts):
                raise FilterNotImplemented("operators inside HAS are not supported")
            body = parts[-1]
            if body.data == "value_list":
                if any(isinstance(c, Token) for c in children(body) if c is not None):
                    raise FilterNotImplemented("operators inside HAS lists are not supported")
                values = tuple(scalar(c) for c in children(body) if c is not None)
            else:
                values = (scalar(body),)
            mode = next((w for w in words if w in ("ALL", "ANY", "ONLY")), "ONE")
            return Has(name, mode, values)  # type: ignore[arg-type]
        if kind == "set_zip_op_rhs":
            raise FilterNotImplemented("zipped comparisons (a:b HAS ...) are not supported")
        raise FilterError(f"unexpected comparison {kind!r}")

    return node(tree)


def _op(token: Any) -> Op:
    text = str(token)
    if text not in _FLIP:
        raise FilterError(f"unknown operator {text!r}")
    return text  # type: ignore[return-value]


def _unescape(quoted: str) -> str:
    """An OPTIMADE string token's value: quotes dropped, ``\\"`` and ``\\\\`` unescaped."""
    body = quoted[1:-1]
    out: list[str] = []
    chars = iter(body)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            out.append(nxt if nxt in ('"', "\\") else ch + nxt)
        else:
            out.append(ch)
    return "".join(out)


def properties_of(tree: Node | None) -> Iterator[str]:
    """Every property name the tree mentions."""
    if tree is None:
        return
    if isinstance(tree, Not):
        yield from properties_of(tree.expr)
    elif isinstance(tree, And | Or):
        for item in tree.items:
            yield from properties_of(item)
    else:
        yield tree.prop


# ------------------------------------------------------------------------- SQL


@dataclass(frozen=True)
class Field:
    """How one OPTIMADE property is read in SQL.

    ``kind``: the OPTIMADE type, or ``opaque`` (served, never filtered on: a filter on it
    is answered with "not implemented"). ``sql``: the SQL expression (trusted text from
    the caller, never user input). ``length_sql``: for lists, a cheaper expression of the
    list's length (e.g. an indexed count column). ``array_type``: the SQL type list
    parameters are cast to.
    """

    kind: Kind
    sql: str
    length_sql: str | None = None
    array_type: str = "varchar[]"


@dataclass
class SqlWhere:
    """A boolean SQL expression; ``params`` binds its ``:fN`` placeholders."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def compile_filter(
    tree: Node | None,
    fields: Mapping[str, Field],
    *,
    provider_prefix: str,
    unsupported: Collection[str] = (),
) -> SqlWhere:
    """The tree as a SQL ``WHERE`` expression over ``fields``.

    ``unsupported``: standard property names this server never knows a value of (they
    are unknown for every entry). ``provider_prefix``: ours, without underscores; an
    unknown ``_<ours>_x`` is an error, an unknown ``_<other>_x`` is unknown everywhere.

    Raises:
        FilterError: unknown unprefixed or own-prefixed properties, type mismatches,
            operators that do not apply to a property's type, invalid timestamps.
        FilterNotImplemented: filters on ``opaque`` properties.
    """
    if tree is None:
        return SqlWhere("TRUE")
    out = SqlWhere("")
    counter = itertools.count()

    def param(value: Any) -> str:
        name = f"f{next(counter)}"
        out.params[name] = value
        return f":{name}"

    def resolve(name: str) -> Field | None:
        found = fields.get(name)
        if found is not None:
            return found
        if name in unsupported:
            return None
        if name.startswith(f"_{provider_prefix}_"):
            raise FilterError(f"unknown property {name!r} (not a field of this provider)")
        if name.startswith("_"):
            warning = f"unknown property {name!r} of another provider: treated as unknown"
            if warning not in out.warnings:
                out.warnings.append(warning)
            return None
        raise FilterError(f"unknown property {name!r}")

    def sql(t: Node) -> str:
        if isinstance(t, And):
            return "(" + " AND ".join(sql(i) for i in t.items) + ")"
        if isinstance(t, Or):
            return "(" + " OR ".join(sql(i) for i in t.items) + ")"
        if isinstance(t, Not):
            # an unknown value makes a comparison false, so its negation true
            return f"(NOT COALESCE({sql(t.expr)}, FALSE))"
        f = resolve(t.prop)
        if f is None:
            return "TRUE" if isinstance(t, Known) and not t.known else "FALSE"
        if f.kind == "opaque":
            raise FilterNotImplemented(f"filtering on {t.prop!r} is not supported")
        if isinstance(t, Known):
            return f"(({f.sql}) IS {'NOT ' if t.known else ''}NULL)"
        if isinstance(t, Compare):
            return compare(t, f)
        if isinstance(t, Fuzzy):
            if f.kind != "string" or not isinstance(t.value, str):
                raise FilterError(f"{t.op} needs a string property and a string: {t.prop!r}")
            pattern = t.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = {"CONTAINS": f"%{pattern}%", "STARTS": f"{pattern}%"}.get(t.op, f"%{pattern}")
            return f"(({f.sql}) LIKE {param(pattern)})"
        if isinstance(t, Has):
            return has(t, f)
        if isinstance(t, Length):
            if f.kind != "string_list":
                raise FilterError(f"LENGTH needs a list property: {t.prop!r}")
            length = f.length_sql or f"cardinality({f.sql})"
            return f"(({length}) {t.op} {param(t.value)})"
        raise FilterError(f"unexpected filter element {t!r}")

    def compare(t: Compare, f: Field) -> str:
        value = t.value
        op_sql = "<>" if t.op == "!=" else t.op
        if f.kind in ("integer", "float"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FilterError(f"{t.prop!r} is a number; compare it with a number")
        elif f.kind == "string":
            if not isinstance(value, str):
                raise FilterError(f"{t.prop!r} is a string; compare it with a string")
        elif f.kind == "timestamp":
            return f"(({f.sql}) {op_sql} {param(_timestamp(t.prop, value))})"
        elif f.kind == "boolean":
            if not isinstance(value, bool) or t.op not in ("=", "!="):
                raise FilterError(f"{t.prop!r} is a boolean: use = TRUE/FALSE or !=")
        else:
            raise FilterError(f"{t.prop!r} is a list: use HAS, HAS ALL/ANY/ONLY or LENGTH")
        return f"(({f.sql}) {op_sql} {param(value)})"

    def has(t: Has, f: Field) -> str:
        if f.kind != "string_list":
            raise FilterError(f"HAS needs a list property: {t.prop!r}")
        if not all(isinstance(v, str) for v in t.values):
            raise FilterError(f"{t.prop!r} is a list of strings; HAS needs strings")
        if t.mode == "ONE":
            return f"({param(t.values[0])} = ANY({f.sql}))"
        operator = {"ALL": "@>", "ANY": "&&", "ONLY": "<@"}[t.mode]
        return f"(({f.sql}) {operator} CAST({param(list(t.values))} AS {f.array_type}))"

    out.sql = sql(tree)
    return out


def _timestamp(prop: str, value: Scalar) -> datetime:
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if stamp.tzinfo is None:
                from datetime import UTC

                stamp = stamp.replace(tzinfo=UTC)
            return stamp
    raise FilterError(f"{prop!r} is a timestamp; compare it with an ISO 8601 string")
