"""L'application de revue : `creer_app(reglages)` (lancée par `dsp revue` sous uvicorn).

Toutes les pages sont en français, servies sans aucune ressource externe (htmx et Plotly
sont dans `revue/static/`). Chaque route hors connexion exige une session.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from publication import filtres
from revue.dependances import AccesRefuseError, Contexte, NonConnecteError
from revue.routes import connexion, rapports, sources, tableau, utilisateurs
from revue.securite import EN_TETES, Limiteur, secret_effectif
from revue.services.corrections import SaisieError
from revue.services.decisions import Decisions, Executant, executer_avec_prefect
from revue.services.fiche import ANCRAGES, ORIGINES
from revue.services.file import libelle_secteur
from socle.erreurs import DspError
from socle.reglages import Reglages, reglages
from stockage.comptes import Comptes
from stockage.depot import Depot
from stockage.moteur import url_base
from stockage.statuts import LIBELLES, Statut

ICI = Path(__file__).resolve().parent


def gabarits() -> Jinja2Templates:
    """Jinja2 avec échappement automatique (tout texte d'un rapport est échappé)."""
    environnement = Jinja2Templates(directory=str(ICI / "templates"))
    env = environnement.env
    env.autoescape = True
    env.filters.update(
        euros=filtres.euros,
        nombre=filtres.nombre,
        energie=filtres.energie,
        co2=filtres.co2,
        date_longue=filtres.date_longue,
        secteur=libelle_secteur,
        heures=lambda h: f"{h:,.1f}".replace(",", "\u202f").replace(".", ","),
        pourcent=lambda x: "—" if x is None else f"{100 * x:.0f}\u00a0%",
        date_heure=lambda d: d.astimezone().strftime("%d/%m/%Y %H:%M") if d else "—",
    )
    env.globals.update(STATUTS=LIBELLES, Statut=Statut, ANCRAGES=ANCRAGES, ORIGINES=ORIGINES)
    return environnement


def _page_erreur(request: Request, statut: int, message: str) -> Response:
    if request.headers.get("HX-Request"):
        return HTMLResponse(f'<p class="erreur" role="alert">{_echapper(message)}</p>', statut)
    ctx: Contexte = request.app.state.contexte
    return ctx.gabarits.TemplateResponse(
        request, "erreur.html", {"message": message, "statut": statut}, status_code=statut
    )


def _echapper(texte: str) -> str:
    return str(escape(texte))


def _gestionnaires(app: FastAPI) -> None:
    @app.exception_handler(NonConnecteError)
    async def _non_connecte(request: Request, _exc: NonConnecteError) -> Response:
        if request.method != "GET" or request.headers.get("HX-Request"):
            reponse = _page_erreur(request, 401, "Session absente ou expirée : reconnectez-vous.")
            reponse.headers["HX-Redirect"] = "/connexion"  # HTMX recharge la connexion
            return reponse
        return RedirectResponse("/connexion", status_code=303)

    @app.exception_handler(AccesRefuseError)
    async def _refuse(request: Request, exc: AccesRefuseError) -> Response:
        return _page_erreur(request, 403, exc.message)

    @app.exception_handler(SaisieError)
    async def _saisie_refusee(request: Request, exc: SaisieError) -> Response:
        return _page_erreur(request, 422, exc.message)

    @app.exception_handler(DspError)
    async def _dsp(request: Request, exc: DspError) -> Response:
        return _page_erreur(request, 400, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _saisie(request: Request, exc: RequestValidationError) -> Response:
        champs = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        noms = ", ".join(f"« {c} »" for c in champs) or "inconnu"
        return _page_erreur(request, 422, f"Saisie invalide ou manquante (champ {noms}).")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Page introuvable.", 405: "Méthode non permise."}
        return _page_erreur(request, exc.status_code, messages.get(exc.status_code, "Erreur."))


def _en_tetes(app: FastAPI) -> None:
    @app.middleware("http")
    async def _securite(request: Request, suite: Any) -> Response:
        reponse: Response = await suite(request)
        reponse.headers.update(EN_TETES)
        if not request.url.path.startswith("/static/"):
            reponse.headers.setdefault("Cache-Control", "no-store")
        return reponse


def creer_app(r: Reglages | None = None, *, executant: Executant | None = None) -> FastAPI:
    """L'application ; refuse de démarrer avec le secret par défaut hors démonstration.

    `executant` remplace l'application des décisions (tests) ; par défaut, le flow Prefect
    de validation.
    """
    r = r or reglages()
    secret = secret_effectif(r)
    depot = Depot(url_base(r))
    app = FastAPI(title="Synthèse DSP — revue", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.contexte = Contexte(
        reglages=r,
        depot=depot,
        comptes=Comptes(depot),
        secret=secret,
        limiteur=Limiteur(r.revue_tentatives_max, r.revue_tentatives_fenetre_s),
        decisions=Decisions(executant or executer_avec_prefect),
        gabarits=gabarits(),
    )
    app.mount("/static", StaticFiles(directory=str(ICI / "static")), name="static")
    for module in (connexion, rapports, sources, tableau, utilisateurs):
        app.include_router(module.routeur)
    _gestionnaires(app)
    _en_tetes(app)
    return app


def figer_demarrage() -> None:
    """À appeler une fois l'application créée, avant de servir (`dsp revue`) : les objets
    du démarrage (modules, gabarits, métadonnées SQLAlchemy) ne bougent plus ; on les sort
    du ramasse-miettes complet, qui sinon les parcourt (≈ 60 ms) au milieu d'une requête."""
    gc.freeze()
