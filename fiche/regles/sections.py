"""Sections du rapport : titres, faits marquants, éléments obligatoires (R.3131-3 et -4).

Un titre est une ligne typée `titre` par l'extraction (ou une ligne courte en gras hors
tableau). Le sommaire n'est pas une section : ses entrées, qui reprennent tous les
titres, ne prouvent pas la présence d'un contenu. Le glossaire non plus (ses définitions
citent « concession », « biens de retour », « charges de structure »...).
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from extracteurs.modeles import Document, Ligne
from fiche.modeles import Champ, ElementConformite
from fiche.regles.champs import champ_exact
from fiche.regles.texte import commence_par_puce, normaliser, sans_puce

_NUMERO = r"^(?:[0-9ivxlc]{1,5}\s+|[a-z]\s+)?"  # « 14. », « XIV. », « A) » une fois normalisés
_SOMMAIRE = re.compile(_NUMERO + r"(?:sommaire|table des matieres|plan du rapport)$")
_GLOSSAIRE = re.compile(_NUMERO + r"(?:glossaire|lexique|definitions|abreviations)\b")
_FAITS = re.compile(
    r"(?:faits?|evenements?) (?:marquants?|significatifs?|saillants?|majeurs?)|temps forts"
    r"|principaux evenements|faits de l'(?:exercice|annee)"
)

CONFORMITE: dict[str, re.Pattern[str]] = {
    "care": re.compile(
        r"compte annuel de resultat|\bcare\b|compte de resultat|compte d'exploitation"
        r"|comptes? (?:de la delegation|du contrat)"
    ),
    "methodes_calcul": re.compile(
        r"methodes? (?:de calcul|d'imputation|de repartition|comptables?)|repartition des charges"
        r"|cles? de repartition|imputation des charges|charges (?:indirectes|de structure)"
    ),
    "variation_patrimoine": re.compile(
        r"(?:variation|evolution|modifications?)s? du patrimoine|patrimoine immobilier"
    ),
    "situation_biens": re.compile(
        r"situation des biens|etat des biens|biens et immobilisations|\bimmobilisations\b"
        r"|etat du patrimoine|biens (?:necessaires|affectes)"
    ),
    "suivi_investissements": re.compile(
        r"investissements?|programme (?:de |des )?(?:travaux|renouvellements?)"
        r"|travaux de renouvellement|renouvellements? (?:realises?|du materiel)"
    ),
    "inventaire_biens_retour": re.compile(r"biens de (?:retour|reprise)|inventaire"),
    "engagements_financiers": re.compile(
        r"engagements? (?:a incidence financiere|financiers?|hors bilan)"
        r"|continuite du service"
    ),
    "analyse_qualite": re.compile(
        r"qualite (?:du|de) service|analyse de la qualite|indicateurs? de (?:performance|qualite)"
        r"|\bqualite\b|satisfaction|^indicateurs?\b"
    ),
    "tarifs": re.compile(
        r"\btarifs?\b|\btarifaires?\b|\btarification\b|grille des prix"
        r"|\bprix (?:du service|de l'eau|du m3|des prestations)"
    ),
}


def est_titre(ligne: Ligne) -> bool:
    if ligne.genre == "titre":
        return True
    texte = ligne.texte.strip()
    return ligne.gras and ligne.genre != "tableau" and "\t" not in texte and len(texte) <= 90


def _pages_exclues(document: Document) -> set[int]:
    """Pages du sommaire (la liste des titres n'est pas le contenu)."""
    return {
        ligne.page
        for ligne in document.lignes()
        if est_titre(ligne) and _SOMMAIRE.match(normaliser(ligne.texte))
    }


def titres(document: Document) -> list[Ligne]:
    """Titres de section hors sommaire, dans l'ordre du rapport."""
    exclues = _pages_exclues(document)
    return [lg for lg in document.lignes() if est_titre(lg) and lg.page not in exclues]


def est_glossaire(titre: str) -> bool:
    """Titre de glossaire, même abîmé par l'OCR (« IGIOSSAIrE »)."""
    norme = normaliser(titre)
    if _GLOSSAIRE.match(norme):
        return True
    nu = re.sub(_NUMERO, "", norme)
    return any(fuzz.ratio(nu, mot) >= 75 for mot in ("glossaire", "lexique"))


def lignes_utiles(document: Document) -> list[Ligne]:
    """Les lignes hors sommaire et hors glossaire (pour les recherches dans tout le texte)."""
    exclues = _pages_exclues(document)
    utiles: list[Ligne] = []
    dans_glossaire = False
    for ligne in document.lignes():
        if est_titre(ligne):
            dans_glossaire = est_glossaire(ligne.texte)
        if ligne.page not in exclues and not dans_glossaire:
            utiles.append(ligne)
    return utiles


def _section(document: Document, debut: Ligne) -> list[Ligne]:
    """Les lignes qui suivent un titre jusqu'au titre suivant (ou un tableau chiffré)."""
    lignes = document.lignes()
    rang = next(k for k, ligne in enumerate(lignes) if ligne.id == debut.id)
    contenu: list[Ligne] = []
    for ligne in lignes[rang + 1 :]:
        if est_titre(ligne):
            break
        contenu.append(ligne)
    return contenu


def _items(lignes: list[Ligne]) -> list[tuple[int, str]]:
    """Éléments de liste (une puce ouvre un élément, les lignes suivantes le prolongent)."""
    items: list[tuple[int, str]] = []
    for ligne in lignes:
        texte = ligne.texte.replace("\t", " ").strip()
        if not texte or re.fullmatch(r"(?:page\s*)?\d{1,3}", texte, re.IGNORECASE):
            continue
        if commence_par_puce(ligne.texte) or not items:
            items.append((ligne.page, sans_puce(texte)))
        elif ligne.page == items[-1][0] and not items[-1][1].endswith((".", "!", "?")):
            items[-1] = (items[-1][0], f"{items[-1][1]} {texte}")
        else:
            items.append((ligne.page, texte))
    return items


def faits_marquants(document: Document) -> list[Champ[str]]:
    """Les faits marquants : éléments de la section « Faits marquants » (ou équivalente)."""
    repetees = lignes_repetees(document)
    for debut in _debuts_faits(document):
        suite = _section(document, debut)
        if not est_titre(debut):
            # Titre illisible (OCR) : seules les puces qui le suivent immédiatement comptent.
            suite = _puces_consecutives(suite)
        items = _items([lg for lg in suite if _texte_courant(lg, repetees)])
        if items:
            return [champ_exact(texte, page, texte) for page, texte in items[:15]]
    return []


def _debuts_faits(document: Document) -> list[Ligne]:
    """Titres « Faits marquants », puis lignes courtes qui leur ressemblent (OCR abîmé)."""
    exacts = [t for t in titres(document) if _FAITS.search(normaliser(t.texte))]
    exclues = _pages_exclues(document)
    approches = [
        lg
        for lg in document.lignes()
        if lg.page not in exclues
        and len(lg.texte) <= 60
        and not commence_par_puce(lg.texte)
        and fuzz.partial_ratio("faits marquants", normaliser(lg.texte)) >= 80
    ]
    return exacts + [lg for lg in approches if lg not in exacts]


def _puces_consecutives(lignes: list[Ligne]) -> list[Ligne]:
    suite: list[Ligne] = []
    for ligne in lignes:
        if not commence_par_puce(ligne.texte) and (not suite or est_titre(ligne)):
            break
        if not commence_par_puce(ligne.texte) and suite[-1].texte.rstrip().endswith("."):
            break
        suite.append(ligne)
    return suite


def _texte_courant(ligne: Ligne, repetees: set[str]) -> bool:
    """Exclut en-têtes et pieds de page répétés, et les lignes de tableau chiffré."""
    if ligne.genre == "tableau" and not commence_par_puce(ligne.texte):
        return False
    return normaliser(ligne.texte) not in repetees


def lignes_repetees(document: Document) -> set[str]:
    """Textes imprimés sur au moins trois pages : en-têtes et pieds de page courants."""
    pages: dict[str, set[int]] = {}
    for ligne in document.lignes():
        pages.setdefault(normaliser(ligne.texte), set()).add(ligne.page)
    return {texte for texte, vues in pages.items() if len(vues) >= 3 and texte}


def _sommaire(document: Document) -> list[str]:
    """Entrées du sommaire, normalisées (sans puce ni numéro de page)."""
    exclues = _pages_exclues(document)
    return [
        normaliser(sans_puce(lg.texte))
        for lg in document.lignes()
        if lg.page in exclues and not est_titre(lg)
    ]


def _page_dans_le_texte(document: Document, motif: re.Pattern[str]) -> int | None:
    for ligne in lignes_utiles(document):
        if motif.search(normaliser(ligne.texte)):
            return ligne.page
    return None


# Contenu d'un RPQS (CGCT D.2224-1 à D.2224-5 et leurs annexes V et VI).
CONFORMITE_RPQS: dict[str, re.Pattern[str]] = {
    "caracterisation_technique": re.compile(
        r"caracteris(?:ation|tiques?) techniques?|presentation du (?:territoire|service)"
        r"|mode de gestion|population desservie|nombre d'abonnes|\bd ?201 ?0\b"
    ),
    "tarification": re.compile(
        r"tarification|facture (?:d'eau |d'assainissement )?type|\bprix\b|\bd ?204 ?0\b"
    ),
    "indicateurs_performance": re.compile(r"indicateurs? de performance|\bp ?20[1-6] ?\d"),
    "financement_investissements": re.compile(
        r"financement des investissements|etat de la dette|encours de la dette"
        r"|montants? financiers?|\bp ?256 ?2\b"
    ),
    "solidarite": re.compile(
        r"solidarite|cooperation decentralisee|abandons? de creance|\bp ?207 ?0\b"
    ),
}
"""Rubriques d'un RPQS : un RPQS les donne souvent en tableau d'indicateurs, sans titre ;
une mention dans le texte suffit donc à les dire présentes."""


def conformite(
    document: Document,
    page_care: int | None,
    motifs: dict[str, re.Pattern[str]] = CONFORMITE,
    texte_suffit: bool = False,
) -> dict[str, ElementConformite]:
    """Chaque élément obligatoire : présent si un titre de section le traite (page du titre).

    Si les titres sont illisibles (scan), une entrée du sommaire suffit à le dire présent ;
    la page est alors celle de la première mention dans le texte.
    """
    resultat: dict[str, ElementConformite] = {}
    liste_titres = titres(document)
    sommaire = _sommaire(document)
    for element, motif in motifs.items():
        page = next((t.page for t in liste_titres if motif.search(normaliser(t.texte))), None)
        if element == "care" and page is None:
            page = page_care
        present = page is not None or any(motif.search(entree) for entree in sommaire)
        if not present and texte_suffit:
            page = _page_dans_le_texte(document, motif)
            present = page is not None
        if present and page is None:
            page = _page_dans_le_texte(document, motif)
        resultat[element] = ElementConformite(present=present, page=page)
    return resultat
