"""Allow ``python -m exo_rdf``."""
import sys

from exo_rdf.exits import console

sys.exit(console())
