"""Indicateurs d'activité, tarifs et effectif (ETP) lus dans les tableaux hors CARE.

- Tarifs : tableaux dont le contexte parle de tarifs, de grille ou de prix.
- Indicateurs : tableaux d'indicateurs (« Indicateurs de performance », « activité »...) ;
  à défaut, tout tableau chiffré non financier. Les statistiques mensuelles (janvier à
  décembre) et les tableaux en euros (CARE, investissements) n'en sont pas.
- Effectif : la ligne « Effectif » / « ETP » / « équivalents temps plein ».
"""

from __future__ import annotations

import re
from collections import Counter

from extracteurs.modeles import Document, Tableau
from fiche.modeles import Activite, Champ, Indicateur
from fiche.regles import libelles as lib
from fiche.regles.champs import champ_exact
from fiche.regles.tableaux import Rangee, contexte, rangees
from fiche.regles.texte import normaliser

_UNITE_LIBELLE = re.compile(r"\((?P<unite>[^()]{1,15})\)\s*$")
_CODE_INDICATEUR = re.compile(r"^[A-Z]{1,2}\d{3}\.\d$")


def _valeurs(rangee: Rangee) -> dict[str, Champ[float]]:
    return {
        str(annee): champ_exact(m.nombre, m.page, m.texte)
        for annee, m in sorted(rangee.valeurs.items())
    }


def unite_de(rangee: Rangee) -> str | None:
    """Unité lisible : « (m³) » en fin de libellé, « % » ou « € » dans les cellules."""
    m = _UNITE_LIBELLE.search(rangee.libelle)
    if m and not _CODE_INDICATEUR.match(m.group("unite")):
        return m.group("unite").strip()
    textes = [m.texte for m in rangee.valeurs.values()]
    if textes and all("%" in t for t in textes):
        return "%"
    if textes and all("€" in t for t in textes):
        return "€"
    return None


def _indicateur(rangee: Rangee) -> Indicateur:
    return Indicateur(libelle=rangee.libelle, unite=unite_de(rangee), valeurs=_valeurs(rangee))


def _mensuel(lues: list[Rangee]) -> bool:
    mois = sum(bool(lib.MOIS.search(normaliser(r.libelle))) for r in lues)
    return mois >= 4


class Classeur:
    """Range les tableaux hors CARE en tarifs, indicateurs ou autres (ignorés)."""

    def __init__(self, document: Document, exercice: int | None, exclus: list[Tableau]) -> None:
        self.document, self.exercice = document, exercice
        self.tarifs: list[tuple[Tableau, list[Rangee]]] = []
        self.indicateurs: list[tuple[Tableau, list[Rangee], bool]] = []
        for tableau in document.tableaux:
            if tableau not in exclus:
                self._ranger(tableau)

    def _ranger(self, tableau: Tableau) -> None:
        lues = [r for r in rangees(tableau, self.exercice) if r.valeurs and r.libelle]
        if not lues or _mensuel(lues):
            return
        texte = normaliser(" ".join(contexte(self.document, tableau, self.exercice)))
        if lib.CONTEXTE_TARIFS.search(texte):
            self.tarifs.append((tableau, lues))
        elif tableau.unite is None and not lib.CONTEXTE_INVENTAIRE.search(texte):
            nomme = bool(lib.CONTEXTE_INDICATEURS.search(texte))
            self.indicateurs.append((tableau, lues, nomme))


def effectif(classeur: Classeur) -> dict[str, Champ[float]]:
    """La meilleure ligne d'effectif : ETP / effectif affecté avant effectif saisonnier."""
    candidates: list[tuple[int, Rangee]] = []
    for _, lues, _ in classeur.indicateurs:
        for rangee in lues:
            norme = normaliser(rangee.libelle)
            if lib.EFFECTIF.search(norme):
                rang = 0 if lib.EFFECTIF_PREFERE.search(norme) else 1
                rang += 2 * bool(lib.EFFECTIF_SECONDAIRE.search(norme))
                candidates.append((rang, rangee))
    if not candidates:
        return {}
    return _valeurs(min(candidates, key=lambda c: c[0])[1])


def indicateurs(classeur: Classeur, etp: dict[str, Champ[float]]) -> list[Indicateur]:
    """Lignes des tableaux d'indicateurs (ceux qui se nomment ainsi, sinon tous)."""
    nommes = [(t, lues) for t, lues, nomme in classeur.indicateurs if nomme]
    retenus = _sans_ventilations(nommes or [(t, lues) for t, lues, _ in classeur.indicateurs])
    resultat: list[Indicateur] = []
    for tableau, lues in retenus:
        entete = normaliser(tableau.colonnes[0].entete) if tableau.colonnes else ""
        if lib.CONTEXTE_PERSONNEL.search(entete):
            continue  # tableau des moyens humains : seul l'effectif en est repris
        for rangee in lues:
            if etp and _valeurs(rangee) == etp:
                continue
            resultat.append(_indicateur(rangee))
    return resultat


def _sans_ventilations(
    tableaux: list[tuple[Tableau, list[Rangee]]],
) -> list[tuple[Tableau, list[Rangee]]]:
    """Écarte les ventilations (un même petit tableau répété par ligne de bus, par commune) :
    trois tableaux ou plus aux libellés identiques détaillent un total, ce ne sont pas
    les indicateurs du contrat."""
    signatures = Counter(tuple(normaliser(r.libelle) for r in lues) for _, lues in tableaux)
    retenus = []
    for tableau, lues in tableaux:
        libelles = [normaliser(r.libelle) for r in lues]
        recolles = max(Counter(libelles).values()) >= 3  # ventilations recollées en un tableau
        if signatures[tuple(libelles)] < 3 and not recolles:
            retenus.append((tableau, lues))
    return retenus


def activite_et_tarifs(
    document: Document, exercice: int | None, exclus: list[Tableau]
) -> tuple[Activite, list[Indicateur]]:
    classeur = Classeur(document, exercice, exclus)
    etp = effectif(classeur)
    tarifs = [_indicateur(r) for _, lues in classeur.tarifs for r in lues]
    return Activite(indicateurs=indicateurs(classeur, etp), effectif_etp=etp), tarifs
