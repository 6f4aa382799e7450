# title: Remove a named graph
# description: Removes ?graph and its triples; a load uses it only for a staging graph it created, or one a load left behind. DROP takes no WHERE clause for a VALUES block: the loader fills ?graph in as an IRI in pyoxigraph's escaped form, which cannot end the IRI.
DROP SILENT GRAPH ?graph
