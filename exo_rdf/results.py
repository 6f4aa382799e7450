"""Write query results as an aligned table, or as SPARQL 1.1 CSV, TSV or JSON results."""
from __future__ import annotations

import pyoxigraph as ox

from exo_rdf.query import Result

#: Prefixes used to shorten IRIs in the table format only (CSV, TSV and JSON keep full IRIs).
TABLE_PREFIXES = {
    "http://purl.obolibrary.org/obo/": "obo:",
    "https://w3id.org/exo-rdf/ontology/": "exo:",
    "https://w3id.org/exo-rdf/data/": "exod:",
    "https://identifiers.org/hgnc:": "HGNC:",
    "https://identifiers.org/mirbase.mature:": "mirbase:",
    "https://www.cellosaurus.org/": "cellosaurus:",
    "https://clinicaltrials.gov/study/": "clinicaltrials:",
}


def _short(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for base, prefix in TABLE_PREFIXES.items():
            if term.value.startswith(base):
                local = term.value[len(base):]
                if prefix == "obo:" and "_" in local:  # GO_0070062 -> GO:0070062
                    return local.replace("_", ":", 1)
                return prefix + local
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def as_table(result: Result) -> str:
    """Aligned columns with a header and a row count; IRIs shortened to CURIEs."""
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    if result.triples is not None:
        return as_ntriples(result)
    cells = [[_short(t) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(result.variables), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def as_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results: plain values, full IRIs."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else (t.value if not isinstance(t, ox.BlankNode) else f"_:{t.value}") for t in row])
    return buf.getvalue()


def as_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results: terms in N-Triples form."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def as_json(result: Result) -> str:
    """SPARQL 1.1 JSON results."""
    import json

    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n"
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=1) + "\n"


def as_ntriples(result: Result) -> str:
    """CONSTRUCT/DESCRIBE answers as N-Triples."""
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples or [])


FORMATTERS = {"table": as_table, "csv": as_csv, "tsv": as_tsv, "json": as_json}
