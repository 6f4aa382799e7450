# title: Move a staged graph over a named graph, on Virtuoso
# description: As move-graph.ru, in one transaction: without the log-enable pragma Virtuoso commits a large MOVE row by row, and a reader can see a mixture of the two graphs. The loader fills ?staging and ?target in as IRIs in pyoxigraph's escaped form.
DEFINE sql:log-enable 1
MOVE ?staging TO ?target
