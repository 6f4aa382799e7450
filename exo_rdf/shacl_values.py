"""The value constraints that the compiled SHACL engine checks in Python, once per distinct value.

sh:datatype, sh:nodeKind (sh:IRI), sh:pattern, sh:in, the numeric bounds and sh:node (of a node
shape with sh:nodeKind and sh:pattern only): each a function of the shapes model, a value and
the constraint's parameter that says whether the value conforms, as SHACL Core defines it.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("decimal", "integer", "double", "float", "int", "long", "positiveInteger", "nonNegativeInteger")}


def component(constraint: str) -> str:
    """The constraint component of a constraint parameter: sh:maxInclusive -> MaxInclusiveConstraintComponent."""
    name = constraint[len(SH):]
    return name[0].upper() + name[1:] + "ConstraintComponent"


def _is_numeric(term) -> bool:
    return isinstance(term, ox.Literal) and term.datatype.value in NUMERIC


def _compare(value, bound, ok) -> bool:
    if not (_is_numeric(value) and _is_numeric(bound)):
        return False  # not comparable: a violation, as in SHACL
    try:
        return ok(Decimal(value.value), Decimal(bound.value))
    except InvalidOperation:
        return False


_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_DATE = r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
#: the lexical spaces of the XSD datatypes a literal is checked against for sh:datatype: an
#: ill-formed literal ("1.5"^^xsd:integer, "yes"^^xsd:boolean) does not conform (SHACL 4.1.1), as
#: Oxigraph's isNumeric and casts say in queries/shacl/values-not-of-datatype.rq
LEXICAL = {XSD + "boolean": re.compile(r"true|false|1|0"),
           XSD + "decimal": re.compile(_DECIMAL),
           XSD + "double": re.compile(rf"({_DECIMAL}([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"),
           XSD + "date": re.compile(_DATE + _ZONE),
           XSD + "dateTime": re.compile(_DATE + r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)" + _ZONE)}
LEXICAL[XSD + "float"] = LEXICAL[XSD + "double"]
for _name in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
              "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"):
    LEXICAL[XSD + _name] = re.compile(r"[+-]?[0-9]+")


def _check_datatype(_model, value, datatype) -> bool:
    if not (isinstance(value, ox.Literal) and value.datatype == datatype):
        return False
    lexical = LEXICAL.get(datatype.value)
    return lexical is None or lexical.fullmatch(value.value) is not None


def _conforms_to_node(model, value, node_shape) -> bool:
    kinds = model.values(node_shape, "nodeKind")
    patterns = model.values(node_shape, "pattern")
    return all(_check_node_kind(model, value, k) for k in kinds) and all(_check_pattern(model, value, p) for p in patterns)


def _check_node_kind(_model, value, kind) -> bool:
    return isinstance(value, ox.NamedNode)  # sh:IRI is the only kind accepted by check_supported


def _check_pattern(_model, value, pattern) -> bool:
    # Python's re, as pyshacl uses; the patterns exo-rdf's shapes use mean the same in XPath regex.
    return not isinstance(value, ox.BlankNode) and re.search(pattern.value, value.value) is not None


VALUE_CHECKS = {
    SH + "datatype": _check_datatype,
    SH + "nodeKind": _check_node_kind,
    SH + "pattern": _check_pattern,
    SH + "in": lambda m, v, head: v in m.members(head),
    SH + "minInclusive": lambda m, v, b: _compare(v, b, lambda x, y: x >= y),
    SH + "maxInclusive": lambda m, v, b: _compare(v, b, lambda x, y: x <= y),
    SH + "minExclusive": lambda m, v, b: _compare(v, b, lambda x, y: x > y),
    SH + "maxExclusive": lambda m, v, b: _compare(v, b, lambda x, y: x < y),
    SH + "node": _conforms_to_node,
}
