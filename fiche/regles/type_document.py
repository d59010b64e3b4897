"""Ce qu'est le document : rapport du délégataire (RAD), CARE seul, RPQS, ou autre.

Décidé sur les preuves que le document donne de lui-même, jamais sur son nom de fichier :
son titre (« Rapport annuel du délégataire », « Rapport sur le prix et la qualité du
service »), les textes qu'il cite (L.3131-5 du code de la commande publique pour le RAD ;
L.2224-5 et D.2224-1 à -5 du CGCT pour le RPQS), ses indicateurs SISPEA (D201.0,
P201.1…) et la présence d'un CARE. Chaque preuve garde sa page et sa ligne : l'agent voit
pourquoi la fiche dit « RPQS ». Les contrôles propres au RAD (sommes du CARE, complétude
R.3131, délai du 1er juin) ne s'appliquent qu'au type qu'ils concernent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extracteurs.modeles import Document, Ligne
from fiche.modeles import TypeDocument
from fiche.regles.texte import normaliser

# Titres : motifs sur le texte normalisé (sans accents, minuscules).
_TITRE_RPQS = re.compile(
    r"rapport (?:annuel )?(?:\d{4} )?(?:relatif )?(?:sur|au|du|de) (?:le |l')?prix et "
    r"(?:a |sur )?la qualite"
    r"|\brpqs\b|prix (?:&|et) qualite du service public"
)
_TITRE_RAD = re.compile(
    r"rapport (?:annuel )?(?:d'activite )?du (?:delegataire|concessionnaire|fermier)"
    r"|rapport annuel (?:d'activite )?(?:de la|du) (?:delegation|concession|contrat)"
    r"|\brad\b \d{4}|compte rendu (?:annuel )?(?:technique et )?financier du delegataire"
)
_LOI_RAD = re.compile(r"\b[lr] ?\.? ?3131 ?-? ?[2-5]\b|\bl ?\.? ?1411 ?-? ?3\b")
_LOI_RPQS = re.compile(r"\bl ?\.? ?2224 ?-? ?5\b|\bd ?\.? ?2224 ?-? ?[1-5]\b")
_CARE = re.compile(r"compte annuel de resultat|\bcare\b")
# Indicateurs réglementaires : « D201.0 », « P202.2B », « VP.182 » n'en sont pas.
_CODE_SISPEA = re.compile(r"\b[DP][1-4]\d{2}\.\d[AB]?\b")

PAGES_TITRE = 3
"""Le titre d'un rapport est sur sa page de garde ou les deux suivantes."""


@dataclass(frozen=True)
class Preuve:
    genre: str  # « titre_rpqs », « loi_rad », « sispea »…
    page: int
    citation: str


@dataclass(frozen=True)
class TypeLu:
    valeur: TypeDocument
    page: int | None
    citation: str | None
    preuves: tuple[Preuve, ...]


def _preuves_ligne(ligne: Ligne, norme: str) -> list[Preuve]:
    texte = " ".join(ligne.texte.split())
    trouvees: list[Preuve] = []
    debut = ligne.page <= PAGES_TITRE
    for genre, motif, partout in (
        ("titre_rpqs", _TITRE_RPQS, False),
        ("titre_rad", _TITRE_RAD, False),
        ("loi_rad", _LOI_RAD, True),
        ("loi_rpqs", _LOI_RPQS, True),
        ("care", _CARE, True),
    ):
        if (partout or debut) and motif.search(norme):
            trouvees.append(Preuve(genre, ligne.page, texte))
    return trouvees


def preuves(document: Document) -> list[Preuve]:
    """Toutes les preuves du type, dans l'ordre des pages (une par ligne et par genre)."""
    trouvees: list[Preuve] = []
    codes: dict[str, Preuve] = {}
    for ligne in document.lignes():
        norme = normaliser(ligne.texte)
        trouvees.extend(_preuves_ligne(ligne, norme))
        for code in _CODE_SISPEA.findall(ligne.texte):
            codes.setdefault(code, Preuve("sispea", ligne.page, " ".join(ligne.texte.split())))
    return trouvees + list(codes.values())


def _premiere(liste: list[Preuve], genre: str) -> Preuve | None:
    return next((p for p in liste if p.genre == genre), None)


def decider_type(liste: list[Preuve], care_trouve: bool, pages_recit: int = 0) -> TypeLu:
    """Le type que les preuves établissent ; le titre l'emporte sur les mentions du texte.

    Un RPQS se reconnaît à son titre, ou à ses textes (L.2224-5) avec au moins trois
    indicateurs SISPEA et aucun titre de RAD ; un RAD à son titre ou à L.3131-5 ; un
    document sans récit de rapport mais avec un CARE est un CARE seul.
    """
    titre_rpqs, titre_rad = _premiere(liste, "titre_rpqs"), _premiere(liste, "titre_rad")
    sispea = [p for p in liste if p.genre == "sispea"]
    retenue: Preuve | None = None
    valeur: TypeDocument = "autre"
    if titre_rpqs and not (titre_rad and titre_rad.page < titre_rpqs.page):
        valeur, retenue = "rpqs", titre_rpqs
    elif titre_rad:
        valeur, retenue = "rad", titre_rad
    elif (loi := _premiere(liste, "loi_rpqs")) and len(sispea) >= 3:
        valeur, retenue = "rpqs", loi
    elif loi_rad := _premiere(liste, "loi_rad"):
        valeur, retenue = "rad", loi_rad
    elif care_trouve:
        # Un rapport qui a un CARE et du récit est un RAD au titre inhabituel
        # (« Rapport d'activité 2023 ») ; un CARE seul n'a que ses tableaux.
        valeur, retenue = ("rad" if pages_recit > 3 else "care"), _premiere(liste, "care")
    return TypeLu(
        valeur,
        retenue.page if retenue else None,
        retenue.citation if retenue else None,
        tuple(liste),
    )


def type_document(document: Document, care_trouve: bool) -> TypeLu:
    recit = {lg.page for lg in document.lignes() if lg.genre in ("recit", "texte")}
    return decider_type(preuves(document), care_trouve, len(recit))
