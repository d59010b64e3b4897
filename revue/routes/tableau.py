"""Tableau de bord du temps gagné et son export CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from revue.dependances import Ctx, Relecteur
from revue.services.ccspl import graphiques_ccspl
from revue.services.graphiques import csv_rapports, figures
from revue.services.tableau import tableau_de_bord

routeur = APIRouter()


@routeur.get("/tableau-de-bord")
def tableau(request: Request, ctx: Ctx, agent: Relecteur, exercice: int | None = None) -> Response:
    donnees = tableau_de_bord(ctx.depot, ctx.reglages)
    ccspl = graphiques_ccspl(ctx.depot, exercice)
    propres = figures(donnees)
    contexte = {
        "agent": agent,
        "tableau": donnees,
        "graphiques": list(propres),
        "figures": propres | ccspl.figures,
        "ccspl": ccspl,
    }
    return ctx.gabarits.TemplateResponse(request, "tableau.html", contexte)


@routeur.get("/tableau-de-bord.csv")
def export_csv(ctx: Ctx, _agent: Relecteur) -> Response:
    contenu = csv_rapports(tableau_de_bord(ctx.depot, ctx.reglages))
    return Response(
        contenu.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="temps_gagne.csv"'},
    )
