"""Commande `dsp indicateurs` : les indicateurs SISPEA des fiches validées (ou d'un dossier
de fiches JSON) dans un CSV que l'agent recopie dans SISPEA (`publication.sispea`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.affichage import console, erreurs
from socle.erreurs import DspError

if TYPE_CHECKING:
    from fiche.modeles import Fiche

# pydantic, les modèles de fiche, Word et la base sont importés à l'appel : `dsp --help` ne
# les charge pas.


def _fiches_du_dossier(dossier: Path, exercice: int | None) -> list[Fiche]:
    from pydantic import ValidationError

    from fiche.modeles import Fiche

    fiches = []
    for chemin in sorted(dossier.glob("*.fiche.json")):
        try:
            fiche = Fiche.model_validate_json(chemin.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValidationError, ValueError) as exc:
            erreurs.print(
                f"[yellow]{chemin.name} ignorée : fiche illisible "
                f"({exc.__class__.__name__})[/yellow]"
            )
            continue
        if exercice is None or fiche.identification.exercice.valeur == exercice:
            fiches.append(fiche)
    return fiches


def _fiches_validees(exercice: int | None, rapport: int | None) -> list[Fiche]:
    from publication.publier import fiche_validee, rapports_publiables
    from stockage.depot import Depot

    depot = Depot()
    try:
        if rapport is not None:
            return [fiche_validee(depot, rapport)[1]]
        return [fiche_validee(depot, r.id)[1] for r in rapports_publiables(depot, exercice)]
    finally:
        depot.fermer()


def indicateurs(
    sortie: Annotated[Path, typer.Argument(help="Fichier CSV à écrire (code;valeur;page;...)")],
    exercice: Annotated[
        int | None, typer.Option("--exercice", help="Fiches de cet exercice seulement")
    ] = None,
    rapport: Annotated[
        int | None, typer.Option("--rapport", help="Un seul rapport validé (n° en base)")
    ] = None,
    fiches: Annotated[
        Path | None,
        typer.Option("--fiches", help="Dossier de fiches *.fiche.json au lieu de la base"),
    ] = None,
) -> None:
    """Écrit les indicateurs SISPEA des fiches validées en CSV (`;`, UTF-8, virgule
    décimale) : une ligne par indicateur avec sa page, à saisir dans SISPEA."""
    from publication.sispea import ecrire_csv_sispea

    try:
        lues = (
            _fiches_du_dossier(fiches, exercice)
            if fiches is not None
            else _fiches_validees(exercice, rapport)
        )
        nombre = ecrire_csv_sispea(lues, sortie)
    except DspError as exc:
        erreurs.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{nombre} indicateur(s) SISPEA de {len(lues)} fiche(s) écrits dans {sortie}")
