# title: Empty a named graph
# description: Removes every triple of ?graph; used to clean up a staging graph after a failed load.
DELETE { GRAPH ?graph { ?s ?p ?o } }
WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
