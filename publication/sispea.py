"""Export des indicateurs SISPEA d'un ensemble de fiches en CSV à saisir dans SISPEA.

Une ligne par indicateur lu : `code;valeur;page;unite;libelle;collectivite;exercice;fichier`,
UTF-8 avec BOM (ouvert tel quel par un tableur français), séparateur `;`. Les valeurs sont
écrites à la française (virgule décimale, sans séparateur de milliers), comme l'agent les
tape dans les formulaires de saisie SISPEA, arrondies au nombre de décimales que SISPEA
attend pour l'indicateur. Un indicateur que le rapport déclare non renseigné (« NEANT »,
« ND »...) garde sa ligne, valeur vide et page : l'agent sait où le rapport le dit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from fiche.modeles import Ancrage, Fiche
from fiche.regles.sispea.referentiel import referentiel
from socle.fichiers import ecrire_atomique

COLONNES = ("code", "valeur", "page", "unite", "libelle", "collectivite", "exercice", "fichier")


def valeur_sispea(code: str, valeur: float | None) -> str:
    """« 1,05 », « 0,0008 », « 476 » : arrondi aux décimales SISPEA, virgule décimale."""
    if valeur is None:
        return ""
    definition = referentiel().get(code)
    decimales = definition.decimales if definition else 4
    texte = f"{valeur:.{decimales}f}"
    if "." in texte:
        texte = texte.rstrip("0").rstrip(".")
    return "0" if texte in ("-0", "") else texte.replace(".", ",")


def lignes_sispea(fiches: Iterable[Fiche]) -> list[dict[str, str]]:
    definitions = referentiel()
    lignes = []
    for fiche in fiches:
        ident = fiche.identification
        for code, champ in fiche.indicateurs_sispea.items():
            definition = definitions.get(code)
            lignes.append(
                {
                    "code": code,
                    "valeur": valeur_sispea(code, champ.valeur),
                    "page": str(champ.page or ""),
                    "unite": definition.unite if definition else "",
                    "libelle": definition.libelle if definition else "",
                    "collectivite": str(ident.collectivite.valeur or ""),
                    "exercice": str(ident.exercice.valeur or ""),
                    "fichier": fiche.source.fichier,
                }
            )
    return lignes


def lignes_fiche_sispea(fiche: Fiche) -> list[dict[str, str]]:
    """Le tableau de la fiche Word : code, libellé, valeur à la française, unité, page ;
    un prix dérivé de la facture de 120 m³ le dit."""
    definitions = referentiel()
    lignes = []
    for code, champ in fiche.indicateurs_sispea.items():
        definition = definitions.get(code)
        valeur = valeur_sispea(code, champ.valeur) or "non renseigné"
        if champ.ancrage == Ancrage.CALCULE and champ.valeur is not None:
            valeur += " (calculé : facture 120 m³ / 120)"
        lignes.append(
            {
                "code": code,
                "libelle": definition.libelle if definition else code,
                "valeur": valeur,
                "unite": definition.unite if definition else "",
                "page": str(champ.page or "—"),
            }
        )
    return lignes


def ecrire_csv_sispea(fiches: Iterable[Fiche], cible: Path) -> int:
    """Écrit le CSV (écriture atomique) ; rend le nombre de lignes d'indicateurs."""
    lignes = lignes_sispea(fiches)
    flux = io.StringIO()
    ecrivain = csv.DictWriter(flux, fieldnames=COLONNES, delimiter=";", lineterminator="\r\n")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    ecrire_atomique(cible, ("\ufeff" + flux.getvalue()).encode("utf-8"))
    return len(lignes)
