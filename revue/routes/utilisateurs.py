"""Gestion des comptes (administrateurs) : liste, création, activation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from revue.comptes import creer_compte
from revue.dependances import Admin, AdminEcrit, Ctx
from revue.securite import LIBELLES_ROLES, ROLES
from socle.erreurs import DspError

routeur = APIRouter(prefix="/utilisateurs")


def _page(
    request: Request, ctx: Ctx, agent: Admin, message: str | None = None, statut: int = 200
) -> Response:
    contexte = {
        "agent": agent, "utilisateurs": ctx.comptes.utilisateurs(), "roles": ROLES,
        "libelles_roles": LIBELLES_ROLES, "message": message,
    }  # fmt: skip
    return ctx.gabarits.TemplateResponse(request, "utilisateurs.html", contexte, status_code=statut)


@routeur.get("")
def liste(request: Request, ctx: Ctx, agent: Admin) -> Response:
    return _page(request, ctx, agent)


@routeur.post("")
def creer(
    request: Request,
    ctx: Ctx,
    agent: AdminEcrit,
    identifiant: Annotated[str, Form(max_length=100)],
    nom: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form(max_length=20)],
    mot_de_passe: Annotated[str, Form(max_length=500)],
) -> Response:
    try:
        creer_compte(ctx.comptes, identifiant, nom, role, mot_de_passe)
    except DspError as exc:
        return _page(request, ctx, agent, exc.message, 400)
    return RedirectResponse("/utilisateurs", status_code=303)


@routeur.post("/{identifiant}/actif")
def activer(
    ctx: Ctx, agent: AdminEcrit, identifiant: str, actif: Annotated[bool, Form()]
) -> Response:
    if identifiant == agent.identifiant and not actif:
        raise DspError("Vous ne pouvez pas désactiver votre propre compte.")
    ctx.comptes.modifier(identifiant, actif=actif)
    return RedirectResponse("/utilisateurs", status_code=303)
