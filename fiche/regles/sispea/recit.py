"""Indicateurs énoncés dans le récit : « L'indicateur P252.2 est donc de 16,76 », ou sous
un titre qui porte le code (« 3.1. Taux de desserte (P201.1) ») : « Pour l'exercice 2021, le
taux de desserte ... est de 100 % (100 % pour 2020) ».

Garde-fous (mieux vaut vide que faux) : la valeur suit immédiatement un verbe d'état
(« est », « s'élève à », « soit »...) ; ce qui est entre parenthèses est écarté (c'est là
que les rapports donnent N-1) ; une phrase qui cite une autre année que l'exercice (hors
1er janvier N+1 d'un prix) est ignorée ; un nombre suivi d'un autre mot que son unité
(« dessert 192 abonnés ») n'est pas la valeur ; un titre qui annonce plusieurs
indicateurs ne rattache aucune phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document, Ligne
from extracteurs.nombres import normaliser_espaces
from fiche.regles.sispea.referentiel import CODE_IMPRIME, codes_de, referentiel
from fiche.regles.sispea.valeurs import Candidat, lire_valeur

MAX_LIGNES_SECTION = 45

_TITRE_NUMEROTE = re.compile(r"^\s*\d{1,2}\.(?:\d{1,2}\.?)*\s+[^\W\d]")
_SOMMAIRE = re.compile(r"\.{4,}|…{2,}|Erreur ! Signet")
_PARENTHESES = re.compile(r"\([^()]*\)")
_ANNEE = re.compile(r"(?<![\d,.])((?:19|20)\d{2})(?![\d,])")
_VALEUR = (
    r"(?P<val>_{2,}\s*%?|[-−]?(?:\d{1,3}(?:[\u00a0\u202f .]\d{3})+|\d+)(?:,\d+)?"
    r"(?:\s*(?:%|‰|€\s*/\s*m\s*[3³]|€(?:\s*TTC)?|ans?\b|points?\b|pts\b|habitants\b|hab\b"
    r"|t\s?MS\b))?)"
)
_ENONCE = re.compile(
    r"(?:\b(?:est|sont|soit|atteint|dessert|vaut)|s['’][ée]l[èe]ve\s+[àa]|[ée]gale?\s+[àa])"
    r"\s+(?:donc\s+|ainsi\s+|alors\s+)?(?:de\s+|d['’]\s*|[àa]\s+)?" + _VALEUR,
    re.IGNORECASE,
)
_ENONCE_DEUX_POINTS = re.compile(
    r"\b(?:pour\s+l['’](?:ann[ée]e|exercice)\s+(?P<an>\d{4})|indicateur\s+\S+)\s*:\s*" + _VALEUR,
    re.IGNORECASE,
)
_SUITE_PERMISE = re.compile(
    r"^(?:$|[.,;:)(]|\s*(?:pour|au|aux|en|des|du|sur|soit|et|à|a|par|le|la|les|l['’]|ce|cette"
    r"|contre|dans|selon|hors|TTC|HT)\b)",
    re.IGNORECASE,
)
_PREMIER_JANVIER = re.compile(
    r"(?:1er\s+janvier|0?1\s*/\s*0?1\s*/)\s*((?:19|20)\d{2})", re.IGNORECASE
)
_PHRASES = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÝŒ«(\d])")


@dataclass
class Section:
    codes: list[str]
    titre: str = ""
    lignes: list[Ligne] = field(default_factory=list)

    def annonce(self, phrase: str) -> bool:
        """La phrase parle bien de l'indicateur du titre : elle dit « indicateur » /
        « indice », ou reprend un mot du titre (« dessert » pour « population desservie »).
        « Le nombre d'habitants par abonné est de 2,48 » sous « population desservie
        (D201.0) » n'est pas la population desservie."""
        mots = _radicaux(_PARENTHESES.sub(" ", phrase))
        return bool(mots & ({"indica", "indice"} | _radicaux(self.titre)))


def _codes_entre_parentheses(texte: str) -> list[str]:
    return [code for code, m in codes_de(texte) if m.start() > 0 and texte[m.start() - 1] == "("]


def _radicaux(texte: str) -> set[str]:
    """Les six premières lettres des mots significatifs (cinq lettres au moins)."""
    mots = re.findall(r"[a-z]{5,}", sans_accents(texte).lower())
    return {mot[:6] for mot in mots} - _MOTS_VIDES


_MOTS_VIDES = {"servic", "public", "collec", "l'exer", "exerci", "annee", "pour"}


def _est_titre(ligne: Ligne) -> bool:
    return ligne.genre == "titre" or bool(_TITRE_NUMEROTE.match(ligne.texte))


def sections(document: Document) -> Iterator[Section]:
    """Les passages qui suivent un titre annonçant un (ou plusieurs) code(s) entre parenthèses."""
    courante: Section | None = None
    precedente_titre = False
    precedente = ""
    for ligne in document.lignes():
        if _SOMMAIRE.search(ligne.texte):
            continue
        codes = _codes_entre_parentheses(ligne.texte)
        if codes and (_est_titre(ligne) or len(ligne.texte) < 130):
            if courante is not None and precedente_titre:
                courante.codes.extend(codes)  # titre sur plusieurs lignes
                courante.titre += " " + ligne.texte
                continue
            if courante is not None:
                yield courante
            # Le titre commence parfois une ligne plus haut (« 3.1. Taux de desserte ... »).
            courante = Section(list(codes), f"{precedente} {ligne.texte}")
            precedente_titre = True
            continue
        precedente_titre = False
        precedente = ligne.texte if _est_titre(ligne) else ""
        if courante is None:
            continue
        if _est_titre(ligne) and _TITRE_NUMEROTE.match(ligne.texte):
            yield courante
            courante = None
            continue
        courante.lignes.append(ligne)
        if len(courante.lignes) >= MAX_LIGNES_SECTION:
            yield courante
            courante = None
    if courante is not None:
        yield courante


def _texte_de_recit(ligne: Ligne) -> str | None:
    """Le texte d'une ligne de récit ; None pour une rangée de tableau ou un titre (ils
    coupent les phrases : « Conformité exercice 2020 » n'appartient pas à la phrase suivante)."""
    if _est_titre(ligne) or _SOMMAIRE.search(ligne.texte):
        return None
    cellules = ligne.texte.split("\t")
    if len(cellules) == 2 and len(cellules[0].strip()) <= 4:
        cellules = cellules[1:]  # puce ou numéro en tête de ligne
    return normaliser_espaces(cellules[0]) if len(cellules) == 1 else None


def _phrases(lignes: list[Ligne]) -> Iterator[tuple[int, str]]:
    """(page, phrase) : lignes de récit consécutives recollées puis coupées en phrases."""
    blocs: list[tuple[int, list[str]]] = []
    for ligne in lignes:
        texte = _texte_de_recit(ligne)
        if texte is None:
            blocs.append((ligne.page, []))
        elif blocs and blocs[-1][0] == ligne.page:
            blocs[-1][1].append(texte)
        else:
            blocs.append((ligne.page, [texte]))
    for page, textes in blocs:
        for phrase in _PHRASES.split(" ".join(textes)):
            if phrase.strip():
                yield page, phrase.strip()


def _annees_etrangeres(phrase: str, exercice: int, prix: bool) -> bool:
    """Vrai si la phrase (hors parenthèses) parle d'une autre année que l'exercice ; pour un
    prix, seul le 1er janvier N+1 compte (le tarif « au 1er janvier N » est celui de N-1)."""
    hors_parentheses = _PARENTHESES.sub(" ", phrase)
    if prix:
        dates = {int(m[1]) for m in _PREMIER_JANVIER.finditer(hors_parentheses)}
        if dates - {exercice + 1}:
            return True
    permises = {exercice, exercice + 1} if prix else {exercice}
    return any(int(a) not in permises for a in _ANNEE.findall(hors_parentheses))


def _enonces(phrase: str) -> Iterator[str]:
    hors_parentheses = _PARENTHESES.sub(" ", phrase)
    for motif in (_ENONCE, _ENONCE_DEUX_POINTS):
        for m in motif.finditer(hors_parentheses):
            valeur = m["val"].strip()
            suite = hors_parentheses[m.end("val") :].lstrip()
            if _SUITE_PERMISE.match(suite):
                yield valeur


def candidats_phrase(code: str, page: int, phrase: str, exercice: int) -> list[Candidat]:
    definition = referentiel()[code]
    if _annees_etrangeres(phrase, exercice, definition.prix):
        return []
    trouves = []
    for texte in _enonces(phrase):
        lue = lire_valeur(texte, definition)
        if lue is not None:
            trouves.append(Candidat(code, lue.nombre, page, phrase, "recit"))
    # Deux valeurs différentes dans la même phrase : on ne sait pas laquelle est la bonne.
    return trouves if len({c.nombre for c in trouves}) == 1 else []


def candidats_recit(document: Document, exercice: int) -> list[Candidat]:
    """Les valeurs énoncées par une phrase : code dans la phrase, sinon code du titre."""
    trouves: list[Candidat] = []
    for section in sections(document):
        uniques = sorted(set(section.codes))
        for page, phrase in _phrases(section.lignes):
            codes = {code for code, _ in codes_de(phrase)}
            if len(codes) > 1 or (not codes and len(uniques) != 1):
                continue
            if not codes and not section.annonce(phrase):
                continue
            code = next(iter(codes)) if codes else uniques[0]
            trouves.extend(candidats_phrase(code, page, phrase, exercice))
    vus = {(c.code, c.page, c.citation) for c in trouves}
    for page_doc in document.pages:
        lignes = [ligne for ligne in page_doc.lignes if CODE_IMPRIME.search(ligne.texte)]
        for page, phrase in _phrases(_avec_voisines(page_doc.lignes, lignes)):
            codes = {code for code, _ in codes_de(phrase)}
            if len(codes) != 1 or sans_accents(phrase).lower().startswith("("):
                continue
            for candidat in candidats_phrase(next(iter(codes)), page, phrase, exercice):
                if (candidat.code, candidat.page, candidat.citation) not in vus:
                    trouves.append(candidat)
    return trouves


def _avec_voisines(toutes: list[Ligne], retenues: list[Ligne]) -> list[Ligne]:
    """Les lignes retenues et leurs voisines immédiates (une phrase court sur deux lignes)."""
    rangs = {k for k, ligne in enumerate(toutes) if ligne in retenues}
    etendus = sorted({j for k in rangs for j in (k - 1, k, k + 1) if 0 <= j < len(toutes)})
    return [toutes[j] for j in etendus]
