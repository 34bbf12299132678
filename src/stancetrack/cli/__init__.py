"""The ``stancetrack`` command: a thin layer over the library. Each command lives in its own module."""

from __future__ import annotations

import click

from .._version import __version__
from ..errors import StancetrackError
from . import annotate, dataset
from . import outcomes
from . import metadata
from . import track


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="stancetrack")
def cli() -> None:
    """stancetrack: stances and predictions in political commentary, span-exact, schema-validated.

    \b
    Example:
        stancetrack info
        stancetrack validate
    """


for command in (dataset.info, dataset.validate, dataset.diff, dataset.export):
    cli.add_command(command)
for command in (outcomes.resolve, outcomes.due, outcomes.score, outcomes.report):
    cli.add_command(command)
cli.add_command(metadata.metadata)
cli.add_command(annotate.annotate)
cli.add_command(track.track)


def main() -> None:
    """Entry point: library errors become a one-line message and exit status 1."""
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
    except StancetrackError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
