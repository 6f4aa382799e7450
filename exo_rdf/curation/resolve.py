"""Resolve the names curators write ("PD-L1", "pancreatic cancer", "MDA-MB-231") to exo-rdf's terms.

Where names come from, built once per Resolver:

- the import modules (``ontology/imports``): upstream labels, ``oboInOwl:hasSynonym``,
  ``skos:altLabel``, HGNC symbols;
- the project's own terms (``ontology/exo-rdf.ttl``) and entities (``data/entities``,
  ``data/reviews.ttl`` ...): labels and alternative labels; and the names the bundled findings
  print (``exo:fluidAsPrinted "Plasma"`` beside ``exo:fluid UBERON:0001969``), where the finding
  has exactly one term for that name;
- when given, the full upstream tables (``--terms DIR``, the layout of ``ontology-terms/``:
  ``go.tsv``, ``cl.tsv``, ``hgnc.tsv``, ``cellosaurus.tsv`` ...), each read on first need by a
  column that takes its terms; a table missing from the folder is not searched.

Order: an explicit identifier (a CURIE of the project's prefix map, or an IRI) wins; then an exact
label, an exact synonym, a normalised label or synonym (case, spaces, hyphens and punctuation
ignored, Greek letters spelled out, British -isation/-ise/tumour/haem- read as American), a name the
bundled findings print, and last a miRNA named without its arm ("miR-21" for hsa-miR-21-5p),
which resolves only where the miRBase table has a single mature miRNA of that name. The first
step that finds a term of the column's kind decides; several terms there make the name
ambiguous. Nothing is guessed: unknown and ambiguous names, an identifier with a prefix the
column does not take, an obsolete identifier, and a name that only matches terms of another kind
(a cell line in a cell-type column) raise CellProblem with the closest candidates and their ids.

A column that takes molecules takes the project's molecule individuals (``exod:protein-CD274``):
an HGNC, miRBase or ChEBI term found by its id or name is taken through the individual that
``skos:exactMatch``-es it.

The kinds of term and their upstream tables are in exo_rdf.curation.kinds; normalised keys, miRNA
keys, the index of names and the ranking of close names in exo_rdf.curation.names.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curation.kinds import FAMILY_NAMES, KINDS, TABLE_FAMILIES, TABLES, Kind
from exo_rdf.curation.names import MIRNA, Names, closest_keys, mirna_key, normalise
from exo_rdf.curation.problems import CellProblem
from exo_rdf.curies import compress, expand
from exo_rdf.errors import TermTableError

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
RDF_REST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
LABELS = {RDFS + "label", EXO + "hgncSymbol"}
SYNONYMS = {SKOS + "altLabel", "http://www.geneontology.org/formats/oboInOwl#hasSynonym"}
#: printed-name property -> the property holding its term, on the same finding
PRINTED = {EXO + f"{name}AsPrinted": EXO + name for name in (
    "cancer", "fluid", "marker", "cargo", "target", "coAdministeredAgent", "releasedFactor", "evType")}
#: subjects that are not terms a cell can name
NOT_TERMS = {OWL + t for t in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty", "Ontology")}
PRINTED[EXO + "processAsPrinted"] = EXO + "affectsProcess"
PRINTED[EXO + "contentAsPrinted"] = EXO + "exosomalContent"


_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_][^\s]*$")


class Resolver:
    """Names and ids to terms, for the columns of a template; see the module docstring for the order.

    root: the project (ontology/, data/); terms: a folder of upstream tables, or None.
    Building reads the import modules and the project's sources (about a second); each table is
    read when a column first needs it. Answers are cached per (text, kind).
    Raises SourceError when a project source does not parse.
    """

    def __init__(self, root: Path | None = None, terms: Path | None = None):
        from exo_rdf.sources import discover, parse_quads, project_root

        self.root = Path(root) if root else project_root()
        self.terms = Path(terms) if terms else None
        if self.terms is not None and not self.terms.is_dir():
            raise TermTableError(f"{self.terms}: no such folder; --terms takes a folder of term tables (go.tsv, cl.tsv, ...)")
        self.families: dict[str, set[str]] = {}  # iri -> families
        self.labels: dict[str, str] = {}  # iri -> label, for messages
        self.obsolete: dict[str, str | None] = {}  # iri -> replacing iri, or None
        self.bridge: dict[str, set[str]] = {}  # external iri -> own individuals that exactly match it
        self.known_tables: set[str] = set()  # families whose table has been read
        self.sources: list[Names] = [Names()]  # the project's names
        self.tables: dict[str, Names] = {}  # family -> the names of its table, once read
        self._cache: dict[tuple[str, str], str] = {}
        self._keys: dict[str, dict[str, list[str]]] = {}  # kind -> first character -> normalised names
        triples: dict[str, dict[str, list]] = {}
        for source in discover(self.root, ("ontology", "imports", "data")):
            for q in parse_quads(source):  # blank nodes too: a defined class's intersection is one
                key = q.subject.value if isinstance(q.subject, ox.NamedNode) else "_:" + q.subject.value
                triples.setdefault(key, {}).setdefault(q.predicate.value, []).append(q.object)
        self._index_project(triples)

    # building ---------------------------------------------------------------------------------

    def _index_project(self, triples: dict) -> None:
        def named_parents(props: dict) -> list[str]:
            """Superclasses, and the named classes of an equivalent intersection (a defined class's genus)."""
            out = [o.value for o in props.get(RDFS + "subClassOf", []) if isinstance(o, ox.NamedNode)]
            for equivalent in props.get(OWL + "equivalentClass", []):
                for head in triples.get("_:" + equivalent.value, {}).get(OWL + "intersectionOf", []):
                    while isinstance(head, ox.BlankNode):
                        item = triples.get("_:" + head.value, {})
                        out += [o.value for o in item.get(RDF_FIRST, []) if isinstance(o, ox.NamedNode)]
                        head = (item.get(RDF_REST) or [None])[0]
            return out

        supers = {s: named_parents(p) for s, p in triples.items() if not s.startswith("_:")}

        def ancestors(cls: str) -> set[str]:
            seen, todo = set(), [cls]
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen.add(c)
                    todo += supers.get(c, [])
            return seen

        findings = {c for c in triples if EXO + "Finding" in ancestors(c)} | {EXO + "TargetRegulation"}
        names = self.sources[0]
        for iri, props in triples.items():
            if iri.startswith("_:"):
                continue
            types = {o.value for o in props.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)}
            if types & findings:
                self._index_printed(props)
                continue
            if types & NOT_TERMS:
                continue
            if OWL + "Class" in types:  # a class is in the external families of its superclasses (CL, GO)
                families = {_family(a) for a in ancestors(iri) if not a.startswith(EXO)}
            else:  # an individual in those of its classes, an external one in its prefix's too
                families = {_family(a) for t in types for a in ancestors(t)}
                families |= set() if iri.startswith((EXO, EXOD)) else {_family(iri)}
            families.discard(None)
            if not families:
                continue
            self.families[iri] = families
            for p, objects in props.items():
                for o in objects:
                    if isinstance(o, ox.Literal) and (p in LABELS or p in SYNONYMS):
                        names.add(iri, o.value, p in LABELS)
                        if p in LABELS:
                            self.labels.setdefault(iri, o.value)
            if iri.startswith(EXOD):
                for match in props.get(SKOS + "exactMatch", []):
                    self.bridge.setdefault(match.value, set()).add(iri)
            if iri.startswith(EXO) and any(o.value == "true" for o in props.get(OWL + "deprecated", [])):
                self.obsolete[iri] = None

    def _index_printed(self, props: dict) -> None:
        for printed, target in PRINTED.items():
            texts, terms = props.get(printed, []), props.get(target, [])
            if len(texts) == 1 and len(terms) == 1 and isinstance(terms[0], ox.NamedNode):
                self.sources[0].printed.setdefault(normalise(texts[0].value), set()).add(terms[0].value)

    def _read_table(self, family: str) -> None:
        """Read one upstream table into a source of names of its own (once)."""
        if self.terms is None or family in self.known_tables or family not in TABLES:
            return
        self.known_tables.add(family)
        name, id_column, label_column, synonym_columns = TABLES[family]
        path = self.terms / name
        if not path.exists():  # a folder with some of the tables: the others' families are searched without
            return
        names = Names()
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
                missing = {id_column, label_column} - set(reader.fieldnames or ())
                if missing:
                    raise TermTableError(f"{path}: no column {', '.join(sorted(missing))}; is this a term table of ontology-terms/?")
                for record in reader:
                    iri = expand(record[id_column] or "")
                    if iri is None:
                        continue
                    obsolete = (record.get("obsolete") or "").lower() == "true" or (record.get("status") or "Approved") != "Approved"
                    label = record[label_column] or ""
                    self.labels.setdefault(iri, label)
                    self.families.setdefault(iri, {family})
                    if obsolete:
                        self.obsolete[iri] = None
                        continue
                    names.add(iri, label, True)
                    for column in synonym_columns:
                        for synonym in (record.get(column) or "").split("|"):
                            names.add(iri, synonym, False)
                    if family == "mirbase.mature" and (key := mirna_key(label)):
                        names.mirna.setdefault(key, set()).add(iri)
        except OSError as exc:
            raise TermTableError(f"{path}: cannot read the {family} table ({exc.strerror}); --terms takes a folder like ontology-terms/") from None
        if family == "GO" and (self.terms / "go_secondary_ids.tsv").is_file():
            with (self.terms / "go_secondary_ids.tsv").open(newline="", encoding="utf-8") as handle:
                for record in csv.DictReader(handle, delimiter="\t"):
                    old, new = expand(record.get("id") or ""), expand(record.get("replaced_by") or "")
                    if old and old not in self.labels:
                        self.obsolete[old] = new
                        self.families.setdefault(old, {"GO"})
        self.tables[family] = names
        self._keys.clear()

    def _tables_for(self, kind: Kind) -> None:
        for family in kind.families:
            for table in TABLE_FAMILIES.get(family, (family,)):
                self._read_table(table)

    def _sources(self, kind: Kind) -> list[Names]:
        """The names a column of kind is resolved against: the project's, and its own tables' once read."""
        tables = [t for f in kind.families for t in TABLE_FAMILIES.get(f, (f,)) if t in self.tables]
        return [self.sources[0], *(self.tables[t] for t in dict.fromkeys(tables))]

    # resolving --------------------------------------------------------------------------------

    def kind(self, name: str) -> Kind:
        """The Kind called name; raises KeyError naming the kinds there are."""
        if name not in KINDS:
            raise KeyError(f"unknown kind of term {name!r}; kinds: {', '.join(KINDS)}")
        return KINDS[name]

    def __call__(self, text: str, column) -> ox.NamedNode:
        """resolve() for a template: column is a kind of term, or a Column of exo_rdf.curation.columns (its term_kind)."""
        return self.resolve(text, column if isinstance(column, str) else column.term_kind)

    def resolve(self, text: str, kind: str) -> ox.NamedNode:
        """The term text names, among the terms of kind (a key of KINDS).

        Raises CellProblem (rules unknown-name, ambiguous-name, wrong-kind, wrong-prefix,
        unknown-id, obsolete-id) with the closest candidates in its message and fix.
        """
        key = (text, kind)
        if key not in self._cache:
            try:
                self._cache[key] = self._resolve(text.strip(), self.kind(kind))
            except CellProblem as problem:
                self._cache[key] = problem
        answer = self._cache[key]
        if isinstance(answer, CellProblem):
            raise answer
        return ox.NamedNode(answer)

    def _accepts(self, kind: Kind, iri: str) -> bool:
        return bool(self._families(iri) & set(kind.families))

    def _families(self, iri: str) -> set[str]:
        return self.families.get(iri) or {_family(iri)} - {None}

    def _in_kind(self, kind: Kind, iris: set[str]) -> set[str]:
        """The terms of kind among iris; if none, those the own individuals that exactly match them are."""
        found = {i for i in iris if self._accepts(kind, i)}
        if found:  # a term named so itself wins over one reached through a match (the protein over its gene's mRNA)
            return found
        return {own for i in iris for own in self.bridge.get(i, ()) if self._accepts(kind, own)}

    def _resolve(self, text: str, kind: Kind) -> str:
        if not text:
            raise CellProblem("missing-value", f"an empty name where a {kind.name} belongs", value=text,
                              fix=f"write a {kind.name}, e.g. {kind.example}")
        self._tables_for(kind)
        # the project's names and the kind's own tables: what other columns made the resolver read
        # must not change the answer (a cell line table read for another column, say)
        sources = self._sources(kind)
        iri = expand(text) or (text if re.match(r"^https?://\S+$", text) else None)
        if iri is not None:
            return self._explicit(text, iri, kind)
        if _CURIE.match(text) and not MIRNA.match(text):
            raise CellProblem("wrong-prefix", f"{text.partition(':')[0]!r} is not a prefix of exo-rdf's prefix map, "
                              f"and this column takes {_a(kind.name)}", value=text, fix=f"write {_a(kind.name)}, e.g. {kind.example}")
        elsewhere: set[str] = set()
        for tier in ("label", "synonym", "normal", "printed", "mirna"):
            key = text if tier in ("label", "synonym") else (mirna_key(text) if tier == "mirna" else normalise(text))
            if key is None:
                continue
            found = set().union(*(getattr(source, tier).get(key, set()) for source in sources))
            found -= set(self.obsolete)
            if not found:
                continue
            mine = self._in_kind(kind, found)
            if len(mine) == 1:
                return mine.pop()
            if mine:
                raise CellProblem("ambiguous-name", f"{text!r} names {len(mine)} {kind.name}s: {self._list(mine)}", value=text,
                                  fix=f"write the id of the one meant, e.g. {compress(sorted(mine)[0])}")
            elsewhere = elsewhere or found  # the step that found them says what the name is
        if elsewhere:
            families = self._kinds_of(elsewhere)
            raise CellProblem("wrong-kind", f"{' or '.join(families)} given where a {kind.name} belongs: {text!r} is {self._list(elsewhere)}",
                              value=text, fix=f"move it to a column for a {families[0]}, or write a {kind.name} here, e.g. {kind.example}")
        close = self.closest(text, kind)
        hint = f"; closest: {self._list(close)}" if close else ""
        tables = "" if self.terms else "; with --terms DIR the full upstream tables are searched too"
        raise CellProblem("unknown-name", f"no {kind.name} is named {text!r}{hint}", value=text,
                          fix=(f"write one of the closest, or its id" if close else f"write a {kind.name}, e.g. {kind.example}") + tables)

    def _explicit(self, text: str, iri: str, kind: Kind) -> str:
        if iri in self.obsolete:
            new = self.obsolete[iri]
            label = self.labels.get(iri)
            raise CellProblem("obsolete-id", f"{compress(iri)}{f' ({label})' if label else ''} is obsolete"
                              + (f", merged into {compress(new)}" if new else ""), value=text,
                              fix=f"write {compress(new)}" if new else f"find the current term and write its id; e.g. {kind.example}")
        if not self._accepts(kind, iri):
            mine = self._in_kind(kind, {iri})
            if len(mine) == 1:
                return mine.pop()
            families = self._kinds_of({iri})
            if mine:
                raise CellProblem("ambiguous-name", f"{compress(iri)} is matched by {len(mine)} {kind.name}s: {self._list(mine)}",
                                  value=text, fix=f"write the id of the one meant, e.g. {compress(sorted(mine)[0])}")
            raise CellProblem("wrong-prefix", f"{compress(iri)} is {_a(' or '.join(families))}, and this column takes {_a(kind.name)}",
                              value=text, fix=f"write a {kind.name}, e.g. {kind.example}")
        if iri not in self.families:
            prefix = _family(iri)
            where = f"the {prefix} table of {self.terms}" if prefix in self.known_tables else "the import modules or the project"
            raise CellProblem("unknown-id", f"{compress(iri)} is not in {where}", value=text,
                              fix="check the id" + ("" if prefix in self.known_tables else "; give --terms DIR to look it up in the full upstream tables"))
        return iri

    def closest(self, text: str, kind: Kind, n: int = 5) -> list[str]:
        """Up to n terms of kind whose names are closest to text (see names.closest_keys)."""
        if kind.name not in self._keys:
            buckets: dict[str, dict[str, None]] = {}
            for source in self._sources(kind):
                for key, iris in source.normal.items():
                    if key and self._in_kind(kind, iris):
                        buckets.setdefault(key[0], {})[key] = None
            self._keys[kind.name] = {c: list(keys) for c, keys in buckets.items()}
        found = closest_keys(text, self._keys[kind.name], n)
        out: list[str] = []
        for key in found:
            for source in self._sources(kind):
                out += sorted(i for i in self._in_kind(kind, source.normal.get(key, set())) if i not in out)
        return out[:n]

    def _kinds_of(self, iris) -> list[str]:
        """What the terms are, as people call them (the most telling family names)."""
        kinds = sorted({FAMILY_NAMES[f] for i in iris for f in self._families(i) if f in FAMILY_NAMES})
        return kinds or ["term of no kind a template column takes"]

    def _list(self, iris) -> str:
        return ", ".join(f"{compress(i)} ({self.labels.get(i, '?')})" for i in sorted(iris))


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _family(iri: str) -> str | None:
    """The family of an IRI from its prefix (CL, GO...) or, for an exo-rdf class, its local name."""
    if iri.startswith(EXO):
        return iri[len(EXO):]
    prefix, sep, _ = compress(iri).partition(":")
    return prefix if sep and prefix not in ("exod", "obo", "owl", "rdfs", "rdf") else None
