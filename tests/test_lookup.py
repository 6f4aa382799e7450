"""exo-rdf lookup: terms by label, synonym or alternative label; findings by printed name or statement."""
from __future__ import annotations

import pytest

from exo_rdf.cli import main
from exo_rdf.errors import QueryParameterError
from exo_rdf.lookup import lookup


def found(store, text):
    return [(r["term"], r["label"], r["kind"], r["matched"]) for r in lookup(text, store=store).values()]


def test_an_alternative_label_finds_the_molecule_its_gene_and_the_findings(store):
    rows = found(store, "Del-1")
    assert rows == [
        ("https://w3id.org/exo-rdf/data/finding-protein-table-2-02", "Table 2: Del-1 in Breast cancer", "exosomal biomarker finding", "Del-1"),
        ("https://w3id.org/exo-rdf/data/protein-EDIL3", "EDIL3", "protein", "Del-1"),
    ]


def test_a_synonym_of_an_imported_term_case_insensitively(store):
    rows = found(store, "CANCER OF PANCREAS")
    assert ("http://purl.obolibrary.org/obo/MONDO_0009831", "malignant pancreatic neoplasm", "class", "cancer of pancreas") in rows
    assert rows[0][3].lower() == "cancer of pancreas"  # exact matches first


def test_a_curie_finds_its_term(store):
    assert found(store, "MONDO:0009831") == [
        ("http://purl.obolibrary.org/obo/MONDO_0009831", "malignant pancreatic neoplasm", "class", "MONDO:0009831"),
    ]


def test_a_printed_name_finds_findings(store):
    rows = found(store, "Peripheral blood, Serum")
    assert rows == [("https://w3id.org/exo-rdf/data/finding-protein-table-2-04", "Table 2: GPC-1 in Pancreatic cancer",
                     "exosomal biomarker finding", "Peripheral blood, Serum")]


def test_empty_text_is_refused():
    with pytest.raises(QueryParameterError, match="give a non-empty text"):
        lookup("  ")


def test_cli_prints_curies(capsys):
    assert main(["lookup", "Del-1"]) == 0
    assert capsys.readouterr().out == (
        "term                             label                            kind                        matched\n"
        "-------------------------------  -------------------------------  --------------------------  -------\n"
        "exod:finding-protein-table-2-02  Table 2: Del-1 in Breast cancer  exosomal biomarker finding  Del-1\n"
        "exod:protein-EDIL3               EDIL3                            protein                     Del-1\n"
        "(2 rows)\n"
    )


def _mine():
    """The sub-commands of exo_rdf.cli and exo_rdf.cli_linking (the store commands have their own module)."""
    from exo_rdf import cli_linking
    from exo_rdf.cli import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    names = ["queries", "query", "sparql", "stats", "validate", "reason", "export", "catalogue", "imports", *cli_linking.ADDERS]
    return [(name, sub.choices[name]) for name in names]


@pytest.mark.parametrize("name", ["queries", "query", "sparql", "stats", "validate", "reason", "export", "catalogue",
                                  "imports", "check-terms", "qc", "mappings", "lookup"])
def test_every_command_has_a_description_an_example_and_help_for_each_argument(name):
    parser = dict(_mine())[name]
    assert parser.description, f"{name}: no description"
    assert f"exo-rdf {name}" in (parser.epilog or ""), f"{name}: no example"
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            continue
        assert action.help, f"{name}: {action.option_strings or action.dest} has no help text"


def test_help_shows_the_examples_as_written(capsys):
    from exo_rdf.cli import main

    with pytest.raises(SystemExit) as done:
        main(["query", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "examples:\n  exo-rdf query biomarkers --param cancer=\"pancreatic cancer\"\n" in out
    assert "  exo-rdf query biomarkers --param min_sensitivity=0.9 --show\n" in out


def test_the_top_level_help_has_examples_and_the_exit_codes():
    from exo_rdf.cli import build_parser

    epilog = build_parser().epilog
    assert "  exo-rdf query biomarkers --param cancer=MONDO:0009831\n" in epilog
    assert epilog.endswith("Exit codes: 0 success, 1 a verdict (does not conform, inconsistent, QC problems), 2 an error.")
