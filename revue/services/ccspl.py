"""Les graphiques des rapports CCSPL sur le tableau de bord : les mêmes séries que dans le
Word (`publication.ccspl`), une autorité à la fois, jamais de cumul entre autorités.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from publication.annuel import dossiers_autorites
from publication.ccspl import graphique_anomalies, graphique_contrat, nom_contrat
from publication.graphiques import Graphique
from publication.publier import rapports_publiables
from socle.erreurs import DspError
from stockage.depot import Depot


class GraphiqueTableau(BaseModel):
    id: str
    titre: str


class AutoriteTableau(BaseModel):
    nom: str
    contrats: int
    graphiques: list[GraphiqueTableau]


class Ccspl(BaseModel):
    exercice: int | None
    exercices: list[int]
    autorites: list[AutoriteTableau] = []
    figures: dict[str, dict[str, Any]] = {}
    erreur: str | None = None


def en_plotly(graphique: Graphique) -> dict[str, Any]:
    """Une figure Plotly des mêmes barres groupées que l'image du Word."""
    axe_y: dict[str, Any] = {"separatethousands": True, "rangemode": "tozero"}
    if graphique.unite != "€":
        axe_y.update(tickformat="d", title={"text": graphique.unite})
    else:
        axe_y.update(ticksuffix=" €")
    return {
        "data": [
            {
                "type": "bar",
                "name": serie.nom,
                "x": graphique.categories,
                "y": serie.valeurs,
                "marker": {"color": serie.couleur},
            }
            for serie in graphique.series
        ],
        "layout": {
            "title": {"text": graphique.titre, "font": {"size": 14}},
            "barmode": "group",
            "separators": ", ",
            "margin": {"l": 80, "r": 20, "t": 50, "b": 90},
            "legend": {"orientation": "h", "y": -0.3},
            "yaxis": axe_y,
            "height": 320,
        },
    }


def graphiques_ccspl(depot: Depot, exercice: int | None) -> Ccspl:
    """Par autorité : anomalies par gravité, puis les chiffres clés N-1 / N de chaque
    contrat, pour `exercice` (défaut : le dernier qui a une fiche validée)."""
    exercices = sorted(
        {r.exercice for r in rapports_publiables(depot) if r.exercice is not None}, reverse=True
    )
    choisi = exercice if exercice in exercices else (exercices[0] if exercices else None)
    resultat = Ccspl(exercice=choisi, exercices=exercices)
    if choisi is None:
        return resultat
    try:
        dossiers = dossiers_autorites(depot, choisi)
    except DspError as exc:  # une fiche validée illisible ne fait pas tomber la page
        return resultat.model_copy(update={"erreur": exc.message})
    for rang, dossier in enumerate(dossiers, start=1):
        paires = [(f"ccspl-{rang}-anomalies", graphique_anomalies(dossier.validees))]
        paires += [
            (f"ccspl-{rang}-{numero}", graphique_contrat(recu, choisi))
            for numero, recu in enumerate(dossier.validees, start=1)
        ]
        titres = ["Anomalies par gravité"] + [nom_contrat(r) for r in dossier.validees]
        resultat.autorites.append(
            AutoriteTableau(
                nom=dossier.autorite,
                contrats=len(dossier.validees),
                graphiques=[
                    GraphiqueTableau(id=i, titre=t)
                    for (i, _), t in zip(paires, titres, strict=True)
                ],
            )
        )
        resultat.figures.update({i: en_plotly(g) for i, g in paires})
    return resultat
