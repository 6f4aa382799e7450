"""One stage of the curation benchmark, run in its own process so that its peak memory is its own.

    python benchmarks/curation_stages.py STAGE ARGS...

Stages:

- ``exo TEMPLATE OUT_TTL``: ``exo_rdf.curation.curate.curate`` (the API of ``exo-rdf curate``)
  with ``keep_valid``: names resolved, rows built into RDF, validated with the project's shapes,
  the valid rows written to OUT_TTL and the failing ones to a rejects file beside it.
- ``linkml-validate SCHEMA CLASS ROWS_TSV``: ``linkml-validate -s SCHEMA -C CLASS ROWS_TSV``, the
  command's own click entry point called in this process, its report read back.
- ``linkml-convert SCHEMA CONTAINER SLOT ROWS_TSV OUT_TTL``: ``linkml-convert -s SCHEMA -C
  CONTAINER -S SLOT --no-validate ROWS_TSV -o OUT_TTL`` likewise (the rows were validated by the
  stage before, and only those it accepted are given).

Prints one JSON object: seconds, peak_mb (the process's resource.getrusage maximum resident set,
plus that of its largest child: curate checks its blocks in a forked process), cpu_seconds (its
and its children's user + system time, start-up included: less sensitive than seconds to other
work on the machine)
and, for the two validating stages, the 0-based data rows they reject (count and digest). The
LinkML stages run under an 8 GB address-space limit, so that a run too big for the machine fails
with MemoryError (recorded) instead of swapping.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: address-space limit of a LinkML stage
LINKML_LIMIT_BYTES = 8 * 1024**3
#: a line of linkml-validate's report: "[ERROR] [rows.tsv/12] message"
_REPORT_LINE = re.compile(r"^\[(\w+)\] \[(.*)/(\d+)\] ")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rows_digest(rows: set[int]) -> str:
    """A short digest of a set of 0-based data row indexes (the same on both sides for the same set)."""
    return hashlib.sha256("\n".join(map(str, sorted(rows))).encode()).hexdigest()[:16]


def rejected_summary(rows: set[int]) -> dict:
    return {"rejected": len(rows), "rejected_digest": rows_digest(rows), "rejected_rows": sorted(rows)}


def exo(template: str, out: str) -> dict:
    """curate() on one template; rejected rows are those with a problem (curate writes none of them)."""
    from exo_rdf.curation.curate import curate
    from generate_curation import FIRST_DATA_ROW

    t = time.perf_counter()
    result = curate([Path(template)], Path(out), keep_valid=True, root=ROOT)
    seconds = time.perf_counter() - t
    rejected = {p.row - FIRST_DATA_ROW for p in result.problems if p.row is not None}
    return {"seconds": seconds, "rows": result.rows, "written_rows": result.written_rows,
            "file_problems": sum(p.row is None for p in result.problems), **rejected_summary(rejected)}


def _click(command, args: list[str]) -> tuple[int, str]:
    """Run a click command in this process as its console script would; returns (exit code, stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            command.main(args, prog_name=command.name, standalone_mode=False)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    return code, out.getvalue()


def linkml_validate(schema: str, target: str, rows: str) -> dict:
    from linkml.validator.cli import cli

    t = time.perf_counter()
    code, report = _click(cli, ["-s", schema, "-C", target, rows])
    seconds = time.perf_counter() - t
    rejected = set()
    for line in report.splitlines():
        match = _REPORT_LINE.match(line)
        if match and match.group(1) == "ERROR":
            rejected.add(int(match.group(3)))
    if code not in (0, 1) or (code == 1 and not rejected):
        raise RuntimeError(f"linkml-validate exited {code}: {report[-500:]}")
    return {"seconds": seconds, "exit": code, **rejected_summary(rejected)}


def linkml_convert(schema: str, container: str, slot: str, rows: str, out: str) -> dict:
    from linkml.converter.cli import cli

    t = time.perf_counter()
    code, report = _click(cli, ["-s", schema, "-C", container, "-S", slot, "--no-validate", rows, "-o", out])
    seconds = time.perf_counter() - t
    if code != 0 or not Path(out).is_file():
        raise RuntimeError(f"linkml-convert exited {code}: {report[-500:]}")
    return {"seconds": seconds, "bytes": Path(out).stat().st_size}


STAGES = {"exo": exo, "linkml-validate": linkml_validate, "linkml-convert": linkml_convert}

if __name__ == "__main__":
    stage, *args = sys.argv[1:]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if stage.startswith("linkml"):
        resource.setrlimit(resource.RLIMIT_AS, (LINKML_LIMIT_BYTES, LINKML_LIMIT_BYTES))
    out = STAGES[stage](*args)
    # curate checks its blocks in a child process: its peak is added to this one's (an upper bound
    # of what both held at once), its CPU time too
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["peak_mb"] = round(peak_mb() + children.ru_maxrss / 1024, 1)
    out["peak_mb_children"] = round(children.ru_maxrss / 1024, 1)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime, 2)  # imports included
    print(json.dumps(out))
