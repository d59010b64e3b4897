"""Le groupe de commandes `dsp` : aucune trace Python n'atteint l'agent.

Chaque commande traite ses erreurs attendues ; celles qui lui échappent arrivent ici :
une `DspError` (réglage invalide, base injoignable…) s'affiche en français, toute autre
exception aussi, avec son type, et la sortie vaut 2. `DSP_TRACE=1` rend la trace complète
à qui la demande (diagnostic).
"""

from __future__ import annotations

import os
from typing import Any

import typer
import typer.exceptions
from rich.console import Console
from rich.markup import escape
from typer._click import exceptions as click_exceptions
from typer.core import TyperGroup

from socle.erreurs import DspError

SORTIE_ERREUR = 2
SIGNALEMENTS = (
    typer.exceptions.Exit, typer.exceptions.Abort, typer.exceptions.TyperException,
    click_exceptions.ClickException,
)  # fmt: skip
"""Ce que typer affiche lui-même (sortie demandée, erreur d'usage, Ctrl+C)."""

_erreurs = Console(stderr=True, soft_wrap=True)


def trace_demandee() -> bool:
    return os.environ.get("DSP_TRACE", "").lower() in ("1", "true", "oui")


def signaler(exc: Exception) -> None:
    """Le message d'une exception échappée à une commande, en français, sans trace."""
    if isinstance(exc, DspError):
        _erreurs.print(f"[red]{escape(str(exc))}[/red]")
        return
    _erreurs.print(
        f"[red]Erreur inattendue ({type(exc).__name__}) : {escape(str(exc)) or 'sans message'}."
        "[/red]\nRien n'a été écrit à moitié. Relancez avec DSP_TRACE=1 pour le détail "
        "technique à transmettre à l'équipe qui maintient l'outil."
    )


class GroupeDsp(TyperGroup):
    """Le groupe racine : capte les exceptions de toutes les sous-commandes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SIGNALEMENTS:
            raise
        except Exception as exc:
            if trace_demandee():
                raise
            signaler(exc)
            raise typer.Exit(SORTIE_ERREUR) from None
