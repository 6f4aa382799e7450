"""Every public function, called with bad arguments, raises the project's own exceptions (or works:
paths as str or os.PathLike), never a raw TypeError/AttributeError from deep inside."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from conftest import ROOT
from exo_rdf import catalogue, export, imports, mappings, qc, query, reason, store, terms, validate
from exo_rdf.errors import (ArgumentError, ExoRdfError, OutputError, QueryParameterError, ValidationEngineError)

#: (label, call, expected exception, message fragment)
BAD_CALLS = [
    ("run_stored root=int", lambda t: query.run_stored("ev-types", root=5), ArgumentError,
     "root must be a path (str or os.PathLike), not int 5"),
    ("run_stored params=list", lambda t: query.run_stored("ev-types", params=["a"]), ArgumentError,
     "params must be a dict of parameter name -> str value, not list"),
    ("run_stored params value int", lambda t: query.run_stored("biomarkers", params={"cancer": 5}), ArgumentError,
     "params must map str names to str values (as on the command line); got 'cancer': int"),
    ("run_stored name=None", lambda t: query.run_stored(None), ArgumentError,
     "name must be the str name of a stored query, not NoneType None"),
    ("run_stored store=str", lambda t: query.run_stored("ev-types", store="x"), ArgumentError,
     "store must be a pyoxigraph.Store (or None for the embedded store), not str"),
    ("run_stored timeout_s=0", lambda t: query.run_stored("ev-types", store=ox.Store(), timeout_s=0), ArgumentError,
     "timeout_s must be a positive number of seconds or None, not 0"),
    ("run_sparql text=bytes", lambda t: query.run_sparql(b"ASK {}"), ArgumentError,
     "text must be a str of SPARQL, not bytes"),
    ("run_sparql store=dict", lambda t: query.run_sparql("ASK {}", store={}), ArgumentError,
     "store must be a pyoxigraph.Store (or None for the embedded store), not dict"),
    ("run_sparql timeout_s=str", lambda t: query.run_sparql("ASK {}", store=ox.Store(), timeout_s="1"), ArgumentError,
     "timeout_s must be a positive number of seconds or None, not '1'"),
    ("run_sparql bindings=list", lambda t: query.run_sparql("ASK {}", store=ox.Store(), bindings=[1]), ArgumentError,
     "bindings must be a dict of variable name -> RDF term, not list"),
    ("run_sparql bindings value str", lambda t: query.run_sparql("ASK {}", store=ox.Store(), bindings={"x": "a"}),
     ArgumentError, "bindings['x'] must be a pyoxigraph term, not str"),
    ("show_stored params=list", lambda t: query.show_stored("biomarkers", ["x"]), QueryParameterError,
     "query 'biomarkers' has no parameter 'x'"),
    ("validate files=str", lambda t: validate.validate("x.ttl"), ArgumentError,
     "files must be a list of paths, not str 'x.ttl'"),
    ("validate files=[int]", lambda t: validate.validate([5]), ArgumentError,
     "each of files must be a path (str or os.PathLike), not int 5"),
    ("validate root=int", lambda t: validate.validate(root=5), ArgumentError, "root must be a path"),
    ("validate engine=int", lambda t: validate.validate(engine=5), ValidationEngineError,
     "unknown validation engine '5'; choose one of sparql, pyshacl"),
    ("reason root=int", lambda t: reason.reason(root=5), ArgumentError, "root must be a path"),
    ("reason kinds=str", lambda t: reason.reason(kinds="data"), ArgumentError,
     "kinds must be a tuple of ontology, imports, data, shapes, not 'data'"),
    ("export out=int", lambda t: export.export(5, "ttl"), ArgumentError, "out must be a path"),
    ("export fmt=None", lambda t: export.export(t / "x.ttl", None), OutputError, "unknown export format 'None'"),
    ("export root=int", lambda t: export.export(t / "x.nt", "nt", root=5), ArgumentError, "root must be a path"),
    ("embedded_store root=int", lambda t: store.embedded_store(5), ArgumentError,
     "root must be a path (str or os.PathLike) or None, not int"),
    ("embedded_store kinds=str", lambda t: store.embedded_store(kinds="data"), ArgumentError,
     "kinds must be a tuple of"),
    ("embedded_store root=missing", lambda t: store.embedded_store(t / "nowhere"), ExoRdfError,
     "no ontology/ folder here"),
    ("write_sssom out=int", lambda t: mappings.write_sssom(5), ArgumentError, "out must be a path"),
    ("run_checks store=str", lambda t: qc.run_checks("x"), ArgumentError, "store must be a pyoxigraph.Store"),
    ("run_checks root=int", lambda t: qc.run_checks(root=5), ArgumentError, "root must be a path"),
    ("qc report fmt", lambda t: qc.report([], "nope"), OutputError, "unknown QC report format 'nope'"),
    ("check_terms tables=int", lambda t: terms.check_terms(5), ArgumentError, "tables must be a path"),
    ("check_terms root=int", lambda t: terms.check_terms(t, 5), ArgumentError, "root must be a path"),
    ("check_terms tables=missing str", lambda t: terms.check_terms(str(t / "none")), ExoRdfError,
     "no such folder of term tables; pass --terms DIR"),
    ("refresh tables=int", lambda t: imports.refresh(5), ArgumentError, "tables must be a path"),
    ("refresh out=int", lambda t: imports.refresh(t, out=5), ArgumentError, "out must be a path"),
    ("catalogue root=int", lambda t: catalogue.catalogue(5), ArgumentError, "root must be a path"),
    ("get_query name=int", lambda t: catalogue.get_query(5), ArgumentError, "name must be the str name"),
    ("get_query root=int", lambda t: catalogue.get_query("ev-types", 5), ArgumentError, "root must be a path"),
    ("catalogue_turtle root=int", lambda t: catalogue.catalogue_turtle(5), ArgumentError, "root must be a path"),
    ("read_query path=int", lambda t: catalogue.read_query(5), ArgumentError, "path must be a path"),
]


@pytest.mark.parametrize("label, call, expected, fragment", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_raise_the_projects_exceptions(tmp_path, label, call, expected, fragment):
    with pytest.raises(expected) as caught:
        call(tmp_path)
    assert isinstance(caught.value, ExoRdfError)
    assert fragment in str(caught.value)


def test_argument_errors_are_type_errors_too():
    with pytest.raises(TypeError):
        query.run_sparql(b"ASK {}")


def test_roots_and_paths_given_as_str_work(tmp_path):
    root = str(ROOT)
    assert query.run_stored("ev-types", root=root).rows == query.run_stored("ev-types").rows
    assert "ev-types" in catalogue.catalogue(root)
    assert catalogue.get_query("ev-types", root).name == "ev-types"
    assert validate.validate(root=root).conforms
    assert export.export(str(tmp_path / "x.nt"), "nt", root=root) > 4000
    assert qc.run_checks(root=root) == qc.run_checks()
    assert store.embedded_store(root) is not None
    written = mappings.write_sssom(str(tmp_path / "m.sssom.tsv"), root)
    assert written == tmp_path / "m.sssom.tsv" and written.read_text().startswith("#curie_map:")
