"""Apache Jena SHACL 4.5 (Debian `libapache-jena-java`) as a benchmark peer: classpath and command.

    python benchmarks/peers/jena.py            # prints the classpath (building the fix folder first)

Debian's Jena command-line classes fail at start with an ExceptionInInitializerError in the
xerces copy inside jena-core unless its message files are found under `xerces/impl/msg` and
`xerces/impl/xpath/regex` on the classpath. `fix_folder` copies them out of jena-core.jar into a
cache folder (`$XDG_CACHE_HOME/exo-rdf-bench/jena-xerces`, built once), which goes first on the
classpath. The jar list is explicit: `/usr/share/java/*` holds several slf4j bindings that clash.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JARS = [
    "jena-base", "jena-core", "jena-arq", "jena-iri", "jena-shacl", "jena-cmds", "jena-shex",
    "jena-dboe-base", "jena-dboe-index", "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction",
    "jena-tdb", "jena-tdb2", "jena-rdfconnection",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
    "dexx.collection", "guava", "gson", "httpclient", "httpcore", "jackson-core", "jackson-databind",
    "jackson-annotations", "jsonld-java", "titanium-json-ld", "jakarta.json-api", "protobuf", "thrift",
    "slf4j-api", "slf4j-nop",
]
#: folders of jena-core.jar whose files the shaded xerces looks up under the unshaded names
MESSAGE_FOLDERS = {
    "org/apache/jena/ext/xerces/impl/msg/": "xerces/impl/msg/",
    "org/apache/jena/ext/xerces/impl/xpath/regex/": "xerces/impl/xpath/regex/",
}


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "exo-rdf-bench"


def fix_folder(cache: Path | None = None) -> Path:
    """The folder holding jena-core's xerces message files under `xerces/...`; built on first use.

    Built in a temporary folder renamed into place, so an interrupted build leaves nothing half
    done. Raises FileNotFoundError when jena-core.jar is not installed.
    """
    target = (cache or cache_dir()) / "jena-xerces"
    if (target / "xerces" / "impl" / "msg").is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".jena-xerces-"))
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            for inside, outside in MESSAGE_FOLDERS.items():
                if name.startswith(inside) and name.endswith(".properties"):
                    out = tmp / outside / name[len(inside):]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(jar.read(name))
    try:
        tmp.rename(target)
    except OSError:  # built meanwhile by another run
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def classpath(cache: Path | None = None) -> str:
    """The explicit classpath: the fix folder first, then the jars Jena SHACL needs that exist here.

    Raises FileNotFoundError when Jena is not installed (`apt-get install libapache-jena-java`).
    """
    if not (JAVA_DIR / "jena-shacl.jar").is_file():
        raise FileNotFoundError("Jena SHACL is not installed: apt-get install libapache-jena-java")
    jars = [JAVA_DIR / f"{name}.jar" for name in JARS]
    return os.pathsep.join([str(fix_folder(cache))] + [str(j) for j in jars if j.is_file()])


def shacl_command(shapes: Path, data: list[Path], heap: str | None = "2g") -> list[str]:
    """`java ... shacl.shacl validate` over the shapes and the data files; heap as for -Xmx (None: the JVM's default).

    The report (a sh:ValidationReport in Turtle) goes to standard output.
    """
    cmd = [shutil.which("java") or "java"]
    if heap:
        cmd.append(f"-Xmx{heap}")
    cmd += ["-cp", classpath(), "shacl.shacl", "validate", "--shapes", str(shapes)]
    for d in data:
        cmd += ["--data", str(d)]
    return cmd


if __name__ == "__main__":
    try:
        print(classpath())
    except FileNotFoundError as exc:
        sys.exit(f"jena.py: {exc}")
