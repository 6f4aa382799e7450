"""Allow ``python -m exo_rdf``."""
import sys

from exo_rdf.cli import main

sys.exit(main())
