# title: Add a staged graph to a named graph
# description: Adds the triples of ?staging to ?target and removes ?staging, in one request. ADD and DROP take no WHERE clause for a VALUES block: the loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form, which cannot end the IRI.
ADD ?staging TO ?target ;
DROP SILENT GRAPH ?staging
