"""Commandes `dsp contrats …` : registre des contrats (import CSV, rapports manquants)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.affichage import console, erreurs
from socle.erreurs import DspError

if TYPE_CHECKING:
    from stockage.depot import Depot

app = typer.Typer(help="Registre des contrats de DSP.", no_args_is_help=True)


def _depot() -> Depot:
    # Importé ici : SQLAlchemy et Alembic ne se chargent pas pour `dsp --help`.
    from stockage.depot import Depot

    try:
        return Depot()
    except DspError as exc:
        erreurs.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command("importer")
def importer(
    fichier: Annotated[Path, typer.Argument(help="CSV des contrats (en-têtes français, `;`)")],
) -> None:
    """Crée ou met à jour les contrats du CSV (par clé) ; une ligne fautive n'importe rien."""
    depot = _depot()
    try:
        nombre = depot.importer_contrats(fichier)
    except DspError as exc:
        erreurs.print(f"[red]Import refusé : {exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        depot.fermer()
    console.print(f"{nombre} contrat(s) importé(s) depuis {fichier.name}.")


@app.command("manquants")
def manquants(
    exercice: Annotated[int, typer.Option("--exercice", help="Exercice attendu (ex. 2023)")],
) -> None:
    """Contrats en cours pendant l'exercice dont le rapport n'a pas été reçu."""
    depot = _depot()
    try:
        contrats = depot.contrats_manquants(exercice)
    finally:
        depot.fermer()
    if not contrats:
        console.print(f"Tous les rapports de l'exercice {exercice} sont reçus.")
        return
    table = Table(title=f"Rapports {exercice} non reçus ({len(contrats)})")
    for colonne in ("Clé", "Collectivité", "Délégataire", "Objet"):
        table.add_column(colonne)
    for contrat in contrats:
        table.add_row(contrat.cle, contrat.collectivite, contrat.delegataire, contrat.objet)
    console.print(table)
