"""Stored queries give the same answer on a real Oxigraph server as on the embedded store."""
from __future__ import annotations

import urllib.request

import pyoxigraph as ox
import pytest

from conftest import ROOT
from exo_rdf.catalogue import catalogue
from exo_rdf.cli import main
from exo_rdf.query import run_stored
from exo_rdf.sources import discover, load_dataset
from servers import oxigraph_server

PARAMS = {name: query.example for name, query in catalogue().items()}


@pytest.fixture(scope="module")
def endpoint():
    with oxigraph_server() as base:
        body = ox.serialize(list(load_dataset(discover(ROOT))), format=ox.RdfFormat.N_QUADS)
        request = urllib.request.Request(base + "/store", data=body, method="POST", headers={"Content-Type": "application/n-quads"})
        urllib.request.urlopen(request, timeout=60).close()
        yield base + "/query"


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_remote_answer_equals_embedded(store, endpoint, name):
    params = PARAMS.get(name, {})
    local = run_stored(name, params, store=store)
    remote = run_stored(name, params, endpoint=endpoint)
    assert remote.variables == local.variables
    assert remote.rows == local.rows
    assert local.rows, f"{name} answered nothing; the comparison would be empty"


def test_cli_query_on_endpoint_prints_the_two_pancreatic_rows(endpoint, capsys):
    assert main(["query", "biomarkers", "--param", "cancer=pancreatic cancer", "--endpoint", endpoint, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["markerAsPrinted", "GPC-1", "c-Met"]


def test_injection_on_endpoint_is_a_literal_and_changes_nothing(endpoint):
    assert run_stored("biomarkers", {"cancer": 'x" } ; DROP ALL ; #'}, endpoint=endpoint).rows == []
    assert len(run_stored("biomarkers", {}, endpoint=endpoint).rows) == 20
