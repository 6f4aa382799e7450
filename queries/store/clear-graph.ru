# title: Empty a named graph
# description: Removes every triple of ?graph; used only when asked to replace a graph by an empty file (--allow-empty). CLEAR takes no WHERE clause for a VALUES block: the loader fills ?graph in as an IRI in pyoxigraph's escaped form, which cannot end the IRI.
CLEAR SILENT GRAPH ?graph
