"""Graphiques du tableau de bord (figures Plotly en JSON, dessinées par `plotly-basic.min.js`
servi depuis le paquet : aucun CDN) et export CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from revue.services.file import libelle_secteur
from revue.services.tableau import Compte, TableauDeBord, Total

BLEU, GRIS, VERT, ORANGE = "#000091", "#9c9c9c", "#18753c", "#b34000"


def _mise_en_page(titre: str, axe_y: str) -> dict[str, Any]:
    return {
        "title": {"text": titre, "font": {"size": 15}},
        "barmode": "group",
        "margin": {"l": 60, "r": 20, "t": 50, "b": 90},
        "yaxis": {"title": {"text": axe_y}, "separatethousands": True},
        "legend": {"orientation": "h", "y": -0.3},
        "separators": ", ",
        "height": 320,
    }


def _heures(titre: str, totaux: list[Total]) -> dict[str, Any]:
    noms = [t.libelle for t in totaux]

    def barre(nom: str, valeurs: list[float], couleur: str) -> dict[str, Any]:
        arrondies = [round(v, 1) for v in valeurs]
        return {"type": "bar", "name": nom, "x": noms, "y": arrondies, "marker": {"color": couleur}}

    return {
        "data": [
            barre("Référence manuelle", [t.reference_h for t in totaux], GRIS),
            barre("Revue + machine", [t.revue_h + t.machine_h for t in totaux], BLEU),
            barre("Heures gagnées (estimation)", [t.gagne_h for t in totaux], VERT),
        ],
        "layout": _mise_en_page(titre, "heures"),
    }


def _barres(titre: str, comptes: list[Compte], axe_y: str, couleur: str) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "x": [c.libelle for c in comptes],
                "y": [c.nombre for c in comptes],
                "marker": {"color": couleur},
            }
        ],
        "layout": {
            **_mise_en_page(titre, axe_y),
            "showlegend": False,
            "yaxis": _axe_entier(axe_y, max((c.nombre for c in comptes), default=0)),
        },
    }


def _axe_entier(titre: str, maximum: float) -> dict[str, Any]:
    """Un axe de comptes : graduations entières (pas de « 0,2 rapport »)."""
    axe: dict[str, Any] = {"title": {"text": titre}, "tickformat": "d", "rangemode": "tozero"}
    if maximum <= 10:
        axe["dtick"] = 1
    return axe


def figures(tableau: TableauDeBord) -> dict[str, dict[str, Any]]:
    """Les figures, par identifiant de l'élément HTML qui les reçoit."""
    corrections = [Compte(libelle=c.libelle, nombre=c.corrections) for c in tableau.corrections]
    statuts = [c for c in tableau.statuts if c.nombre]
    return {
        "graphique-exercices": _heures("Heures par exercice", tableau.par_exercice),
        "graphique-secteurs": _heures("Heures par secteur", tableau.par_secteur),
        "graphique-distribution": _barres(
            "Durée de revue active par rapport relu", tableau.distribution, "rapports", BLEU
        ),
        "graphique-corrections": _barres(
            "Corrections par champ", corrections, "corrections", ORANGE
        ),
        "graphique-alertes": _barres("Alertes par code", tableau.alertes, "alertes", ORANGE),
        "graphique-statuts": {
            "data": [
                {
                    "type": "pie",
                    "labels": [c.libelle for c in statuts],
                    "values": [c.nombre for c in statuts],
                    "hole": 0.4,
                }
            ],
            "layout": {**_mise_en_page("Rapports par statut", ""), "showlegend": True},
        },
    }


def _nombre(valeur: float) -> str:
    return f"{valeur:.2f}".replace(".", ",")


def _fin(valeur: float | None) -> str:
    """Énergie (Wh) ou émissions (g) au millionième : une fiche en vaut quelques milliers."""
    return "" if valeur is None else f"{valeur:.6f}".replace(".", ",")


COLONNES_CSV = (
    "rapport", "fichier", "exercice", "secteur", "statut", "alertes", "corrections",
    "revue_active_min", "machine_min", "reference_h", "energie_wh", "co2_g", "gagne_h",
)  # fmt: skip


def csv_rapports(tableau: TableauDeBord) -> str:
    """Une ligne par rapport ; séparateur « ; » et virgule décimale (tableur français)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_CSV)
    for ligne in tableau.lignes:
        gagne = ligne.gagne_h
        ecrivain.writerow(
            [
                ligne.id, _sans_formule(ligne.fichier), ligne.exercice or "",
                libelle_secteur(ligne.secteur), ligne.statut, ligne.alertes, ligne.corrections,
                _nombre(ligne.revue_s / 60), _nombre(ligne.machine_s / 60),
                _nombre(ligne.reference_h), _fin(ligne.energie_wh), _fin(ligne.co2_g),
                "" if gagne is None else _nombre(gagne),
            ]
        )  # fmt: skip
    return "\ufeff" + tampon.getvalue()


def _sans_formule(texte: str) -> str:
    """Un nom de fichier commençant par = + - @ ne devient pas une formule du tableur."""
    return "'" + texte if texte[:1] in ("=", "+", "-", "@") else texte
