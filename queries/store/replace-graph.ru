# title: Replace a named graph by a staged copy, in one request
# description: Empties ?target, copies ?staging into it and empties ?staging. Stores apply one update request as one transaction, so readers see either the old graph or the new one.
DELETE { GRAPH ?target { ?s ?p ?o } }
WHERE {
  GRAPH ?target { ?s ?p ?o }
} ;
INSERT { GRAPH ?target { ?s ?p ?o } }
WHERE {
  GRAPH ?staging { ?s ?p ?o }
} ;
DELETE { GRAPH ?staging { ?s ?p ?o } }
WHERE {
  GRAPH ?staging { ?s ?p ?o }
}
