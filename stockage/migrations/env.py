"""Environnement Alembic : la connexion vient de `stockage.moteur` (programme) ou des
réglages (`alembic upgrade head` lancé à la main depuis la racine du dépôt)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from stockage.modeles import Base

config = context.config
cible = Base.metadata


def _migrer(connexion: Connection) -> None:
    # render_as_batch : SQLite ne sait pas modifier une colonne en place (ALTER limité).
    context.configure(connection=connexion, target_metadata=cible, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def lancer() -> None:
    connexion = config.attributes.get("connexion")
    if isinstance(connexion, Connection):
        _migrer(connexion)
        return
    from stockage.moteur import creer_moteur

    moteur = creer_moteur(config.get_main_option("sqlalchemy.url") or None)
    with moteur.connect() as nouvelle:
        _migrer(nouvelle)
        nouvelle.commit()
    moteur.dispose()


lancer()
