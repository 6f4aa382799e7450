"""Curation templates: columns, writing, reading and the round trip bundled findings -> template -> RDF."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.curation import columns as C
from exo_rdf.curation import rows as R
from exo_rdf.curation import template as T
from exo_rdf.curation.problems import RULE_BASE, CellProblem
from exo_rdf.errors import TemplateError
from exo_rdf.sources import discover, load_into

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"


@pytest.fixture(scope="module")
def data():
    store = ox.Store()
    for source in discover(None, ("data",)):
        load_into(store, source)
    return store


@pytest.fixture(scope="module")
def resolver():
    return R.DefaultResolver()


def _bundled(store: ox.Store, kind: str) -> set[ox.Triple]:
    """The triples of the bundled findings of kind and of their target nodes, all graphs merged."""
    out = set()
    cls = ox.NamedNode(C.kind_class(kind))
    for q in store.quads_for_pattern(None, ox.NamedNode(R.RDF_TYPE.value), cls):
        for t in store.quads_for_pattern(q.subject, None, None):
            out.add(ox.Triple(t.subject, t.predicate, t.object))
            if t.predicate.value == C.TARGET_REGULATION:
                out |= {ox.Triple(n.subject, n.predicate, n.object) for n in store.quads_for_pattern(t.object, None, None)}
    return out


def _read(path, resolver):
    triples, problems, rows = set(), [], []
    for row in R.read_table(path):
        quads, focus, row_problems, node_map = R.row_to_rdf(row, resolver)
        triples |= {q.triple for q in quads}
        problems += row_problems
        rows.append((row, focus, node_map))
    return triples, problems, rows


@pytest.mark.parametrize("kind", C.kinds())
def test_round_trip_tsv_every_kind(kind, data, resolver, tmp_path):
    # all nodes are IRIs (findings and <finding>-target-<n>), so equal triple sets are isomorphic graphs
    bundled = _bundled(data, kind)
    assert bundled, f"no bundled {kind} finding"
    path = tmp_path / f"{kind}.tsv"
    assert T.write_template(kind, path, findings=T.export_findings(kind=kind, store=data)) == len(
        {t.subject for t in bundled if t.predicate == R.RDF_TYPE and t.object.value == C.kind_class(kind)})
    triples, problems, _ = _read(path, resolver)
    assert problems == []
    assert triples - bundled == set()
    assert bundled - triples == set()


@pytest.mark.parametrize("kind,suffix", [("biomarker", ".xlsx"), ("cell-death", ".xlsx"), ("therapy", ".csv")])
def test_round_trip_xlsx_and_csv(kind, suffix, data, resolver, tmp_path):
    path = tmp_path / f"findings{suffix}"
    T.write_template(kind, path, findings=T.export_findings(kind=kind, store=data))
    triples, problems, rows = _read(path, resolver)
    assert problems == [] and triples == _bundled(data, kind)
    assert {row.kind for row, _, _ in rows} == {kind}
    # as the curator sees it: the sheet's row 2 under the header; in a .csv the line after the
    # '# kind' line, one documentation line per column and the header
    assert rows[0][0].number == (2 if suffix == ".xlsx" else len(C.columns(kind)) + 3)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        assert book.sheetnames == [kind, "README"]
        assert [c.value for c in book["README"][1]] == ["column", "required", "meaning", "allowed", "example", "fills"]
        assert [c.value for c in book["README"][2]][:2] == ["finding", "no"]


def test_header_of_the_marker_template(tmp_path):
    path = tmp_path / "marker.tsv"
    assert T.write_template("marker", path) == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert C.headers("marker") == ["finding", "source", "section", "references", "statement", "ev type", "marker",
                                   "marker as printed", "note"]
    assert lines[0] == "# kind: marker"
    assert lines[1:10] == ["# " + d for d in T.documentation("marker")]
    assert lines[7] == ("# marker (required): the marker molecule. Allowed: name or CURIE of a molecule, several "
                        "separated by |. Example: CD63. Fills: exo:marker")
    assert lines[10] == "finding\tsource\tsection\treferences\tstatement\tev type\tmarker\tmarker as printed\tnote"
    assert lines[11].split("\t")[0] == "# example" and len(lines) == 12
    assert list(R.read_table(path)) == []  # the documentation and the example row are skipped


def test_the_example_row_builds_a_finding_once_unmarked(tmp_path, resolver):
    row = R.Row(tmp_path / "x.tsv", 3, "marker", {**T.example_row("marker"), "finding": ""})
    quads, focus, problems, _ = R.row_to_rdf(row, resolver)
    assert problems == []
    assert focus.value.startswith(EXOD + "finding-marker-")
    got = {(q.predicate.value, q.object) for q in quads}
    assert (EXO + "marker", ox.NamedNode(EXOD + "protein-CD63")) in got
    assert (EXO + "citesReference", ox.Literal("133", datatype=ox.NamedNode(R.XSD + "integer"))) in got
    assert ("http://purl.obolibrary.org/obo/RO_0002558", R.ECO_TRACEABLE) in got


def test_a_non_integer_reference_is_reported_at_its_cell(tmp_path, resolver):
    path = tmp_path / "bad.tsv"
    path.write_text("# kind: marker\nsource\tsection\treferences\tstatement\tev type\tmarker\n"
                    "exod:review-protein\texod:section-protein-structure-content\t38\tCD9 is a marker.\tGO:0070062\texod:protein-CD9\n"
                    "exod:review-protein\texod:section-protein-structure-content\t38|x4\tCD9 is a marker.\tGO:0070062\texod:protein-CD9\n",
                    encoding="utf-8")
    _, problems, rows = _read(path, resolver)
    assert [(p.row, p.column, p.rule, p.value) for p in problems] == [(4, "references", RULE_BASE + "bad-value", "x4")]
    assert str(problems[0].file) == str(path)
    assert [r.number for r, _, _ in rows] == [3, 4]


def test_missing_value_and_unknown_label(tmp_path, resolver):
    row = R.Row(tmp_path / "x.tsv", 7, "marker", {"source": "exod:review-protein", "statement": "",
                                                    "ev type": "GO:0070062", "marker": "no such protein"})
    _, _, problems, _ = R.row_to_rdf(row, resolver)
    assert sorted((p.row, p.column, p.rule) for p in problems) == [
        (7, "marker", RULE_BASE + "unknown-name"), (7, "statement", RULE_BASE + "missing-value")]


def test_targets_become_numbered_nodes_mapped_to_their_cells(tmp_path, resolver):
    cells = {"finding": "exod:finding-user-01", "source": "pmid:17486113|doi:10.1038/ncb1596",
             "statement": "Vesicles raise Bcl-2 and lower Bax.", "cell death form": "GO:0006915",
             "target": "exod:protein-BCL2|exod:protein-BAX", "target direction": "exo:increases|exo:decreases",
             "target kind as printed": "|transcripts"}
    quads, focus, problems, node_map = R.row_to_rdf(R.Row(tmp_path / "x.tsv", 5, "cell-death", cells), resolver)
    assert problems == []
    article = ox.NamedNode(EXOD + "publication-pmid-17486113")
    t1, t2 = (ox.NamedNode(EXOD + f"finding-user-01-target-{n}") for n in (1, 2))
    assert node_map == {focus: (5, None), article: (5, "source"), t1: (5, "target"), t2: (5, "target")}
    triples = {(q.subject, q.predicate.value, q.object) for q in quads}
    assert (t1, EXO + "targetDirection", ox.NamedNode(EXO + "increases")) in triples
    assert (t2, EXO + "kindAsPrinted", ox.Literal("transcripts")) in triples
    assert not any(s == t1 and p == EXO + "kindAsPrinted" for s, p, _ in triples)
    assert {(p, o) for s, p, o in triples if s == article} == {
        (R.RDF_TYPE.value, R.RESEARCH_ARTICLE), (EXO + "pmid", ox.Literal("17486113")),
        (EXO + "doi", ox.Literal("10.1038/ncb1596"))}
    # a research article: evidence traceable, no statedIn, no citesNoReference
    assert (focus, "http://purl.obolibrary.org/obo/RO_0002558", R.ECO_TRACEABLE) in triples
    assert not any(p in (EXO + "statedIn", EXO + "citesNoReference") for _, p, _ in triples)


def test_parallel_target_lists_of_different_lengths(tmp_path, resolver):
    cells = {"source": "exod:review-protein", "statement": "s", "cell death form": "GO:0006915",
             "target": "exod:protein-BCL2|exod:protein-BAX", "target direction": "exo:increases"}
    _, _, problems, _ = R.row_to_rdf(R.Row(tmp_path / "x.tsv", 9, "cell-death", cells), resolver)
    assert [(p.row, p.column, p.rule) for p in problems] == [(9, "target direction", RULE_BASE + "bad-value")]


def test_kind_from_the_header_and_unknown_columns(tmp_path):
    plain = tmp_path / "rows.tsv"
    plain.write_text("finding\tsource\tstatement\tev type\tcargo\tprocess\tdirection\n\tx\ty\t\t\t\t\n", encoding="utf-8")
    assert [(r.kind, r.number) for r in R.read_table(plain)] == [("cargo-effect", 2)]
    bad = tmp_path / "bad.marker.tsv"
    bad.write_text("source\tstatement\tcargo\n", encoding="utf-8")
    with pytest.raises(CellProblem) as caught:
        list(R.read_table(bad))
    assert caught.value.problem.rule == RULE_BASE + "unknown-column" and caught.value.problem.value == "cargo"
    assert str(caught.value).startswith(f"{bad}:1: the marker template has no column 'cargo'")


def test_minted_ids_follow_the_content(tmp_path, resolver):
    cells = {"source": "exod:review-protein", "statement": "CD9 is a marker.", "ev type": "GO:0070062",
             "marker": "exod:protein-CD9"}
    focus = [R.row_to_rdf(R.Row(tmp_path / "x.tsv", n, "marker", dict(c)), resolver)[1]
             for n, c in ((2, cells), (3, cells), (4, {**cells, "marker": "exod:protein-CD63"}))]
    assert focus[0] == focus[1] != focus[2]


def test_bars_and_backslashes_in_text_values():
    values = ["a|b", "c\\d", "", "e"]
    assert R.split_values(R.join_values(values)) == values
    assert R.split_values("x | y|z") == ["x", "y", "z"]


def test_a_finding_no_column_expresses_is_refused(data):
    store = ox.Store()
    store.extend(data)
    f = ox.NamedNode(EXOD + "finding-protein-marker-11")
    store.add(ox.Quad(f, ox.NamedNode(EXO + "fluid"), ox.NamedNode("http://purl.obolibrary.org/obo/UBERON_0001969")))
    with pytest.raises(TemplateError, match="exod:finding-protein-marker-11: the marker template has no column for exo:fluid"):
        T.export_findings(kind="marker", store=store)


def test_cli_template(tmp_path, capsys):
    assert main(["template", "--kind", "quantity", "--out", "-"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "# kind: quantity" and out[-2] == "\t".join(C.headers("quantity"))
    assert main(["template", "--filled", "--out", str(tmp_path / "all.csv")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"all.{k}.csv" for k in C.kinds())
    assert main(["template", "--out", str(tmp_path / "x.tsv")]) == 2
    assert main(["template", "--kind", "marker", "--out", str(tmp_path / "x.txt")]) == 2
    err = capsys.readouterr().err
    assert "give --kind KIND for an empty template" in err and "x.txt: write a template to a .tsv, .csv or .xlsx file" in err
    assert not (tmp_path / "x.tsv").exists() and not (tmp_path / "x.txt").exists()


def test_every_example_row_resolves_with_the_name_resolver(tmp_path):
    from exo_rdf.curation.resolve import Resolver

    resolver = Resolver()
    for kind in C.kinds():
        row = R.Row(tmp_path / "x.tsv", 3, kind, {**T.example_row(kind), "finding": ""})
        assert [(p.column, p.message) for p in R.row_to_rdf(row, resolver)[2]] == [], kind


def test_the_guide_s_examples_typed_by_name(data, tmp_path):
    # tests/fixtures/templates/docs-examples.tsv: the two cargo-effect findings of docs/curation.md, written
    # with names ("TGFβ", "tumour-derived exosome", "mast cell"), give the guide's RDF and pass the shapes
    from pathlib import Path

    from exo_rdf.curation.curate import curate
    from exo_rdf.curation.resolve import Resolver

    fixture = Path(__file__).parent / "fixtures" / "templates" / "docs-examples.tsv"
    # mast cell is in CL's table, not in the import modules: a table of that one row keeps the test small
    (tmp_path / "cl.tsv").write_text("id\tlabel\tsynonyms\tobsolete\nCL:0000097\tmast cell\tmastocyte\tfalse\n",
                                     encoding="utf-8")
    resolver = Resolver(terms=tmp_path)
    built = {}
    for row in R.read_table(fixture):
        quads, focus, problems, _ = R.row_to_rdf(row, resolver)
        assert (row.number, problems) == (row.number, [])
        built[focus.value] = {q.triple for q in quads}
    bundled = ox.NamedNode(EXOD + "finding-protein-angiogenesis-02")
    assert built.pop(bundled.value) == {ox.Triple(q.subject, q.predicate, q.object)
                                        for q in data.quads_for_pattern(bundled, None, None)}
    f, article = ox.NamedNode(EXOD + "finding-pmid-17486113-01"), ox.NamedNode(EXOD + "publication-pmid-17486113")
    statement = ox.Literal("Exosomes from mast cells carry mRNAs and microRNAs that are transferred to other cells.")
    obo = "http://purl.obolibrary.org/obo/"
    assert built == {f.value: {
        ox.Triple(f, R.RDF_TYPE, ox.NamedNode(EXO + "CargoEffectFinding")),
        ox.Triple(f, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), article),
        ox.Triple(article, R.RDF_TYPE, R.RESEARCH_ARTICLE),
        ox.Triple(article, ox.NamedNode(EXO + "pmid"), ox.Literal("17486113")),
        ox.Triple(article, ox.NamedNode(EXO + "doi"), ox.Literal("10.1038/ncb1596")),
        ox.Triple(f, ox.NamedNode(EXO + "statement"), statement),
        ox.Triple(f, ox.NamedNode("http://www.w3.org/ns/prov#value"), statement),
        ox.Triple(f, ox.NamedNode(EXO + "evType"), ox.NamedNode(obo + "GO_0070062")),
        ox.Triple(f, ox.NamedNode(EXO + "producerCellType"), ox.NamedNode(obo + "CL_0000097")),
        ox.Triple(f, ox.NamedNode(obo + "RO_0002558"), R.ECO_TRACEABLE)}}
    result = curate([fixture], tmp_path / "out.ttl", resolver=resolver)
    assert (result.problems, result.written_rows) == ([], 2)


def test_a_value_under_no_column_name_is_reported(tmp_path, resolver):
    path = tmp_path / "x.quantity.tsv"
    path.write_text("source\tstatement\t\tquantity of\tcount\n"
                    "exod:review-tex\tThree.\t\tthings\t3\n"
                    "exod:review-tex\tFour.\tlost?\tthings\t4\textra\n", encoding="utf-8")
    _, problems, rows = _read(path, resolver)
    assert [(p.row, p.column, p.rule, p.value) for p in problems] == [(3, None, RULE_BASE + "bad-value", "lost?")]
    assert [(r.number, r.kind, r.cells["count"]) for r, _, _ in rows] == [(2, "quantity", "3"), (3, "quantity", "4")]


def test_the_template_command_has_a_description_an_example_and_help_for_each_argument():
    from exo_rdf.cli import build_parser

    (sub,) = [a for a in build_parser("template")._actions if a.__class__.__name__ == "_SubParsersAction"]
    parser = sub.choices["template"]
    assert parser.description and "exo-rdf template --kind cargo-effect --out cargo-effect.xlsx" in parser.epilog
    assert [a.dest for a in parser._actions if not a.help] == []


def test_row_builder_resolves_each_cell_text_once_and_builds_what_row_to_rdf_builds(tmp_path, resolver):
    calls = []

    def counting(text, column):
        calls.append((text, column if isinstance(column, str) else column.header))
        return resolver(text, column)

    rows = [R.Row(tmp_path / "x.tsv", n, "marker", {"source": "exod:review-protein", "statement": f"s{n}",
                                                     "ev type": "GO:0070062", "marker": marker, "references": refs})
            for n, marker, refs in ((2, "exod:protein-CD63", "3|4"), (3, "exod:protein-CD63", "4"), (4, "no such marker", "0|x"))]
    build = R.RowBuilder()
    built = [build(row, counting) for row in rows]
    # one call per distinct (column, text): the review, the vesicle and the two markers; never for numbers
    assert sorted(calls) == [("GO:0070062", "ev type"), ("exod:protein-CD63", "marker"),
                             ("exod:review-protein", "source"), ("no such marker", "marker")]
    for row, (quads, focus, problems, node_map) in zip(rows, built):
        alone = R.row_to_rdf(row, resolver)
        assert (set(quads), focus, problems, node_map) == (set(alone[0]), *alone[1:])
    assert [(p.row, p.column, p.rule, p.value) for p in built[2][2]] == [
        (4, "references", RULE_BASE + "bad-value", "x"), (4, "marker", RULE_BASE + "unknown-name", "no such marker")]
    # another resolver: nothing remembered from the first is used
    build(rows[0], counting)
    assert len(calls) == 4
    build(rows[0], lambda text, column: counting(text, column))
    assert len(calls) == 7
