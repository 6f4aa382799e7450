# title: Replace a named graph by a staged one, writing only what differs
# description: Makes ?target hold exactly the triples of ?staging, in one operation: it removes the triples of ?target that ?staging lacks and adds those of ?staging that ?target lacks, so a reload of a slightly edited file writes only the edit, and readers of an unchanged triple never miss it. The staging graph stays; the loader removes it afterwards. The loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form (the variables ?s ?p ?o ?new_s ?new_p ?new_o stay variables).
DELETE { GRAPH ?target { ?s ?p ?o } }
INSERT { GRAPH ?target { ?new_s ?new_p ?new_o } }
WHERE {
  { GRAPH ?target { ?s ?p ?o } FILTER NOT EXISTS { GRAPH ?staging { ?s ?p ?o } } }
  UNION
  { GRAPH ?staging { ?new_s ?new_p ?new_o } FILTER NOT EXISTS { GRAPH ?target { ?new_s ?new_p ?new_o } } }
}
