"""Moteur de base : SQLite sous `DSP_DATA_DIR` par défaut, PostgreSQL via `DSP_DATABASE_URL`.

Au démarrage, la base est migrée jusqu'à la dernière révision Alembic : l'application
et les flows n'ont jamais à créer le schéma eux-mêmes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from socle.erreurs import StockageError
from socle.reglages import Reglages, reglages

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
NOM_BASE_SQLITE = "synthese.db"


def url_base(r: Reglages | None = None) -> str:
    """L'URL configurée, sinon un fichier SQLite dans le dossier des données."""
    r = r or reglages()
    if r.database_url:
        return r.database_url
    r.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(r.data_dir / NOM_BASE_SQLITE).resolve()}"


def _pragmas_sqlite(connexion_dbapi: Any, _enregistrement: Any) -> None:
    # WAL : lecteurs (application de revue) et écrivain (lot) ne se bloquent pas ;
    # foreign_keys : SQLite ne vérifie les clés étrangères que si on le lui demande.
    curseur = connexion_dbapi.cursor()
    curseur.execute("PRAGMA journal_mode=WAL")
    curseur.execute("PRAGMA foreign_keys=ON")
    curseur.execute(f"PRAGMA busy_timeout={int(reglages().base_attente_s * 1000)}")
    curseur.close()


def creer_moteur(url: str | None = None) -> Engine:
    """Un moteur SQLAlchemy ; `url` absente : celle des réglages."""
    url = url or url_base()
    if url.startswith("postgresql://"):
        # Pilote imposé : psycopg 3 (binaire PyPI), pas psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        moteur = create_engine(url, connect_args={"timeout": reglages().base_attente_s})
        event.listen(moteur, "connect", _pragmas_sqlite)
        return moteur
    return create_engine(url, pool_pre_ping=True)


def configuration_alembic() -> Config:
    """Configuration Alembic programmatique (aucun `alembic.ini` requis à l'exécution)."""
    # Alembic (~0,1 s CPU) n'est importé que pour migrer, pas à chaque commande.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def base_indisponible(moteur: Engine, exc: Exception) -> StockageError:
    """Le message d'une base verrouillée (SQLite occupée par un autre processus) ou
    injoignable (serveur arrêté, réseau), pour l'agent."""
    adresse = moteur.url.render_as_string(hide_password=True)
    detail = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    etat = "verrouillée par un autre traitement" if "locked" in detail else "injoignable"
    return StockageError(
        f"La base de données ({adresse}) est {etat} : {detail}. L'opération est annulée, "
        "rien n'a été enregistré à moitié ; relancez quand la base répond."
    )


_CLE_MIGRATION = 7_316_016
"""Clé du verrou consultatif PostgreSQL qui sérialise les migrations."""


def _verrouiller_la_migration(connexion: Connection) -> None:
    """Deux commandes lancées ensemble sur une base neuve (deux `dsp lot` planifiés à la
    même minute) la migraient en même temps : l'une échouait sur « table contrats already
    exists ». La migration se fait sous verrou d'écriture, tenu jusqu'à la fin de la
    transaction ; la seconde attend (`base_attente_s`), puis trouve la base à jour."""
    if connexion.dialect.name == "sqlite":
        # Écrivain unique ; en WAL, les lecteurs (application de revue) ne sont pas bloqués.
        connexion.exec_driver_sql("BEGIN IMMEDIATE")
    elif connexion.dialect.name == "postgresql":
        connexion.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_CLE_MIGRATION})")


REVISION_DE_TETE = "0004_attente_delegataire"
"""La dernière révision de `migrations/versions` (un test la compare à celle d'Alembic)."""


def _deja_a_jour(moteur: Engine) -> bool:
    """La base porte-t-elle déjà la dernière révision ? Lu par une requête simple : le cas
    courant (toute commande sur une base existante) n'importe ni ne lance Alembic (~0,2 s
    CPU à chaque commande). Une base injoignable l'est dit ici, sans seconde tentative de
    connexion (un hôte qui ne répond pas ferait attendre deux fois) ; au moindre autre doute
    (table absente), non : la migration décide."""
    try:
        connexion = moteur.connect()
    except (OperationalError, InterfaceError) as exc:
        raise base_indisponible(moteur, exc) from exc
    with connexion:
        try:
            versions = connexion.execute(text("SELECT version_num FROM alembic_version"))
        except SQLAlchemyError:
            return False
        return list(versions.scalars()) == [REVISION_DE_TETE]


def migrer(moteur: Engine, revision: str = "head") -> None:
    """Amène la base à `revision` (par défaut la dernière) ; sans effet si elle y est déjà."""
    if revision == "head" and _deja_a_jour(moteur):
        return
    from alembic import command

    config = configuration_alembic()
    try:
        with moteur.begin() as connexion:
            _verrouiller_la_migration(connexion)
            config.attributes["connexion"] = connexion
            command.upgrade(config, revision)
    except (OperationalError, InterfaceError) as exc:
        raise base_indisponible(moteur, exc) from exc
    except SQLAlchemyError as exc:
        raise StockageError(
            f"Impossible de migrer la base ({moteur.url.render_as_string(hide_password=True)}) : "
            f"{exc.__class__.__name__} — {str(exc).splitlines()[0]}"
        ) from exc


@contextmanager
def base_postgres_jetable(url_admin: str, nom: str) -> Iterator[str]:
    """L'URL d'une base PostgreSQL neuve `nom`, créée sur le serveur de `url_admin` et
    supprimée à la sortie du bloc (tests et bancs d'essai sur une base vierge)."""
    admin = create_engine(url_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as connexion:
        connexion.execute(text(f'CREATE DATABASE "{nom}"'))
    try:
        yield make_url(url_admin).set(database=nom).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connexion:
            connexion.execute(text(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)'))
        admin.dispose()
