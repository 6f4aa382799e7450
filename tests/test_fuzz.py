"""Property-based fuzzing of the command line: random Turtle, parameter values and query texts.

Whatever the input, the command exits 0, 1 or 2; on 2 it prints one 'exo-rdf: error:' line and
never a traceback; a real process never dies of a signal. The examples are derandomised and few,
so the run is reproducible and its time bounded.
"""
from __future__ import annotations

import io
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exo_rdf.cli import main

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces that reach the parsers' corners: brackets, quotes, escapes, prefixes, numbers, keywords.
SPARQL_TOKENS = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", "?s", "?p", "?o", "$x", ".",
    ";", ",", "FILTER", "OPTIONAL", "UNION", "MINUS", "BIND", "AS", "VALUES", "UNDEF", "SERVICE", "SILENT", "GRAPH",
    "<http://x/a>", "<>", "<", ">", "a", "rdf:type", "exo:Finding", "PREFIX", "exo:", "<https://w3id.org/exo-rdf/ontology/>",
    '"text"', '"""long\n"""', "'x'", '"\\u0000"', '"\\"', "1", "-1.5e308", "1e999", "NaN", "true", "*", "+", "/", "|",
    "^", "!", "&&", "||", "COUNT(*)", "GROUP BY", "ORDER BY", "LIMIT", "10", "OFFSET", "#", "\n", "(" * 80, ")" * 80,
    "SERVICE ?x", "SERVICE <http://127.0.0.1:1/sparql>", "\x00", "é", "\ud7ff", "REGEX(?o, \"(a+)+$\")",
])
QUERY_TEXT = st.one_of(
    st.lists(SPARQL_TOKENS, max_size=40).map(" ".join),
    st.text(max_size=200),
    st.builds(lambda head, body: f"SELECT * WHERE {{ {head} {body} }} LIMIT 5",
              st.lists(SPARQL_TOKENS, max_size=12).map(" ".join), st.text(max_size=40)),
)
TURTLE_TOKENS = st.sampled_from([
    "@prefix ex: <http://example.org/> .", "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .", "@base <http://b/> .",
    "ex:a", "ex:b", "exo:Finding", "a", "exo:BiomarkerFinding", "exo:sensitivityMax", '"0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"text"@en', '"""multi\nline"""', "[", "]", "(", ")", ";", ",", ".", "_:b0", "<http://x/ y>", "<rel>", "1", "-0.0",
    "1e999", "true", '"\\uD800"', "\x00", "\n", "#", "é", "GRAPH", "{", "}", "<<", ">>",
])
TURTLE = st.one_of(st.lists(TURTLE_TOKENS, max_size=40).map(" ".join), st.text(max_size=200))
PARAM_VALUE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["0.0000001", "1e-7", "NaN", "inf", "-Infinity", "1e999", "0x10", "１２", "MONDO:0009831",
                     "MONDO:", ":", "http://purl.obolibrary.org/obo/MONDO_0009831", "<x>", '" } ; DROP ALL ; #',
                     "9" * 400, "-", "", " ", "\x00", "\u202e"]),
)
PARAMETERS = st.sampled_from([("biomarkers", "min_sensitivity"), ("biomarkers", "cancer"),
                              ("findings-by-reference", "reference"), ("cargo-by-cancer", "cancer"),
                              ("trial-contents", "nct"), ("ev-types", "unknown")])


def run_in_process(args: list[str]) -> tuple[int, str, str]:
    """main(args) with stdout and stderr captured (bytes written to stdout.buffer included)."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main(args)
    except SystemExit as exc:  # argparse: usage errors are exit 2 with its own message
        code = exc.code
    finally:
        sys.stdout, sys.stderr = saved
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8", "replace"), err.getvalue()


def assert_contract(code, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err, err
    if code == 2:
        lines = err.splitlines()
        if lines and lines[0].startswith("usage: "):  # argparse's own report of a malformed command line
            assert lines[-1].startswith("exo-rdf ") and ": error: " in lines[-1], err
        else:
            assert len(lines) == 1 and lines[0].startswith("exo-rdf: error: "), err
        assert "please report" not in err, err  # an unexpected exception: a defect


@FUZZ
@given(text=QUERY_TEXT)
def test_random_query_texts(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("q") / "fuzz.rq"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, _, err = run_in_process(["sparql", str(path), "--timeout-s", "10"])
    assert_contract(code, err)


@FUZZ
@given(query_and_name=PARAMETERS, value=PARAM_VALUE)
def test_random_parameter_values(query_and_name, value):
    query, name = query_and_name
    code, _, err = run_in_process(["query", query, f"--param={name}={value}", "--format", "csv"])
    assert_contract(code, err)
    assert code in (0, 2)


@settings(FUZZ, max_examples=12)
@given(turtle=TURTLE)
def test_random_turtle(tmp_path_factory, turtle):
    path = tmp_path_factory.mktemp("t") / "fuzz.ttl"
    path.write_bytes(turtle.encode("utf-8", "surrogatepass"))
    code, _, err = run_in_process(["validate", str(path)])
    assert_contract(code, err)


@settings(FUZZ, max_examples=4)
@given(text=QUERY_TEXT)
def test_random_query_texts_in_a_real_process_never_crash(text):
    proc = subprocess.run([sys.executable, "-m", "exo_rdf", "sparql", "-", "--timeout-s", "10"],
                          input=text.encode("utf-8", "surrogatepass"), capture_output=True, timeout=120)
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-2000:])  # negative: killed by a signal
    assert b"Traceback" not in proc.stderr, proc.stderr[-2000:]
