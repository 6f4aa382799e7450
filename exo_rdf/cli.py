"""The ``exo-rdf`` command: a thin layer over the library; each command calls one library function.

Exit codes: 0 success (or: conforms, consistent), 1 the data does not conform / is inconsistent,
2 an error (bad input, unreachable endpoint, missing Java), with a message on stderr.
"""
from __future__ import annotations

import argparse
import sys

# Commands import what they need (pathlib included) on use: `exo-rdf query` on a built store
# should cost little more than importing pyoxigraph.

from exo_rdf import __version__
from exo_rdf.errors import ExoRdfError, QueryParameterError

EXPORT_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "xml", "sssom")
RESULT_FORMATS = ("table", "csv", "tsv", "json")


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryParameterError(f"--param {pair!r}: write it as NAME=VALUE, e.g. --param cancer=\"pancreatic cancer\"")
        out[name.strip()] = value
    return out


def cmd_queries(args) -> int:
    from exo_rdf.catalogue import catalogue

    for q in catalogue().values():
        params = ", ".join(
            f"{p.name}:{p.type}{'' if p.required else '?'}{'=' + p.default if p.default else ''}" for p in q.parameters
        )
        print(f"{q.name:<28} {q.title}" + (f"  [{params}]" if params else ""))
    return 0


def _print_result(result, fmt: str) -> None:
    from exo_rdf.results import FORMATTERS

    sys.stdout.write(FORMATTERS[fmt](result))


def cmd_query(args) -> int:
    from exo_rdf.query import run_stored

    _print_result(run_stored(args.name, _params(args.param), endpoint=args.endpoint), args.format)
    return 0


def cmd_sparql(args) -> int:
    from pathlib import Path
    from exo_rdf.query import run_sparql

    if args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise ExoRdfError(f"{args.file}: cannot read the query file ({exc.strerror})") from None
    _print_result(run_sparql(text, endpoint=args.endpoint), args.format)
    return 0


def cmd_stats(args) -> int:
    from exo_rdf.query import run_stored

    for name, title in (("findings-per-kind", "Findings by kind"), ("findings-per-section", "Findings by review section")):
        if args.format == "table":
            print(f"== {title}")
        _print_result(run_stored(name), args.format)
    return 0


def cmd_validate(args) -> int:
    from pathlib import Path
    from exo_rdf.validate import validate

    report = validate([Path(f) for f in args.files] or None, engine=args.engine, progress=args.progress or None)
    sys.stdout.write(report.text())
    return 0 if report.conforms else 1


def cmd_reason(args) -> int:
    from exo_rdf.reason import reason

    report = reason()
    print(report.message)
    for iri in report.unsatisfiable:
        print(f"  unsatisfiable: {iri}")
    if args.show_inferred:
        for sub, sup in report.inferred_subclass_of:
            print(f"  inferred: {sub} subClassOf {sup}")
    return 0 if report.ok else 1


def cmd_export(args) -> int:
    from pathlib import Path
    from exo_rdf.export import export

    n = export(Path(args.out), args.format)
    print(f"wrote {n} statements to {args.out} ({args.format})", file=sys.stderr)
    return 0


def cmd_catalogue(args) -> int:
    from pathlib import Path
    from exo_rdf.catalogue import catalogue_turtle, queries_dir
    from exo_rdf.files import write_atomic

    path = Path(args.out) if args.out else queries_dir() / "catalogue.ttl"
    write_atomic(path, catalogue_turtle())
    print(f"wrote {path}")
    return 0


def cmd_imports_refresh(args) -> int:
    from pathlib import Path
    from exo_rdf.imports import default_tables, refresh

    for path in refresh(Path(args.terms) if args.terms else default_tables()):
        print(f"wrote {path}")
    return 0


ENDPOINT_HELP = "run on this SPARQL 1.1 endpoint instead of the embedded store"


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


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser using _HelpFormatter; its sub-parsers are of this class too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def _add_queries(sub) -> None:
    sub.add_parser("queries", help="list the stored queries").set_defaults(func=cmd_queries)


def _add_query(sub) -> None:
    q = sub.add_parser("query", help="run a stored query")
    q.add_argument("name")
    q.add_argument("--param", action="append", metavar="NAME=VALUE", help="a query parameter (repeatable)")
    q.add_argument("--format", choices=RESULT_FORMATS, default="table")
    q.add_argument("--endpoint", metavar="URL", help=ENDPOINT_HELP)
    q.set_defaults(func=cmd_query)


def _add_sparql(sub) -> None:
    s = sub.add_parser("sparql", help="run your own SPARQL query from a file or - for stdin")
    s.add_argument("file")
    s.add_argument("--format", choices=RESULT_FORMATS, default="table")
    s.add_argument("--endpoint", metavar="URL", help=ENDPOINT_HELP)
    s.set_defaults(func=cmd_sparql)


def _add_stats(sub) -> None:
    st = sub.add_parser("stats", help="count findings by kind and by review section")
    st.add_argument("--format", choices=RESULT_FORMATS, default="table")
    st.set_defaults(func=cmd_stats)


def _add_validate(sub) -> None:
    v = sub.add_parser("validate", help="validate the bundled data, or your own Turtle files, against the shapes")
    v.add_argument("files", nargs="*", metavar="FILE")
    v.add_argument("--engine", choices=("sparql", "pyshacl"), default="sparql",
                   help="sparql: SHACL Core compiled to SPARQL on Oxigraph (default, fast); pyshacl: the reference engine")
    v.add_argument("--progress", action="store_true", help="show progress on stderr (on by default on a terminal)")
    v.set_defaults(func=cmd_validate)


def _add_reason(sub) -> None:
    r = sub.add_parser("reason", help="check consistency and unsatisfiable classes with HermiT")
    r.add_argument("--show-inferred", action="store_true", help="also list inferred subclass links")
    r.set_defaults(func=cmd_reason)


def _add_export(sub) -> None:
    e = sub.add_parser("export", help="write the merged graph in an RDF format")
    e.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    e.add_argument("--out", required=True, metavar="FILE")
    e.set_defaults(func=cmd_export)


def _add_catalogue(sub) -> None:
    c = sub.add_parser("catalogue", help="write the stored-query catalogue as RDF (sparql-examples style)")
    c.add_argument("--out", metavar="FILE", help="default: queries/catalogue.ttl")
    c.set_defaults(func=cmd_catalogue)


def _add_imports(sub) -> None:
    i = sub.add_parser("imports", help="manage the import modules of external terms")
    isub = i.add_subparsers(dest="imports_command", required=True)
    ir = isub.add_parser("refresh", help="regenerate ontology/imports from term tables")
    ir.add_argument("--terms", metavar="DIR", help="folder of id/label tables (default: ../shared/ontology-terms)")
    ir.set_defaults(func=cmd_imports_refresh)


def _adders() -> dict:
    """Sub-command name -> function adding its parser, in the order --help lists them."""
    from exo_rdf import cli_linking, cli_store

    return {"queries": _add_queries, "query": _add_query, "sparql": _add_sparql, "stats": _add_stats,
            "validate": _add_validate, "reason": _add_reason, "export": _add_export, "catalogue": _add_catalogue,
            "imports": _add_imports, **cli_store.ADDERS, **cli_linking.ADDERS}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command or, when command names one, of that one alone.

    Building one sub-parser instead of sixteen keeps a warm `exo-rdf query` close to the cost
    of importing pyoxigraph; an unknown or absent command gets the full parser and its help.
    """
    parser = _Parser(prog="exo-rdf", description="Query, validate, reason over and export the exo-rdf knowledge graph.")
    parser.add_argument("--version", action="version", version=f"exo-rdf {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    adders = _adders()
    for name, add in adders.items():
        if command is None or command not in adders or name == command:
            add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.func(args)
    except ExoRdfError as exc:
        print(f"exo-rdf: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
