"""Outils de texte communs aux règles : normalisation, paragraphes, nettoyage des valeurs.

Les motifs des règles s'appliquent à un texte *normalisé* (sans accents, en minuscules,
apostrophes et espaces unifiées) pour résister aux variantes typographiques des rapports
réels ; la citation, elle, est toujours prise dans le texte d'origine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document, Ligne
from extracteurs.nombres import normaliser_espaces

_APOSTROPHES = re.compile(r"[’'`´]")
_PONCTUATION = re.compile(r"[^\w'%]+")
PUCES = "•·▪▫◦○●■□►▸‣⁃–—-*+_>o"
_PUCE = re.compile(r"^\s*(?:[•·▪▫◦○●■□►▸‣⁃*+>_]+|[-–—](?=\s)|o(?=\s))[\s_*]*")


@lru_cache(maxsize=1 << 14)
def normaliser(texte: str) -> str:
    """Forme de comparaison : sans accents, minuscules, ponctuation réduite à des espaces.

    Mémorisée : les règles normalisent les mêmes lignes et libellés de modèle des dizaines
    de fois par fiche (~15 000 appels pour 4 RPQS, autant de textes distincts que de
    lignes)."""
    brut = _APOSTROPHES.sub("'", sans_accents(texte).lower())
    brut = brut.replace("œ", "oe").replace("æ", "ae")
    return " ".join(_PONCTUATION.sub(" ", brut).split())


_NUMEROTATION = re.compile(r"^(?:\d{1,6}|[ivx]{1,4}|[a-h])\s+(?=[a-z])")


def libelle_norme(texte: str) -> str:
    """Libellé normalisé sans numéro de compte ni numérotation (« 641 », « II. », « A) »)."""
    return _NUMEROTATION.sub("", normaliser(texte), count=1)


def ressemble(texte: str, modeles: tuple[str, ...], seuil: float = 90.0) -> bool:
    """Rapprochement flou (fautes de frappe, OCR) d'un libellé avec une liste de modèles."""
    norme = normaliser(texte)
    return any(fuzz.ratio(norme, normaliser(m)) >= seuil for m in modeles)


def sans_puce(texte: str) -> str:
    """Retire la puce d'un élément de liste (« • », « - », « * », bruit d'OCR « *_ »)."""
    return _PUCE.sub("", texte.replace("\t", " ")).strip()


def commence_par_puce(texte: str) -> bool:
    return bool(_PUCE.match(texte)) and bool(sans_puce(texte))


def nettoyer_valeur(texte: str) -> str:
    """Valeur nommée telle qu'imprimée, sans ponctuation finale ni guillemets de bord."""
    brut = normaliser_espaces(texte.replace("\t", " "))
    brut = re.sub(r"\s+", " ", brut)
    return brut.strip(' .,;:«»"').strip()


_ARTICLE = re.compile(r"^(?:la|le|les|l['’])\s*(?=\S)")


def sans_article(texte: str) -> str:
    """Retire l'article en minuscules qui précède un nom propre (« la Société X » → « Société X »).

    Un article en capitale fait partie du nom (« Les Halles & Marchés Réunis ») et reste.
    """
    return _ARTICLE.sub("", texte, count=1)


@dataclass(frozen=True)
class Paragraphe:
    """Lignes consécutives d'une même page recollées : les phrases courent sur plusieurs lignes."""

    page: int
    texte: str
    lignes: tuple[Ligne, ...]


def _recoller(gauche: str, droite: str) -> str:
    # Un nom composé coupé après son trait d'union (« Sainte-Maxence-sur- » / « Mer ») se
    # recolle sans espace ; sinon la fin de ligne vaut une espace.
    if gauche.endswith("-") and not gauche.endswith(" -"):
        return gauche + droite
    return f"{gauche} {droite}"


def paragraphes(document: Document) -> list[Paragraphe]:
    """Blocs de récit : un titre, une ligne de tableau, une puce ou une ligne courte ferme le bloc.

    Sans boîtes (DOCX, XLSX), chaque ligne est déjà un paragraphe entier.
    """
    blocs: list[Paragraphe] = []
    for page in document.pages:
        marge = max(
            (lg.boite.x1 for lg in page.lignes if lg.boite and lg.genre in ("recit", "texte")),
            default=0.0,
        )
        courant: list[Ligne] = []
        for ligne in page.lignes:
            isolee = ligne.genre in ("titre", "tableau") or "\t" in ligne.texte
            if (isolee or commence_par_puce(ligne.texte)) and courant:
                blocs.append(_bloc(page.numero, courant))
                courant = []
            if isolee or ligne.boite is None:
                blocs.append(_bloc(page.numero, [ligne]))
                continue
            courant.append(ligne)
            # Une ligne qui s'arrête loin de la marge droite termine son paragraphe.
            if ligne.boite.x1 < marge - 0.12 * page.largeur:
                blocs.append(_bloc(page.numero, courant))
                courant = []
        if courant:
            blocs.append(_bloc(page.numero, courant))
    return blocs


def _bloc(page: int, lignes: list[Ligne]) -> Paragraphe:
    texte = normaliser_espaces(lignes[0].texte)
    for ligne in lignes[1:]:
        texte = _recoller(texte, normaliser_espaces(ligne.texte))
    return Paragraphe(page, texte, tuple(lignes))


def sur_une_ligne(document: Document, texte: str, page: int) -> int | None:
    """Page d'une ligne qui contient le texte en entier : la même page d'abord, sinon la
    première ailleurs (une raison sociale coupée en fin de ligne dans le récit est souvent
    imprimée d'un seul tenant sur la page de garde). `None` si aucune ligne ne le porte."""
    cherche = normaliser_espaces(texte)
    if not cherche:
        return None
    pages = [p for p in document.pages if p.numero == page]
    pages += [p for p in document.pages if p.numero != page]
    for candidate in pages:
        for ligne in candidate.lignes:
            if cherche in normaliser_espaces(ligne.texte.replace("\t", " ")):
                return candidate.numero
    return None
