"""Sub-commands for linking with external ontologies: term checks, mappings and QC (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls one library function, imported lazily so
that `exo-rdf query` stays fast.
"""
from __future__ import annotations

import sys


def cmd_check_terms(args) -> int:
    from exo_rdf.imports import default_tables
    from exo_rdf.terms import check_terms

    from pathlib import Path

    problems = check_terms(Path(args.terms) if args.terms else default_tables())
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_qc(args) -> int:
    from exo_rdf.qc import fails, report, run_checks, summary
    from exo_rdf.results import write_output

    from exo_rdf.cli_store import endpoint_from_args

    problems = run_checks(endpoint=endpoint_from_args(args))
    fmt = args.format or ("tsv" if args.output not in (None, "-") else "table")
    where = write_output(args.output, report(problems, fmt))
    if where != "standard output":
        print(f"wrote {len(problems)} problem(s) to {where} {summary(problems)}", file=sys.stderr)
    return 1 if fails(problems, args.fail_on) else 0


def cmd_mappings(args) -> int:
    from pathlib import Path

    from exo_rdf.mappings import sssom_text, write_sssom

    if args.out == "-":  # standard output holds the mapping set alone
        from exo_rdf.results import write_output

        write_output("-", sssom_text())
        return 0
    print(f"wrote {write_sssom(Path(args.out) if args.out else None)}")
    return 0


def _add_check_terms(sub) -> None:
    c = sub.add_parser("check-terms", help="check external ids against id/label tables (unknown, obsolete, mislabelled)",
                       description="Check every external id the sources use (GO, CL, UBERON, MONDO, ChEBI, RO, ECO, HGNC, "
                       "miRBase, Cellosaurus) against verified id/label tables: unknown, obsolete or mislabelled ids are "
                       "printed one a line. Exit 1 when there is one, 0 otherwise.",
                       epilog="example:\n  exo-rdf check-terms --terms ../shared/ontology-terms")
    c.add_argument("--terms", metavar="DIR", help="folder of *.tsv term tables (default: ../shared/ontology-terms)")
    c.set_defaults(func=cmd_check_terms)


def _add_qc(sub) -> None:
    q = sub.add_parser("qc", help="run the quality checks in queries/checks (exit 1 on any ERROR)",
                       description="Run the quality checks (queries/checks/*-violation.rq) and report each problem with "
                       "ROBOT's report columns: Level, Rule Name, Subject, Property, Value. Exit 1 when a problem is at a "
                       "level --fail-on names, 0 otherwise, 2 on error.",
                       epilog="examples:\n  exo-rdf qc\n  exo-rdf qc --fail-on WARN\n  exo-rdf qc --output qc-report.tsv\n"
                              "  exo-rdf qc --format csv --output -")
    q.add_argument("--format", choices=("table", "tsv", "csv"),
                   help="table (default on standard output), tsv (default for --output FILE, as robot report writes), csv")
    q.add_argument("--output", metavar="FILE", default="-", help="write the report to FILE (default -: standard output)")
    q.add_argument("--fail-on", choices=("ERROR", "WARN", "INFO", "none"), default="ERROR",
                   help="the lowest level that makes the run fail with exit 1 (default ERROR; none: never)")
    from exo_rdf.cli_store import add_endpoint_options

    add_endpoint_options(q)
    q.set_defaults(func=cmd_qc)


def _add_mappings(sub) -> None:
    m = sub.add_parser("mappings", help="write the SSSOM mapping set (default mappings/exo-rdf.sssom.tsv)",
                       description="Write the SSSOM mapping set: own terms to GO, CL, MONDO, ChEBI, HGNC and miRBase, and "
                       "cancer names as the reviews print them to MONDO, with the project's prefix map as curie_map.",
                       epilog="example:\n  exo-rdf mappings --out exo-rdf.sssom.tsv")
    m.add_argument("--out", metavar="FILE", help="the file to write, - for standard output (default mappings/exo-rdf.sssom.tsv)")
    m.set_defaults(func=cmd_mappings)


def cmd_lookup(args) -> int:
    import pyoxigraph as ox

    from exo_rdf.lookup import lookup
    from exo_rdf.results import render, write_output

    result = lookup(args.text)
    if args.format == "table":  # long statements would stretch every line of a table
        result.rows = [tuple(t if not isinstance(t, ox.Literal) or len(t.value) <= 70 else ox.Literal(t.value[:69] + "…")
                             for t in row) for row in result.rows]
    write_output("-", render(result, args.format))
    return 0


def _add_lookup(sub) -> None:
    lk = sub.add_parser("lookup", help="find terms and findings by label, synonym or printed name",
                        description="Find terms (own and imported: labels, alternative labels, synonyms) and findings "
                        "(names as the reviews print them, statements) whose text contains TEXT, case-insensitively; "
                        "a CURIE or IRI finds that term. Prints each one's CURIE, label, kind and the name that matched, "
                        "exact matches first.",
                        epilog="examples:\n  exo-rdf lookup PD-L1\n  exo-rdf lookup \"pancreatic cancer\"\n"
                               "  exo-rdf lookup MONDO:0009831 --format json")
    lk.add_argument("text", help="the text to look for (a name, part of one, a CURIE or an IRI)")
    lk.add_argument("--format", choices=("table", "json", "xml", "csv", "tsv"), default="table",
                    help="table (default, long texts shortened) or SPARQL results json, xml, csv, tsv (full IRIs and texts)")
    lk.set_defaults(func=cmd_lookup)


#: sub-command name -> function adding its parser (see exo_rdf.cli.build_parser)
ADDERS = {"check-terms": _add_check_terms, "qc": _add_qc, "mappings": _add_mappings, "lookup": _add_lookup}
