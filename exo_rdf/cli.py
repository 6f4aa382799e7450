"""The ``exo-rdf`` command: a thin layer over the library; each command calls one library function.

Exit codes: 0 success (or: conforms, consistent), 1 the data does not conform / is inconsistent,
2 an error (bad input, unreachable endpoint, missing Java), with a message on stderr.

This module holds the parser (build_parser, main) and the commands validate, reason, export,
catalogue and imports; the commands that read the graph (queries, query, sparql, stats) are in
exo_rdf.cli_query, the others in cli_curation, cli_store and cli_linking.
"""
from __future__ import annotations

import argparse
import sys

# Commands import what they need (pathlib included) on use: `exo-rdf query` on a built store
# should cost little more than importing pyoxigraph.

from exo_rdf import __version__
from exo_rdf.errors import ExoRdfError

EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml", "sssom", "kgx")


def cmd_validate(args) -> int:
    from pathlib import Path
    from exo_rdf.validate import validate

    from exo_rdf.results import write_output

    endpoint = _endpoint(args)
    if args.incremental and not args.workspace:
        raise ExoRdfError("--incremental validates a workspace: give --workspace DIR too")
    if args.workspace:
        if endpoint is not None or args.engine != "sparql":
            raise ExoRdfError("--workspace validates with the embedded sparql engine: leave out --endpoint and --engine")
        from exo_rdf.workspace import Workspace

        ws = Workspace.create(args.workspace, progress=args.progress or None)
        if args.incremental:
            from exo_rdf.incremental import validate_workspace

            run = validate_workspace(ws, [Path(f) for f in args.files] or None, progress=args.progress or None)
            report = run.report
            print(run.summary(), file=sys.stderr)
        else:
            if args.files:
                from exo_rdf.incremental import forget_results

                forget_results(ws)  # results kept for --incremental would no longer match the workspace
                ws.sync([Path(f) for f in args.files], progress=args.progress or None)
            report = ws.validate(progress=args.progress or None)
    elif endpoint is not None:
        from exo_rdf.stores.validate import validate_in_store

        if args.files:
            raise ExoRdfError("give either FILEs or --endpoint: to validate files in a store, load them first "
                              "(exo-rdf load --file) and name their graphs with --graph")
        report = validate_in_store(endpoint, args.graph, shapes_graph=args.shapes_graph, progress=args.progress or None)
    elif args.graph or args.shapes_graph:
        raise ExoRdfError("--graph and --shapes-graph name graphs in a store: give --endpoint too")
    elif any(f.lower().endswith((".tsv", ".csv", ".xlsx")) for f in args.files):  # templates: curate's path, nothing written
        from exo_rdf.curation.curate import check_templates

        text, ok = check_templates([Path(f) for f in args.files], args.format, terms=args.terms and Path(args.terms))
        write_output(args.output, text)
        return 0 if ok else 1
    else:
        report = validate([Path(f) for f in args.files] or None, engine=args.engine, progress=args.progress or None)
    write_output(args.output, report.serialize(args.format))
    return 0 if report.conforms else 1


def cmd_reason(args) -> int:
    from exo_rdf.curies import compress
    from exo_rdf.reason import reason

    report = reason(progress=args.progress or None)
    if args.out:
        from exo_rdf.results import write_output

        where = write_output(args.out, report.hierarchy(args.out_format))
        print(f"wrote the inferred class hierarchy to {where} ({args.out_format})", file=sys.stderr)
    if args.out == "-":  # standard output holds the hierarchy alone
        print(report.message, file=sys.stderr)
        return 0 if report.ok else 1
    print(report.message)
    for iri in report.unsatisfiable:
        print(f"  unsatisfiable: {compress(iri)}")
    if args.show_inferred:
        for sub, sup in report.inferred_subclass_of:
            print(f"  inferred: {compress(sub)} subClassOf {compress(sup)}")
    return 0 if report.ok else 1


def cmd_export(args) -> int:
    from pathlib import Path
    from exo_rdf.export import export

    if args.format == "kgx" and not args.workspace:  # a folder of KGX nodes and edges files (Biolink Model), not one RDF file
        from exo_rdf.kgx import export_kgx

        nodes, edges = export_kgx(Path(args.out))
        print(f"wrote {nodes} nodes and {edges} edges (KGX TSV, Biolink Model) to {args.out}", file=sys.stderr)
        return 0
    if args.workspace:
        from exo_rdf.workspace import Workspace

        n = Workspace.open(args.workspace, read_only=True).export(args.out, args.format)
    else:
        n = export(args.out if args.out == "-" else Path(args.out), args.format)
    where = "standard output" if args.out == "-" else args.out
    print(f"wrote {n} statements to {where} ({args.format})", file=sys.stderr)
    return 0


def cmd_catalogue(args) -> int:
    from pathlib import Path
    from exo_rdf.catalogue import catalogue_turtle
    from exo_rdf.files import write_atomic

    from exo_rdf.files import default_output
    from exo_rdf.sources import project_root

    if args.out == "-":  # standard output holds the catalogue alone
        from exo_rdf.results import write_output

        write_output("-", catalogue_turtle())
        return 0
    path = Path(args.out) if args.out else default_output(project_root(), "queries/catalogue.ttl", "catalogue.ttl")
    write_atomic(path, catalogue_turtle())
    print(f"wrote {path}")
    return 0


def cmd_imports_refresh(args) -> int:
    from pathlib import Path
    from exo_rdf.imports import default_tables, refresh

    for path in refresh(Path(args.terms) if args.terms else default_tables(), out=args.out):
        print(f"wrote {path}")
    return 0


ENDPOINT_HELP = "run on this SPARQL 1.1 endpoint instead of the embedded store"


def _add_endpoint_options(parser) -> None:
    from exo_rdf.cli_store import add_endpoint_options

    add_endpoint_options(parser)


def _endpoint(args):
    """The remote store the command's options name (exo_rdf.stores.endpoint.Endpoint), or None."""
    from exo_rdf.cli_store import endpoint_from_args

    return endpoint_from_args(args)


VALIDATE_FORMATS = ("text", "ttl", "jsonld", "json", "csv")


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, sized from the terminal without importing shutil.

    argparse builds a formatter for every argument it adds, and the stock one imports shutil
    (and with it bz2 and lzma) to learn the terminal width: a tenth of a warm query's run time.
    """

    def __init__(self, prog: str):
        import os

        try:
            width = int(os.environ.get("COLUMNS") or os.get_terminal_size(sys.__stdout__.fileno()).columns)
        except (AttributeError, OSError, ValueError):
            width = 80
        super().__init__(prog, width=max(width - 2, 20))

    def _fill_text(self, text, width, indent):
        # paragraphs are wrapped; lines indented by two spaces (the examples) are kept as written
        out, para = [], []
        for line in text.splitlines() + [""]:
            if line.startswith("  ") or not line.strip():
                if para:
                    out.append(super()._fill_text(" ".join(para), width, indent))
                    para = []
                out.append(indent + line if line.strip() else "")
            else:
                para.append(line.strip())
        return "\n".join(out).strip("\n")


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser using _HelpFormatter; its sub-parsers are of this class too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _add_validate(sub) -> None:
    v = sub.add_parser("validate", help="validate the bundled data, or your own RDF files, against the shapes",
                       description="Check the bundled data, or your own files with the ontology and shared entities as "
                       "context, against the SHACL shapes. Exit 0 conforms, 1 does not conform, 2 error.",
                       epilog="examples:\n  exo-rdf validate\n  exo-rdf validate my-findings.ttl\n"
                              "  exo-rdf validate my-findings.nt --format ttl --output report.ttl\n"
                              "  exo-rdf validate my-findings.ttl --format csv")
    v.add_argument("files", nargs="*", metavar="FILE",
                   help="RDF files to check (.ttl, .nt, .nq, .trig, .jsonld, .owl/.rdf as RDF/XML), or templates (.tsv, .csv, "
                        ".xlsx: checked as exo-rdf curate reads them, nothing written); none: the bundled data")
    v.add_argument("--format", choices=VALIDATE_FORMATS, default="text",
                   help="text (default, for people); ttl or jsonld: the W3C sh:ValidationReport graph; json or csv: "
                        "one row per result (focus node, path, value, constraint, severity, message, file, line)")
    v.add_argument("--output", metavar="FILE", default="-", help="write the report to FILE (default -: standard output)")
    v.add_argument("--terms", metavar="DIR", help="templates (.tsv, .csv, .xlsx): also resolve names against the upstream "
                   "term tables in DIR (the layout of ontology-terms/), as 'exo-rdf curate --terms' does")
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: SHACL Core compiled to SPARQL on Oxigraph (default, fast); pyshacl: the reference engine")
    v.add_argument("--progress", action="store_true", help="show progress on stderr (on by default on a terminal)")
    v.add_argument("--graph", action="append", metavar="IRI",
                   help="with --endpoint: validate this graph of the store (repeatable), with the ontology and shared "
                        "data graphs as context; default: exo-rdf's graphs")
    v.add_argument("--shapes-graph", metavar="IRI", help="with --endpoint: take the shapes from this graph of the store "
                   "(default: the bundled shapes)")
    v.add_argument("--workspace", metavar="DIR",
                   help="keep the files in an on-disk workspace in DIR (created when absent) and validate there: only "
                        "new or changed files are loaded, the FILEs given replace those it held (none: validate what it holds)")
    v.add_argument("--incremental", action="store_true",
                   help="with --workspace: re-check only the focus nodes the changed files can affect, keeping the other "
                        "results of the previous run (saved in DIR); the report is the same as a full run's")
    _add_endpoint_options(v)
    v.set_defaults(func=cmd_validate)


def _add_reason(sub) -> None:
    r = sub.add_parser("reason", help="check consistency and unsatisfiable classes with HermiT",
                       description="Classify ontology, import modules and data with HermiT (needs Java). Exit 0 "
                       "consistent, 1 inconsistent or a class unsatisfiable, 2 error.",
                       epilog="examples:\n  exo-rdf reason\n  exo-rdf reason --show-inferred\n"
                              "  exo-rdf reason --out hierarchy.ttl\n  exo-rdf reason --out - --out-format owl")
    r.add_argument("--show-inferred", action="store_true", help="also list inferred subclass links")
    r.add_argument("--out", metavar="FILE", help="write the inferred class hierarchy (rdfs:subClassOf links) to FILE, - for standard output")
    r.add_argument("--out-format", choices=("ttl", "owl"), default="ttl", help="ttl (default) or owl (RDF/XML) for --out")
    r.add_argument("--progress", action="store_true", help="show progress on stderr (on by default on a terminal)")
    r.set_defaults(func=cmd_reason)


def _add_export(sub) -> None:
    e = sub.add_parser("export", help="write the merged graph in an RDF format",
                       description="Write ontology, import modules, data and shapes as one graph (ttl, nt, xml) or with "
                       "one named graph per source file (nq, trig, jsonld), the SSSOM mapping set, or a Biolink Model "
                       "knowledge graph as KGX nodes and edges files in the folder --out (kgx).",
                       epilog="examples:\n  exo-rdf export --format ttl --out exo-rdf.ttl\n  exo-rdf export --format nq --out - | gzip > exo-rdf.nq.gz")
    e.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="the RDF format (or sssom, or kgx for Biolink KGX files)")
    e.add_argument("--out", required=True, metavar="FILE", help="the file to write, - for standard output (kgx: a folder)")
    e.add_argument("--workspace", metavar="DIR", help="export the workspace in DIR, streaming (nq, trig, nt, ttl)")
    e.set_defaults(func=cmd_export)


def _add_catalogue(sub) -> None:
    c = sub.add_parser("catalogue", help="write the stored-query catalogue as RDF (sparql-examples style)",
                       description="Write the stored queries with their metadata as RDF (SHACL SPARQL executables, as "
                       "sparql-examples does).", epilog="example:\n  exo-rdf catalogue --out catalogue.ttl")
    c.add_argument("--out", metavar="FILE", help="the file to write, - for standard output (default: queries/catalogue.ttl in a source checkout, "
                   "./catalogue.ttl when installed)")
    c.set_defaults(func=cmd_catalogue)


def _add_imports(sub) -> None:
    i = sub.add_parser("imports", help="manage the import modules of external terms",
                       description="Manage the import modules (ontology/imports) of the external terms the graph uses.",
                       epilog="example:\n  exo-rdf imports refresh --terms ../shared/ontology-terms")
    isub = i.add_subparsers(dest="imports_command", required=True)
    ir = isub.add_parser("refresh", help="regenerate ontology/imports from term tables",
                         description="Regenerate ontology/imports from the verified id/label term tables.",
                         epilog="example:\n  exo-rdf imports refresh --terms ../shared/ontology-terms")
    ir.add_argument("--terms", metavar="DIR", help="folder of id/label tables (default: EXO_RDF_TERMS, or "
                    "../shared/ontology-terms beside a source checkout)")
    ir.add_argument("--out", metavar="DIR", help="folder for the modules (default: ontology/imports of a source checkout; "
                    "required when exo-rdf is installed)")
    ir.set_defaults(func=cmd_imports_refresh)


def _adders() -> dict:
    """Sub-command name -> function adding its parser, in the order --help lists them."""
    from exo_rdf import cli_curation, cli_linking, cli_query, cli_store

    return {**cli_query.ADDERS, "validate": _add_validate, "reason": _add_reason, "export": _add_export,
            "catalogue": _add_catalogue, "imports": _add_imports, **cli_curation.ADDERS, **cli_store.ADDERS,
            **cli_linking.ADDERS}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command or, when command names one, of that one alone.

    Building one sub-parser instead of sixteen keeps a warm `exo-rdf query` close to the cost
    of importing pyoxigraph; an unknown or absent command gets the full parser and its help.
    """
    parser = _Parser(prog="exo-rdf", description="Query, validate, reason over and export the exo-rdf knowledge graph. "
                     "'exo-rdf COMMAND --help' describes each command, with examples.",
                     epilog="examples:\n  exo-rdf queries\n  exo-rdf query biomarkers --param cancer=MONDO:0009831\n"
                            "  exo-rdf lookup PD-L1\n  exo-rdf validate my-findings.ttl --format csv\n\n"
                            "Exit codes: 0 success, 1 a verdict (does not conform, inconsistent, QC problems), 2 an error.")
    parser.add_argument("--version", action="version", version=f"exo-rdf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    adders = _adders()
    for name, add in adders.items():
        if command is None or command not in adders or name == command:
            add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code: 0 ok, 1 a verdict (does not conform,
    inconsistent, QC errors, term problems), 2 an error, 130 interrupted (see exo_rdf.exits).
    """
    from exo_rdf.exits import run_command

    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
