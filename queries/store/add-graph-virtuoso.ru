# title: Add a staged graph to a named graph, on Virtuoso
# description: As add-graph.ru, in one transaction (the log-enable pragma; without it Virtuoso commits a large update row by row). The loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form.
DEFINE sql:log-enable 1
ADD ?staging TO ?target ;
DROP SILENT GRAPH ?staging
