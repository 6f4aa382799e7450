"""The store-facing stage: talk to remote SPARQL stores, load the graph into them, serve it.

Modules: ``http`` (the HTTP client of SPARQL endpoints and Graph Stores), ``load`` (loading the
graph or a curator's files into a store), ``serve`` (a local Oxigraph server over the graph).
"""
