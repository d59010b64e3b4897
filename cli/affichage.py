"""Affichage commun de la ligne de commande : consoles, barre de progression, base."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from socle.erreurs import DspError

if TYPE_CHECKING:
    from stockage.depot import Depot

T = TypeVar("T")

# Hors terminal (CI, journal), Rich se limite à 80 colonnes : trop étroit pour les bilans.
console = Console(width=None if sys.stdout.isatty() else 140)
erreurs = Console(stderr=True, soft_wrap=True)


def pourcent(part: float, decimales: int = 1) -> str:
    """0.9876 → « 98,8 % » (virgule décimale, espace insécable avant %)."""
    return f"{part * 100:.{decimales}f}".replace(".", ",") + "\u00a0%"


def secondes(duree: float, decimales: int = 1) -> str:
    """12.345 → « 12,3 s »."""
    return f"{duree:.{decimales}f}".replace(".", ",") + "\u00a0s"


def barre() -> Progress:
    """Barre de progression transitoire : description, avancement n/N, temps écoulé."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def avec_depot(action: Callable[[Depot], T]) -> T:
    """`action` sur la base configurée, refermée ensuite ; base injoignable ou refus :
    le message en rouge et la sortie 2."""
    # Importé ici : SQLAlchemy et Alembic ne se chargent que pour une commande qui ouvre la
    # base, pas pour `dsp --help`.
    from stockage.depot import Depot

    try:
        depot = Depot()
        try:
            return action(depot)
        finally:
            depot.fermer()
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
