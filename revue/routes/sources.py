"""Le rapport d'origine : page montrée avec les mots cités surlignés, image de page, fiche
Word publiée. Aucun chemin ne vient de la requête (numéros seulement)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from revue.dependances import Ctx, Relecteur
from revue.services.fiche import ligne_de
from revue.services.pages import Zone, est_pdf, image_page, mots_page, zones_citation
from revue.services.rapport import document_publie
from socle.erreurs import StockageError

routeur = APIRouter(prefix="/rapports")


@routeur.get("/{rapport_id}/source")
def source(
    request: Request,
    ctx: Ctx,
    agent: Relecteur,
    rapport_id: int,
    champ: Annotated[str | None, Query(max_length=300)] = None,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """Le panneau source : la page du champ (ou la page demandée), surlignée."""
    rapport = ctx.depot.rapport(rapport_id)
    fiche = ctx.depot.derniere_fiche(rapport_id)
    if fiche is None:
        raise StockageError(f"Le rapport n° {rapport_id} n'a pas de fiche.")
    ligne = ligne_de(fiche, champ) if champ else None
    numero = page or (ligne.page if ligne else None) or 1
    total = fiche.source.pages
    numero = min(numero, total) if total else numero
    zones: list[Zone] = []
    if ligne and ligne.page == numero and est_pdf(rapport):
        zones = zones_citation(mots_page(ctx.reglages, rapport, numero), ligne.citation)
    contexte = {
        "agent": agent, "rapport": rapport, "ligne": ligne, "page": numero, "pages": total,
        "zones": zones, "pdf": est_pdf(rapport), "modifiable": rapport.statut == "a_valider",
    }  # fmt: skip
    return ctx.gabarits.TemplateResponse(request, "_source.html", contexte)


@routeur.get("/{rapport_id}/pages/{page}.png")
def image(ctx: Ctx, _agent: Relecteur, rapport_id: int, page: int) -> Response:
    rapport = ctx.depot.rapport(rapport_id)
    if not est_pdf(rapport):
        raise StockageError("Ce rapport n'est pas un PDF : pas d'image de page.")
    chemin = image_page(ctx.reglages, rapport, page)
    return FileResponse(chemin, media_type="image/png", headers={"Cache-Control": "private"})


@routeur.get("/{rapport_id}/fiche.docx")
def fiche_word(ctx: Ctx, _agent: Relecteur, rapport_id: int) -> Response:
    chemin = document_publie(ctx.depot, rapport_id, ctx.reglages.data_dir)
    return FileResponse(
        chemin,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename=chemin.name,
    )
