"""The store cache: keyed by root and content, never shared between roots, repaired when damaged."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from exo_rdf.errors import SourceError
from exo_rdf.query import run_sparql
from exo_rdf.store import cache_dir, clean_temporary, embedded_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/exo-rdf/ontology/sizeMinNm> ?v }"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("EXO_RDF_CACHE", str(folder))
    return folder


def copy_project(where):
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, where / part)
    old = 1_600_000_000  # an old mtime: the stamp is only written for files not changed in the last seconds
    for path in where.rglob("*"):
        os.utime(path, (old, old))
    return where


def stores(cache) -> list[str]:
    return sorted(p.name for p in cache.glob("store-*"))


def test_two_roots_in_a_loop_never_interfere(tmp_path, cache):
    one, two = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    reviews = two / "data" / "reviews.ttl"
    reviews.write_text(reviews.read_text(encoding="utf-8") + "\n# the second checkout differs\n", encoding="utf-8")
    expected = run_sparql(COUNT, store=embedded_store(one)).values()
    for _ in range(10):
        for root in (one, two):
            assert run_sparql(COUNT, store=embedded_store(root)).values() == expected
    assert len(stores(cache)) == 2  # one per root, neither pruned by the other


def test_two_roots_alternating_in_processes(tmp_path, cache):
    one, two = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    (two / "data" / "reviews.ttl").write_text((one / "data" / "reviews.ttl").read_text() + "\n#\n")
    env = {**os.environ, "EXO_RDF_CACHE": str(cache)}
    outputs = set()
    for _ in range(3):
        for root in (one, two):
            proc = subprocess.run([sys.executable, "-m", "exo_rdf", "query", "ev-types", "--format", "csv"],
                                  env={**env, "EXO_RDF_ROOT": str(root)}, capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
            assert proc.stderr == ""
            outputs.add(proc.stdout)
    assert len(outputs) == 1 and outputs.pop().count("\n") > 3
    assert len(stores(cache)) == 2


def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path, cache, monkeypatch):
    import exo_rdf.store

    monkeypatch.setattr(exo_rdf.store, "RACY_S", -60.0)  # stamp the fresh copy at once
    root = copy_project(tmp_path / "p")
    probe = root / "data" / "probe.ttl"
    probe.write_text('<https://w3id.org/exo-rdf/data/probe> <https://w3id.org/exo-rdf/ontology/sizeMinNm> "30" .\n')
    os.utime(probe, (1_600_000_000, 1_600_000_000))
    value = "SELECT ?v WHERE { <https://w3id.org/exo-rdf/data/probe> <https://w3id.org/exo-rdf/ontology/sizeMinNm> ?v }"
    assert run_sparql(value, store=embedded_store(root)).values() == [{"v": "30"}]
    assert list(cache.glob("stamp-*"))  # the stat stamp that the edit below leaves unchanged but for ctime
    st = os.stat(probe)
    probe.write_text(probe.read_text().replace('"30"', '"31"'))
    os.utime(probe, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = os.stat(probe)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)
    assert run_sparql(value, store=embedded_store(root)).values() == [{"v": "31"}]


def test_the_stamp_spares_hashing_when_nothing_was_written(tmp_path, cache, monkeypatch):
    import exo_rdf.store

    monkeypatch.setattr(exo_rdf.store, "RACY_S", -60.0)
    root = copy_project(tmp_path / "p")
    embedded_store(root)
    assert list(cache.glob("stamp-*"))

    def no_hashing(paths):
        raise AssertionError("content hashed although no source was written")

    monkeypatch.setattr(exo_rdf.store, "content_hash", no_hashing)
    embedded_store(root)  # answered from the stamp


def test_a_corrupt_store_is_rebuilt(tmp_path, cache):
    root = copy_project(tmp_path / "p")
    expected = run_sparql(COUNT, store=embedded_store(root)).values()
    (folder,) = cache.glob("store-*")
    tables = sorted((folder / "db").glob("*.sst"), key=lambda p: p.stat().st_size)
    assert tables
    for table in tables:
        with open(table, "r+b") as handle:
            handle.seek(min(64, table.stat().st_size // 2))
            handle.write(b"garbage!" * 64)
    from exo_rdf.store import with_embedded_store

    assert with_embedded_store(lambda s: run_sparql(COUNT, store=s).values(), root) == expected
    assert run_sparql(COUNT, store=embedded_store(root)).values() == expected


def test_an_unwritable_cache_falls_back_to_memory_with_one_warning(tmp_path, monkeypatch, capfd):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EXO_RDF_CACHE", str(blocker / "cache"))
    root = copy_project(tmp_path / "p")
    assert run_sparql(COUNT, store=embedded_store(root)).values()[0]["n"] > 3
    err = capfd.readouterr().err
    assert err.startswith(f"exo-rdf: warning: the store cache {blocker / 'cache'} cannot be used (")
    assert err.endswith("; using an in-memory store\n") and err.count("\n") == 1


def test_a_bad_source_is_still_an_error_with_an_unwritable_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("EXO_RDF_CACHE", str(blocker / "cache"))
    root = copy_project(tmp_path / "p")
    (root / "data" / "broken.ttl").write_text("<a> <b> .\n")
    with pytest.raises(SourceError, match="broken.ttl:1: not valid Turtle"):
        embedded_store(root)


def test_leftover_temporary_folders_are_removed_by_the_next_build(tmp_path, cache):
    from exo_rdf.store import _host

    cache.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    leftover = cache / f".tmp-{_host()}-{dead}-store-ontology-imports-data-shapes-0--1-abc"
    (leftover / "db").mkdir(parents=True)
    (leftover / "db" / "000001.sst").write_bytes(b"x" * 1000)
    alive = cache / f".tmp-{_host()}-{os.getpid()}-store-x--y-abc"  # a build of a live process: kept
    alive.mkdir()
    old = cache / ".tmp-otherhost-1-store-x--y-abc"  # another host's, over an hour old: removed
    old.mkdir()
    os.utime(old, (1_600_000_000, 1_600_000_000))
    root = copy_project(tmp_path / "p")
    embedded_store(root)
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".tmp-")) == [alive.name]
    assert clean_temporary(str(cache)) == []
    leftover.mkdir()  # a build killed while the store was already there: the next warm run removes it
    embedded_store(root)
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith(".tmp-")) == [alive.name]


def test_prune_keeps_other_roots_and_removes_this_roots_old_versions(tmp_path, cache):
    one, two = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    embedded_store(one)
    embedded_store(two)
    first = stores(cache)
    reviews = one / "data" / "reviews.ttl"
    reviews.write_text(reviews.read_text() + "\n# edited\n")
    embedded_store(one)
    now = stores(cache)
    assert len(now) == 2 and len(set(now) & set(first)) == 1  # root two's store kept, root one's replaced
    assert cache_dir() == cache


def test_two_roots_queried_at_the_same_time_by_two_processes(tmp_path, cache):
    one, two = copy_project(tmp_path / "one"), copy_project(tmp_path / "two")
    (two / "data" / "reviews.ttl").write_text((one / "data" / "reviews.ttl").read_text() + "\n#\n")
    loop = ("import sys; from exo_rdf.query import run_sparql; from exo_rdf.store import embedded_store; "
            f"print(sorted({{tuple(run_sparql({COUNT!r}, store=embedded_store(sys.argv[1])).values()[0].values()) "
            "for _ in range(20)}))")
    env = {**os.environ, "EXO_RDF_CACHE": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", loop, str(root)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for root in (one, two, one, two)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    assert [(code, err) for _, err, code in results] == [(0, "")] * 4
    assert len({out for out, _, _ in results}) == 1  # every process got the same single answer each time
    assert len(stores(cache)) == 2
