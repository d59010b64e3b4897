"""Valeurs classées : secteur du service et type de contrat, avec la phrase qui les fonde.

On classe d'abord la phrase qui décrit le service ou le contrat (fiche d'identité,
« ... a confié à Y la gestion du service public de ... », « Par contrat d'affermage, »),
puis l'objet et la page de garde ; en dernier recours, le mot le plus fréquent des titres
et du texte (hors sommaire et glossaire). La citation est la phrase classée.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from extracteurs.modeles import Document
from fiche.modeles import Champ, Secteur, TypeContrat
from fiche.regles.champs import champ_exact
from fiche.regles.libelles import SECTEURS, TYPES_CONTRAT
from fiche.regles.paires import Paire
from fiche.regles.sections import lignes_utiles
from fiche.regles.texte import Paragraphe, nettoyer_valeur, normaliser, sur_une_ligne

_SERVICE = re.compile(
    r"(?:la gestion|l['’]exploitation|l['’]ex[ée]cution|la charge) (?:du |de la |de l['’]|des )"
    r"(?P<service>[^.;:]{5,150})",
    re.IGNORECASE,
)
_SERVICE_PUBLIC = re.compile(r"(?P<service>service public (?:de |du |des |d['’])[^.;:,]{3,120})")
_PAR = re.compile(r"(?:^|[.;]\s+)Par (?P<type>[^,.;]{4,90}),")
_FORME = re.compile(
    r"(?P<type>(?:contrat|convention|trait[ée]|sous-trait[ée]|march[ée]) (?:de |d['’])"
    r"[^,.;()]{3,80}|d[ée]l[ée]gation de service public[^,.;()]{0,60}|r[ée]gie int[ée]ress[ée]e)",
    re.IGNORECASE,
)


def _classer_secteur(texte: str) -> Secteur | None:
    norme = normaliser(texte)
    return next((s for s, motif in SECTEURS if motif.search(norme)), None)


def _classer_type(texte: str) -> TypeContrat | None:
    norme = normaliser(texte)
    return next((t for t, motif in TYPES_CONTRAT if motif.search(norme)), None)


def _phrases_service(
    paires: list[Paire], paragraphes: list[Paragraphe], objet: Champ[str]
) -> Iterator[tuple[str, int]]:
    for paire in paires:
        if paire.cle == "secteur":
            yield paire.valeur, paire.page
    for para in paragraphes:
        if re.search(r"confi[ée]", para.texte):
            for m in _SERVICE.finditer(para.texte):
                yield nettoyer_valeur(m.group("service")), para.page
    if objet.valeur and objet.page:
        yield objet.valeur, objet.page
    for para in paragraphes:
        for m in _SERVICE_PUBLIC.finditer(para.texte):
            yield nettoyer_valeur(m.group("service")), para.page


def secteur(
    document: Document, paires: list[Paire], paragraphes: list[Paragraphe], objet: Champ[str]
) -> Champ[Secteur]:
    for texte, page in _phrases_service(paires, paragraphes, objet):
        trouve = _classer_secteur(texte)
        if trouve is not None:
            return champ_exact(trouve, sur_une_ligne(document, texte, page) or page, texte)
    for ligne in document.pages[0].lignes if document.pages else []:
        trouve = _classer_secteur(ligne.texte)
        if trouve is not None:
            return champ_exact(trouve, ligne.page, nettoyer_valeur(ligne.texte))
    return _secteur_frequent(document)


def _secteur_frequent(document: Document) -> Champ[Secteur]:
    """Le secteur dont les mots reviennent le plus souvent dans le rapport."""
    comptes: Counter[Secteur] = Counter()
    premieres: dict[Secteur, tuple[int, str]] = {}
    for ligne in lignes_utiles(document):
        trouve = _classer_secteur(ligne.texte)
        if trouve is not None:
            comptes[trouve] += 1
            premieres.setdefault(trouve, (ligne.page, nettoyer_valeur(ligne.texte)))
    if not comptes:
        return Champ[Secteur]()
    gagnant = comptes.most_common(1)[0][0]
    page, citation = premieres[gagnant]
    return champ_exact(gagnant, page, citation)


def _phrases_contrat(
    paires: list[Paire], paragraphes: list[Paragraphe]
) -> Iterator[tuple[str, int]]:
    for paire in paires:
        if paire.cle == "type_contrat":
            yield paire.valeur, paire.page
    for para in paragraphes:
        for m in _PAR.finditer(para.texte):
            yield nettoyer_valeur(m.group("type")), para.page
    for para in paragraphes:
        for m in _FORME.finditer(para.texte):
            yield nettoyer_valeur(m.group("type")), para.page


def type_contrat(
    document: Document, paires: list[Paire], paragraphes: list[Paragraphe]
) -> Champ[TypeContrat]:
    utiles = {ligne.id for ligne in lignes_utiles(document)}
    retenus = [p for p in paragraphes if any(lg.id in utiles for lg in p.lignes)]
    for texte, page in _phrases_contrat(paires, retenus):
        trouve = _classer_type(texte)
        if trouve is not None:
            return champ_exact(trouve, sur_une_ligne(document, texte, page) or page, texte)
    return Champ[TypeContrat]()
