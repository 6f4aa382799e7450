"""Checking the blocks of rows of `exo-rdf curate` against the shapes, beside the reading of the next block.

A Validator holds the shapes and the context they need (ontology, import modules, reviews,
shared entities) and checks one block in a store of its own; a Checker runs it in a forked
process (a large input: the checks' Python then never waits for the reading thread's GIL) or in
a thread (a small one: no process started).
"""
from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import ExoRdfError, ValidationEngineError


class Validator:
    """The shapes and the context they need; validates one block of rows at a time in a store of its own.

    A store per block, not one store emptied after each: an in-memory Oxigraph store keeps the
    strings of removed triples, so one store would grow with every row ever checked.
    """

    def __init__(self, root: Path):
        from exo_rdf.shacl import ShapesModel, _skolemised, check_supported
        from exo_rdf.sources import discover, parse_quads
        from exo_rdf.validate import context_sources

        shape_quads = [q for s in discover(root, ("shapes",)) for q in parse_quads(s)]
        if not shape_quads:
            raise ExoRdfError(f"{root / 'shapes'}: no shapes found; set EXO_RDF_ROOT to an exo-rdf checkout")
        self.model = ShapesModel(shape_quads)
        check_supported(self.model)
        self.root = root
        context = context_sources(root)
        self.context = [q for source in context for q in parse_quads(source)] + _skolemised(shape_quads)

    def check(self, block):
        """The violations of one block of rows (curate._Block) and the context (the caller keeps those of its rows)."""
        quads = [q for _, row_quads, _ in block.rows for q in row_quads]
        return self._check(lambda store: store.extend(quads)) if quads else []

    def check_nquads(self, data: bytes):
        """check() for a block given as N-Quads (what the checking process receives)."""
        return self._check(lambda store: store.load(data, ox.RdfFormat.N_QUADS))

    def _check(self, fill):
        from exo_rdf.shacl import check_store

        store = ox.Store()
        store.extend(self.context)
        fill(store)
        return check_store(store, self.model, root=self.root).violations


class Checker:
    """Checks blocks beside the reading, one at a time: in a forked process, or in a thread.

    The process is forked from this one at the first block, before any other thread of the run
    starts, and inherits the validator (shapes and context): a block goes to it as N-Quads bytes
    and its violations come back. Raises what the checks raise, when their results are read.
    """

    def __init__(self, validator: Validator, in_process: bool):
        self.validator = validator
        if in_process:
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_checking_process, initargs=(validator,))
        else:
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="exo-rdf-curate")
        self.in_process = in_process

    def submit(self, block):
        """A future of the block's violations."""
        if not self.in_process:
            return self.pool.submit(self.validator.check, block)
        quads = [q for _, row_quads, _ in block.rows for q in row_quads]
        return self.pool.submit(_check_in_process, ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if quads else b"")

    def result(self, future):
        """The violations of a submitted block; raises what its check raised, or ValidationEngineError
        when the checking process ended without answering (killed, out of memory)."""
        try:
            return future.result()
        except BrokenProcessPool:
            raise ValidationEngineError("the process checking the rows against the shapes ended without an answer "
                                        "(out of memory, or killed); nothing was written; run again, or curate "
                                        "fewer rows at a time") from None

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_PROCESS_VALIDATOR: list = []  # in the checking process: the validator it inherited


def _checking_process(validator: Validator) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the reading process's to handle
    _PROCESS_VALIDATOR.append(validator)


def _check_in_process(data: bytes):
    return _PROCESS_VALIDATOR[0].check_nquads(data) if data else []
