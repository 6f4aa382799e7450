# title: Replace a named graph by a staged one, writing only what differs, on Virtuoso
# description: As replace-graph-by-difference.ru, in one transaction: without the log-enable pragma Virtuoso commits a large update row by row, and a reader can see a mixture of the two graphs. The loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form.
DEFINE sql:log-enable 1
DELETE { GRAPH ?target { ?s ?p ?o } }
INSERT { GRAPH ?target { ?new_s ?new_p ?new_o } }
WHERE {
  { GRAPH ?target { ?s ?p ?o } FILTER NOT EXISTS { GRAPH ?staging { ?s ?p ?o } } }
  UNION
  { GRAPH ?staging { ?new_s ?new_p ?new_o } FILTER NOT EXISTS { GRAPH ?target { ?new_s ?new_p ?new_o } } }
}
