"""Taux donné dans un petit tableau sous le titre qui porte le code (« Taux de boues
évacuées selon les filières conformes (P206.3) » … « Station d'épuration communale  100 »).

Seulement pour un indicateur en % et un titre qui n'en annonce qu'un ; le tableau doit
donner le même taux sur chaque rangée (plusieurs stations à des taux différents : le taux
du service est une moyenne pondérée que le rapport ne donne pas, abstention ; tous égaux,
la moyenne vaut ce taux) et son en-tête doit dire « taux » ou
« % » (une rangée « Tonnage total ... » sous le même titre n'est pas un taux). Une colonne
datée d'une autre année que l'exercice ne donne rien.
"""

from __future__ import annotations

import re

from extracteurs.modeles import Document, Page
from fiche.regles.sispea.geometrie import segments
from fiche.regles.sispea.rangees import Cellule, choisir, entete_annees, valeurs_finales
from fiche.regles.sispea.recit import sections
from fiche.regles.sispea.referentiel import codes_de, referentiel
from fiche.regles.sispea.valeurs import Candidat
from fiche.regles.texte import normaliser

LIGNES_ENTETE = 4


def _rangees_chiffrees(page: Page, rangs: list[int], code: str) -> list[tuple[int, list[Cellule]]]:
    definition = referentiel()[code]
    trouvees = []
    for rang in rangs:
        ligne = page.lignes[rang]
        segs = segments(ligne)
        if len(segs) < 2 or codes_de(ligne.texte):
            continue
        cellules = [
            c for c in valeurs_finales(ligne, segs, 0, definition) if c.lue.nombre is not None
        ]
        if cellules:
            trouvees.append((rang, cellules))
    return trouvees


def _entete_taux(page: Page, rang: int) -> int | None:
    """Le rang de la ligne d'en-tête qui dit « taux » ou « % » juste au-dessus, ou None."""
    rangs = range(rang, max(-1, rang - LIGNES_ENTETE - 1), -1)
    taux = [k for k in rangs if re.search(r"\btaux\b", normaliser(page.lignes[k].texte))]
    pourcent = [k for k in rangs if "%" in page.lignes[k].texte]
    retenus = taux or pourcent
    return retenus[0] if retenus else None


def candidats_stations(document: Document, exercice: int) -> list[Candidat]:
    trouves = []
    for section in sections(document):
        codes = set(section.codes)
        if len(codes) != 1 or not section.lignes:
            continue
        code = codes.pop()
        definition = referentiel()[code]
        if definition.unite != "%":
            continue
        page = document.pages[section.lignes[0].page - 1]
        rangs = [k for k, x in enumerate(page.lignes) if x in section.lignes]
        chiffrees = _rangees_chiffrees(page, rangs, code)
        entete = _entete_taux(page, chiffrees[0][0]) if chiffrees else None
        if entete is None:
            continue
        lues = {_valeur(page, rang, cellules, exercice, code) for rang, cellules in chiffrees}
        if len(lues) != 1 or None in lues:
            continue
        dernier = chiffrees[-1][0]
        citation = " ".join(x.texte.replace("\t", " ") for x in page.lignes[entete : dernier + 1])
        trouves.append(Candidat(code, lues.pop(), page.numero, citation, "station"))
    return trouves


def _valeur(
    page: Page, rang: int, cellules: list[Cellule], exercice: int, code: str
) -> float | None:
    """Le taux de l'exercice sur cette rangée (colonne datée s'il y en a plusieurs)."""
    ligne = page.lignes[rang]
    entete = entete_annees(page, ligne, cellules, exercice)
    choisie = choisir(cellules, entete, exercice, referentiel()[code])
    return None if choisie is None else choisie.lue.nombre
