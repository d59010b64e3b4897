"""`dsp demo` : la tâche principale sur un dossier de rapports (par défaut les échantillons).

Chaque rapport est extrait (`extraction/<nom>.document.json`), mis en fiche, contrôlé
(l'historique d'un contrat, ce sont ses fiches validées en base ou dans le dossier
`--historique`) et écrit dans `fiches/<nom>.fiche.json` sous `DSP_DATA_DIR` ; un fichier
illisible est noté en erreur et le lot continue. Si le dossier contient des fiches de
référence, l'exactitude est affichée à la fin.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.affichage import barre, console, erreurs, pourcent
from cli.fiches import (
    annoncer_mode,
    base_de_l_historique,
    controler_et_ecrire,
    historique_valide,
    lire_isole,
    montant,
)
from socle.erreurs import DspError
from socle.fichiers import ecrire_atomique

if TYPE_CHECKING:
    from fiche.modeles import Fiche
    from socle.reglages import Reglages
    from stockage.depot import Depot

# Les modules lourds (lecteurs PDF, modèles pydantic, réglages, base) sont importés dans les
# fonctions qui s'en servent : `dsp --help` ne les charge pas.

COLONNES = ("Pages", "Scannées", "Mode", "CA N", "Résultat N", "Ancrées", "Anom.", "État")


def _rapports(dossier: Path) -> list[Path]:
    from extracteurs.formats import FORMATS_ACCEPTES

    if not dossier.is_dir():
        erreurs.print(f"[red]Le dossier {dossier} n'existe pas.[/red]")
        raise typer.Exit(2)
    rapports = sorted(p for p in dossier.iterdir() if p.suffix.lower() in FORMATS_ACCEPTES)
    if not rapports:
        erreurs.print(f"[red]Aucun rapport (PDF, DOCX, ODT, XLSX) dans {dossier}.[/red]")
        raise typer.Exit(2)
    return rapports


def _traiter(rapport: Path, r: Reglages, depot: Depot, historique: Path | None) -> list[str]:
    from fiche.ancrage import champs_de
    from fiche.modeles import Ancrage
    from fiche.production import produire_fiche

    try:
        document = lire_isole(rapport, r)
        ecrire_atomique(
            r.data_dir / "extraction" / f"{rapport.stem}.document.json",
            document.model_dump_json(indent=1),
        )
        fiche = produire_fiche(document, "auto", r)
        cible = r.data_dir / "fiches" / f"{rapport.stem}.fiche.json"
        anciennes = historique_valide(fiche, depot, historique)
        fiche = controler_et_ecrire(fiche, document, r, anciennes, cible)
        durees = {"extraction": document.duree_s, "remplissage": fiche.production.duree_s}
        _mettre_en_revue(rapport, fiche, durees)
    except DspError as exc:
        erreurs.print(f"[red]Échec pour {rapport.name} : {exc.message}[/red]")
        return [rapport.name, "", "", "", "", "", "", "", "[red]erreur[/red]"]
    remplis = [c for _, c in champs_de(fiche) if c.valeur is not None]
    ancres = sum(c.ancrage != Ancrage.ABSENT for c in remplis) / len(remplis) if remplis else 1.0
    return [
        rapport.name,
        str(len(document.pages)),
        str(sum(p.scannee for p in document.pages)),
        fiche.production.mode,
        montant(fiche, "chiffre_affaires"),
        montant(fiche, "resultat"),
        f"{pourcent(ancres, 0)}",
        str(len(fiche.anomalies)),
        "[green]fiche écrite[/green]",
    ]


def _mettre_en_revue(rapport: Path, fiche: Fiche, durees: dict[str, float]) -> None:
    """La fiche en base, « à valider », pour l'application de revue : la même tâche
    `enregistrer` que le lot (archive du fichier, version de fiche, durées). Un contenu
    déjà en base (démo relancée) n'est pas enregistré deux fois."""
    from flows.etapes import enregistrer_fiche
    from flows.traitement import deja_traite
    from socle.reglages import reglages

    sha256 = fiche.source.sha256  # empreinte calculée à l'extraction, pas de relecture
    if deja_traite(rapport, sha256) is None:
        enregistrer_fiche(rapport, sha256, fiche, durees, reglages())


def _lancer_revue(hote: str, port: int) -> None:
    """L'application de revue sur les fiches de la démo, en mode démonstration (compte
    « demo » au mot de passe aléatoire affiché, secret de session éphémère)."""
    from cli.revue import revue
    from socle.reglages import reglages

    os.environ["DSP_DEMO"] = "true"
    reglages.cache_clear()
    revue(hote=hote, port=port)


def demo(
    dossier: Annotated[Path, typer.Option(help="Dossier des rapports à traiter")] = Path(
        "samples/corpus"
    ),
    historique: Annotated[
        Path | None,
        typer.Option(
            help="Dossier de fiches validées des exercices précédents (en plus de la base)"
        ),
    ] = None,
    avec_revue: Annotated[
        bool, typer.Option("--revue/--sans-revue", help="Lancer ensuite l'application de revue")
    ] = True,
    port: Annotated[int, typer.Option("--port", help="Port de l'application de revue")] = 8000,
) -> None:
    """Tâche principale : extraction, fiche de synthèse et contrôles de chaque rapport du
    dossier, mis en base « à valider » ; puis l'application de revue sur ces fiches."""
    from socle.reglages import reglages

    r = reglages()
    rapports = _rapports(dossier)
    annoncer_mode("auto", r)
    bilan = Table(title="Fiches de synthèse des rapports")
    bilan.add_column("Rapport", no_wrap=True)
    for colonne in COLONNES:
        bilan.add_column(
            colonne, justify="left" if colonne in ("Mode", "État") else "right", no_wrap=True
        )
    try:
        depot = base_de_l_historique()
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    lignes: list[list[str]] = []
    with barre() as progression:
        tache = progression.add_task("Traitement des rapports", total=len(rapports))
        for rapport in rapports:
            progression.update(tache, description=f"Traitement : {rapport.name}")
            lignes.append(_traiter(rapport, r, depot, historique))
            progression.advance(tache)
    depot.fermer()
    en_erreur = sum(ligne[-1].startswith("[red]") for ligne in lignes)
    for ligne in sorted(lignes, key=lambda ligne: ligne[0]):
        bilan.add_row(*ligne)
    console.print(bilan)
    console.print(
        f"{len(rapports) - en_erreur} fiche(s) écrite(s), {en_erreur} en erreur. "
        f"Fiches : [bold]{r.data_dir / 'fiches'}[/bold] ; documents extraits : "
        f"[bold]{r.data_dir / 'extraction'}[/bold]"
    )
    _evaluation(r.data_dir / "fiches", dossier)
    if avec_revue:
        _lancer_revue("127.0.0.1", port)
    if en_erreur:
        raise typer.Exit(1)


def _evaluation(fiches: Path, references: Path) -> None:
    if not any(references.glob("*.fiche.json")):
        return
    from fiche.evaluation_dossier import evaluer_dossier

    rapport = evaluer_dossier(fiches, references)
    if rapport.fiches:
        console.print(
            "Comparaison aux fiches de référence : "
            f"{pourcent(rapport.taux_exact_natifs)} des champs cœur exacts (natifs), "
            f"{pourcent(rapport.taux_exact_scannes)} (scannés) ; "
            f"{pourcent(rapport.taux_provenance)} des valeurs avec page et citation. "
            "Détail : dsp evaluer " + str(fiches)
        )
