"""The exit-code contract of the command line, as pySHACL has it: 0 ok, 1 a verdict (does not
conform, inconsistent, QC errors, term problems), 2 any error, 130 interrupted.

Every failure is one line on stderr, ``exo-rdf: error: ...``, never a traceback: an unexpected
exception too (2, never 1, which a CI job would read as a verdict).
"""
from __future__ import annotations

import sys

from exo_rdf.errors import ExoRdfError


def run_command(function, args) -> int:
    """Call function(args) (a sub-command); return its exit code, or the code of what it raised.

    SIGTERM (a plain kill) is turned into KeyboardInterrupt while it runs, so that it cleans up
    as Ctrl-C does: temporary files removed, exit 130.
    """
    import _signal  # loaded at start-up already; signal.py would import enum

    previous = _signal.getsignal(_signal.SIGTERM)
    if previous == _signal.SIG_DFL:
        _signal.signal(_signal.SIGTERM, _terminate)
    try:
        return function(args)
    except ExoRdfError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print("exo-rdf: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MemoryError as exc:
        return fail(f"out of memory ({exc or 'no detail'}); give the command less data at once")
    except UnicodeDecodeError as exc:
        return fail(f"a file is not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8")
    except OSError as exc:
        from exo_rdf.sources import os_reason

        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{os_reason(exc)}; check the path, its permissions and the free space")
    except RecursionError:
        return fail("the input is nested too deeply to process; simplify it")
    except Exception as exc:  # a defect: still one line and exit 2, and a request to report it
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        return fail(f"unexpected {type(exc).__name__}: {first} (please report this, with the command that caused it)")
    finally:
        if previous == _signal.SIG_DFL:
            _signal.signal(_signal.SIGTERM, _signal.SIG_DFL)


def console() -> int:
    """The ``exo-rdf`` executable and ``python -m exo_rdf``: cli.main(), with a Ctrl-C that comes
    while the command is still starting (importing its modules, parsing its arguments) ending as
    one does later on: "exo-rdf: interrupted" and exit code 130, never a traceback.
    """
    try:
        from exo_rdf.cli import main

        return main()
    except KeyboardInterrupt:
        print("exo-rdf: interrupted", file=sys.stderr)
        return 130


def _terminate(signum, frame):
    raise KeyboardInterrupt


def fail(message: str) -> int:
    """Print the error message on stderr as one line; return exit code 2."""
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"exo-rdf: error: {one_line}", file=sys.stderr)
    return 2
