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
from fiche.regles.sections import est_titre, lignes_utiles
from fiche.regles.texte import nettoyer_valeur, normaliser, sans_puce

_DEUX_POINTS = re.compile(r"^(?P<cle>[^:]{2,45}?)\s*:\s*(?P<valeur>\S.*)$")
_INACHEVEE = re.compile(
    r"(?:\s(?:de|du|des|d['’]|de type|type|et|à|a|la|le|les|l['’]|en|par|sous|au|aux|pour|sur)"
    r"|[-&'’])$",
    re.IGNORECASE,
)
"""Valeur coupée en fin de ligne : « … de service public de type » / « affermage »."""
SUITE_MAX = 80


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
    lignes = lignes_utiles(document)
    for rang, ligne in enumerate(lignes):
        paire = _depuis_ligne(ligne)
        if paire is not None:
            suivante = lignes[rang + 1] if rang + 1 < len(lignes) else None
            trouvees.append(_completer(paire, ligne, suivante))
    return trouvees


def _completer(paire: Paire, ligne: Ligne, suivante: Ligne | None) -> Paire:
    """Une valeur coupée en fin de ligne reprend la ligne suivante, si celle-ci la continue
    (même page, juste dessous, pas elle-même un couple « étiquette : valeur »)."""
    brute = ligne.texte.replace("\t", " ").rstrip(" .;:")
    if not _INACHEVEE.search(brute) or suivante is None or suivante.page != ligne.page:
        return paire
    suite = nettoyer_valeur(suivante.texte)
    if not suite or len(suite) > SUITE_MAX or est_titre(suivante) or _depuis_ligne(suivante):
        return paire
    if ligne.boite and suivante.boite:
        hauteur = max(ligne.boite.bas - ligne.boite.haut, 1.0)
        if suivante.boite.haut - ligne.boite.bas > 1.2 * hauteur:
            return paire
    liant = "" if paire.valeur.endswith(("-", "'", "’")) else " "
    return Paire(paire.cle, nettoyer_valeur(paire.valeur + liant + suite), paire.page, ligne)


def premiere(liste: list[Paire], cle: str) -> Paire | None:
    return next((p for p in liste if p.cle == cle), None)
