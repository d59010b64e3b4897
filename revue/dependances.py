"""Contexte de l'application et dépendances FastAPI : agent connecté, rôle exigé, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from revue.securite import (
    CHAMP_CSRF,
    COOKIE_SESSION,
    ENTETE_CSRF,
    LIBELLES_ROLES,
    NIVEAUX,
    Limiteur,
    egaux,
    empreinte_jeton,
    jeton_csrf,
)
from revue.services.decisions import Decisions
from socle.reglages import Reglages
from stockage.comptes import Comptes
from stockage.depot import Depot


@dataclass
class Contexte:
    """Ce que partagent les routes : réglages, base, secret, limiteur, décisions, gabarits."""

    reglages: Reglages
    depot: Depot
    comptes: Comptes
    secret: bytes
    limiteur: Limiteur
    decisions: Decisions
    gabarits: Jinja2Templates


class Agent(BaseModel):
    """L'agent connecté."""

    identifiant: str
    nom: str
    role: str
    csrf: str
    jeton: str

    def peut(self, role: str) -> bool:
        return NIVEAUX.get(self.role, 0) >= NIVEAUX[role]

    @property
    def libelle_role(self) -> str:
        return LIBELLES_ROLES.get(self.role, self.role)


class NonConnecteError(Exception):
    """Aucune session valable : page de connexion (ou 401 pour une requête HTMX)."""


class AccesRefuseError(Exception):
    """Rôle insuffisant ou jeton CSRF invalide (403, message en français)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def contexte(request: Request) -> Contexte:
    ctx: Contexte = request.app.state.contexte
    return ctx


Ctx = Annotated[Contexte, Depends(contexte)]


def agent_courant(request: Request, ctx: Ctx) -> Agent:
    jeton = request.cookies.get(COOKIE_SESSION)
    if not jeton or len(jeton) > 200:
        raise NonConnecteError()
    utilisateur = ctx.comptes.session_active(empreinte_jeton(jeton), datetime.now(UTC))
    if utilisateur is None:
        raise NonConnecteError()
    return Agent(
        identifiant=utilisateur.identifiant,
        nom=utilisateur.nom,
        role=utilisateur.role,
        csrf=jeton_csrf(ctx.secret, jeton),
        jeton=jeton,
    )


Connecte = Annotated[Agent, Depends(agent_courant)]


async def verifier_csrf(request: Request, agent: Connecte) -> Agent:
    """Le jeton CSRF de la session, en en-tête (HTMX) ou dans le formulaire."""
    recu = request.headers.get(ENTETE_CSRF)
    if recu is None:
        formulaire = await request.form()
        valeur = formulaire.get(CHAMP_CSRF)
        recu = valeur if isinstance(valeur, str) else None
    if not egaux(recu, agent.csrf):
        raise AccesRefuseError(
            "Jeton de sécurité (CSRF) absent ou périmé : rechargez la page puis recommencez."
        )
    return agent


def exiger(role: str, *, ecriture: bool = False) -> Callable[..., Any]:
    """Dépendance : un agent d'au moins ce rôle (et un jeton CSRF valable en écriture)."""
    source = verifier_csrf if ecriture else agent_courant

    # Valeur par défaut plutôt qu'annotation : `source` est locale, une annotation en
    # chaîne (from __future__) ne la retrouverait pas.
    def _verifier(agent: Agent = Depends(source)) -> Agent:  # noqa: B008
        if not agent.peut(role):
            raise AccesRefuseError(
                f"Cette action est réservée au rôle « {LIBELLES_ROLES[role]} » ou supérieur."
            )
        return agent

    return _verifier


Relecteur = Annotated[Agent, Depends(exiger("relecteur"))]
RelecteurEcrit = Annotated[Agent, Depends(exiger("relecteur", ecriture=True))]
ValideurEcrit = Annotated[Agent, Depends(exiger("valideur", ecriture=True))]
Admin = Annotated[Agent, Depends(exiger("admin"))]
AdminEcrit = Annotated[Agent, Depends(exiger("admin", ecriture=True))]
