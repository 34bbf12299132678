"""Options and output helpers shared by every command, defined once."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import click
import pandas as pd

from ..resources import default_dataset_dir, is_packaged_release


def data_option(writes: bool = False) -> Callable:
    """``--data DIR``: the dataset folder (default: the current checkout's dataset/, else the packaged release)."""
    help_text = ("Dataset folder (default: dataset/ of the stancetrack checkout you are in, else the release "
                 "shipped in the package" + (", which is read-only)." if writes else ")."))

    def callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
        folder = value if value is not None else default_dataset_dir()
        if writes and is_packaged_release(folder):
            raise click.BadParameter("the packaged release is read-only: copy it and pass --data DIR",
                                     ctx=ctx, param=param)
        return folder

    return click.option("--data", "data", type=click.Path(path_type=Path, file_okay=False), default=None,
                        callback=callback, help=help_text)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def emit_json(payload: Any) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def emit_table(frame: pd.DataFrame, max_width: int = 60) -> None:
    if frame.empty:
        click.echo("(none)")
        return
    shown = frame.copy()
    for column in shown.columns:
        shown[column] = shown[column].map(lambda v: _cell(v, max_width))
    click.echo(shown.to_string(index=False))


def _cell(value: Any, width: int) -> str:
    missing = value is None or (not isinstance(value, (list, dict, tuple)) and pd.isna(value))
    text = "" if missing else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def progress_enabled() -> bool:
    """Progress bars only on a terminal."""
    return sys.stderr.isatty()
