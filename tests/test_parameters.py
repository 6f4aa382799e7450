"""Parameter values: numbers in canonical form, non-finite numbers refused, a CURIE or an IRI wherever a term is expected."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from exo_rdf.catalogue import get_query
from exo_rdf.cli import main
from exo_rdf.errors import QueryParameterError
from exo_rdf.query import bind_parameters, run_stored

XSD = "http://www.w3.org/2001/XMLSchema#"


def bound(name, **given):
    return bind_parameters(get_query(name), given)


@pytest.mark.parametrize(("given", "lexical"), [
    ("0.0000001", "0.0000001"), ("1E-7", "0.0000001"), ("+02.50", "2.5"), ("3", "3.0"), ("-0", "0.0"), (".9", "0.9"),
])
def test_decimals_are_bound_in_canonical_form(given, lexical):
    assert bound("biomarkers", min_sensitivity=given)["min_sensitivity"] == ox.Literal(lexical, datatype=ox.NamedNode(XSD + "decimal"))


@pytest.mark.parametrize(("given", "lexical"), [("57", "57"), ("057", "57"), ("+57", "57")])
def test_integers_are_bound_in_canonical_form(given, lexical):
    assert bound("findings-by-reference", reference=given)["reference"] == ox.Literal(lexical, datatype=ox.NamedNode(XSD + "integer"))


@pytest.mark.parametrize(("given", "why"), [
    ("NaN", "'NaN' is not a number (write e.g. 0.9 or 0.0000001)"),
    ("Infinity", "'Infinity' is not a number (write e.g. 0.9 or 0.0000001)"),
    ("-inf", "'-inf' is not a number (write e.g. 0.9 or 0.0000001)"),
    ("1e999", "'1e999' is too large for an xsd:decimal (at most 20 digits before the point)"),
    ("1e-30", "'1e-30' has more than 18 digits after the point"),
    ("0,9", "'0,9' is not a number (write e.g. 0.9 or 0.0000001)"),
])
def test_non_finite_and_overflowing_decimals_are_refused(given, why):
    with pytest.raises(QueryParameterError) as err:
        bound("biomarkers", min_sensitivity=given)
    assert f"parameter min_sensitivity={given!r} is not a valid decimal ({why})" in str(err.value)


@pytest.mark.parametrize("given", ["1_000", "5.0", "9223372036854775808", "NaN"])
def test_bad_integers_are_refused(given):
    with pytest.raises(QueryParameterError, match=r"parameter reference=.* is not a valid integer"):
        bound("findings-by-reference", reference=given)


def test_cli_refuses_nan_with_exit_2(capsys):
    assert main(["query", "biomarkers", "--param", "min_sensitivity=nan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exo-rdf: error: query 'biomarkers': parameter min_sensitivity='nan' is not a valid decimal ('nan' is not a number")


def test_a_tiny_threshold_keeps_every_row(store):
    assert len(run_stored("biomarkers", {"min_sensitivity": "0.0000001"}, store=store).rows) == len(run_stored("biomarkers", store=store).rows) == 20


def test_a_curie_is_bound_as_the_iri_text():
    assert bound("biomarkers", cancer="MONDO:0009831")["cancer"] == ox.Literal("http://purl.obolibrary.org/obo/MONDO_0009831")
    assert bound("biomarkers", cancer="pancreatic cancer")["cancer"] == ox.Literal("pancreatic cancer")


def keyed(store, name, params, *columns):
    result = run_stored(name, params, store=store)
    index = [result.variables.index(c) for c in columns]
    return sorted({tuple(None if row[i] is None else row[i].value for i in index) for row in result.rows})


@pytest.mark.parametrize(("name", "column", "by_name", "by_term"), [
    ("biomarkers", "finding", {"cancer": "pancreatic cancer"}, {"cancer": "MONDO:0009831"}),
    ("biomarkers", "finding", {"cancer": "pancreatic cancer"}, {"cancer": "http://purl.obolibrary.org/obo/MONDO_0009831"}),
    ("biomarkers", "finding", {"fluid": "serum"}, {"fluid": "UBERON:0001977"}),
    ("cargo-by-cancer", "finding", {"cancer": "malignant pancreatic neoplasm"}, {"cancer": "mondo:0009831"}),
    ("cargo-by-hallmark", "finding", {"process": "angiogenesis"}, {"process": "GO:0001525"}),
    ("cargo-recipient-leukocytes", "finding", {"cell_type": "leukocyte"}, {"cell_type": "CL:0000738"}),
    ("findings-for-molecule", "finding", {"molecule": "PD-L1"}, {"molecule": "HGNC:17635"}),
    ("findings-for-molecule", "finding", {"molecule": "PD-L1"}, {"molecule": "exod:protein-CD274"}),
    ("hypoxic-exosome-proteins", "finding", {"cancer": "glioblastoma"}, {"cancer": "MONDO:0018177"}),
    ("findings-by-reference", "finding", {"reference": "57", "review": "tex"}, {"reference": "57", "review": "exod:review-tex"}),
])
def test_a_name_and_a_curie_or_iri_answer_the_same_rows(store, name, column, by_name, by_term):
    """The same findings (a printed process name may add rows for the finding's other processes)."""
    expected = keyed(store, name, by_name, column)
    assert expected, "the name must match something, or the comparison proves nothing"
    assert keyed(store, name, by_term, column) == expected


def test_pancreatic_cancer_rows_by_curie(store):
    assert keyed(store, "biomarkers", {"cancer": "MONDO:0009831"}, "markerAsPrinted", "fluidAsPrinted") == [
        ("GPC-1", "Peripheral blood, Serum"), ("c-Met", "Serum"),
    ]


def test_show_prints_the_query_with_its_values_block(capsys):
    assert main(["query", "biomarkers", "--param", "cancer=MONDO:0009831", "--param", "min_sensitivity=1E-7", "--show"]) == 0
    out = capsys.readouterr().out
    assert ("WHERE {\n  VALUES (?cancer ?min_sensitivity) { (\"http://purl.obolibrary.org/obo/MONDO_0009831\" "
            "\"0.0000001\"^^<http://www.w3.org/2001/XMLSchema#decimal>) }\n") in out
    assert out.startswith("# title: Exosomal protein biomarkers (Table 2)\n")


def test_only_ascii_digits_are_numbers():
    with pytest.raises(QueryParameterError, match="is not a valid decimal"):
        bound("biomarkers", min_sensitivity="٠٫٩")
    with pytest.raises(QueryParameterError, match="is not a valid integer"):
        bound("findings-by-reference", reference="٥٧")
