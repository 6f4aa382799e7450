"""Sub-commands for loading into triple stores, serving and release builds (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls one library function, imported lazily so
that `exo-rdf query` stays fast.
"""
from __future__ import annotations


def register(sub) -> None:
    """Add this module's sub-commands to the exo-rdf sub-parser collection `sub`."""
