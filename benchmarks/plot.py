"""The log-log plot of benchmarks/run.py: time against size for each stage and its baseline."""
from __future__ import annotations

from pathlib import Path


def plot(results: dict, png: Path) -> None:
    """Log-log plot of time against size for each stage and its baseline."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)")
        return
    sizes = list(results["sizes"].values())
    fig, ax = plt.subplots(figsize=(7, 5))
    for key, style in (("load-exo", "o-"), ("load-rdflib", "o--"), ("validate-exo", "s-"), ("validate-pyshacl", "s--"),
                       ("server-load-exo", "d-"), ("server-load-bulk", "d:")):
        points = [(r["triples"], r[key]["seconds"]) for r in sizes if "seconds" in r.get(key, {})]
        if points:
            ax.plot(*zip(*points), style, label=key)
    points = [(r["triples"], sum(q["exo"].get("seconds", 0) for q in r["queries"].values()))
              for r in sizes if all("seconds" in q["exo"] for q in r["queries"].values())]
    if points:
        ax.plot(*zip(*points), "^-", label="all stored queries (exo)")
    # rdflib times out on some queries: compare the sums over the queries it answered
    for engine, style in (("exo", "v-"), ("rdflib", "v--")):
        points = [(r["triples"], sum(q[engine]["seconds"] for q in r["queries"].values() if "seconds" in q["rdflib"]))
                  for r in sizes if any("seconds" in q["rdflib"] for q in r["queries"].values())]
        if points:
            ax.plot(*zip(*points), style, label=f"queries rdflib answered ({engine})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel("seconds")
    ax.set_title("exo-rdf vs the plain Python stack")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")
