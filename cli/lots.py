"""Commandes `dsp lot` (traitement par lots orchestré par Prefect) et `dsp statut`.

Les flows sont importés à l'appel de la commande : les autres commandes `dsp` ne
chargent pas Prefect.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from cli.affichage import avec_depot, barre, console, erreurs, secondes
from socle.erreurs import DspError
from stockage.statuts import LIBELLES, Statut

if TYPE_CHECKING:
    from fiche.remplissage import Mode
    from flows.traitement import BilanRapport

COULEURS = {Statut.A_VALIDER: "yellow", Statut.ERREUR: "red", Statut.PUBLIE: "green"}


def _etat(bilan: BilanRapport) -> str:
    libelle = LIBELLES[bilan.statut]
    couleur = COULEURS.get(bilan.statut, "cyan")
    suffixe = "" if bilan.traite else " (déjà traité)"
    return f"[{couleur}]{libelle}[/{couleur}]{suffixe}"


def _sobriete(bilan: BilanRapport) -> str:
    if bilan.energie_wh is None or bilan.co2_g is None:
        return "non estimée"
    from publication import filtres  # importé ici : il charge Word et les contrôles

    return f"{filtres.energie(bilan.energie_wh)} · {filtres.co2(bilan.co2_g)}"


def _total_sobriete(bilans: list[BilanRapport]) -> str:
    """« Énergie du lot : 52 mWh · 2,7 mg CO₂e » (les fiches non estimées sont comptées)."""
    from publication import filtres  # importé ici : il charge Word et les contrôles

    estimes = [b for b in bilans if b.traite and b.energie_wh is not None and b.co2_g is not None]
    energie = sum(b.energie_wh or 0.0 for b in estimes)
    co2 = sum(b.co2_g or 0.0 for b in estimes)
    texte = f"Énergie du lot : {filtres.energie(energie)} · {filtres.co2(co2)}"
    manquants = sum(b.traite and b.statut != Statut.ERREUR for b in bilans) - len(estimes)
    if manquants > 0:
        texte += f" ({manquants} fiche(s) non estimée(s) : taille du modèle LLM non déclarée)"
    return texte


def _tableau_lot(bilans: list[BilanRapport]) -> Table:
    table = Table(title="Bilan du lot")
    for colonne in ("Rapport", "Version", "Anomalies", "Durée", "Énergie", "État", "Raison"):
        table.add_column(colonne, no_wrap=colonne != "Raison")
    for b in bilans:
        table.add_row(
            b.fichier,
            str(b.version_rapport or ""),
            str(b.anomalies) if b.traite and b.statut != Statut.ERREUR else "",
            f"{secondes(b.duree_s)}" if b.traite else "",
            _sobriete(b) if b.traite and b.statut != Statut.ERREUR else "",
            _etat(b),
            b.raison or "",
        )
    return table


def _executer(dossier: Path, mode: str, concurrence: int) -> list[BilanRapport]:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows.ephemere import garder_serveur_ephemere
    from flows.lot import avec_concurrence, rapports_du_dossier, suivre

    garder_serveur_ephemere()
    total = len(rapports_du_dossier(dossier))
    with barre() as progression:
        tache = progression.add_task("Traitement du lot", total=total)

        def avancer(bilan: BilanRapport, _total: int) -> None:
            progression.update(tache, advance=1, description=f"Terminé : {bilan.fichier}")

        with suivre(avancer):
            return avec_concurrence(concurrence)(dossier, cast("Mode", mode))


def lot(
    dossier: Annotated[Path, typer.Argument(help="Dossier de dépôt des rapports")],
    mode: Annotated[str, typer.Option("--mode", help="regles, llm ou auto (défaut)")] = "auto",
    concurrence: Annotated[
        int, typer.Option("--concurrence", min=1, max=32, help="Fichiers traités en même temps")
    ] = 2,
) -> None:
    """Traite chaque fichier nouveau ou modifié du dossier (flow Prefect `traiter-lot`) :
    extraction, fiche, contrôles, enregistrement en base au statut « à valider »."""
    if mode not in ("regles", "llm", "auto"):
        erreurs.print(f"[red]Mode inconnu « {mode} » : choisir regles, llm ou auto.[/red]")
        raise typer.Exit(2)
    try:
        bilans = _executer(dossier, mode, concurrence)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:  # l'orchestrateur lui-même : serveur Prefect perdu…
        erreurs.print(
            f"[red]Le lot s'est interrompu : le serveur Prefect ne répond plus ou a refusé "
            f"une opération ({exc.__class__.__name__} : {exc}). Les rapports déjà "
            "enregistrés sont gardés ; relancez `dsp lot`, rien ne sera traité deux fois.[/red]"
        )
        # Sortie immédiate : sinon le client Prefect tente d'envoyer chaque événement en
        # attente au serveur disparu (7 s chacun, plusieurs minutes). La base et les
        # fichiers sont déjà cohérents (transactions, écritures atomiques).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(2)
    if not bilans:
        erreurs.print(f"[red]Aucun rapport (PDF, DOCX, ODT, XLSX) dans {dossier}.[/red]")
        raise typer.Exit(2)
    console.print(_tableau_lot(bilans))
    traites = [b for b in bilans if b.traite]
    echecs = sum(b.statut == Statut.ERREUR for b in traites)
    console.print(
        f"{len(traites) - echecs} rapport(s) traité(s) à valider, {echecs} en erreur, "
        f"{len(bilans) - len(traites)} déjà connu(s) (contenu inchangé)."
    )
    console.print(_total_sobriete(bilans))
    if echecs:
        raise typer.Exit(1 if echecs < len(traites) else 2)


def statut(
    en_json: Annotated[bool, typer.Option("--json", help="Sortie JSON (scripts)")] = False,
) -> None:
    """Les rapports enregistrés en base et leur statut."""
    rapports = avec_depot(lambda depot: depot.rapports())
    lignes = [
        {
            "id": r.id, "fichier": r.fichier, "version": r.version, "exercice": r.exercice,
            "statut": r.statut, "raison": r.raison, "modifie_le": r.modifie_le.isoformat(),
        }
        for r in rapports
    ]  # fmt: skip
    if en_json:
        typer.echo(json.dumps(lignes, ensure_ascii=False, indent=1))
        return
    table = Table(title="Rapports en base")
    for colonne in ("N°", "Fichier", "Version", "Exercice", "Statut", "Raison"):
        table.add_column(colonne)
    for ligne in lignes:
        table.add_row(
            str(ligne["id"]), str(ligne["fichier"]), str(ligne["version"]),
            str(ligne["exercice"] or "—"), LIBELLES[Statut(str(ligne["statut"]))],
            str(ligne["raison"] or ""),
        )  # fmt: skip
    console.print(table)
    if not lignes:
        console.print("Aucun rapport en base : lancer `dsp lot DOSSIER`.")
