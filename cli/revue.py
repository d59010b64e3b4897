"""Commandes `dsp revue` (application web de revue) et `dsp utilisateur creer`.

L'application est importée à l'appel : les autres commandes `dsp` ne chargent ni FastAPI
ni uvicorn ; les réglages (pydantic-settings) aussi, pour que `dsp --help` reste léger.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.affichage import console, erreurs
from socle.erreurs import DspError

app_utilisateur = typer.Typer(
    help="Comptes locaux de l'application de revue.", no_args_is_help=True
)


@app_utilisateur.command("creer")
def creer(
    identifiant: Annotated[str, typer.Argument(help="Identifiant de connexion")],
    nom: Annotated[str, typer.Option("--nom", help="Nom affiché (journal d'audit)")],
    role: Annotated[
        str, typer.Option("--role", help="relecteur (corrige), valideur (valide) ou admin")
    ] = "relecteur",
    mot_de_passe: Annotated[
        str,
        typer.Option(
            "--mot-de-passe",
            prompt="Mot de passe",
            hide_input=True,
            confirmation_prompt="Confirmez le mot de passe",
            help="Demandé s'il n'est pas donné (8 caractères au moins)",
        ),
    ] = "",
) -> None:
    """Crée un compte local (mot de passe haché par scrypt)."""
    from revue.comptes import comptes_de, creer_compte
    from socle.reglages import reglages

    try:
        compte = creer_compte(comptes_de(reglages()), identifiant, nom, role, mot_de_passe)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Compte « {compte.identifiant} » créé (rôle {compte.role}).")


def revue(
    hote: Annotated[str, typer.Option("--hote", help="Adresse d'écoute")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port")] = 8000,
) -> None:
    """Lance l'application de revue (file, fiches, validation, tableau de bord)."""
    import uvicorn

    from flows.ephemere import garder_serveur_ephemere
    from revue.app import creer_app, figer_demarrage
    from revue.comptes import creer_compte_demo
    from revue.securite import options_proxy
    from socle.reglages import reglages

    r = reglages()
    try:
        application = creer_app(r)
        compte = creer_compte_demo(r) if r.demo else None
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Application de revue : [bold]http://{hote}:{port}/[/bold] (Ctrl+C arrête)")
    if compte:
        console.print(
            f"Compte de démonstration : [bold]{compte[0]}[/bold] / [bold]{compte[1]}[/bold]"
        )
    # Une décision démarre au besoin un serveur Prefect éphémère ; uvicorn arrêté par
    # SIGTERM se termine par ce signal, sans les nettoyages de sortie : le gardien l'arrête.
    garder_serveur_ephemere()
    figer_demarrage()
    uvicorn.run(application, host=hote, port=port, log_level="warning", **options_proxy(r))
