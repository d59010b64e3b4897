"""Commande `dsp registre` : fiche de registre RGPD (article 30) et notice d'usage de l'IA,
écrites en Markdown et en Word à partir des réglages réels (`publication.notice`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.affichage import console, erreurs
from socle.erreurs import DspError


def registre(
    sortie: Annotated[Path, typer.Option("--sortie", help="Dossier où écrire les documents")],
) -> None:
    """Écrit registre_rgpd.md/.docx et notice_ia.md/.docx selon la configuration en vigueur
    (LLM, hébergement déclaré, pseudonymisation, énergie)."""
    # Importés ici : Word et les réglages ne se chargent pas pour `dsp --help`.
    from publication.notice import ecrire_conformite
    from publication.registre import pseudonymisation, transferts
    from socle.reglages import reglages

    r = reglages()
    try:
        chemins = ecrire_conformite(r, sortie)
    except DspError as exc:
        erreurs.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from exc
    for chemin in chemins:
        console.print(f"Écrit : {chemin}")
    console.print(f"Transferts hors UE : {transferts(r)}")
    console.print(f"Pseudonymisation : {pseudonymisation(r)}")
