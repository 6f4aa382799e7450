"""Curate spreadsheet templates into findings: every row read, every name resolved, every problem at its cell.

One pass over the rows of every file: each row becomes RDF (``rows.row_to_rdf``) with its names
resolved (``resolve.Resolver``); the rows are then validated against the project's shapes with
the compiled engine (``exo_rdf.shacl``), in blocks of rows, each block beside the context the
shapes need (ontology, import modules, reviews, shared entities); a block is checked while the
next one is read and built: in a forked process of its own for a large input (its queries and
the Python that reads their answers then never wait for the reading thread's GIL), in a thread
for a small one (no process started). Each violation is mapped back to its cell: the focus node (or the value
node, for a node of its own such as a publication or a target) gives the row, the result path
the column.

Nothing is written when a row has a problem, unless ``keep_valid``: the valid rows then go to
the output and the failing rows to a rejects file beside it (``<out stem>.rejects.<input
stem>.tsv``: the template's columns and a ``problems`` column). Files are written through a
temporary file and a rename. Memory holds two blocks of rows, the problems, the failing rows and
the IRIs of the findings read (a finding repeated in a later block is a problem too).
"""
from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curation.checking import Checker, Validator
from exo_rdf.curation.problems import CellProblem, Problem, rule
from exo_rdf.errors import ExoRdfError, OutputError, SourceError

#: rows validated together: the shapes' queries cost about the same per row from 5,000 rows up, and
#: an sh:or checks its later alternatives on the focus nodes left (up to shacl.OR_BIND_LIMIT) alone
#: (a quarter less time than 20,000-row blocks, a third of the memory)
BLOCK_ROWS = 5_000
#: input bytes from which the blocks are checked in a forked process rather than a thread (a small
#: input is done before a process would have started)
PROCESS_MIN_BYTES = 1_000_000
#: what a template given to `exo-rdf validate` or `exo-rdf curate` may be
TEMPLATE_SUFFIXES = (".tsv", ".csv", ".xlsx")
#: the output formats, by suffix of --out
OUT_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}


@dataclass
class CurationResult:
    """What a run did: the problems, the rows read, written and rejected, and the files written."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    valid_rows: int = 0
    written_rows: int = 0
    rejected_rows: int = 0
    written: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line saying what was read and written."""
        files = ", ".join(str(p) for p in self.written) or "nothing"
        return f"{self.rows} row(s) read, {self.written_rows} written, {self.rejected_rows} rejected; wrote {files}"


def is_template(path: Path | str) -> bool:
    """Whether path names a spreadsheet template (.tsv, .csv, .xlsx) rather than an RDF file."""
    return Path(path).suffix.lower() in TEMPLATE_SUFFIXES


class _Block:
    """Rows read and built but not yet validated."""

    def __init__(self):
        self.rows: list = []  # (row, quads, problems)
        self.nodes: dict[str, list[tuple]] = {}  # node IRI -> [(row index, column)]

    def add(self, row, quads, focus, problems, node_map) -> None:
        index = len(self.rows)
        self.rows.append((row, quads, list(problems)))
        places = {_value(node): where[1] for node, where in (node_map or {}).items()}
        places.setdefault(_value(focus), None)
        nodes = self.nodes
        for node, column in places.items():
            found = nodes.get(node)
            if found is None:
                nodes[node] = [(index, column)]
            else:
                found.append((index, column))


def curate(files: list[Path], out: Path | None, *, terms: Path | None = None, keep_valid: bool = False,
           root: Path | None = None, block_rows: int = BLOCK_ROWS, resolver=None, reader=None) -> CurationResult:
    """Read, resolve and validate every row of files; write the findings to out when no row has a problem.

    out: a .ttl or .nt file, or None to check only (what `exo-rdf validate` does with templates).
    keep_valid: write the valid rows to out and the failing ones to rejects files beside it.
    terms: a folder of upstream term tables for name resolution (see resolve.Resolver).
    reader: what reads templates, an object with ``read_table(path)``, ``row_to_rdf(row, resolve)``
    and ``column_for_path(kind, path_iri)`` (default: the modules rows and columns of this package).
    Returns a CurationResult with every problem, at its file, row and column.
    Raises SourceError, TermTableError or OutputError (exit 2) for a file that does not exist or is
    not a template, unreadable term tables, or an output that cannot be written; nothing is written
    then. A template whose content cannot be read (no header, an unknown column) is a problem.
    """
    from exo_rdf.curation.resolve import Resolver
    from exo_rdf.sources import project_root

    root = Path(root) if root else project_root()
    for file in map(Path, files):
        if not file.is_file() or not is_template(file):
            raise SourceError(f"{file}: {'no such file' if not file.is_file() else 'not a template'}; give .tsv, .csv or "
                              f".xlsx templates (exo-rdf template --kind KIND --out FILE writes one)", path=file)
    if out is not None and Path(out).suffix.lower() not in OUT_FORMATS:
        raise OutputError(f"{out}: write the findings to a .ttl or .nt file")
    resolver = resolver or Resolver(root, terms)
    reader = reader or _default_reader()
    validator = Validator(root)
    writer = _Writer(Path(out)) if out is not None else None
    result = CurationResult()
    rejects: dict[str, _Rejects] = {}
    seen: dict[str, tuple] = {}
    # one block is checked while the next is read: in a process of its own for a large input
    in_process = "fork" in multiprocessing.get_all_start_methods() and sum(
        Path(f).stat().st_size for f in files) >= PROCESS_MIN_BYTES
    checking = Checker(validator, in_process)
    pending: list[tuple] = []  # (block, future of its violations): at most one, finished in reading order

    def finish_pending() -> None:
        while pending:
            block, violations = pending.pop()
            _finish_block(block, reader, checking.result(violations), result, writer, rejects, keep_valid)
    try:
        for file in files:
            for block in _blocks(Path(file), reader, resolver, block_rows, result, seen):
                if isinstance(block, Problem):  # the file itself, after the problems of the rows before
                    finish_pending()
                    result.problems.append(block)
                    continue
                violations = checking.submit(block)
                finish_pending()
                pending.append((block, violations))
        finish_pending()
        if writer is not None and (keep_valid or not result.problems):
            result.written += writer.commit()
            result.written_rows = result.valid_rows
            for r in rejects.values():
                result.written += r.commit(writer.path, taken=result.written)
        elif writer is not None:
            writer.discard()
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    finally:
        checking.shutdown()
    return result


def _default_reader():
    """The template reader of this package: rows.read_table, rows.row_to_rdf (a RowBuilder, for this run), columns.column_for_path."""
    from types import SimpleNamespace

    from exo_rdf.curation import columns, rows

    return SimpleNamespace(read_table=rows.read_table, row_to_rdf=rows.RowBuilder(), column_for_path=columns.column_for_path)


def _blocks(path: Path, reader, resolver, block_rows: int, result: CurationResult, seen: dict):
    """The rows of one template in blocks, each row built into RDF, and a Problem where the file cannot be read on.

    seen: finding IRI -> (file, row) of the rows read so far, in this file and those before.
    """
    from exo_rdf.curies import compress

    block, name = _Block(), str(path)
    try:
        for row in reader.read_table(path):
            result.rows += 1
            quads, focus, problems, node_map = reader.row_to_rdf(row, resolver)
            problems = [p if p.file else p.at(str(row.file), row.number, p.column) for p in problems]
            first = seen.setdefault(_value(focus), (name, row.number))
            if first != (name, row.number):  # blocks are validated apart: a repeated finding is caught here
                problems.append(Problem(str(row.file), row.number, "finding", rule("duplicate-finding"),
                                        f"{compress(_value(focus))} is the finding of {first[0]}:{first[1]} too",
                                        _value(focus), "give each finding its own IRI, or merge the two rows"))
            block.add(row, quads, focus, problems, node_map)
            if len(block.rows) >= block_rows:
                yield block
                block = _Block()
    except CellProblem as problem:  # the file itself: a header, a sheet, an encoding
        yield problem.problem.at(str(path), None, None)
    if block.rows:
        yield block


def _finish_block(block: _Block, reader, violations, result: CurationResult, writer, rejects: dict,
                  keep_valid: bool) -> None:
    """Place each violation of a validated block at its cells, write the valid rows, keep the failing ones."""
    shape_problems: dict[int, list[Problem]] = {}
    for v in violations:
        cells = _cells(block, v)
        if not cells:  # about no row's node: said once, at the file, rather than lost
            first = block.rows[0][0]
            problem = Problem(str(first.file), None, None, v.shape or v.component, f"{_short(v.focus)}: {v.message}",
                              v.value, _fix(v), v.severity)
            if problem not in result.problems:
                result.problems.append(problem)
        for index, column in cells:
            row, _, cell_problems = block.rows[index]
            column = column or (reader.column_for_path(row.kind, v.path) if v.path else None)
            if column is not None and any(p.column == column for p in cell_problems):
                continue  # the cell's own problem (a name not resolved) already says it
            problem = Problem(str(row.file), row.number, column, v.shape or v.component, v.message, v.value, _fix(v), v.severity)
            shape_problems.setdefault(index, []).append(problem)
    valid = []
    for index, (row, row_quads, problems) in enumerate(block.rows):
        problems = problems + sorted(set(shape_problems.get(index, [])), key=lambda p: (p.column or "", p.rule))
        result.problems += problems
        if problems:
            result.rejected_rows += 1
            if keep_valid and writer is not None:
                rejects.setdefault(str(row.file), _Rejects(Path(row.file))).add(row, problems)
        else:
            result.valid_rows += 1
            valid += row_quads
    if writer is not None and (keep_valid or not result.problems):  # without keep_valid, nothing after a failing row
        writer.write(valid)


def _cells(block: _Block, violation) -> list[tuple[int, str | None]]:
    """The rows (and columns) a violation belongs to: those that made its focus node, else its value node."""
    for node in (violation.focus, violation.value):
        if node is not None and node in block.nodes:
            return block.nodes[node]
    return []


def _fix(violation) -> str | None:
    """What to do about a shape violation: its message says it; the fix names the constraint broken."""
    from exo_rdf.curies import compress

    component = compress(violation.component).replace("ConstraintComponent", "")
    return f"see {component} on {compress(violation.path)}" if violation.path else None


def _short(iri: str) -> str:
    from exo_rdf.curies import compress

    return compress(iri)


def _value(node) -> str:
    return node.value if hasattr(node, "value") else str(node)


class _Writer:
    """The findings file: written to a temporary file beside out, renamed into place by commit()."""

    def __init__(self, out: Path):
        from exo_rdf.files import temporary_beside

        self.path = out
        self.format = OUT_FORMATS[out.suffix.lower()]
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = temporary_beside(out)
            self.handle = open(self.tmp, "wb")
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the findings ({exc.strerror})") from None

    def write(self, quads) -> None:
        """Write the triples of quads, one block of rows (Turtle's @prefix lines are repeated per block)."""
        from exo_rdf.curies import PREFIX_MAP

        if not quads:
            return
        default = ox.DefaultGraph()
        triples = quads if all(q.graph_name == default for q in quads) else [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        kwargs = {"prefixes": {p: u for p, u in PREFIX_MAP.items() if p != "obo"}} if self.format == ox.RdfFormat.TURTLE else {}
        ox.serialize(triples, self.handle, self.format, **kwargs)

    def commit(self) -> list[Path]:
        from exo_rdf.files import finish

        self.handle.close()
        try:
            finish(self.tmp, self.path)
        except OSError as exc:
            self.discard()
            raise OutputError(f"{self.path}: cannot write the findings ({exc.strerror})") from None
        return [self.path]

    def discard(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        self.tmp.unlink(missing_ok=True)


class _Rejects:
    """The failing rows of one template, with their problems, for a rejects file beside the output."""

    def __init__(self, template: Path):
        self.template = template
        self.rows: list[tuple] = []

    def add(self, row, problems: list[Problem]) -> None:
        text = "; ".join(f"{p.column or 'row'}: {p.message}" for p in problems)
        self.rows.append((row.number, dict(row.cells), text))

    def commit(self, out: Path, taken=()) -> list[Path]:
        """Write the rejects beside out, named after the template (numbered when two templates share a name)."""
        from exo_rdf.files import write_atomic

        columns = list(dict.fromkeys(c for _, cells, _ in self.rows for c in cells))
        path, n = out.with_name(f"{out.stem}.rejects.{self.template.stem}.tsv"), 1
        while path in taken:
            n += 1
            path = out.with_name(f"{out.stem}.rejects.{self.template.stem}-{n}.tsv")
        lines = ["\t".join(["row", *columns, "problems"])]
        for number, cells, text in self.rows:
            lines.append("\t".join(_cell(x) for x in [str(number), *(cells.get(c) or "" for c in columns), text]))
        try:
            write_atomic(path, "\n".join(lines) + "\n")
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the rejected rows ({exc.strerror})") from None
        return [path]


def _cell(text) -> str:
    return " ".join(str(text).split())


def check_templates(files: list[Path], fmt: str = "text", *, terms: Path | None = None,
                    root: Path | None = None) -> tuple[str, bool]:
    """What `exo-rdf validate` does with templates: curate without writing; the report and whether all is well.

    fmt: text, json, csv or tsv (problems.RENDERERS). Raises ExoRdfError for another format (the
    RDF report formats fit RDF files only) or for templates mixed with RDF files, and what curate raises.
    """
    from exo_rdf.curation.problems import RENDERERS

    if fmt not in RENDERERS:
        raise ExoRdfError(f"--format {fmt} reports on RDF files; for templates use one of {', '.join(RENDERERS)}")
    others = [str(f) for f in files if not is_template(f)]
    if others:
        raise ExoRdfError(f"{others[0]}: give templates (.tsv, .csv, .xlsx) or RDF files, not both at once")
    result = curate(files, None, terms=terms, root=root)
    text = RENDERERS[fmt](result.problems)
    if fmt == "text":
        text += f"{result.rows} row(s) checked, {result.valid_rows} valid.\n"
    return text, result.ok
