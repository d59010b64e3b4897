"""Le CARE : repérer le(s) tableau(x), classer chaque rangée (section, nature, poste).

Repérage : le tableau dont le contexte nomme le compte (« compte annuel de résultat »,
« CARE », « compte d'exploitation »...) et dont les libellés ressemblent le plus à ceux
d'un CARE (produits, charges, résultat, personnel, redevance...). Un CARE coupé en deux
tableaux (l'extraction n'a pas su les recoller) est reconstitué avec son voisin.

Classement : les intertitres sans montant ouvrent une section ; « Total ... » et la
répétition de l'intertitre ferment la section ; « Sous-total ... » ou une rangée égale à
la somme des détails qui la précèdent est un sous-total ; « Résultat ... » et l'impôt
forment la section résultat. Sans intertitre, ce qui précède le premier total est un
produit, ce qui suit une charge (lot de plage).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from extracteurs.modeles import Document, Tableau
from fiche.regles import libelles as lib
from fiche.regles.tableaux import Rangee, colonnes_annees, contexte, rangees
from fiche.regles.texte import libelle_norme, normaliser

Section = Literal["produits", "charges", "reversements", "resultat", "autre"]
Nature = Literal["detail", "sous_total", "total"]
SEUIL_CARE = 8.0


@dataclass
class LigneLue:
    """Une rangée du CARE classée ; les montants restent ceux de la source (unité, signe)."""

    rangee: Rangee
    section: Section
    nature: Nature
    poste: str | None = None


@dataclass
class Care:
    tableaux: list[Tableau]
    lignes: list[LigneLue]

    @property
    def unite(self) -> str:
        """L'unité annoncée par l'un des morceaux du CARE (l'euro si aucune n'est dite)."""
        return next((t.unite for t in self.tableaux if t.unite), "euro")

    @property
    def multiplicateur(self) -> float:
        return {"euro": 1.0, "millier_euro": 1e3, "million_euro": 1e6}[self.unite]


# --- Repérage --------------------------------------------------------------------------


_SIGNAUX = (
    lib.PERSONNEL,
    lib.FRAIS_SIEGE,
    lib.REDEVANCE,
    lib.DETAILS_CARE,
    lib.RESULTAT,
    lib.IMPOT,
    lib.SECTION_PRODUITS,
    lib.SECTION_CHARGES,
    lib.SECTION_REVERSEMENTS,
)


def _signal(norme: str) -> int:
    return int(any(m.search(norme) for m in _SIGNAUX))


def score_care(document: Document, tableau: Tableau, exercice: int | None) -> float:
    """Ressemblance d'un tableau avec un CARE (0 : sans années ni montants)."""
    lues = rangees(tableau, exercice)
    chiffrees = [r for r in lues if r.valeurs]
    if not colonnes_annees(tableau, exercice) or len(chiffrees) < 3:
        return 0.0
    normes = [libelle_norme(r.libelle) for r in lues]
    score = float(sum(_signal(n) for n in normes))
    score += 3 * any(lib.SECTION_PRODUITS.search(n) for n in normes)
    score += 3 * any(lib.SECTION_CHARGES.search(n) for n in normes)
    score += 3 * any(lib.RESULTAT.search(n) for n in normes)
    texte_contexte = normaliser(" ".join(contexte(document, tableau, exercice)))
    score += 6 * bool(lib.CONTEXTE_CARE.search(texte_contexte))
    score += 2 * (tableau.unite is not None)
    score -= 8 * bool(lib.CONTEXTE_INVENTAIRE.search(texte_contexte))
    if est_a_la_collectivite(texte_contexte, normes):
        return 0.0
    # Un compte prévisionnel (annexe du contrat, budget) cède le pas au compte réalisé.
    score -= 4 * bool(lib.CONTEXTE_PREVISIONNEL.search(texte_contexte))
    return score


def est_a_la_collectivite(texte_contexte: str, normes: list[str]) -> bool:
    """Le tableau est celui de la collectivité (recettes, budget, facture type) : il ne
    peut remplir aucun poste du délégataire, même s'il a des totaux et des redevances."""
    a_elle = lib.CONTEXTE_COLLECTIVITE.search(texte_contexte) or any(
        lib.LIGNE_FACTURE.search(n) for n in normes
    )
    return bool(a_elle) and not lib.CONTEXTE_DELEGATAIRE.search(texte_contexte)


def care_certain(document: Document, care: Care, exercice: int | None) -> bool:
    """Un CARE dont l'identité ne fait pas doute : nommé comme tel au-dessus de lui, avec
    des produits ET des charges. Hors d'un RAD, aucun autre tableau ne remplit de poste."""
    texte = normaliser(" ".join(contexte(document, care.tableaux[0], exercice)))
    sections = {ligne.section for ligne in care.lignes}
    return bool(lib.CONTEXTE_CARE.search(texte)) and {"produits", "charges"} <= sections


def trouver_care(document: Document, exercice: int | None) -> Care | None:
    """Le CARE du rapport, ou `None` s'il n'y a aucun tableau qui lui ressemble."""
    scores = [score_care(document, t, exercice) for t in document.tableaux]
    if not scores or max(scores) < SEUIL_CARE:
        return None
    rang = max(range(len(scores)), key=lambda k: (scores[k], -k))
    retenus = [rang]
    # Un CARE coupé en deux tableaux : le voisin (même page ou suivante) qui apporte les
    # sections manquantes et partage les mêmes années est rattaché.
    for voisin in (rang + 1, rang - 1):
        if 0 <= voisin < len(scores) and _complete(document, rang, voisin, exercice):
            retenus.append(voisin)
    tableaux = [document.tableaux[k] for k in sorted(retenus)]
    toutes = [r for t in tableaux for r in rangees(t, exercice)]
    return Care(tableaux, classer(toutes))


def _complete(document: Document, rang: int, voisin: int, exercice: int | None) -> bool:
    """Le voisin est un morceau du même CARE : mêmes années, libellés de CARE, et il
    apporte une section (produits, charges, résultat) absente du tableau principal."""
    principal, autre = document.tableaux[rang], document.tableaux[voisin]
    if abs(principal.pages[0] - autre.pages[0]) > 1:
        return False
    if not any(_signal(libelle_norme(r.libelle)) for r in rangees(autre, exercice)):
        return False
    annees = set(colonnes_annees(principal, exercice).values())
    if annees != set(colonnes_annees(autre, exercice).values()):
        return False
    presentes = {ligne.section for ligne in classer(rangees(principal, exercice))}
    apportees = {ligne.section for ligne in classer(rangees(autre, exercice))}
    return bool(apportees - presentes - {"autre"})


# --- Classement ------------------------------------------------------------------------


def section_intertitre(norme: str) -> Section | None:
    if lib.SECTION_REVERSEMENTS.search(norme):
        return "reversements"
    if lib.RESULTAT.search(norme):
        return "resultat"
    if lib.SECTION_CHARGES.search(norme):
        return "charges"
    if lib.SECTION_PRODUITS.search(norme):
        return "produits"
    return None


def _section_total(norme: str) -> Section | None:
    """Section nommée par un libellé de total (« Total des charges », « Recettes totales »)."""
    if lib.SECTION_REVERSEMENTS.search(norme):
        return "reversements"
    if lib.CHARGES_TOTAL.search(norme):
        return "charges"
    if lib.PRODUITS_TOTAL.search(norme):
        return "produits"
    return None


_SUIVANTE: dict[Section, Section] = {
    "produits": "charges",
    "reversements": "charges",
    "charges": "autre",
    "resultat": "resultat",
    "autre": "autre",
}


class _Classeur:
    """Parcourt les rangées dans l'ordre en tenant la section courante."""

    def __init__(self) -> None:
        self.section: Section | None = None
        self.intertitre: str | None = None
        self.lignes: list[LigneLue] = []

    def intertitre_lu(self, norme: str) -> None:
        section = section_intertitre(norme)
        if section is not None:
            self.section, self.intertitre = section, norme

    def rangee_lue(self, rangee: Rangee, norme: str) -> None:
        if lib.IMPOT.search(norme) or lib.RESULTAT.search(norme):
            nature: Nature = "detail" if lib.IMPOT.search(norme) else "total"
            self._ajouter(rangee, "resultat", nature)
            return
        nature = self._nature(rangee, norme)
        section = self._section(norme, nature)
        self._ajouter(rangee, section, nature)

    def _nature(self, rangee: Rangee, norme: str) -> Nature:
        if lib.SOUS_TOTAL.search(norme):
            return "sous_total"
        if lib.TOTAL.search(norme) or (self.intertitre is not None and norme == self.intertitre):
            return "total"
        if _somme_des_details(self.lignes, rangee, self.section):
            return "sous_total"
        return "detail"

    def _section(self, norme: str, nature: Nature) -> Section:
        nommee = _section_total(norme) if nature == "total" else None
        if nommee is not None:
            return nommee
        if self.section is None:
            return "produits"
        if self.section == "resultat":
            return "autre"
        return self.section

    def _ajouter(self, rangee: Rangee, section: Section, nature: Nature) -> None:
        self.lignes.append(LigneLue(rangee, section, nature))
        if nature == "total" and section != "resultat":
            # Un total ferme sa section : sans nouvel intertitre, la suite est la suivante.
            self.section, self.intertitre = _SUIVANTE[section], None
        elif section == "resultat":
            self.section = "resultat"


def _somme_des_details(lignes: list[LigneLue], rangee: Rangee, section: Section | None) -> bool:
    """Vrai si la rangée est la somme (à l'arrondi près) d'au moins deux détails précédents."""
    details: list[Rangee] = []
    for ligne in reversed(lignes):
        if ligne.section != (section or "produits") or ligne.nature != "detail":
            break
        details.append(ligne.rangee)
    if len(details) < 2 or not rangee.valeurs:
        return False
    for annee, montant in rangee.valeurs.items():
        if any(annee not in d.valeurs for d in details):
            return False
        somme = sum(d.valeurs[annee].nombre for d in details)
        if not math.isclose(somme, montant.nombre, abs_tol=0.006):
            return False
    return True


def classer(lues: list[Rangee]) -> list[LigneLue]:
    """Section et nature de chaque rangée chiffrée, puis le poste qu'elle porte."""
    classeur = _Classeur()
    for rangee in lues:
        norme = libelle_norme(rangee.libelle)
        if not rangee.valeurs:
            classeur.intertitre_lu(norme)
        elif norme:
            classeur.rangee_lue(rangee, norme)
    lignes = classeur.lignes
    attribuer_postes(lignes)
    return lignes


def attribuer_postes(lignes: list[LigneLue]) -> None:
    """Le poste de chaque ligne : totaux de section, résultats, puis détails reconnus."""
    _promouvoir_sous_totaux(lignes)
    for section, poste in (
        ("produits", "chiffre_affaires"),
        ("charges", "total_charges"),
        ("reversements", "reversements"),
    ):
        totaux = [lg for lg in lignes if lg.section == section and lg.nature == "total"]
        if totaux:
            totaux[-1].poste = poste
    _postes_resultat(lignes)
    for ligne in lignes:
        if ligne.poste is None and ligne.nature != "total":
            ligne.poste = poste_detail(ligne.rangee.libelle, ligne.section)


def _promouvoir_sous_totaux(lignes: list[LigneLue]) -> None:
    """Une section sans total qui finit par la somme de tous ses détails : c'est son total.

    (« Produits d'exploitation » sous l'intertitre « PRODUITS », reconnu par l'addition.)
    Un « Sous-total » écrit comme tel reste partiel.
    """
    for section in ("produits", "charges", "reversements"):
        membres = [lg for lg in lignes if lg.section == section]
        if not membres or any(lg.nature == "total" for lg in membres):
            continue
        derniere = membres[-1]
        autres = [lg.nature for lg in membres[:-1]]
        explicite = lib.SOUS_TOTAL.search(libelle_norme(derniere.rangee.libelle))
        if derniere.nature == "sous_total" and "sous_total" not in autres and not explicite:
            derniere.nature = "total"


def _postes_resultat(lignes: list[LigneLue]) -> None:
    resultats = [lg for lg in lignes if lg.section == "resultat" and lg.nature == "total"]
    impots = [
        k for k, lg in enumerate(lignes) if lg.section == "resultat" and lg.nature == "detail"
    ]
    if not resultats:
        return
    avant = [
        lg for lg in resultats if lib.RESULTAT_AVANT_IMPOT.search(libelle_norme(lg.rangee.libelle))
    ]
    if impots:
        premiers = [lg for lg in resultats if lignes.index(lg) < impots[0]]
        apres = [lg for lg in resultats if lignes.index(lg) > impots[0]]
        (avant or premiers or resultats)[-1].poste = "resultat"
        if apres:
            apres[-1].poste = "resultat_net"
        return
    (avant or resultats)[0].poste = "resultat"


def poste_detail(libelle: str, section: Section) -> str | None:
    """Poste porté par une ligne de détail (ou un sous-total) selon son libellé et sa section."""
    norme = libelle_norme(libelle)
    if section == "produits":
        return "redevance" if lib.REDEVANCE_DANS_PRODUITS.search(norme) else None
    if section != "charges":
        return None
    if lib.FRAIS_SIEGE.search(norme):
        return "frais_siege"
    if lib.PERSONNEL.search(norme) and not (
        lib.REDEVANCE.search(norme) or lib.PERSONNEL_EXTERIEUR.search(norme)
    ):
        return "charges_personnel"
    if lib.REDEVANCE.search(norme) and not lib.REDEVANCE_EXCLUE.search(norme):
        return "redevance"
    return None
