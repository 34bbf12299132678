"""Options and output helpers shared by every command, defined once."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import click

from ..resources import dataset_path, is_packaged_release


class LazyModule(ModuleType):
    """A module imported when one of its names is first used: ``stancetrack --help`` and every command's help
    import click and the schemas only, not pandas, pyarrow, the validators or Label Studio's client."""

    def __init__(self, name: str):
        super().__init__(name)
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


def lazy(name: str) -> Any:
    return LazyModule(name)


pd = lazy("pandas")

GIVEN = "stancetrack.dataset_given"


def data_option(writes: bool = False) -> Callable:
    """``--dataset DIR`` (``--data`` is its older spelling): the folder, resolved by :func:`dataset_path`."""
    help_text = ("Dataset folder (default: dataset/ of the stancetrack checkout you are in, else the release "
                 "shipped in the package" + (", which is read-only)." if writes else ")."))

    def callback(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
        ctx.meta[GIVEN] = value
        folder = dataset_path(value)
        if writes and is_packaged_release(folder):
            raise click.BadParameter("the packaged release is read-only: copy it and pass --dataset DIR",
                                     ctx=ctx, param=param)
        return folder

    return click.option("--dataset", "--data", "data", type=click.Path(path_type=Path, file_okay=False),
                        default=None, callback=callback, help=help_text)


def one_dataset(ctx: click.Context, argument: Path | None, option: Path) -> Path:
    """The dataset named by a command's argument or by ``--dataset``; naming two different ones is a usage error."""
    given = ctx.meta.get(GIVEN)
    if argument is None:
        return option
    if given is not None and Path(given).resolve() != Path(argument).resolve():
        raise click.UsageError(f"two datasets named: {argument} and --dataset {given}; name one")
    return argument


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
