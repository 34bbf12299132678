"""The Label Studio SDK, imported only when a command needs it (``import stancetrack`` never imports it)."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import MissingExtra

INSTALL_HINT = "pip install 'stancetrack[annotate]'"


def require(module: str = "label_studio_sdk") -> ModuleType:
    """Import a module of the ``annotate`` extra, or raise :class:`MissingExtra` saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(f"{module.split('.')[0]} is not installed; it comes with the annotate extra: "
                           f"{INSTALL_HINT}") from exc


def available(module: str = "label_studio_sdk") -> bool:
    try:
        require(module)
    except MissingExtra:
        return False
    return True
