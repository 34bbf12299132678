"""The ``stancetrack`` command: a thin layer over the library. Each command lives in its own module.

Exit status: 0 ok; 1 invalid data, or a change refused (one ``error:`` line, or the list of problems); 2 a usage
error (unknown option, conflicting arguments); 70 an internal error, i.e. a bug in stancetrack: the line
``internal error`` and the traceback follow, to be reported.
"""

from __future__ import annotations

import sys
import traceback

import click

from .._version import __version__
from ..errors import StancetrackError
from . import add, annotate, dataset
from . import outcomes
from . import metadata
from . import track

#: Exit status of an unexpected exception (a bug): sysexits' EX_SOFTWARE, distinct from 0, 1 and 2.
INTERNAL_ERROR = 70


class LibraryError(click.ClickException):
    """A :class:`~stancetrack.errors.StancetrackError`, shown as ``error: <message>`` with exit status 1."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"error: {self.message}", err=True)


class Group(click.Group):
    """A command group that turns library errors into :class:`LibraryError` (so tests see what users see)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StancetrackError as exc:
            raise LibraryError(str(exc)) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog="Exit status: 0 ok, 1 invalid data or refused, 2 usage error, 70 internal error (a bug: "
                    "the traceback follows; please report it).")
@click.version_option(__version__, prog_name="stancetrack")
def cli() -> None:
    """stancetrack: stances and predictions in political commentary, span-exact, schema-validated.

    Every command works on one dataset folder: --dataset DIR, else dataset/ of the stancetrack checkout you
    are in, else the release shipped in the package.

    \b
    Example:
        stancetrack info
        stancetrack validate --dataset path/to/dataset
    """


for command in (dataset.info, dataset.validate, dataset.diff, dataset.export):
    cli.add_command(command)
for command in (outcomes.resolve, outcomes.due, outcomes.score, outcomes.report):
    cli.add_command(command)
cli.add_command(metadata.metadata)
cli.add_command(annotate.annotate)
cli.add_command(track.track)
cli.add_command(add.add)


def escape_unencodable_output() -> None:
    """Write characters the output cannot encode as ``\\uXXXX`` instead of failing on them.

    An error quotes the user's input, which may hold lone surrogates (undecodable bytes of a file or an
    argument); a strictly encoding stream (a pipe, a test's capture) would otherwise fail on the very line
    meant to explain the problem.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main() -> None:
    """Entry point: see the module's documentation for the exit status."""
    escape_unencodable_output()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except StancetrackError as exc:  # raised outside a command (e.g. while parsing)
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug: say so, keep the traceback
        click.echo(f"internal error (a bug in stancetrack {__version__}; please report it with the traceback "
                   f"below): {type(exc).__name__}: {exc}", err=True)
        traceback.print_exc(file=sys.stderr)
        raise SystemExit(INTERNAL_ERROR) from None
