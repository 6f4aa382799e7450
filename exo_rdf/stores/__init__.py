"""The store-facing stage: talk to remote SPARQL stores, load the graph into them, serve it.

Modules: ``http`` (the HTTP client of SPARQL endpoints and Graph Stores: auth, redirects,
timeouts), ``endpoint`` (one descriptor of a store's URLs and flavour for every command),
``remote`` (queries with an explicit dataset, answers normalised to the embedded store's),
``load`` and ``swap`` (loading the graph or a curator's files, atomic replace per store),
``validate`` (the compiled SHACL queries run inside a store), ``serve`` (a local Oxigraph server
over the graph, with a page of the stored queries).
"""
