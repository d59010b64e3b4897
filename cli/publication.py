"""Commande `dsp publier` : fiches validées et rapports CCSPL en Word (un par autorité).

Les documents vont dans `DSP_DATA_DIR/publications/<exercice>/`. Le passage au statut
« publié » reste au flow `publier` : cette commande peut régénérer les documents (gabarit
retouché, par exemple) sans toucher à la base.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.affichage import console, erreurs
from socle.erreurs import DspError

if TYPE_CHECKING:
    from socle.reglages import Reglages
    from stockage.depot import Depot

# Word (python-docx, docxtpl), les réglages et la base sont importés à l'appel : `dsp --help`
# ne les charge pas.


def _exercices(depot: Depot, exercice: int | None, rapport: int | None) -> list[int]:
    """L'exercice demandé ; sans option, chaque exercice qui a une fiche validée."""
    from publication import rapports_publiables

    if exercice is not None:
        return [exercice]
    if rapport is not None:
        return []
    return sorted({r.exercice for r in rapports_publiables(depot) if r.exercice is not None})


def _produire(
    depot: Depot, r: Reglages, exercice: int | None, rapport: int | None
) -> list[tuple[str, Path]]:
    from publication import publier_rapport, rapports_ccspl, rapports_publiables
    from publication.publier import deja_publiee

    produits: list[tuple[str, Path]] = []
    if rapport is not None:
        if (deja := deja_publiee(depot, rapport)) is not None:
            console.print(deja)
        produits.append(("fiche", publier_rapport(depot, rapport, r)))
    for annee in _exercices(depot, exercice, rapport):
        for valide in rapports_publiables(depot, annee):
            if valide.id != rapport:
                produits.append(("fiche", publier_rapport(depot, valide.id, r)))
        for chemin in rapports_ccspl(depot, annee, r):
            produits.append((f"rapport CCSPL {annee}", chemin))
    return produits


def publier(
    exercice: Annotated[
        int | None,
        typer.Option(
            "--exercice", help="Fiches validées de l'exercice et rapport CCSPL (ex. 2024)"
        ),
    ] = None,
    rapport: Annotated[
        int | None, typer.Option("--rapport", help="Fiche d'un seul rapport validé (n° en base)")
    ] = None,
) -> None:
    """Écrit en Word les fiches validées et le rapport annuel pour la CCSPL ; sans option,
    pour chaque exercice qui a une fiche validée."""
    from socle.reglages import reglages
    from stockage.depot import Depot

    r = reglages()
    try:
        depot = Depot()
    except DspError as exc:
        erreurs.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    try:
        produits = _produire(depot, r, exercice, rapport)
    except DspError as exc:
        erreurs.print(f"[red]Publication refusée : {exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        depot.fermer()
    if not produits:
        console.print("Aucune fiche validée à publier.")
        return
    table = Table(title="Documents publiés")
    table.add_column("Document")
    table.add_column("Fichier")
    for nature, chemin in produits:
        table.add_row(nature, str(chemin))
    console.print(table)
