"""Couples « étiquette → valeur » : fiche d'identité en tableau, lignes « Objet : ... ».

Beaucoup de rapports résument le contrat dans un tableau à deux colonnes (« Autorité
délégante | Ville de ... », « Échéance | 31 mars 2032 ») ou dans des lignes
« Délégataire : Société X ». La valeur y est imprimée seule : c'est la meilleure source
pour l'identification, avant tout motif de phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extracteurs.modeles import Document, Ligne
from fiche.regles.libelles import ETIQUETTES
from fiche.regles.sections import lignes_utiles
from fiche.regles.texte import nettoyer_valeur, normaliser, sans_puce

_DEUX_POINTS = re.compile(r"^(?P<cle>[^:]{2,45}?)\s*:\s*(?P<valeur>\S.*)$")


@dataclass(frozen=True)
class Paire:
    cle: str  # nom du champ (« collectivite », « date_fin », « duree »...)
    valeur: str  # texte imprimé, nettoyé de sa ponctuation de bord
    page: int
    ligne: Ligne


def etiquette(texte: str) -> str | None:
    """Le champ que désigne une étiquette (« Autorité délégante » → « collectivite »)."""
    norme = normaliser(texte)
    if not norme or len(norme.split()) > 6:
        return None
    for cle, motif in ETIQUETTES.items():
        if motif.search(norme):
            return cle
    return None


def _depuis_ligne(ligne: Ligne) -> Paire | None:
    texte = sans_puce(ligne.texte) if "\t" not in ligne.texte else ligne.texte.strip()
    champs = [c for c in texte.split("\t") if c.strip()]
    if len(champs) == 2:
        cle = etiquette(champs[0])
        if cle is not None and nettoyer_valeur(champs[1]):
            return Paire(cle, nettoyer_valeur(champs[1]), ligne.page, ligne)
    m = _DEUX_POINTS.match(texte.replace("\t", " "))
    if m:
        cle = etiquette(m.group("cle"))
        if cle is not None and nettoyer_valeur(m.group("valeur")):
            return Paire(cle, nettoyer_valeur(m.group("valeur")), ligne.page, ligne)
    return None


def paires(document: Document) -> list[Paire]:
    """Les couples étiquette/valeur du rapport (hors glossaire), dans l'ordre des pages."""
    trouvees: list[Paire] = []
    for ligne in lignes_utiles(document):
        paire = _depuis_ligne(ligne)
        if paire is not None:
            trouvees.append(paire)
    return trouvees


def premiere(liste: list[Paire], cle: str) -> Paire | None:
    return next((p for p in liste if p.cle == cle), None)
