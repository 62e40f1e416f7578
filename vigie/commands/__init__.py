"""CLI commands by area: every module here exposes ``register(app, groups)``, found at start-up,
so an area adds commands without touching ``vigie/cli.py``. ``groups`` holds the shared
sub-commands (``brands``, ``sites``, ``crawl``, ``export``, ``lists``)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

import typer

Register = Callable[[typer.Typer, dict[str, typer.Typer]], None]


def areas() -> list[Register]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            found.append(register)
    return found
