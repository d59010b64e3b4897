"""File de revue, page d'un rapport, corrections, avis, décision, temps de revue active."""

from __future__ import annotations

import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from revue.dependances import Ctx, Relecteur, RelecteurEcrit, ValideurEcrit
from revue.services import corrections
from revue.services.fiche import ligne_de
from revue.services.file import Filtres, file_de_revue, valeurs_des_filtres
from revue.services.rapport import vue_rapport
from stockage.decisions import DemandeDecision
from stockage.statuts import Statut

routeur = APIRouter(prefix="/rapports")
ETAPE_REVUE = "revue"
MAX_SECONDES_PAR_ENVOI = 120.0
_UN_ENVOI_A_LA_FOIS = threading.Lock()  # deux envois simultanés lisent le même dernier envoi


@routeur.get("")
def file_attente(
    request: Request, ctx: Ctx, agent: Relecteur, filtres: Annotated[Filtres, Query()]
) -> Response:
    page = file_de_revue(ctx.depot, filtres)
    exercices, secteurs = valeurs_des_filtres(ctx.depot)
    contexte = {
        "agent": agent, "page": page, "filtres": filtres,
        "exercices": exercices, "secteurs": secteurs,
    }  # fmt: skip
    return ctx.gabarits.TemplateResponse(request, "file.html", contexte)


@routeur.get("/{rapport_id}")
def page_rapport(request: Request, ctx: Ctx, agent: Relecteur, rapport_id: int) -> Response:
    vue = vue_rapport(ctx.depot, rapport_id)
    decision = ctx.decisions.etat(rapport_id)
    contexte = {"agent": agent, "vue": vue, "decision": decision}
    return ctx.gabarits.TemplateResponse(request, "rapport.html", contexte)


@routeur.post("/{rapport_id}/corrections")
def corriger(
    request: Request,
    ctx: Ctx,
    agent: RelecteurEcrit,
    rapport_id: int,
    chemin: Annotated[str, Form(max_length=300)],
    valeur: Annotated[str, Form(max_length=5000)] = "",
    motif: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Corrige un champ ; rend le panneau de correction à jour (HTMX). Une saisie refusée
    (« douze mille ») lève `SaisieError` : réponse 400 en français, que la page affiche
    dans le formulaire, focus dessus (`revue.js`), la saisie de l'agent restant en place."""
    corrections.corriger(ctx.depot, rapport_id, chemin, valeur, motif, agent.identifiant)
    fiche = ctx.depot.derniere_fiche(rapport_id)
    ligne = ligne_de(fiche, chemin) if fiche else None
    contexte = {
        "agent": agent, "rapport_id": rapport_id, "ligne": ligne,
        "message": "Correction enregistrée au journal.", "erreur": False, "modifiable": True,
        # La décision porte sur la version affichée : le formulaire suit la correction.
        "version": ctx.depot.versions(rapport_id)[-1].numero,
    }  # fmt: skip
    reponse = ctx.gabarits.TemplateResponse(request, "_correction.html", contexte)
    reponse.headers["HX-Trigger"] = "fiche-modifiee"
    return reponse


@routeur.get("/{rapport_id}/fiche")
def panneau_fiche(request: Request, ctx: Ctx, agent: Relecteur, rapport_id: int) -> Response:
    """La fiche seule (rechargée après une correction)."""
    vue = vue_rapport(ctx.depot, rapport_id)
    return ctx.gabarits.TemplateResponse(request, "_fiche.html", {"agent": agent, "vue": vue})


@routeur.post("/{rapport_id}/avis")
def avis(
    ctx: Ctx,
    agent: RelecteurEcrit,
    rapport_id: int,
    texte: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    corrections.enregistrer_avis(ctx.depot, rapport_id, texte, agent.identifiant)
    return RedirectResponse(f"/rapports/{rapport_id}#avis", status_code=303)


@routeur.post("/{rapport_id}/decision")
def decider(
    request: Request,
    ctx: Ctx,
    agent: ValideurEcrit,
    rapport_id: int,
    decision: Annotated[Literal["valider", "rejeter"], Form()],
    version: Annotated[int, Form(ge=1)],
    commentaire: Annotated[str, Form(max_length=5000)] = "",
    anomalie: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copie le défaut)
    motif: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Valider (puis publier) ou rejeter (motif obligatoire) la version affichée : la
    décision est enregistrée ici (compte, version, hachage, anomalies reconnues), la fiche
    ne change plus, puis elle est appliquée en arrière-plan."""
    if decision == "rejeter" and not commentaire.strip():
        raise corrections.SaisieError("Un rejet doit être motivé : indiquez un commentaire.")
    if decision == "valider" and not commentaire.strip():
        commentaire = vue_rapport(ctx.depot, rapport_id).avis or ""
    demande = DemandeDecision(
        rapport_id=rapport_id, decision=decision, compte=agent.identifiant,
        commentaire=commentaire.strip(), version=version,
        motifs={a: m for a, m in zip(anomalie, motif, strict=False) if m.strip()},
    )  # fmt: skip
    enregistree = ctx.depot.enregistrer_decision(demande)
    ctx.decisions.lancer(rapport_id, decision, enregistree.agent, enregistree.id)
    return etat_decision(request, ctx, agent, rapport_id)


@routeur.get("/{rapport_id}/decision")
def etat_decision(request: Request, ctx: Ctx, agent: Relecteur, rapport_id: int) -> Response:
    """État de la décision en cours (la page l'interroge tant qu'elle n'est pas finie)."""
    contexte = {
        "agent": agent,
        "rapport_id": rapport_id,
        "decision": ctx.decisions.etat(rapport_id),
    }
    return ctx.gabarits.TemplateResponse(request, "_decision.html", contexte)


@routeur.post("/{rapport_id}/temps")
def temps(
    ctx: Ctx,
    agent: RelecteurEcrit,
    rapport_id: int,
    secondes: Annotated[float, Form(gt=0, le=MAX_SECONDES_PAR_ENVOI)],
) -> Response:
    """Secondes de revue active mesurées par la page (visible, utilisée) depuis l'envoi
    précédent ; comptées seulement pendant la revue (« à valider »), et jamais plus que le
    temps écoulé depuis le dernier envoi compté de l'agent (`Depot.enregistrer_temps_revue`) :
    une pulsation rejouée ou envoyée de plusieurs onglets ne gonfle pas le temps de revue."""
    rapport = ctx.depot.rapport(rapport_id)
    if Statut(rapport.statut) == Statut.A_VALIDER:
        with _UN_ENVOI_A_LA_FOIS:
            ctx.depot.enregistrer_temps_revue(
                rapport_id, ETAPE_REVUE, secondes, agent=agent.identifiant
            )
    return Response(status_code=204)
