"""Commande `dsp` : point d'entrée des agents et des scripts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import francais
from cli.affichage import barre, console, erreurs, secondes
from cli.contrats import app as app_contrats
from cli.demo import demo
from cli.entree import GroupeDsp
from cli.fiches import evaluer, traiter
from cli.indicateurs import indicateurs
from cli.journal import app as app_journal
from cli.lots import lot, statut
from cli.planification import planifier, valider
from cli.publication import publier
from cli.registre import registre
from cli.revue import app_utilisateur, revue
from socle.erreurs import DspError
from socle.fichiers import ecrire_atomique

if TYPE_CHECKING:
    from extracteurs.modeles import Document

francais.installer()
app = typer.Typer(
    name="dsp",
    cls=GroupeDsp,
    help="Synthèse DSP : fiches de synthèse des rapports annuels des délégataires.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _avant_chaque_commande() -> None:
    """Réglages vérifiés (erreur en français sinon) ; fichiers produits lisibles par
    l'équipe selon `DSP_UMASK`, y compris par les flows lancés d'ici."""
    # Importé ici : pydantic-settings ne se charge pas pour `dsp --help`, qui ne passe pas
    # par ce rappel.
    from socle.reglages import reglages

    os.umask(reglages().umask)


def _extraire_avec_barre(fichier: Path) -> Document:
    # Importé ici : les lecteurs PDF (pdfplumber, pypdfium2) ne se chargent que pour lire.
    from extracteurs.document import extraire

    with barre() as progression:
        tache = progression.add_task(f"Lecture de {fichier.name}", total=None)

        def suivi(page: int, total: int) -> None:
            progression.update(tache, completed=page, total=total)

        return extraire(fichier, suivi=suivi)


def resume_document(document: Document) -> Table:
    natives = sum(not p.scannee for p in document.pages)
    table = Table(title=f"Extraction de {document.fichier}", show_header=False)
    table.add_row("Format", document.format.upper())
    table.add_row(
        "Pages",
        f"{len(document.pages)} ({natives} natives, {len(document.pages) - natives} scannées)",
    )
    table.add_row("Lignes de texte", str(sum(len(p.lignes) for p in document.pages)))
    table.add_row("Tableaux", str(len(document.tableaux)))
    methodes: dict[str, int] = {}
    for tableau in document.tableaux:
        methodes[tableau.methode] = methodes.get(tableau.methode, 0) + 1
    table.add_row(
        "Lecteurs retenus", ", ".join(f"{m} ×{n}" for m, n in sorted(methodes.items())) or "—"
    )
    table.add_row("Exercice probable", str(document.exercice_probable or "non détecté"))
    for message in document.avertissements[:5]:
        table.add_row("Avertissement", message)
    table.add_row("Durée", f"{secondes(document.duree_s, 2)}")
    return table


@app.command("extraire")
def commande_extraire(
    fichiers: Annotated[
        list[Path], typer.Argument(help="Rapport(s) à lire : PDF, DOCX, ODT, XLSX")
    ],
    json: Annotated[
        Path | None, typer.Option("--json", help="Écrire le Document JSON ici (un seul fichier)")
    ] = None,
    sortie: Annotated[
        Path | None, typer.Option("--sortie", help="Dossier où écrire <nom>.document.json")
    ] = None,
) -> None:
    """Lit un ou plusieurs rapports et écrit le `Document` extrait (texte, tableaux, provenance)."""
    if json and len(fichiers) > 1:
        erreurs.print("[red]--json ne s'emploie qu'avec un seul fichier ; utilisez --sortie.[/red]")
        raise typer.Exit(2)
    echecs = 0
    for fichier in fichiers:
        try:
            document = _extraire_avec_barre(fichier)
        except DspError as exc:
            echecs += 1
            erreurs.print(f"[red]Échec de l'extraction de {fichier.name} : {exc.message}[/red]")
            continue
        console.print(resume_document(document))
        cible = json or (sortie / f"{fichier.stem}.document.json" if sortie else None)
        if cible:
            try:
                ecrire_atomique(cible, document.model_dump_json(indent=1))
            except DspError as exc:
                echecs += 1
                erreurs.print(f"[red]{exc.message}[/red]")
                continue
            console.print(f"Document écrit : {cible}")
    if echecs:
        raise typer.Exit(1 if echecs < len(fichiers) else 2)


app.command("demo")(demo)
app.command("traiter")(traiter)
app.command("evaluer")(evaluer)
app.command("lot")(lot)
app.command("statut")(statut)
app.command("planifier")(planifier)
app.command("valider")(valider)
app.command("publier")(publier)
app.command("indicateurs")(indicateurs)
app.command("registre")(registre)
app.command("revue")(revue)
app.add_typer(app_contrats, name="contrats")
app.add_typer(app_utilisateur, name="utilisateur")
app.add_typer(app_journal, name="journal")


if __name__ == "__main__":
    app()
