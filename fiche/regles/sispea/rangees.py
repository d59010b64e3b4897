"""Indicateurs lus sur une rangée de tableau qui commence par le code imprimé.

C'est la forme du « tableau récapitulatif des indicateurs » des gabarits (SISPEA,
départements, bureaux d'études) : « P202.2B  Indice de connaissance ...  10  85 ». La
valeur est la dernière cellule (ou les dernières) de la rangée ; quand la rangée a
plusieurs colonnes chiffrées, l'en-tête qui les surplombe (« Valeur 2020 », « Valeur
2021 », « Au 01/01/2022 ») dit laquelle est celle de l'exercice — jamais N-1. Sans
en-tête, une seule valeur est prise pour celle de l'exercice ; plusieurs : abstention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extracteurs.entetes import annee_entete
from extracteurs.modeles import Document, Ligne, Page
from extracteurs.nombres import normaliser_espaces
from fiche.regles.sispea.geometrie import (
    Segment,
    centre_vertical,
    chevauchement,
    hauteur,
    segments,
)
from fiche.regles.sispea.referentiel import DefinitionIndicateur, codes_de, referentiel
from fiche.regles.sispea.valeurs import Candidat, ValeurLue, lire_valeur

_SOMMAIRE = re.compile(r"\.{4,}|…{2,}|Erreur ! Signet")
_TITRE_SOMMAIRE = re.compile(r"\b(?:sommaire|table des mati[eè]res)\b", re.IGNORECASE)
_DATE_PRIX = re.compile(r"\b0?1\s*/\s*0?1\b|1er\s+janvier|janvier", re.IGNORECASE)
MAX_ENTETE = 40
ECART_ORDRE = 80.0
"""Écart maximal (points) entre une année d'en-tête et la valeur appariée dans l'ordre."""


@dataclass(frozen=True)
class Cellule:
    segment: Segment
    lue: ValeurLue
    ligne: Ligne


def _page_sommaire(page: Page) -> bool:
    return any(_TITRE_SOMMAIRE.search(ligne.texte) for ligne in page.lignes[:6])


def _code_de_rangee(ligne: Ligne, segs: list[Segment]) -> tuple[str, int, bool] | None:
    """(code, rang du segment, code en fin de libellé) : un segment qui commence par le code
    (« P202.2B  Indice ... »), ou un libellé qui le porte à la fin entre parenthèses
    (« Rendement du réseau (P104.3) »). Ce second cas ressemble à un titre ou à une entrée de
    sommaire suivie de son numéro de page : il exige une colonne datée (`_lire_rangee`)."""
    trouves = codes_de(ligne.texte)
    if len(trouves) != 1 or _SOMMAIRE.search(ligne.texte):
        return None
    for seg in segs:
        for code, m in codes_de(seg.texte):
            if m.start() == 0:
                return code, seg.rang, False
            fin = seg.texte[m.end() :].strip()
            if m.start() > 0 and seg.texte[m.start() - 1] == "(" and fin == ")":
                return code, seg.rang, True
    return None


def valeurs_finales(
    ligne: Ligne, segs: list[Segment], apres: int, definition: DefinitionIndicateur
) -> list[Cellule]:
    """Les dernières cellules de la rangée qui sont des valeurs (on s'arrête au libellé)."""
    cellules: list[Cellule] = []
    for seg in reversed(segs):
        if seg.rang <= apres:
            break
        lue = lire_valeur(seg.texte, definition)
        if lue is None:
            break
        cellules.insert(0, Cellule(seg, lue, ligne))
    return cellules


def _voisines(page: Page, ligne: Ligne) -> list[Ligne]:
    """Lignes de la même rangée (cellule haute : libellé sur deux lignes, valeur centrée)."""
    centre = centre_vertical(ligne)
    if centre is None:
        return []
    proches = []
    for autre in page.lignes:
        autre_centre = centre_vertical(autre)
        if autre is ligne or autre_centre is None or codes_de(autre.texte):
            continue
        if abs(autre_centre - centre) <= 0.9 * hauteur(ligne):
            proches.append(autre)
    return proches


def _annees(segs: list[Segment], exercice: int) -> list[Segment]:
    return [s for s in segs if len(s.texte) <= MAX_ENTETE and annee_entete(s.texte, exercice)]


def apparier(entete: list[Segment], cellules: list[Cellule], exercice: int) -> list[Segment | None]:
    """La colonne d'en-tête de chaque cellule : par recouvrement horizontal ; à défaut, autant
    d'années que de valeurs, proches deux à deux, s'apparient dans l'ordre (en-têtes centrés
    au-dessus de valeurs alignées à gauche)."""
    annees = _annees(entete, exercice)
    if cellules and cellules[0].segment.x0 is None:
        rangs = {s.rang: s for s in entete}
        return [rangs.get(c.segment.rang) for c in cellules]
    if len(annees) == len(cellules) and all(
        abs((s.centre or 0) - (c.segment.centre or 0)) <= ECART_ORDRE
        for s, c in zip(annees, cellules, strict=True)
    ):
        return list(annees)
    colonnes: list[Segment | None] = []
    for cellule in cellules:
        recouvrants = [(chevauchement(s, cellule.segment) or 0, s) for s in entete]
        meilleurs = [(r, s) for r, s in recouvrants if r > 0]
        colonnes.append(max(meilleurs, key=lambda rs: rs[0])[1] if meilleurs else None)
    return colonnes


def entete_annees(
    page: Page, ligne: Ligne, cellules: list[Cellule], exercice: int
) -> list[Segment]:
    """Les segments de la ligne d'en-tête d'années qui surplombe ces valeurs, ou []."""
    rang = page.lignes.index(ligne)
    nb_segments = len(segments(ligne))
    for dessus in reversed(page.lignes[:rang]):
        if codes_de(dessus.texte):
            continue
        segs = segments(dessus)
        if not _annees(segs, exercice):
            continue
        if cellules[0].segment.x0 is None:
            if len(segs) == nb_segments:
                return segs  # sans boîtes : colonnes appariées par rang
            continue
        if any(c in _annees(segs, exercice) for c in apparier(segs, cellules, exercice)):
            return segs
    return []


def _cible(definition: DefinitionIndicateur, colonne: Segment, exercice: int) -> int:
    """Année à prendre : l'exercice ; pour un prix daté « au 01/01 », le 1er janvier N+1."""
    if definition.prix and _DATE_PRIX.search(colonne.texte):
        return exercice + 1
    return exercice


def choisir(
    cellules: list[Cellule], entete: list[Segment], exercice: int, definition: DefinitionIndicateur
) -> Cellule | None:
    """La cellule de l'exercice (du 1er janvier N+1 pour un prix daté), ou None si douteux."""
    if not entete:
        return cellules[0] if len(cellules) == 1 else None
    retenues = []
    for cellule, colonne in zip(cellules, apparier(entete, cellules, exercice), strict=True):
        if colonne is None:
            continue
        if annee_entete(colonne.texte, exercice) == _cible(definition, colonne, exercice):
            retenues.append(cellule)
    return retenues[0] if len(retenues) == 1 else None


def _citation(ligne: Ligne, voisines: list[Ligne]) -> str:
    rangee = sorted([ligne, *voisines], key=lambda x: centre_vertical(x) or 0)
    return " ".join(normaliser_espaces(x.texte.replace("\t", " ")) for x in rangee)


def candidats_rangees(document: Document, exercice: int) -> list[Candidat]:
    """Les rangées au code imprimé. Un tableau récapitulatif qui se poursuit sur la page
    suivante sans répéter son en-tête garde celui de la page précédente."""
    trouves: list[Candidat] = []
    reprise: list[Segment] = []
    for page in document.pages:
        if _page_sommaire(page):
            continue
        utilise: list[Segment] = []
        for ligne in page.lignes:
            lu = _lire_rangee(page, ligne, exercice, reprise)
            if lu is not None:
                trouves.append(lu[0])
                utilise = lu[1] or utilise
        reprise = utilise
    return trouves


def _lire_rangee(
    page: Page, ligne: Ligne, exercice: int, reprise: list[Segment]
) -> tuple[Candidat, list[Segment]] | None:
    segs = segments(ligne)
    trouve = _code_de_rangee(ligne, segs)
    if trouve is None:
        return None
    code, rang, en_fin_de_libelle = trouve
    definition = referentiel()[code]
    voisines = _voisines(page, ligne)
    cellules = valeurs_finales(ligne, segs, rang, definition)
    if not cellules:
        for voisine in voisines:
            cellules += [
                c
                for c in valeurs_finales(voisine, segments(voisine), -1, definition)
                if c.segment.texte[:1].isdigit() and _a_droite(c.segment, segs[rang])
            ]
    if not cellules:
        return None
    entete = entete_annees(page, ligne, cellules, exercice)
    if (
        not entete
        and reprise
        and any(c in _annees(reprise, exercice) for c in apparier(reprise, cellules, exercice))
    ):
        entete = reprise
    choisie = choisir(cellules, entete, exercice, definition)
    if choisie is None or _mot_coupe(choisie, voisines) or (en_fin_de_libelle and not entete):
        return None
    lu = Candidat(
        code,
        choisie.lue.nombre,
        page.numero,
        _citation(ligne, voisines),
        "tableau",
        colonne_datee=bool(entete),
        converti=not choisie.segment.texte[:1].isdigit() and choisie.lue.nombre is not None,
    )
    return lu, entete


def _a_droite(valeur: Segment, code: Segment) -> bool:
    return valeur.x0 is None or code.x1 is None or valeur.x0 > code.x1


def _mot_coupe(cellule: Cellule, voisines: list[Ligne]) -> bool:
    """« Non » au-dessus de « estimable » : un mot de conformité coupé n'en est pas un."""
    if cellule.segment.texte[:1].isdigit():
        return False
    return any(
        (chevauchement(s, cellule.segment) or 0) > 0
        for voisine in voisines
        for s in segments(voisine)
        if s.texte
    )
