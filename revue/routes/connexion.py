"""Connexion (comptes locaux, tentatives limitées) et déconnexion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from revue.comptes import authentifier
from revue.dependances import Connecte, Contexte, Ctx, RelecteurEcrit
from revue.securite import (
    COOKIE_CSRF_CONNEXION,
    COOKIE_SESSION,
    csrf_connexion,
    empreinte_jeton,
    nouveau_jeton,
    verifier_csrf_connexion,
)

routeur = APIRouter()


def _formulaire(
    request: Request, ctx: Contexte, *, message: str | None = None, statut: int = 200
) -> Response:
    cookie, champ = csrf_connexion(ctx.secret)
    reponse = ctx.gabarits.TemplateResponse(
        request, "connexion.html", {"csrf": champ, "message": message}, status_code=statut
    )
    reponse.set_cookie(
        COOKIE_CSRF_CONNEXION, cookie, httponly=True, samesite="strict",
        secure=ctx.reglages.revue_cookie_securise, max_age=3600,
    )  # fmt: skip
    return reponse


@routeur.get("/connexion")
def page_connexion(request: Request, ctx: Ctx) -> Response:
    return _formulaire(request, ctx)


def _cles(request: Request, identifiant: str) -> tuple[str, str]:
    # L'adresse du socket ; derrière un proxy déclaré (DSP_REVUE_PROXIES), uvicorn la
    # remplace par celle que ce proxy transmet, jamais par un en-tête d'un autre client.
    adresse = request.client.host if request.client else "inconnue"
    return f"adresse:{adresse}", f"compte:{identifiant.strip().lower()}"


@routeur.post("/connexion")
def connexion(
    request: Request,
    ctx: Ctx,
    identifiant: Annotated[str, Form(max_length=100)] = "",
    mot_de_passe: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    cookie = request.cookies.get(COOKIE_CSRF_CONNEXION)
    if not verifier_csrf_connexion(ctx.secret, cookie, csrf):
        message = "Formulaire périmé (jeton de sécurité invalide) : recommencez."
        return _formulaire(request, ctx, message=message, statut=403)
    cles = _cles(request, identifiant)
    attente, marque = ctx.limiteur.tenter(*cles)  # compté avant le calcul : atomique
    if attente > 0:
        minutes = max(1, round(attente / 60))
        message = f"Trop de tentatives : réessayez dans {minutes} minute(s)."
        return _formulaire(request, ctx, message=message, statut=429)
    compte = authentifier(ctx.comptes, identifiant, mot_de_passe)
    if compte is None:
        message = "Identifiant ou mot de passe incorrect."
        return _formulaire(request, ctx, message=message, statut=401)
    ctx.limiteur.reussite(cles[1], cles[0], marque=marque)
    ancien = request.cookies.get(COOKIE_SESSION)
    if ancien:  # ASVS V3.2 : la session d'avant la connexion ne survit pas à celle-ci
        ctx.comptes.fermer_session(empreinte_jeton(ancien))
    jeton = nouveau_jeton()
    duree = timedelta(hours=ctx.reglages.revue_session_heures)
    ctx.comptes.ouvrir_session(compte.id, empreinte_jeton(jeton), datetime.now(UTC) + duree)
    reponse = RedirectResponse("/rapports", status_code=303)
    reponse.set_cookie(
        COOKIE_SESSION, jeton, httponly=True, samesite="strict",
        secure=ctx.reglages.revue_cookie_securise, max_age=int(duree.total_seconds()),
    )  # fmt: skip
    reponse.delete_cookie(COOKIE_CSRF_CONNEXION)
    return reponse


@routeur.post("/deconnexion")
def deconnexion(ctx: Ctx, agent: RelecteurEcrit) -> Response:
    ctx.comptes.fermer_session(empreinte_jeton(agent.jeton))
    reponse = RedirectResponse("/connexion", status_code=303)
    reponse.delete_cookie(COOKIE_SESSION)
    return reponse


@routeur.get("/")
def accueil(_agent: Connecte) -> Response:
    return RedirectResponse("/rapports", status_code=303)
