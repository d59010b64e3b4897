"""Choix des pages envoyées au LLM, estimation des jetons et découpage en morceaux.

Un RAD d'eau potable fait 45 pages dont une douzaine seulement portent ce que la fiche
demande (identification, CARE, investissements, qualité, tarifs, titres des parties
obligatoires) ; le reste est fait d'annexes techniques (inventaires, travaux par rue,
statistiques mensuelles). Envoyer tout coûterait deux à trois fois plus de jetons et
noierait les chiffres utiles. Chaque page reçoit donc une note tirée de mots-clés,
pondérés par le genre de la ligne (un titre de partie pèse plus qu'une phrase) ; les
pages au-dessus du seuil sont gardées, plus la première (page de garde : collectivité,
objet, exercice). Les titres des pages écartées restent visibles dans un plan du document
(voir `fiche.llm.invites`) pour que la conformité puisse être jugée sur tout le rapport.

Jetons : tiktoken télécharge ses tables à la première utilisation, ce qui est impossible
hors ligne, et le tokeniseur du modèle servi (Albert, Mistral…) n'est de toute façon pas
celui d'OpenAI. On estime donc : `estimer_jetons` compte 3,5 caractères par jeton, un peu
moins que les ~4 habituels, parce que le français accentué, les chiffres et les
identifiants de ligne se découpent plus finement ; l'erreur va dans le sens de la prudence
pour le budget `llm_max_jetons_prompt`. Les vrais comptes viennent de `usage` de l'API.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from extracteurs.entetes import sans_accents
from extracteurs.modeles import Document, Ligne, Page

CARACTERES_PAR_JETON = 3.5
SEUIL_NOTE = 4.0

# Mots-clés (sans accents, minuscules) et leur poids : parties de la fiche et du contenu
# obligatoire R.3131-3/-4. Une page de titres de partie passe le seuil à elle seule.
MOTS_CLES: dict[str, float] = {
    "compte annuel de resultat": 6,
    "compte d'exploitation": 4,
    "total produits": 4,
    "total des produits": 4,
    "total charges": 4,
    "total des charges": 4,
    "chiffre d'affaires": 2,
    "resultat": 1,
    "redevance": 1.5,
    "frais de siege": 2,
    "services centraux": 2,
    "charges de structure": 2,
    "investissement": 2,
    "renouvellement": 1,
    "faits marquants": 5,
    "synthese": 2,
    "fiche d'identite": 5,
    "presentation du contrat": 4,
    "autorite delegante": 3,
    "echeance": 2,
    "date d'effet": 2,
    "prise d'effet": 2,
    "qualite du service": 4,
    "indicateurs": 3,
    "moyens humains": 4,
    "effectif": 2,
    "tarif": 3,
    "methodes de calcul": 4,
    "patrimoine": 3,
    "situation des biens": 4,
    "biens de retour": 3,
    "engagements": 3,
}
# Pages à écarter même si elles citent ces mots : sommaire, glossaire, séries mensuelles.
MOTS_REPOUSSOIRS: dict[str, float] = {
    "sommaire": -8,
    "glossaire": -10,
    "sans valeur comptable": -3,
    "definitions": -4,
}
POIDS_GENRE = {"titre": 2.0, "tableau": 1.0, "liste": 1.0, "recit": 0.5, "texte": 0.5}
_BAS_DE_PAGE = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|sur)\s*\d{1,4})?$", re.IGNORECASE)


def estimer_jetons(texte: str) -> int:
    """Estimation hors ligne du nombre de jetons d'un texte (3,5 caractères par jeton)."""
    return math.ceil(len(texte) / CARACTERES_PAR_JETON)


def _cle(texte: str) -> str:
    return sans_accents(texte).lower()


def note_ligne(ligne: Ligne) -> float:
    texte = _cle(ligne.texte)
    brut = sum(poids for mot, poids in MOTS_CLES.items() if mot in texte)
    return brut * POIDS_GENRE.get(ligne.genre or "texte", 0.5)


def note_page(page: Page) -> float:
    """Note d'utilité d'une page pour la fiche ; les titres repoussoirs l'annulent."""
    note = sum(note_ligne(ligne) for ligne in page.lignes)
    for ligne in page.lignes:
        if ligne.genre == "titre" or len(ligne.texte) < 40:
            cle = _cle(ligne.texte)
            note += sum(poids for mot, poids in MOTS_REPOUSSOIRS.items() if mot in cle)
    return note


def selectionner_pages(document: Document) -> list[int]:
    """Numéros des pages à envoyer, dans l'ordre du document (toujours la première)."""
    gardees = [p.numero for p in document.pages if p.numero == 1 or note_page(p) >= SEUIL_NOTE]
    return gardees or [p.numero for p in document.pages]


def lignes_repetees(document: Document) -> set[str]:
    """Textes d'en-tête/pied de page répétés (au moins 3 pages et la moitié d'entre elles).

    Ils ne servent à rien après leur première apparition et coûtent une ligne par page.
    """
    comptes: Counter[str] = Counter()
    for page in document.pages:
        comptes.update({ligne.texte.strip() for ligne in page.lignes})
    seuil = max(3, len(document.pages) // 2)
    return {texte for texte, nombre in comptes.items() if nombre >= seuil}


def lignes_utiles(page: Page, repetees: set[str], deja_vues: set[str]) -> list[Ligne]:
    """Les lignes d'une page sans numéros de page ni en-têtes déjà vus ailleurs."""
    gardees: list[Ligne] = []
    for ligne in page.lignes:
        texte = ligne.texte.strip()
        if not texte or _BAS_DE_PAGE.match(texte):
            continue
        if texte in repetees:
            if texte in deja_vues:
                continue
            deja_vues.add(texte)
        gardees.append(ligne)
    return gardees


@dataclass(frozen=True)
class Bloc:
    """Le texte rendu d'une page (ou d'un fragment de page trop longue) et son coût."""

    page: int
    texte: str
    jetons: int


def decouper(blocs: list[Bloc], budget: int) -> list[list[Bloc]]:
    """Regroupe les blocs dans l'ordre en morceaux d'au plus `budget` jetons estimés.

    Un bloc plus gros que le budget forme un morceau à lui seul : `rendre_page` découpe
    déjà les pages trop longues, ce cas ne reste possible qu'avec un budget absurde.
    """
    morceaux: list[list[Bloc]] = []
    courant: list[Bloc] = []
    total = 0
    for bloc in blocs:
        if courant and total + bloc.jetons > budget:
            morceaux.append(courant)
            courant, total = [], 0
        courant.append(bloc)
        total += bloc.jetons
    if courant:
        morceaux.append(courant)
    return morceaux
