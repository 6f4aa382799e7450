"""Virtuoso's limits: an answer cut short is an error, never a result; a replace too big for one
transaction says which setting to raise, and leaves the graph as it was.

Debian's virtuoso.ini stops every SPARQL answer at ``ResultSetMaxRows = 10000`` rows and every
query at ``MaxQueryExecutionTime = 60`` s, and in both cases answers HTTP 200 with the rows it has,
saying so only in a header. Read as whole, such an answer would make a validation conform or a
query miss rows. Two servers of the real Virtuoso with small limits (50 rows; 1 s) show that the
client refuses those answers and says what to change. A third, whose transactions may change at
most 100 kB, cannot take a replace of a few thousand triples in one transaction.
"""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from exo_rdf.cli import main
from exo_rdf.errors import EndpointError, IncompleteAnswerError
from exo_rdf.query import with_values_rows
from exo_rdf.stores import http
from exo_rdf.stores.remote import fetch
from stores import VIRTUOSO_BASE, graph_contents

ROW_LIMIT = 50
QUERIES = FIXTURES / "queries"
#: every pair of the store's own (system) triples, compared as strings: far more than 1 s of work
CARTESIAN = (QUERIES / "pairs-of-triples.rq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def row_limited():
    """A Virtuoso that answers at most ROW_LIMIT rows, holding exo-rdf's graphs under VIRTUOSO_BASE."""
    from servers import virtuoso_server

    with virtuoso_server(settings={"SPARQL": {"ResultSetMaxRows": ROW_LIMIT}}) as server:
        crud = server.base.replace("http://", "http://dba:dba@") + "/sparql-graph-crud-auth"
        for graph, data in graph_contents(graph_base=VIRTUOSO_BASE).items():
            http.put_graph(crud, graph, data, len(data))
        yield server.base + "/sparql"


@pytest.fixture(scope="module")
def time_limited():
    """A Virtuoso that stops every SPARQL query after 1 s (Debian's ini says 60)."""
    from servers import virtuoso_server

    with virtuoso_server(settings={"SPARQL": {"MaxQueryExecutionTime": 1}}) as server:
        yield server.base + "/sparql"


def findings_query(limit: str = "") -> str:
    """Typed nodes of the data namespace (more than ROW_LIMIT), with a solution modifier appended."""
    return (QUERIES / "data-namespace-nodes.rq").read_text(encoding="utf-8") + limit


def test_an_answer_at_the_row_limit_is_refused_with_the_setting_to_change(row_limited):
    with pytest.raises(IncompleteAnswerError) as caught:
        fetch(row_limited, findings_query(), timeout_s=60, virtuoso=True)
    message = str(caught.value)
    assert f"the answer reached the store's row limit ({ROW_LIMIT} rows)" in message
    assert "ResultSetMaxRows" in message and "nothing was read from it" in message


def test_a_query_that_bounds_its_own_answer_below_the_limit_is_whole(row_limited):
    assert len(fetch(row_limited, findings_query(f"LIMIT {ROW_LIMIT}"), timeout_s=60, virtuoso=True).rows) == ROW_LIMIT
    assert len(fetch(row_limited, findings_query("LIMIT 7 OFFSET 3"), timeout_s=60, virtuoso=True).rows) == 7
    # a LIMIT above the store's own still meets the store's
    with pytest.raises(IncompleteAnswerError):
        fetch(row_limited, findings_query(f"LIMIT {ROW_LIMIT + 1}"), timeout_s=60, virtuoso=True)


def test_validation_cut_at_the_row_limit_exits_2_and_never_says_conforms(row_limited, capsys):
    code = main(["validate", "--endpoint", row_limited, "--store", "virtuoso", "--graph-base", VIRTUOSO_BASE])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Conforms" not in out and "row limit (50 rows)" in err


def test_a_stored_query_below_the_limit_answers_and_a_query_above_it_exits_2(row_limited, tmp_path, capsys):
    endpoint = ["--endpoint", row_limited, "--store", "virtuoso", "--graph-base", VIRTUOSO_BASE]
    assert main(["query", "biomarkers", "--param", "cancer=pancreatic cancer", *endpoint, "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 3 and "GPC-1" in out and "c-Met" in out
    query = tmp_path / "findings.rq"
    query.write_text(findings_query(), encoding="utf-8")
    assert main(["sparql", str(query), *endpoint, "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "row limit (50 rows)" in err


def test_an_answer_stopped_at_the_time_limit_is_refused(time_limited):
    # Virtuoso answers a query it stops at its time limit with part of the result (S1TAT) or, on
    # some runs, with HTTP 500 SR203 (statement killed by SQLCancel): both must name the setting
    with pytest.raises(EndpointError) as caught:
        fetch(time_limited, CARTESIAN, timeout_s=120, virtuoso=True)
    message = str(caught.value)
    if isinstance(caught.value, IncompleteAnswerError):
        assert "stopped the query before its end and answered with part of the result (S1TAT:" in message
    else:
        assert caught.value.status == 500 and "SR203" in message
        assert "Virtuoso stopped the query at its time limit" in message
    assert "MaxQueryExecutionTime" in message


def test_the_client_timeout_is_the_store_timeout_too(row_limited):
    """The request's own time limit reaches Virtuoso: it stops the query and the client says so."""
    with pytest.raises(EndpointError) as caught:
        fetch(row_limited, CARTESIAN, timeout_s=2, virtuoso=True)
    # either the store's partial answer came first, or the client stopped waiting: both say so
    assert "part of the result" in str(caught.value) or "no answer within 2 s" in str(caught.value)


def test_a_replace_over_the_transaction_limit_names_the_setting_and_changes_nothing(tmp_path, capsys):
    from servers import virtuoso_server

    small, big = tmp_path / "small.nt", tmp_path / "big.nt"
    small.write_text("".join(f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" .\n" for i in range(10)))
    big.write_text("".join(f"<https://example.org/s{i}> <https://example.org/p> \"value {i}\" .\n" for i in range(20_000)))
    graph = "https://example.org/exo-rdf-tests/limited"
    with virtuoso_server(settings={"Parameters": {"TransactionAfterImageLimit": 100_000}}) as server:
        endpoint = ["--endpoint", server.base.replace("http://", "http://dba:dba@"), "--store", "virtuoso"]
        assert main(["load", *endpoint, "--file", str(small), "--graph", graph]) == 0
        capsys.readouterr()
        assert main(["load", *endpoint, "--file", str(big), "--graph", graph]) == 2
        err = capsys.readouterr().err
        assert "TransactionAfterImageLimit" in err and f"<{graph}> is unchanged (10 triples)" in err
        text = with_values_rows((QUERIES / "graph-size.rq").read_text(encoding="utf-8"), ["graph"], [(ox.NamedNode(graph),)])
        count = fetch(server.base + "/sparql", text, timeout_s=60, virtuoso=True)
        assert count.rows[0][0].value == "10"


def test_a_query_refused_for_its_estimated_time_names_the_setting():
    from servers import virtuoso_server

    with virtuoso_server(settings={"SPARQL": {"MaxQueryCostEstimationTime": 1}}) as server:
        with pytest.raises(EndpointError) as caught:
            fetch(server.base + "/sparql", (QUERIES / "triples-cubed.rq").read_text(encoding="utf-8"), timeout_s=60,
                  virtuoso=True)
    message = str(caught.value)
    assert "HTTP 500" in message and "estimated execution time" in message
    assert "MaxQueryCostEstimationTime, in seconds, in the [SPARQL] section of virtuoso.ini" in message
