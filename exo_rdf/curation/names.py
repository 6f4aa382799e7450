"""Names as curators write them: the key two spellings of a name share, a miRNA's arm-free key, an
index of names to terms, and the names closest to one that is unknown.

exo_rdf.curation.resolve.Resolver builds one Names per source (the project, each upstream table)
and looks a cell's text up in them, exact label first, normalised key later; when nothing
matches it offers the closest names (closest_keys).
"""
from __future__ import annotations

import difflib
import re
import unicodedata

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "κ": "kappa", "λ": "lambda",
          "μ": "mu", "ω": "omega", "σ": "sigma", "τ": "tau", "θ": "theta", "ζ": "zeta", "η": "eta", "ι": "iota",
          "ξ": "xi", "ρ": "rho", "φ": "phi", "χ": "chi", "ψ": "psi", "ν": "nu", "π": "pi", "ο": "omicron", "υ": "upsilon"}
#: British spellings read as American (the upstream tables are American), as one pattern
_SPELLING = {"isation": "ization", "isations": "izations", "tumour": "tumor", "haem": "hem", "aemia": "emia", "oesophag": "esophag", "oestr": "estr",
             "signalling": "signaling", "foetal": "fetal"}
_BRITISH = re.compile(r"isations?\b|tumour|\bhaem|aemia\b|\boesophag|\boestr|signalling|\bfoetal")
_NOT_ALNUM = re.compile(r"[\W_]+")
#: a miRNA's name, with or without its species and arm ("hsa-miR-21-5p", "miR-21", "let-7a")
MIRNA = re.compile(r"^(?:[a-z]{3}-)?(mir|let)-?([0-9]+[a-z]?(?:-[0-9]+)?)(?:-(?:5p|3p))?$", re.I)


def normalise(text: str) -> str:
    """The key two spellings of one name share: lower case, Greek letters and American spelling, no punctuation.

    >>> normalise("TGF-β") == normalise("tgf beta")
    True
    >>> normalise("M2 macrophage polarisation") == normalise("M2 Macrophage Polarization")
    True
    """
    if text.isascii():
        text = text.lower()
    else:
        text = "".join(_GREEK.get(c, c) for c in unicodedata.normalize("NFKC", text).casefold())
    text = _BRITISH.sub(lambda m: _SPELLING[m.group(0)], text)
    return _NOT_ALNUM.sub("", text)


def mirna_key(text: str) -> str | None:
    """The species- and arm-free key of a miRNA name ("hsa-miR-21-5p", "miR-21" -> "mir21"), or None."""
    m = MIRNA.match(text.strip())
    return None if m is None else (m.group(1).lower() + m.group(2).replace("-", "")).lower()


class Names:
    """One source of names: exact labels, exact synonyms, normalised keys, printed names, miRNA keys."""

    def __init__(self):
        self.label: dict[str, set[str]] = {}
        self.synonym: dict[str, set[str]] = {}
        self.normal: dict[str, set[str]] = {}
        self.printed: dict[str, set[str]] = {}
        self.mirna: dict[str, set[str]] = {}

    def add(self, iri: str, text: str, is_label: bool) -> None:
        text = text.strip()
        if not text:
            return
        (self.label if is_label else self.synonym).setdefault(text, set()).add(iri)
        self.normal.setdefault(normalise(text), set()).add(iri)


def closest_keys(text: str, buckets: dict[str, list[str]], n: int = 5) -> list[str]:
    """Up to n normalised names of buckets (first character -> names) closest to text, best first
    (difflib ratio on the normalised names, at least 0.6).

    Names of about the same length starting with the same character are compared first, all
    names of about the same length only when none of those is close: a full table holds
    hundreds of thousands of names, which difflib would take a second to compare.
    """
    query = normalise(text)
    near = lambda keys: [k for k in keys if abs(len(k) - len(query)) <= max(2, len(query) // 3)]  # noqa: E731
    found = difflib.get_close_matches(query, near(buckets.get(query[:1], ())), n=n, cutoff=0.6) if query else []
    if not found and query:
        found = difflib.get_close_matches(query, [k for keys in buckets.values() for k in near(keys)], n=n, cutoff=0.6)
    return found
