"""Every output format for every query form: exact bytes from the standard serialisers, or a refusal (exit 2)."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from exo_rdf.cli import main
from exo_rdf.cli_query import RESULT_FORMATS
from exo_rdf.errors import OutputError
from exo_rdf.query import Result, run_sparql
from exo_rdf.results import RESULT_FORMATS as FORMATS_OF_RESULTS
from exo_rdf.results import render

QUERIES = FIXTURES / "queries"
D = "https://w3id.org/exo-rdf/data/"
SELECT_ROWS = "rows (SELECT); use one of: table, json, xml, csv, tsv"
ASK_ROWS = "a boolean (ASK); use one of: table, json, xml, csv, tsv"
GRAPH = "a graph (CONSTRUCT or DESCRIBE); use one of: table, ttl, nt, jsonld, xml"

EXPECTED = {
    ("select", "table"): 's       label           min\n------  --------------  ---\nexod:a  alpha, "first"  0.5\nexod:b  beta\n(2 rows)\n',
    ("select", "json"): '{"head":{"vars":["s","label","min"]},"results":{"bindings":[{"s":{"type":"uri","value":"' + D + 'a"},'
                        '"label":{"type":"literal","value":"alpha, \\"first\\""},"min":{"type":"literal","value":"0.5",'
                        '"datatype":"http://www.w3.org/2001/XMLSchema#decimal"}},{"s":{"type":"uri","value":"' + D + 'b"},'
                        '"label":{"type":"literal","value":"beta","xml:lang":"en"}}]}}\n',
    ("select", "xml"): '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="s"/>'
                       '<variable name="label"/><variable name="min"/></head><results><result><binding name="s"><uri>' + D + 'a</uri>'
                       '</binding><binding name="label"><literal>alpha, &quot;first&quot;</literal></binding><binding name="min">'
                       '<literal datatype="http://www.w3.org/2001/XMLSchema#decimal">0.5</literal></binding></result><result>'
                       '<binding name="s"><uri>' + D + 'b</uri></binding><binding name="label"><literal xml:lang="en">beta</literal>'
                       '</binding></result></results></sparql>\n',
    ("select", "csv"): 's,label,min\r\n' + D + 'a,"alpha, ""first""",0.5\r\n' + D + 'b,beta,\r\n',
    ("select", "tsv"): '?s\t?label\t?min\n<' + D + 'a>\t"alpha, \\"first\\""\t0.5\n<' + D + 'b>\t"beta"@en\t\n',
    ("select", "ttl"): SELECT_ROWS, ("select", "nt"): SELECT_ROWS, ("select", "jsonld"): SELECT_ROWS,
    ("ask", "table"): "true\n",
    ("ask", "json"): '{"head":{},"boolean":true}\n',
    ("ask", "xml"): '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head></head><boolean>true</boolean></sparql>\n',
    ("ask", "csv"): "true\n", ("ask", "tsv"): "true\n",
    ("ask", "ttl"): ASK_ROWS, ("ask", "nt"): ASK_ROWS, ("ask", "jsonld"): ASK_ROWS,
    ("construct", "table"): "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\n@prefix exod: <" + D + "> .\nexod:a exo:sensitivityMin 0.5 .\n",
    ("construct", "ttl"): "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\n@prefix exod: <" + D + "> .\nexod:a exo:sensitivityMin 0.5 .\n",
    ("construct", "nt"): "<" + D + "a> <https://w3id.org/exo-rdf/ontology/sensitivityMin> \"0.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n",
    ("construct", "jsonld"): '[{"@id":"' + D + 'a","https://w3id.org/exo-rdf/ontology/sensitivityMin":[{"@type":'
                             '"http://www.w3.org/2001/XMLSchema#decimal","@value":"0.5"}]}]\n',
    ("construct", "json"): GRAPH, ("construct", "csv"): GRAPH, ("construct", "tsv"): GRAPH,
    ("describe", "nt"): "<" + D + "b> <http://www.w3.org/2000/01/rdf-schema#label> \"beta\"@en .\n",
    ("describe", "jsonld"): '[{"@id":"' + D + 'b","http://www.w3.org/2000/01/rdf-schema#label":[{"@language":"en","@value":"beta"}]}]\n',
    ("describe", "json"): GRAPH, ("describe", "csv"): GRAPH, ("describe", "tsv"): GRAPH,
}


@pytest.fixture(scope="module")
def tiny():
    store = ox.Store()
    store.load(path=str(QUERIES / "tiny.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def answer(store, form: str) -> Result:
    return run_sparql((QUERIES / f"{form}.rq").read_text(encoding="utf-8"), store=store)


def test_the_command_offers_exactly_the_formats_of_the_results_module():
    assert RESULT_FORMATS == FORMATS_OF_RESULTS


@pytest.mark.parametrize(("form", "fmt"), sorted(EXPECTED))
def test_each_form_in_each_format(tiny, form, fmt):
    expected = EXPECTED[(form, fmt)]
    result = answer(tiny, form)
    if expected in (SELECT_ROWS, ASK_ROWS, GRAPH):
        with pytest.raises(OutputError) as err:
            render(result, fmt)
        assert str(err.value) == f"--format {fmt} does not fit the answer, which is {expected}"
    else:
        assert render(result, fmt).decode("utf-8") == expected


def test_graph_answers_in_rdf_xml_parse_back_to_the_same_triples(tiny):
    result = answer(tiny, "construct")
    assert [q.triple for q in ox.parse(render(result, "xml"), format=ox.RdfFormat.RDF_XML)] == result.triples


def test_a_remote_shaped_result_renders_the_same(tiny):
    """A Result rebuilt from rows (as a remote answer is) gives the same bytes as the embedded one."""
    local = answer(tiny, "select")
    rebuilt = Result(list(local.variables), [tuple(r) for r in local.rows])
    for fmt in ("json", "xml", "csv", "tsv", "table"):
        assert render(rebuilt, fmt) == render(local, fmt)


def test_cli_ask_csv_and_construct_csv(capsys):
    assert main(["sparql", str(QUERIES / "ask.rq"), "--format", "csv"]) == 0
    assert capsys.readouterr().out == "false\n"  # exod:a is not in the bundled graph
    assert main(["sparql", str(QUERIES / "construct.rq"), "--format", "csv"]) == 2
    assert capsys.readouterr().err == f"exo-rdf: error: --format csv does not fit the answer, which is {GRAPH}\n"


def test_stats_json_is_one_document(capsys):
    assert main(["stats", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert sorted(doc) == ["findings-per-kind", "findings-per-section", "uncited-references"]
    assert doc["findings-per-kind"]["head"]["vars"][:1] == ["kind"]
    assert doc["findings-per-section"]["results"]["bindings"][0]["order"]["value"] == "1"


def test_dash_is_standard_output_for_mappings_and_catalogue(tmp_path, monkeypatch, capsys):
    from exo_rdf.catalogue import catalogue_turtle
    from exo_rdf.mappings import sssom_text

    monkeypatch.chdir(tmp_path)
    assert main(["mappings", "--out", "-"]) == 0
    assert capsys.readouterr().out == sssom_text()
    assert main(["catalogue", "--out", "-"]) == 0
    assert capsys.readouterr().out == catalogue_turtle()
    assert list(tmp_path.iterdir()) == []


def test_dash_is_standard_output_for_export(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "nt", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    assert not (tmp_path / "-").exists()
    n = int(err.split()[1])
    assert err == f"wrote {n} statements to standard output (nt)\n"
    assert len(out.splitlines()) == n and n > 4000


def fake_reasoning_report():
    from exo_rdf.reason import ReasoningReport

    exo, go = "https://w3id.org/exo-rdf/ontology/", "http://purl.obolibrary.org/obo/GO_"
    dex, immune = exo + "DendriticCellDerivedExosome", exo + "ImmuneCellDerivedExosome"
    return ReasoningReport(True, [], [(dex, immune)], "Consistent; no unsatisfiable classes.",
                           [(dex, immune), (immune, go + "0070062")],
                           {immune: "immune cell-derived exosome", go + "0070062": "extracellular exosome"})


def test_reason_out_dash_writes_the_hierarchy_alone(monkeypatch, capsys):
    """The writing, with the reasoner's answer given (HermiT itself runs in test_reason)."""
    import exo_rdf.reason

    monkeypatch.setattr(exo_rdf.reason, "reason", lambda **_: fake_reasoning_report())
    assert main(["reason", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    assert out == (
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix GO: <http://purl.obolibrary.org/obo/GO_> .\n"
        "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "exo:inferred-hierarchy a owl:Ontology .\n"
        "GO:0070062 a owl:Class ;\n\trdfs:label \"extracellular exosome\" .\n"
        "exo:DendriticCellDerivedExosome a owl:Class ;\n\trdfs:subClassOf exo:ImmuneCellDerivedExosome .\n"
        "exo:ImmuneCellDerivedExosome a owl:Class ;\n\trdfs:label \"immune cell-derived exosome\" ;\n"
        "\trdfs:subClassOf GO:0070062 .\n"
    )
    assert err == "wrote the inferred class hierarchy to standard output (ttl)\nConsistent; no unsatisfiable classes.\n"


def test_reason_out_owl_and_show_inferred_print_curies(monkeypatch, tmp_path, capsys):
    import exo_rdf.reason

    monkeypatch.setattr(exo_rdf.reason, "reason", lambda **_: fake_reasoning_report())
    out = tmp_path / "hierarchy.owl"
    assert main(["reason", "--out", str(out), "--out-format", "owl", "--show-inferred"]) == 0
    assert capsys.readouterr().out == ("Consistent; no unsatisfiable classes.\n"
                                       "  inferred: exo:DendriticCellDerivedExosome subClassOf exo:ImmuneCellDerivedExosome\n")
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(path=str(out), format=ox.RdfFormat.RDF_XML)}
    assert ("https://w3id.org/exo-rdf/ontology/ImmuneCellDerivedExosome", "http://www.w3.org/2000/01/rdf-schema#subClassOf",
            "http://purl.obolibrary.org/obo/GO_0070062") in triples
    assert len(triples) == 8


@pytest.mark.parametrize(("form", "formats"), [
    ("select", ("table", "json", "xml", "csv", "tsv")),
    ("ask", ("table", "json", "xml", "csv", "tsv")),
    ("genes", ("table", "ttl", "nt", "jsonld", "xml")),
])
def test_a_remote_answer_prints_as_the_embedded_one(oxigraph_plain, capsys, form, formats):
    """The same query, on the embedded store and over --endpoint (an Oxigraph server), prints the same bytes."""
    path = str(QUERIES / f"pd-l1-{form}.rq")
    for fmt in formats:
        assert main(["sparql", path, "--format", fmt]) == 0
        embedded = capsys.readouterr().out
        assert main(["sparql", path, "--format", fmt, "--endpoint", oxigraph_plain.url]) == 0
        assert capsys.readouterr().out == embedded, fmt
    assert main(["sparql", path, "--format", "nt" if form != "genes" else "csv", "--endpoint", oxigraph_plain.url]) == 2


def test_table_cells_stay_on_one_line():
    result = Result(["s", "text"], [(ox.NamedNode(D + "a"), ox.Literal("two\nlines\tand a tab"))])
    assert render(result, "table").decode() == "s       text\n------  -------------------\nexod:a  two lines and a tab\n(1 row)\n"
    assert render(result, "tsv").decode() == '?s\t?text\n<' + D + 'a>\t"two\\nlines\\tand a tab"\n'
