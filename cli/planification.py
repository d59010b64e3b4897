"""Commandes `dsp planifier` (lot planifié servi par Prefect) et `dsp valider` (décision
d'un agent sur une fiche : validation ou rejet motivé).

Les flows sont importés à l'appel : les autres commandes `dsp` ne chargent pas Prefect.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cli.affichage import barre, console, erreurs
from socle.erreurs import DspError
from stockage.statuts import LIBELLES, Statut

if TYPE_CHECKING:
    from fiche.remplissage import Mode

# pydantic, les réglages et les flows sont importés à l'appel : `dsp --help` ne les charge pas.


def planifier(
    dossier: Annotated[Path, typer.Option("--dossier", help="Dossier de dépôt surveillé")],
    cron: Annotated[
        str, typer.Option("--cron", help="Quand lancer le lot (cron, heure locale du serveur)")
    ] = "0 6 * * *",
    mode: Annotated[str, typer.Option("--mode", help="regles, llm ou auto (défaut)")] = "auto",
    concurrence: Annotated[
        int, typer.Option("--concurrence", min=1, max=32, help="Rapports traités en même temps")
    ] = 2,
    pool: Annotated[
        str | None,
        typer.Option(
            "--pool",
            help="Work pool d'un serveur existant : enregistrer les déploiements pour "
            "ses workers au lieu de les servir ici",
        ),
    ] = None,
) -> None:
    """Sert le lot planifié et le flow de chaque rapport (qui attend la validation d'un
    agent). Démarre un serveur Prefect local si PREFECT_API_URL est vide. Ctrl+C arrête."""
    if mode not in ("regles", "llm", "auto"):
        erreurs.print(f"[red]Mode inconnu « {mode} » : choisir regles, llm ou auto.[/red]")
        raise typer.Exit(2)
    if not dossier.is_dir():
        erreurs.print(f"[red]Le dossier de dépôt {dossier} n'existe pas.[/red]")
        raise typer.Exit(2)
    from flows.planification import serveur_prefect, servir, verifier_cron
    from socle.reglages import reglages

    if pool:
        _deployer(dossier, cron, cast("Mode", mode), pool)
        return
    try:
        verifier_cron(cron)
        with ExitStack() as pile:
            with barre() as progression:
                progression.add_task(
                    "Démarrage du serveur Prefect (la première fois, création de sa base : "
                    "jusqu'à deux minutes)",
                    total=None,
                )
                url_api = pile.enter_context(serveur_prefect(reglages()))
            interface = url_api.removesuffix("/api")
            console.print(
                f"Serveur Prefect : [bold]{interface}[/bold] (interface web : historique des "
                f"lots, flows en attente de validation).\nLot planifié « {cron} » sur "
                f"{dossier.resolve()} ; lancer un lot tout de suite : "
                "`prefect deployment run traiter-lot/planifie`. Ctrl+C pour arrêter."
            )
            servir(dossier, cron, cast("Mode", mode), concurrence)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        console.print("Planification arrêtée ; les fiches en attente de validation restent.")


def _deployer(dossier: Path, cron: str, mode: Mode, pool: str) -> None:
    from prefect.settings import PREFECT_API_URL

    from flows.planification import deployer

    if not PREFECT_API_URL.value():
        erreurs.print("[red]--pool demande un serveur Prefect : définissez PREFECT_API_URL.[/red]")
        raise typer.Exit(2)
    try:
        noms = deployer(dossier, cron, mode, pool)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    except Exception as exc:  # refus du serveur : pool inconnu, serveur injoignable…
        erreurs.print(f"[red]Le serveur Prefect a refusé les déploiements : {exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"Déploiements enregistrés dans le work pool « {pool} » : {', '.join(noms)}.\n"
        f"Sur chaque machine : `prefect worker start --pool {pool}`."
    )


def _compte_verifie(identifiant: str, mot_de_passe: str) -> str:
    """L'identifiant d'un compte actif dont le mot de passe est bon ; sinon sortie 2 (le
    rôle est vérifié à l'enregistrement de la décision)."""
    from revue.comptes import authentifier, comptes_de
    from socle.reglages import reglages

    compte = authentifier(comptes_de(reglages()), identifiant, mot_de_passe)
    if compte is None:
        erreurs.print("[red]Identifiant ou mot de passe incorrect, ou compte désactivé.[/red]")
        raise typer.Exit(2)
    return compte.identifiant


def valider(
    rapport: Annotated[int, typer.Argument(help="Numéro du rapport (voir `dsp statut`)")],
    compte: Annotated[
        str, typer.Option("--compte", help="Compte de l'application (valideur ou admin)")
    ],
    mot_de_passe: Annotated[
        str,
        typer.Option(
            "--mot-de-passe",
            envvar="DSP_MOT_DE_PASSE",
            prompt="Mot de passe",
            hide_input=True,
            help="Demandé s'il n'est pas donné (ou DSP_MOT_DE_PASSE)",
        ),
    ],
    rejeter: Annotated[
        bool, typer.Option("--rejeter", help="Rejeter la fiche (motif obligatoire)")
    ] = False,
    commentaire: Annotated[
        str, typer.Option("--commentaire", help="Avis sur la fiche, ou motif du rejet")
    ] = "",
    reconnaitre: Annotated[
        str,
        typer.Option(
            "--reconnaitre-anomalies",
            help="Motif reconnaissant chaque anomalie bloquante ou alerte (exigé pour valider "
            "une fiche qui en a ; journalisé et imprimé dans la fiche Word)",
        ),
    ] = "",
    derogation: Annotated[
        str,
        typer.Option(
            "--derogation",
            help="Administrateur : remplace une décision restée en attente "
            "(motif journalisé comme dérogation)",
        ),
    ] = "",
) -> None:
    """Décision d'un compte sur la dernière version de la fiche d'un rapport « à valider » :
    la valide (puis publication) ou la rejette (en attente du délégataire, jusqu'au nouveau
    fichier qui en sera la version suivante). Transmise au traitement
    planifié qui l'attend, s'il y en a un ; appliquée tout de suite sinon."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    identifiant = _compte_verifie(compte, mot_de_passe)
    from pydantic import ValidationError

    from flows.ephemere import garder_serveur_ephemere
    from flows.validation import decider
    from stockage.decisions import DemandeDecision

    garder_serveur_ephemere()  # `dsp valider` tué : son serveur éphémère s'arrête aussi
    try:
        demande = DemandeDecision(
            rapport_id=rapport, decision="rejeter" if rejeter else "valider",
            compte=identifiant, commentaire=commentaire, motif_commun=reconnaitre,
            derogation=derogation,
        )  # fmt: skip
        suite = "retraitement du rapport" if rejeter else "publication de la fiche"
        with barre() as progression:
            progression.add_task(
                f"Rapport n° {rapport} : décision enregistrée, {suite} (jusqu'à une minute)",
                total=None,
            )
            resultat = decider(demande)
    except ValidationError as exc:
        messages = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        erreurs.print(f"[red]Décision invalide : {messages}[/red]")
        raise typer.Exit(2) from exc
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    if resultat == "transmise":
        console.print(
            f"Décision transmise au traitement planifié du rapport n° {rapport}, qui reprend."
        )
    else:
        console.print(f"Rapport n° {rapport} : {LIBELLES[Statut(resultat)]}.")
