"""Comptes locaux et sessions de l'application de revue.

Le stockage ne voit que des empreintes : le hachage du mot de passe est calculé par
l'application (`revue.securite`), et une session n'est retrouvée que par l'empreinte
sha256 du jeton de son cookie (une fuite de la base ne donne aucune session utilisable).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from socle.erreurs import StockageError
from stockage.depot import Depot
from stockage.modeles import SessionRevue, Utilisateur


class Comptes:
    """Utilisateurs et sessions, sur la base d'un `Depot`."""

    def __init__(self, depot: Depot) -> None:
        self._sessions = sessionmaker(depot.moteur, expire_on_commit=False)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def creer(self, identifiant: str, nom: str, empreinte: str, role: str) -> Utilisateur:
        """Un nouveau compte ; `StockageError` si l'identifiant est déjà pris."""
        try:
            with self._transaction() as session:
                utilisateur = Utilisateur(
                    identifiant=identifiant, nom=nom, hash=empreinte, role=role, actif=True
                )
                session.add(utilisateur)
                session.flush()
                return utilisateur
        except IntegrityError as exc:
            raise StockageError(f"L'identifiant « {identifiant} » est déjà pris.") from exc

    def utilisateur(self, identifiant: str) -> Utilisateur | None:
        with self._transaction() as session:
            requete = select(Utilisateur).where(Utilisateur.identifiant == identifiant)
            return session.scalar(requete)

    def utilisateurs(self) -> list[Utilisateur]:
        with self._transaction() as session:
            return list(session.scalars(select(Utilisateur).order_by(Utilisateur.identifiant)))

    def modifier(
        self,
        identifiant: str,
        *,
        empreinte: str | None = None,
        actif: bool | None = None,
        role: str | None = None,
        nom: str | None = None,
    ) -> Utilisateur:
        """Change le mot de passe, l'état, le rôle ou le nom ; un compte désactivé perd ses
        sessions."""
        with self._transaction() as session:
            utilisateur = session.scalar(
                select(Utilisateur).where(Utilisateur.identifiant == identifiant)
            )
            if utilisateur is None:
                raise StockageError(f"Compte inconnu : « {identifiant} ».")
            if empreinte is not None:
                utilisateur.hash = empreinte
            if actif is not None:
                utilisateur.actif = actif
            utilisateur.role = role or utilisateur.role
            utilisateur.nom = nom or utilisateur.nom
            if empreinte is not None or actif is False:
                session.execute(
                    delete(SessionRevue).where(SessionRevue.utilisateur_id == utilisateur.id)
                )
            return utilisateur

    # --- Sessions ------------------------------------------------------------------------

    def ouvrir_session(self, utilisateur_id: int, empreinte: str, expire_le: datetime) -> None:
        with self._transaction() as session:
            session.add(
                SessionRevue(
                    empreinte=empreinte, utilisateur_id=utilisateur_id, expire_le=expire_le
                )
            )

    def session_active(self, empreinte: str, maintenant: datetime) -> Utilisateur | None:
        """Le compte actif d'une session non expirée, ou None."""
        with self._transaction() as session:
            ligne = session.execute(
                select(Utilisateur, SessionRevue.expire_le)
                .join(SessionRevue, SessionRevue.utilisateur_id == Utilisateur.id)
                .where(SessionRevue.empreinte == empreinte, Utilisateur.actif.is_(True))
            ).first()
        if ligne is None:
            return None
        utilisateur, expire_le = ligne
        if expire_le.tzinfo is None:  # SQLite rend des dates sans fuseau (UTC)
            expire_le = expire_le.replace(tzinfo=maintenant.tzinfo)
        return utilisateur if expire_le > maintenant else None

    def fermer_session(self, empreinte: str) -> None:
        with self._transaction() as session:
            session.execute(delete(SessionRevue).where(SessionRevue.empreinte == empreinte))

    def purger_sessions(self, maintenant: datetime) -> int:
        """Supprime les sessions expirées ; rend leur nombre."""
        with self._transaction() as session:
            resultat = session.execute(
                delete(SessionRevue).where(SessionRevue.expire_le <= maintenant)
            )
            return int(getattr(resultat, "rowcount", 0) or 0)
