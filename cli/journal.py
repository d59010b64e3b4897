"""Commandes `dsp journal verifier` (chaîne du journal d'audit) et `dsp journal proteger`
(droits du rôle applicatif PostgreSQL, lancée par le rôle propriétaire)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.affichage import avec_depot, console, erreurs

if TYPE_CHECKING:
    from stockage.depot import Depot

app = typer.Typer(help="Journal d'audit : vérification, protection.", no_args_is_help=True)


@app.command("verifier")
def verifier() -> None:
    """Recalcule la chaîne du journal : code 0 si elle est intacte ; sinon code 1 et le
    premier événement modifié, supprimé ou inséré derrière le dos de l'application."""
    bilan = avec_depot(lambda depot: depot.verifier_journal())
    if bilan.rupture is not None:
        erreurs.print(f"[red]{bilan.rupture.message()}[/red]")
        raise typer.Exit(1)
    console.print(f"Journal intact : {bilan.evenements} événement(s), chaîne vérifiée.")


@app.command("proteger")
def proteger(
    role: Annotated[str, typer.Option("--role", help="Rôle PostgreSQL de l'application")],
) -> None:
    """PostgreSQL, avec DSP_DATABASE_URL du rôle propriétaire : migre la base puis ne
    laisse au rôle applicatif que la lecture et l'ajout sur le journal (ni modification,
    ni suppression, ni déclencheurs, ni schéma)."""
    # Importé ici : SQLAlchemy ne se charge pas pour `dsp --help`.
    from stockage.journal import proteger_postgres

    def _proteger(depot: Depot) -> None:
        with depot.moteur.begin() as connexion:
            proteger_postgres(connexion, role)

    avec_depot(_proteger)
    console.print(
        f"Droits accordés au rôle « {role} » : lecture et ajout sur le journal, rien sur le "
        "schéma. Lancez l'application avec ce rôle dans DSP_DATABASE_URL."
    )
