"""Indicateurs en tête de colonne : « Conformité collecte (P203.3) | équipement (P204.3) |
performance (P205.3) » puis une rangée par station « OUI  OUI  OUI ».

La valeur d'une colonne est celle des rangées qui suivent l'en-tête (jusqu'au prochain
code ou au plus `LIGNES_DONNEES` lignes) et se placent sous lui. Plusieurs stations : le
taux du service est une moyenne pondérée ; seules des rangées toutes égales la donnent.
Sans boîtes (DOCX, classeur), la colonne est appariée par rang de cellule.
"""

from __future__ import annotations

from extracteurs.modeles import Document, Ligne, Page
from fiche.regles.sispea.geometrie import Segment, chevauchement, segments
from fiche.regles.sispea.referentiel import codes_de, referentiel
from fiche.regles.sispea.valeurs import Candidat, lire_valeur

LIGNES_DONNEES = 10


def _colonnes_codees(ligne: Ligne) -> list[tuple[str, Segment]]:
    """(code, segment) quand chaque code de la ligne occupe sa propre cellule."""
    segs = segments(ligne)
    colonnes = []
    for seg in segs:
        codes = codes_de(seg.texte)
        if len(codes) == 1:
            colonnes.append((codes[0][0], seg))
    if len(colonnes) != len(codes_de(ligne.texte)) or len(colonnes) < 2:
        return []  # deux codes dans une cellule, ou un seul : pas un en-tête de colonnes
    return colonnes


def _sous(colonne: Segment, ligne: Ligne, largeur: int) -> str | None:
    segs = segments(ligne)
    if colonne.x0 is None:
        return segs[colonne.rang].texte if len(segs) == largeur else None
    dessous = [s for s in segs if (chevauchement(s, colonne) or 0) > 0]
    return dessous[0].texte if len(dessous) == 1 else None


def _lire_colonne(page: Page, rang: int, code: str, colonne: Segment) -> Candidat | None:
    definition = referentiel()[code]
    largeur = len(segments(page.lignes[rang]))
    lues: list[tuple[float | None, Ligne]] = []
    for ligne in page.lignes[rang + 1 : rang + 1 + LIGNES_DONNEES]:
        if codes_de(ligne.texte):
            break
        texte = _sous(colonne, ligne, largeur)
        lue = lire_valeur(texte, definition) if texte else None
        if lue is not None:
            lues.append((lue.nombre, ligne))
    if not lues or len({nombre for nombre, _ in lues}) != 1:
        return None
    entete = page.lignes[rang].texte.replace("\t", " ")
    citation = " ".join([entete, *(ligne.texte.replace("\t", " ") for _, ligne in lues)])
    converti = not (_sous(colonne, lues[0][1], largeur) or "")[:1].isdigit()
    return Candidat(code, lues[0][0], page.numero, citation, "colonne", converti=converti)


def candidats_colonnes(document: Document) -> list[Candidat]:
    trouves = []
    for page in document.pages:
        for rang, ligne in enumerate(page.lignes):
            for code, colonne in _colonnes_codees(ligne):
                lu = _lire_colonne(page, rang, code, colonne)
                if lu is not None:
                    trouves.append(lu)
    return trouves
