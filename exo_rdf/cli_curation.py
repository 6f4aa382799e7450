"""Sub-commands for curating from spreadsheets: templates (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls the library, imported lazily so that
`exo-rdf query` stays fast.
"""
from __future__ import annotations

import sys


def cmd_template(args) -> int:
    from pathlib import Path

    from exo_rdf.curation.columns import KINDS
    from exo_rdf.curation.template import export_findings, write_template
    from exo_rdf.errors import ArgumentError

    kinds = [args.kind] if args.kind else list(KINDS)
    if args.kind is None and not args.filled:
        raise ArgumentError("give --kind KIND for an empty template (kinds: " + ", ".join(KINDS) + ")")
    if len(kinds) > 1 and args.out == "-":
        raise ArgumentError("--filled without --kind writes one file per kind: give --out a file name, not -")
    targets = {kinds[0]: args.out} if len(kinds) == 1 else {k: _per_kind(Path(args.out), k) for k in kinds}
    store = _data_store() if args.filled else None
    # every kind exported before anything is written: a finding that cannot be exported leaves no file
    findings = {k: export_findings(kind=k, store=store) if args.filled else None for k in targets}
    for kind, out in targets.items():
        n = write_template(kind, out, findings=findings[kind])
        if out != "-":
            what = f"{n} {kind} finding(s)" if args.filled else f"the empty {kind} template"
            print(f"exo-rdf: wrote {what} to {out}", file=sys.stderr)
    return 0


def _per_kind(out, kind: str) -> str:
    """findings.tsv -> findings.cargo-effect.tsv: the file of one kind when --filled writes every kind."""
    return str(out.with_name(f"{out.stem}.{kind}{out.suffix}"))


def _data_store():
    import pyoxigraph as ox

    from exo_rdf.sources import discover, load_into

    store = ox.Store()
    for source in discover(None, ("data",)):
        load_into(store, source)
    return store


def _add_template(sub) -> None:
    from exo_rdf.curation.columns import KINDS

    t = sub.add_parser("template", help="write a spreadsheet template of a finding kind (.tsv, .csv, .xlsx)",
                       description="Write the template of a kind of finding: the column names in the header, each "
                       "column documented (meaning, allowed values, example, required, the property it fills) in '#' "
                       "lines before the header (.tsv, .csv) or a README sheet (.xlsx), and one example row marked "
                       "'# example'. --filled writes the bundled findings of the kind instead, as curators' examples; "
                       "without --kind, one file per kind, named OUT-stem.KIND.suffix. Exit 0 written, 2 error.",
                       epilog="examples:\n  exo-rdf template --kind cargo-effect --out cargo-effect.xlsx\n"
                              "  exo-rdf template --kind biomarker --filled --out -\n"
                              "  exo-rdf template --filled --out bundled.tsv")
    t.add_argument("--kind", choices=list(KINDS), help="the kind of finding (required unless --filled)")
    t.add_argument("--out", required=True, metavar="FILE", help="the template to write: .tsv, .csv or .xlsx; "
                   "- for TSV on standard output")
    t.add_argument("--filled", action="store_true", help="fill it with the bundled findings of the kind")
    t.set_defaults(func=cmd_template)


def cmd_curate(args) -> int:
    from pathlib import Path

    from exo_rdf.curation.curate import curate
    from exo_rdf.curation.problems import RENDERERS
    from exo_rdf.results import write_output

    result = curate([Path(f) for f in args.files], Path(args.out), terms=args.terms and Path(args.terms),
                    keep_valid=args.keep_valid)
    write_output(args.report, RENDERERS[args.format](result.problems))
    print(f"exo-rdf: {result.summary()}", file=sys.stderr)
    return 0 if result.ok else 1


def _add_curate(sub) -> None:
    c = sub.add_parser("curate", help="turn filled templates (.tsv, .csv, .xlsx) into findings, every problem at its cell",
                       description="Read every row of the templates, resolve the names in their cells (exact label, "
                       "synonym, normalised name; an id wins), build the findings and validate them against the shapes. "
                       "Every problem is reported with its file, row, column and rule. Exit 0: all rows good, findings "
                       "written; 1: problems, nothing written (with --keep-valid: the valid rows, and the failing ones "
                       "in OUT-stem.rejects.TEMPLATE-stem.tsv); 2: error.",
                       epilog="examples:\n  exo-rdf curate my-findings.tsv --out my-findings.ttl\n"
                              "  exo-rdf curate a.xlsx b.csv --out findings.ttl --terms ../shared/ontology-terms --format json")
    c.add_argument("files", nargs="+", metavar="FILE", help="templates to read (exo-rdf template writes empty ones)")
    c.add_argument("--out", required=True, metavar="FILE", help="the findings to write (.ttl or .nt)")
    c.add_argument("--terms", metavar="DIR", help="also resolve names against the upstream term tables in DIR "
                   "(the layout of ontology-terms/: go.tsv, cl.tsv, hgnc.tsv...), read as columns need them")
    c.add_argument("--format", choices=("text", "tsv", "json"), default="text", help="the problems report: text (default, "
                   "for people), tsv or json (one record per problem: file, row, column, rule, severity, message, value, fix)")
    c.add_argument("--report", metavar="FILE", default="-", help="write the problems report to FILE (default -: standard output)")
    c.add_argument("--keep-valid", action="store_true", help="write the valid rows even when others fail, and the failing "
                   "rows with their problems to a rejects file beside --out")
    c.set_defaults(func=cmd_curate)


ADDERS = {"template": _add_template, "curate": _add_curate}
