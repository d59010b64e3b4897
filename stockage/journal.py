"""Journal d'audit chaîné : chaque événement porte le hachage du précédent.

Le hachage d'un événement couvre le hachage précédent et chacun de ses champs : modifier,
supprimer ou insérer une ligne derrière le dos de l'application casse la chaîne à cet
endroit, et `verifier_chaine` nomme le premier événement touché. La ligne `tete_journal`
garde le nombre d'événements et le dernier hachage : une fin de journal supprimée se voit
aussi.

Sur PostgreSQL, `proteger_postgres` (lancé par le rôle propriétaire) ne laisse au rôle de
l'application que la lecture et l'ajout : il ne peut ni modifier, ni vider, ni supprimer le
journal, ni retirer ses déclencheurs (réservé au propriétaire).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from socle.erreurs import StockageError
from stockage.modeles import EvenementRevue, TeteJournal, maintenant

ID_TETE = 1


def json_canonique(valeur: Any) -> str:
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def hachage_contenu(contenu: dict[str, Any]) -> str:
    """Le hachage d'une version de fiche : sha256 de son JSON canonique."""
    return hashlib.sha256(json_canonique(contenu).encode("utf-8")).hexdigest()


def _date_utc(date: datetime) -> str:
    # SQLite rend des dates sans fuseau (écrites en UTC) ; PostgreSQL dans le fuseau de la
    # session : on hache toujours l'instant en UTC.
    date = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
    return date.isoformat()


CHAMPS_HACHES = (
    "rapport_id", "agent", "date", "action", "champ", "ancienne_valeur", "nouvelle_valeur",
    "commentaire",
)  # fmt: skip


def hachage_evenement(champs: Mapping[str, Any], precedent: str | None) -> str:
    """Le hachage d'un événement : le précédent et chacun de ses champs (`CHAMPS_HACHES`)."""
    valeurs = {nom: champs[nom] for nom in CHAMPS_HACHES}
    valeurs["date"] = _date_utc(valeurs["date"])
    valeurs["precedent"] = precedent
    return hashlib.sha256(json_canonique(valeurs).encode("utf-8")).hexdigest()


def _champs(evenement: EvenementRevue) -> dict[str, Any]:
    return {nom: getattr(evenement, nom) for nom in CHAMPS_HACHES}


def chainer(session: Session, evenement: EvenementRevue) -> EvenementRevue:
    """Ajoute l'événement au bout de la chaîne, dans la transaction de `session`.

    La mise à jour de la tête vient d'abord : elle verrouille la ligne (PostgreSQL) ou la
    base (SQLite) jusqu'à la fin de la transaction, si bien que deux écritures concurrentes
    ne peuvent pas accrocher leur événement au même maillon.
    """
    session.execute(
        update(TeteJournal).where(TeteJournal.id == ID_TETE).values(nombre=TeteJournal.nombre + 1)
    )
    tete = session.get(TeteJournal, ID_TETE, populate_existing=True)
    if tete is None:
        raise StockageError("Tête du journal absente : la base n'est pas migrée.")
    evenement.hachage_precedent = tete.dernier_hachage
    evenement.hachage = hachage_evenement(_champs(evenement), tete.dernier_hachage)
    tete.dernier_hachage = evenement.hachage
    session.add(evenement)
    session.flush()
    return evenement


def verrouiller(session: Session) -> None:
    """Prend le verrou d'écriture du journal sans rien changer : les écritures qui
    vérifient un état puis le modifient (décision, nouvelle version) se suivent."""
    session.execute(
        update(TeteJournal).where(TeteJournal.id == ID_TETE).values(nombre=TeteJournal.nombre)
    )


def texte_audit(valeur: Any) -> str | None:
    """Valeur d'audit en texte (JSON pour tout ce qui n'est pas déjà une chaîne)."""
    if valeur is None or isinstance(valeur, str):
        return valeur
    return json.dumps(valeur, ensure_ascii=False, default=str)


def journaliser(
    session: Session,
    rapport_id: int,
    agent: str,
    action: str,
    champ: str | None = None,
    ancienne: Any = None,
    nouvelle: Any = None,
    commentaire: str | None = None,
) -> EvenementRevue:
    """Un événement au bout de la chaîne (date fixée avant le hachage)."""
    evenement = EvenementRevue(
        rapport_id=rapport_id, agent=agent, date=maintenant(), action=action, champ=champ,
        ancienne_valeur=texte_audit(ancienne), nouvelle_valeur=texte_audit(nouvelle),
        commentaire=commentaire,
    )  # fmt: skip
    return chainer(session, evenement)


class Rupture(BaseModel):
    """Le premier endroit où la chaîne ne tient plus."""

    evenement_id: int | None
    rapport_id: int | None
    action: str | None
    raison: str

    def message(self) -> str:
        if self.evenement_id is None:
            return f"Journal altéré : {self.raison}"
        return (
            f"Journal altéré à l'événement n° {self.evenement_id} (rapport n° "
            f"{self.rapport_id}, action « {self.action} ») : {self.raison}"
        )


class BilanChaine(BaseModel):
    evenements: int
    rupture: Rupture | None


def verifier_chaine(session: Session) -> BilanChaine:
    """Recalcule chaque maillon dans l'ordre des numéros ; s'arrête au premier cassé."""
    precedent: str | None = None
    nombre = 0
    for evenement in session.scalars(select(EvenementRevue).order_by(EvenementRevue.id)):
        nombre += 1
        raison = None
        if evenement.hachage_precedent != precedent:
            raison = "il ne suit pas l'événement précédent (ligne supprimée ou insérée avant lui)"
        elif evenement.hachage != hachage_evenement(_champs(evenement), precedent):
            raison = "son contenu ne correspond plus à son hachage (ligne modifiée)"
        if raison:
            rupture = Rupture(
                evenement_id=evenement.id, rapport_id=evenement.rapport_id,
                action=evenement.action, raison=raison,
            )  # fmt: skip
            return BilanChaine(evenements=nombre, rupture=rupture)
        precedent = evenement.hachage
    tete = session.get(TeteJournal, ID_TETE)
    if tete is None or (tete.nombre, tete.dernier_hachage) != (nombre, precedent):
        attendu = tete.nombre if tete else "?"
        raison = (
            f"la tête du journal compte {attendu} événements, la table {nombre} "
            "(événements de fin supprimés, ou tête modifiée)"
        )
        rupture = Rupture(evenement_id=None, rapport_id=None, action=None, raison=raison)
        return BilanChaine(evenements=nombre, rupture=rupture)
    return BilanChaine(evenements=nombre, rupture=None)


def sceller_existants(connexion: Connection) -> None:
    """Migration : chaîne les événements déjà en base, dans l'ordre de leurs numéros, et
    initialise la tête (appelée une fois, déclencheurs d'ajout seul suspendus). Tables
    décrites ici, pas par les modèles : la migration reste juste quand ils évoluent."""
    evenements = sa.table(
        "evenements_revue", sa.column("id", sa.Integer()), sa.column("date", sa.DateTime()),
        sa.column("hachage_precedent", sa.String()), sa.column("hachage", sa.String()),
        *(sa.column(nom) for nom in CHAMPS_HACHES if nom != "date"),
    )  # fmt: skip
    precedent: str | None = None
    nombre = 0
    lignes = connexion.execute(sa.select(evenements).order_by(evenements.c.id)).mappings()
    for ligne in list(lignes):
        nombre += 1
        hachage = hachage_evenement(ligne, precedent)
        connexion.execute(
            evenements.update()
            .where(evenements.c.id == ligne["id"])
            .values(hachage_precedent=precedent, hachage=hachage)
        )
        precedent = hachage
    tete = sa.table(
        "tete_journal", sa.column("id", sa.Integer()), sa.column("nombre", sa.Integer()),
        sa.column("dernier_hachage", sa.String()),
    )  # fmt: skip
    connexion.execute(tete.insert().values(id=ID_TETE, nombre=nombre, dernier_hachage=precedent))


# --- PostgreSQL : rôle propriétaire et rôle applicatif ----------------------------------

_NOM_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def proteger_postgres(connexion: Connection, role: str) -> None:
    """Droits du rôle applicatif `role`, exécuté par le propriétaire des tables (celui qui
    lance les migrations) : lecture et écriture des tables de travail, mais seulement
    lecture et ajout sur le journal ; rien sur le schéma (ni ALTER, ni DROP, ni TRIGGER)."""
    if connexion.dialect.name != "postgresql":
        raise StockageError("La protection par rôles ne concerne que PostgreSQL.")
    if not _NOM_ROLE.match(role):
        raise StockageError(f"Nom de rôle invalide : « {role} » (minuscules, chiffres, _).")
    if connexion.scalar(text("select current_user")) == role:
        raise StockageError(
            "Le rôle applicatif doit être distinct du propriétaire : connectez-vous avec le "
            "rôle propriétaire (DSP_DATABASE_URL) pour accorder les droits."
        )
    if connexion.scalar(text("select pg_has_role(:r, current_user, 'MEMBER')"), {"r": role}):
        raise StockageError(
            f"Le rôle « {role} » est membre du propriétaire : il pourrait prendre ses droits "
            "et retirer les protections du journal. Retirez cette appartenance (REVOKE)."
        )
    for instruction in (
        f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"',
        f'REVOKE CREATE ON SCHEMA public FROM "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM "{role}"',
        f'REVOKE UPDATE, DELETE ON evenements_revue FROM "{role}"',
        f'REVOKE DELETE ON tete_journal, decisions FROM "{role}"',
        f'REVOKE UPDATE, DELETE ON versions_fiche, anomalies FROM "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ):
        connexion.execute(text(instruction))
