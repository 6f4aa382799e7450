"""Sub-commands that read the graph: queries, query, sparql and stats (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls one library function, imported lazily so
that `exo-rdf query` stays fast.
"""
from __future__ import annotations

import sys

from exo_rdf.cli_store import add_endpoint_options, endpoint_from_args
from exo_rdf.errors import ExoRdfError, QueryParameterError

#: exo_rdf.results.RESULT_FORMATS, repeated so that building the parser imports nothing (a test keeps them equal)
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld")
RESULT_FORMATS_HELP = ("table (default, for people), or a standard format: json, xml, csv, tsv (SPARQL results, "
                       "for SELECT and ASK); ttl, nt, jsonld, xml (RDF, for CONSTRUCT and DESCRIBE)")


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
    from exo_rdf.results import render, write_output

    write_output("-", render(result, fmt))


def cmd_query(args) -> int:
    from exo_rdf.query import run_stored

    if args.show:
        from exo_rdf.query import show_stored

        sys.stdout.write(show_stored(args.name, _params(args.param), endpoint=endpoint_from_args(args)))
        return 0
    _print_result(run_stored(args.name, _params(args.param), endpoint=endpoint_from_args(args),
                             timeout_s=args.timeout_s, store=_workspace_store(args)), args.format)
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
        except UnicodeDecodeError as exc:
            raise ExoRdfError(f"{args.file}: not UTF-8 text (byte {exc.start}: {exc.reason}); save the query as UTF-8") from None
    _print_result(run_sparql(text, endpoint=endpoint_from_args(args), timeout_s=args.timeout_s,
                             allow_service=args.allow_service, store=_workspace_store(args)), args.format)
    return 0


def cmd_stats(args) -> int:
    from exo_rdf.query import run_stored

    tables = (("findings-per-kind", "Findings by kind"), ("findings-per-section", "Findings by review section"),
              ("uncited-references", "Reference numbers no finding cites, per review"))
    endpoint = endpoint_from_args(args)
    if args.format == "json":  # one document: each table as SPARQL JSON results under its query's name
        import json

        from exo_rdf.results import render

        doc = {name: json.loads(render(run_stored(name, endpoint=endpoint), "json")) for name, _ in tables}
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    for name, title in tables:
        if args.format == "table":
            print(f"== {title}")
        _print_result(run_stored(name, endpoint=endpoint), args.format)
    return 0


WORKSPACE_HELP = "run on the workspace in folder DIR (see 'exo-rdf validate --workspace') instead of the embedded store"


def _workspace_store(args):
    """The store of the workspace --workspace names, opened read-only, or None."""
    if not getattr(args, "workspace", None):
        return None
    if endpoint_from_args(args) is not None:
        raise ExoRdfError("give either --workspace or --endpoint, not both")
    from exo_rdf.workspace import Workspace

    return Workspace.open(args.workspace, read_only=True).store


def _add_queries(sub) -> None:
    sub.add_parser("queries", help="list the stored queries", description="List the stored queries: name, title and "
                   "parameters (name:type, ? when optional, =default).",
                   epilog="example:\n  exo-rdf queries").set_defaults(func=cmd_queries)


def _add_query(sub) -> None:
    q = sub.add_parser("query", help="run a stored query", description="Run a stored query on the embedded store (or "
                       "an endpoint). Parameter values are bound as RDF terms; where a query takes a term (a cancer, "
                       "fluid, molecule, cell type, process) a name, a CURIE (MONDO:0009831) or an IRI all answer.",
                       epilog="examples:\n  exo-rdf query biomarkers --param cancer=\"pancreatic cancer\"\n"
                              "  exo-rdf query biomarkers --param cancer=MONDO:0009831 --format csv\n"
                              "  exo-rdf query biomarkers --param min_sensitivity=0.9 --show")
    q.add_argument("name", help="the stored query (see 'exo-rdf queries')")
    q.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="a query parameter (repeatable); numbers are bound in canonical form, CURIEs are expanded")
    q.add_argument("--format", choices=RESULT_FORMATS, default="table", help=RESULT_FORMATS_HELP)
    q.add_argument("--show", action="store_true", help="print the SPARQL with the bound values (a VALUES block) instead of running it")
    q.add_argument("--workspace", metavar="DIR", help=WORKSPACE_HELP)
    add_endpoint_options(q)  # its --timeout-s bounds the embedded store's queries too
    q.set_defaults(func=cmd_query)


def _add_sparql(sub) -> None:
    s = sub.add_parser("sparql", help="run your own SPARQL query from a file or - for stdin",
                       description="Run your own SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the embedded store, "
                       "whose default graph is the union of all graphs, or on an endpoint.",
                       epilog="examples:\n  exo-rdf sparql my-query.rq --format json\n"
                              "  echo 'ASK { ?s ?p ?o }' | exo-rdf sparql -\n"
                              "  exo-rdf sparql describe.rq --format ttl")
    s.add_argument("file", help="a file of SPARQL, or - to read it from standard input")
    s.add_argument("--format", choices=RESULT_FORMATS, default="table", help=RESULT_FORMATS_HELP)
    s.add_argument("--allow-service", action="store_true",
                   help="let SERVICE call other hosts from the embedded store (bounded by --timeout-s); refused otherwise")
    s.add_argument("--workspace", metavar="DIR", help=WORKSPACE_HELP)
    add_endpoint_options(s)  # its --timeout-s bounds the embedded store's queries too
    s.set_defaults(func=cmd_sparql)


def _add_stats(sub) -> None:
    st = sub.add_parser("stats", help="count findings by kind and by review section; list the reference numbers no finding cites",
                        description="Count findings by kind, and list every section of both reviews with its number of "
                        "findings (a section with none stands out).",
                        epilog="examples:\n  exo-rdf stats\n  exo-rdf stats --format json")
    st.add_argument("--format", choices=("table", "json"), default="table",
                    help="table (default), or json: one document holding each table as SPARQL JSON results")
    add_endpoint_options(st)
    st.set_defaults(func=cmd_stats)


#: sub-command name -> function adding its parser (see exo_rdf.cli.build_parser)
ADDERS = {"queries": _add_queries, "query": _add_query, "sparql": _add_sparql, "stats": _add_stats}
