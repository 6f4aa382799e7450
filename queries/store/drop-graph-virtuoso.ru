# title: Remove a named graph, on Virtuoso
# description: As drop-graph.ru, committing row by row (log-enable 3) rather than in one transaction: only staging graphs are dropped, which no reader asks for, and this way takes about half the time for a million triples. The loader then counts the graph to see it gone. The loader fills ?graph in as an IRI in pyoxigraph's escaped form.
DEFINE sql:log-enable 3
DROP SILENT GRAPH ?graph
