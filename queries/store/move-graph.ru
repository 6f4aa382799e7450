# title: Move a staged graph over a named graph
# description: Replaces ?target by the content of ?staging and removes ?staging, in one operation the store applies at once (Virtuoso's way to replace a graph atomically). MOVE takes no WHERE clause for a VALUES block: the loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form, which cannot end the IRI.
MOVE ?staging TO ?target
