"""Affichage commun de la ligne de commande : consoles et barre de progression."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Hors terminal (CI, journal), Rich se limite à 80 colonnes : trop étroit pour les bilans.
console = Console(width=None if sys.stdout.isatty() else 140)
erreurs = Console(stderr=True, soft_wrap=True)


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
