"""Des identifiants de ligne rendus par le LLM à la page, la citation et l'ancrage.

Le modèle ne donne jamais de page ni de citation : il cite `p5-l4`. Notre code retrouve
la ligne, prend sa page, et cherche sur cette ligne même le texte exact qui porte la
valeur (la cellule « 2 198 816 », la date « 1er avril 2012 », la phrase du fait
marquant). C'est un contrôle plus serré que l'ancrage par page (`fiche.ancrage`) : un
chiffre juste mais cité sur la mauvaise ligne, ou un chiffre faux sur la bonne, sort
`absent` et la fiche le signale.
- identifiant inconnu ou manquant → page et citation nulles, ancrage `absent` ;
- valeur retrouvée telle quelle sur la ligne → `exact` ;
- retrouvée après normalisation (autre unité sans unité de tableau connue, texte
  approché, secteur déduit d'un libellé) → `approche` ;
- introuvable → `absent`, avec la page et le texte de la ligne citée, pour que l'agent
  voie ce que le modèle prétendait lire.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher
from enum import StrEnum

from extracteurs.entetes import sans_accents
from extracteurs.modeles import MULTIPLICATEURS, Document, Ligne
from extracteurs.nombres import lire_nombre, nombres_dans_texte, normaliser_espaces
from fiche.modeles import Ancrage

IDENTIFIANT = re.compile(r"p\d+-l\d+")
SEUIL_APPROCHE = 0.9
_PUCE = re.compile(r"^[\s•·\-–—*▪►◦]+")
_MOIS = [
    "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
]  # fmt: skip
_DATE_LONGUE = re.compile(r"\b(\d{1,2})(?:er)?\s+(" + "|".join(_MOIS) + r")\s+(\d{4})\b")
_DATE_COURTE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")


@dataclass(frozen=True)
class Provenance:
    page: int | None
    citation: str | None
    ancrage: Ancrage


AUCUNE = Provenance(page=None, citation=None, ancrage=Ancrage.ABSENT)


def _cellules(texte: str) -> list[str]:
    return [normaliser_espaces(c) for c in texte.split("\t") if c.strip()]


def _sans_puce(texte: str) -> str:
    return _PUCE.sub("", normaliser_espaces(texte.replace("\t", " ")))


class IndexLignes:
    """Les lignes d'un document par identifiant, et l'unité du tableau de chacune."""

    def __init__(self, document: Document) -> None:
        self.lignes = {ligne.id: ligne for ligne in document.lignes()}
        self.unites = _unites_par_ligne(document)

    def citees(self, reference: str | None) -> list[Ligne]:
        """Les lignes connues parmi les identifiants cités (dans l'ordre donné)."""
        ids = IDENTIFIANT.findall(reference or "")
        return [self.lignes[i] for i in dict.fromkeys(ids) if i in self.lignes]


def _unites_par_ligne(document: Document) -> dict[str, float]:
    """Multiplicateur vers l'euro de chaque ligne appartenant à un tableau d'unité connue.

    Une ligne de texte et une rangée du tableau assemblé se reconnaissent à leurs
    cellules identiques sur la même page.
    """
    rangees: dict[tuple[int, tuple[str, ...]], float] = {}
    for tableau in document.tableaux:
        if tableau.unite is None:
            continue
        cellules: dict[tuple[int, int], list[tuple[int, str]]] = {}
        for c in tableau.cellules:
            cellules.setdefault((c.page, c.ligne), []).append((c.colonne, c.texte))
        for (page, _), contenu in cellules.items():
            textes = tuple(normaliser_espaces(t) for _, t in sorted(contenu) if t.strip())
            rangees[(page, textes)] = MULTIPLICATEURS[tableau.unite]
    return {
        ligne.id: rangees[cle]
        for ligne in document.lignes()
        if (cle := (ligne.page, tuple(_cellules(ligne.texte)))) in rangees
    }


def _tolerance(forme: str, multiplicateur: float) -> float:
    """Demi-unité du dernier chiffre imprimé, dans l'unité de la source (controles.md)."""
    nette = re.sub(r"[^\d,]", "", forme)
    decimales = len(nette.rsplit(",", 1)[1]) if "," in nette else 0
    return 0.5 * 10.0 ** (-decimales) * multiplicateur


def _nombres(ligne: Ligne) -> list[tuple[str, float]]:
    """Les nombres d'une ligne : cellules entières d'abord, puis ceux des phrases."""
    trouves = [(c, n) for c in _cellules(ligne.texte) if (n := lire_nombre(c)) is not None]
    return trouves + nombres_dans_texte(normaliser_espaces(ligne.texte))


@dataclass(frozen=True)
class NombreAncre:
    valeur: float
    provenance: Provenance


def ancrer_nombre(
    valeur: float, lignes: list[Ligne], index: IndexLignes, *, montant: bool
) -> NombreAncre:
    """Cherche `valeur` parmi les nombres des lignes citées, en tenant compte de l'unité.

    Un montant lu dans un tableau en k€ ou M€ doit valoir le nombre imprimé × l'unité.
    Si le modèle a rendu le nombre imprimé sans le convertir, l'unité du tableau étant
    connue, on convertit (ancrage `approche`, la valeur n'était pas celle demandée).
    """
    for ligne in lignes:
        connu = index.unites.get(ligne.id) if montant else None
        for forme, nombre in _nombres(ligne):
            essais = [(connu, Ancrage.EXACT)] if connu else [(1.0, Ancrage.EXACT)]
            if montant and connu is None:
                essais += [(1e3, Ancrage.APPROCHE), (1e6, Ancrage.APPROCHE)]
            for mult, ancrage in essais:
                if math.isclose(abs(nombre) * mult, abs(valeur), abs_tol=_tolerance(forme, mult)):
                    return NombreAncre(valeur, Provenance(ligne.page, forme, ancrage))
            if connu and connu != 1.0 and math.isclose(abs(nombre), abs(valeur), abs_tol=1e-9):
                converti = math.copysign(abs(nombre) * connu, valeur)
                return NombreAncre(converti, Provenance(ligne.page, forme, Ancrage.APPROCHE))
    return NombreAncre(valeur, _introuvable(lignes))


def _introuvable(lignes: list[Ligne]) -> Provenance:
    if not lignes:
        return AUCUNE
    return Provenance(lignes[0].page, _texte_des(lignes), Ancrage.ABSENT)


def _texte_des(lignes: list[Ligne]) -> str:
    return " ".join(_sans_puce(ligne.texte) for ligne in lignes)


def _cle(texte: str) -> str:
    return sans_accents(normaliser_espaces(texte)).casefold()


def ancrer_texte(valeur: str, lignes: list[Ligne]) -> Provenance:
    """Le texte de la valeur sur les lignes citées (recollées), sinon la cellule approchée."""
    if not lignes:
        return AUCUNE
    complet = _texte_des(lignes)
    cherche = _sans_puce(valeur)
    position = _cle(complet).find(_cle(cherche)) if cherche else -1
    if position >= 0:
        # Casse et accents ignorés pour trouver, texte source recopié pour citer (tant
        # que la normalisation garde les longueurs, sinon la ligne entière).
        meme_longueur = len(_cle(complet)) == len(complet) and len(_cle(cherche)) == len(cherche)
        extrait = complet[position : position + len(cherche)] if meme_longueur else complet
        return Provenance(lignes[0].page, extrait, Ancrage.EXACT)
    candidats = [complet] + [c for ligne in lignes for c in _cellules(ligne.texte)]
    meilleur = max(candidats, key=lambda c: SequenceMatcher(None, _cle(c), _cle(cherche)).ratio())
    if SequenceMatcher(None, _cle(meilleur), _cle(cherche)).ratio() >= SEUIL_APPROCHE:
        return Provenance(lignes[0].page, meilleur, Ancrage.APPROCHE)
    return _introuvable(lignes)


def ancrer_categorie(valeur: StrEnum, lignes: list[Ligne]) -> Provenance:
    """Secteur ou type de contrat : une interprétation du libellé cité.

    Citation : la cellule qui porte l'information (la dernière d'une ligne « libellé
    → valeur »). `exact` si le nom de la catégorie y figure, `approche` sinon.
    """
    if not lignes:
        return AUCUNE
    cellules = _cellules(lignes[0].texte)
    citation = cellules[-1] if len(cellules) > 1 else _texte_des(lignes)
    mots = str(valeur.value).replace("_", " ")
    trouve = mots in _cle(_texte_des(lignes)).replace("-", " ")
    return Provenance(lignes[0].page, citation, Ancrage.EXACT if trouve else Ancrage.APPROCHE)


def dates_dans(texte: str) -> list[tuple[str, date]]:
    """Les dates écrites en toutes lettres (« 1er avril 2012 ») ou en chiffres (01/04/2012)."""
    trouvees: list[tuple[str, date]] = []
    cle = sans_accents(texte).lower()
    for m in _DATE_LONGUE.finditer(cle):
        jour, mois, annee = int(m.group(1)), _MOIS.index(m.group(2)) + 1, int(m.group(3))
        trouvees += _date_valide(texte[m.start() : m.end()], annee, mois, jour)
    for m in _DATE_COURTE.finditer(texte):
        jour, mois, annee = int(m.group(1)), int(m.group(2)), int(m.group(3))
        trouvees += _date_valide(m.group(0), annee, mois, jour)
    return trouvees


def _date_valide(forme: str, annee: int, mois: int, jour: int) -> list[tuple[str, date]]:
    try:
        return [(forme, date(annee, mois, jour))]
    except ValueError:
        return []


def ancrer_date(valeur: date, lignes: list[Ligne]) -> Provenance:
    for ligne in lignes:
        texte = normaliser_espaces(ligne.texte.replace("\t", " "))
        for forme, trouvee in dates_dans(texte):
            if trouvee == valeur:
                return Provenance(ligne.page, forme, Ancrage.EXACT)
        if valeur.isoformat() in texte:
            return Provenance(ligne.page, valeur.isoformat(), Ancrage.EXACT)
    return _introuvable(lignes)


def ancrer_annee(valeur: int, lignes: list[Ligne]) -> Provenance:
    """L'exercice : la cellule (ou la ligne) où l'année figure."""
    motif = re.compile(rf"(?<!\d){valeur}(?!\d)")
    for ligne in lignes:
        for cellule in _cellules(ligne.texte):
            if motif.search(cellule):
                return Provenance(ligne.page, cellule, Ancrage.EXACT)
    return _introuvable(lignes)
