"""Sub-commands for loading into triple stores (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls one library function, imported lazily so
that `exo-rdf query` stays fast.
"""
from __future__ import annotations

import sys

from exo_rdf.errors import LoadError


def cmd_load(args) -> int:
    import signal

    from exo_rdf.stores.load import load, load_files

    given_timeout = args.timeout_s  # None: each request waits longer as its payload grows
    args.timeout_s = given_timeout or 60.0
    endpoint = endpoint_from_args(args)
    mode = "append" if args.append else "replace"
    if args.graph and not args.file:
        raise LoadError("--graph goes with --file: the bundled graph is loaded into one named graph per part")
    notes: list[str] = []
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM cleans up as Ctrl-C does
    try:
        if args.file:
            results = load_files(endpoint, args.file, mode=mode, graph=args.graph, graph_base=args.graph_base,
                                 allow_empty=args.allow_empty, timeout_s=given_timeout, notes=notes,
                                 progress=args.progress or None, bulk=args.bulk)
        else:
            results = load(endpoint, mode=mode, graph_base=args.graph_base, timeout_s=given_timeout, notes=notes,
                           progress=args.progress or None, bulk=args.bulk)
    except KeyboardInterrupt as exc:
        _print_notes(notes)
        print(f"exo-rdf: {exc or 'interrupted before anything was sent; the store is unchanged'}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    _print_notes(notes)
    for r in results:
        where = f"{r.source} -> {r.graph}" if args.file else r.graph
        held = "new in the store" if r.state == "added" else "in the store"
        print(f"{where}: {r.sent} triples sent, {r.stored} {held} ({r.state})" + (f"; {r.note}" if r.note else ""))
    total = sum(r.sent for r in results)
    print(f"loaded {total} triples into {len(results)} graph{'' if len(results) == 1 else 's'} at "
          f"{endpoint.shown(endpoint.store)}", file=sys.stderr)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"exo-rdf: {note}", file=sys.stderr)


def cmd_serve(args) -> int:
    from exo_rdf.stores.serve import serve

    return serve(port=args.port, page_port=args.page_port, timeout_s=args.timeout_s, writable=args.writable,
                 graph_base=args.graph_base)


def cmd_build(args) -> int:
    from pathlib import Path

    from exo_rdf.build import build

    for path in build(Path(args.out), date=args.date, previous=Path(args.previous) if args.previous else None):
        print(f"wrote {path}")
    return 0


def cmd_diff(args) -> int:
    from exo_rdf.diff import diff

    report = diff(args.old, args.new)
    print(report.tsv() if args.format == "tsv" else report.markdown(), end="")
    return 0


def add_endpoint_options(parser, *, required: bool = False, timeout_default: float | None = 60.0,
                         timeout_help: str = "seconds to wait for each answer, of the remote store or of the "
                                             "embedded one (default 60)") -> None:
    """Add the options naming a remote store, the same for every command that talks to one.

    --endpoint (base URL or query URL), --store (flavour), --query-url, --update-url,
    --store-url, --graph-base and --timeout-s; see exo_rdf.stores.endpoint for the URL forms.
    Nothing is imported here beyond argparse: building a parser stays cheap.
    """
    from exo_rdf.sources import GRAPH_BASE

    g = parser.add_argument_group("remote store")
    g.add_argument("--endpoint", metavar="URL", required=required,
                   help="run on this store instead of the embedded one: its base URL (Oxigraph: http://host:7878; "
                        "Virtuoso: http://host:8890) or its query URL (…/query, …/sparql); user:password@ allowed")
    g.add_argument("--store", choices=("oxigraph", "virtuoso", "generic"),
                   help="the kind of store (default: read from the server's Server header when needed)")
    g.add_argument("--query-url", metavar="URL", help="SPARQL query URL, if not derived from --endpoint")
    g.add_argument("--update-url", metavar="URL", help="SPARQL update URL, if not derived from --endpoint")
    g.add_argument("--store-url", metavar="URL", help="Graph Store Protocol URL, if not derived from --endpoint")
    g.add_argument("--graph-base", default=GRAPH_BASE, metavar="IRI",
                   help=f"prefix of exo-rdf's graph IRIs in the store (default {GRAPH_BASE})")
    g.add_argument("--timeout-s", type=float, default=timeout_default, metavar="S", help=timeout_help)


def endpoint_from_args(args):
    """The exo_rdf.stores.endpoint.Endpoint the options name, or None when no store URL was given.

    Raises EndpointError for a URL that is not http(s) or a store that cannot be detected.
    """
    if not (args.endpoint or args.query_url or args.update_url or args.store_url):
        return None
    from exo_rdf.stores.endpoint import resolve

    return resolve(args.endpoint, store=args.store, query_url=args.query_url, update_url=args.update_url,
                   store_url=args.store_url, graph_base=args.graph_base, timeout_s=args.timeout_s)


def _add_load(sub) -> None:
    p = sub.add_parser("load", help="load the graph, or your own RDF files, into a triple store, every graph verified",
                       description="Write exo-rdf's graph (one named graph per part, query catalogue included) or your "
                       "own files into a SPARQL store. Each graph is replaced atomically (or appended to) and read "
                       "back; after a failure the command says what the store holds.",
                       epilog="examples:\n  exo-rdf load --endpoint http://localhost:7878\n"
                              "  exo-rdf load --endpoint http://dba:dba@localhost:8890 --file mine.ttl --graph https://example.org/mine\n"
                              "  exo-rdf load --endpoint http://localhost:7878 --file exo-rdf.nq")
    # load: the wait grows with the payload unless --timeout-s is given
    add_endpoint_options(p, required=True, timeout_default=None,
                         timeout_help="seconds to wait for each answer of the store (default: 60, plus 2 per MB sent)")
    p.add_argument("--file", action="append", metavar="FILE",
                   help="load your own file instead of the bundled graph (repeatable): .nt or .ttl into "
                        "<graph base>user/<file name> (or --graph), .nq or .trig into the graphs it names")
    p.add_argument("--graph", metavar="IRI", help="the named graph for the one --file")
    p.add_argument("--allow-empty", action="store_true", help="accept a file without triples (it empties the graph)")
    p.add_argument("--progress", action="store_true",
                   help="show the bytes sent and an ETA on stderr, also when it is not a terminal (on by default on a terminal)")
    p.add_argument("--bulk", action="store_true",
                   help="Oxigraph only: send through the server's bulk loader (no_transaction): on an on-disk store "
                        "about 14x faster into an empty graph, 1.5x for a replace (the old graph's removal stays a "
                        "transaction); NOT atomic: a replaced graph is removed first, readers see the new "
                        "one filling up, and a failure or a concurrent load can leave part of it (the command then "
                        "says what the graph holds); for a first load or a graph nobody reads meanwhile"),
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", default=True, help="replace each graph atomically (default)")
    mode.add_argument("--append", action="store_true", help="add to the graphs instead")
    p.set_defaults(func=cmd_load)


def _add_serve(sub) -> None:
    from exo_rdf.sources import GRAPH_BASE as DEFAULT_GRAPH_BASE

    s = sub.add_parser("serve", help="serve the graph with a SPARQL server on 127.0.0.1 and a page of the stored queries "
                                     "(read-only; Ctrl-C or SIGTERM stops it and removes its store)")
    s.add_argument("--port", type=int, default=7878, metavar="N", help="the SPARQL server's port (default 7878; 0 picks a free one)")
    s.add_argument("--page-port", type=int, metavar="N", help="the port of the page of stored queries (default: --port + 1; 0 picks a free one)")
    s.add_argument("--timeout-s", type=int, default=30, metavar="S",
                   help="Oxigraph's query timeout: a query still computing after S seconds is stopped (default 30)")
    s.add_argument("--graph-base", default=DEFAULT_GRAPH_BASE, metavar="IRI", help=f"prefix of the graph IRIs (default {DEFAULT_GRAPH_BASE})")
    s.add_argument("--writable", action="store_true", help="accept updates (they are lost when the server stops)")
    s.set_defaults(func=cmd_serve)


def _add_build(sub) -> None:
    b = sub.add_parser("build", help="write the OBO-style release (exo-rdf.owl, -base.owl, .ttl, .json, data, quads, docs)",
                       description="Write the OBO-style release as the folder --out: exo-rdf.owl and exo-rdf.ttl (import "
                                   "modules merged, HermiT's subclass links), exo-rdf-base.owl, exo-rdf.json (OBO Graphs), "
                                   "exo-rdf-data.ttl, quads, SSSOM, docs page; release notes against a former release.",
                       epilog="examples:\n  exo-rdf build --out release\n"
                              "  exo-rdf build --out release --date 2026-11-24 --previous old-release")
    b.add_argument("--out", required=True, metavar="DIR", help="the release folder, replaced as a whole")
    b.add_argument("--date", metavar="YYYY-MM-DD", help="the release date in the version IRI (default: today, UTC)")
    b.add_argument("--previous", metavar="DIR", help="a former release: write release notes against it "
                   "(default: the release --out holds, else the latest earlier release in a folder beside --out)")
    b.set_defaults(func=cmd_build)


def _add_diff(sub) -> None:
    d = sub.add_parser("diff", help="what changed between two versions: findings, terms, SSSOM mappings",
                       description="List the findings added, removed and changed (by kind and review section), the terms "
                                   "added, removed, obsoleted or relabelled, and the SSSOM mappings changed between two versions.",
                       epilog="examples:\n  exo-rdf diff HEAD~1 HEAD\n"
                              "  exo-rdf diff releases/2026-11-01 releases/2026-11-24 --format tsv")
    d.add_argument("old", metavar="OLD", help="the older version: a release folder, a source folder, an RDF file or a git revision")
    d.add_argument("new", metavar="NEW", help="the newer version, in any of the same forms")
    d.add_argument("--format", choices=("text", "tsv"), default="text", help="text (Markdown, default) or TSV")
    d.set_defaults(func=cmd_diff)


#: sub-command name -> function adding its parser (see exo_rdf.cli.build_parser)
ADDERS = {"load": _add_load, "serve": _add_serve, "build": _add_build, "diff": _add_diff}
