"""Mesure des indicateurs SISPEA lus contre une référence, avec les définitions de Narval
(OFB) pour être comparable à ses chiffres publiés :

- juste : la valeur lue est celle de la référence (à l'arrondi de la référence près), ou
  les deux sont vides ;
- faux positif : une valeur lue alors que la référence est vide ou différente ;
- faux négatif : rien de lu alors que la référence a une valeur.

exactitude = justes / total ; précision = vrais positifs / valeurs lues ;
rappel = vrais positifs / valeurs de la référence.
Référence : un CSV `indicator` / `pdf_value` par document (format des `*.indicateurs.csv`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from fiche.modeles import Champ


def lire_reference(chemin: Path) -> dict[str, float | None]:
    """Code → valeur lue par une personne dans le PDF (None : le PDF ne la donne pas)."""
    with chemin.open(encoding="utf-8-sig", newline="") as flux:
        return {
            ligne["indicator"]: float(ligne["pdf_value"]) if ligne["pdf_value"].strip() else None
            for ligne in csv.DictReader(flux)
        }


def _decimales(valeur: float) -> int:
    texte = repr(valeur)
    return 0 if texte.endswith(".0") or "." not in texte else len(texte.split(".")[1])


def egales(lue: float, reference: float) -> bool:
    """Égales à l'arrondi de la référence (16,76 lu pour 16,8 saisi compte juste)."""
    pas = 0.5 * 10.0 ** -min(_decimales(lue), _decimales(reference))
    return abs(lue - reference) <= pas + 1e-9


@dataclass
class Score:
    vrais_positifs: int = 0
    vrais_negatifs: int = 0
    faux_positifs: int = 0
    faux_negatifs: int = 0
    ecarts: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.vrais_positifs + self.vrais_negatifs + self.faux_positifs + self.faux_negatifs

    @property
    def exactitude(self) -> float:
        return (self.vrais_positifs + self.vrais_negatifs) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        lues = self.vrais_positifs + self.faux_positifs
        return self.vrais_positifs / lues if lues else 1.0

    @property
    def rappel(self) -> float:
        attendues = self.vrais_positifs + self.faux_negatifs
        return self.vrais_positifs / attendues if attendues else 1.0

    def ajouter(self, autre: Score) -> None:
        self.vrais_positifs += autre.vrais_positifs
        self.vrais_negatifs += autre.vrais_negatifs
        self.faux_positifs += autre.faux_positifs
        self.faux_negatifs += autre.faux_negatifs
        self.ecarts.extend(autre.ecarts)


def comparer(
    lus: dict[str, Champ[float]], reference: dict[str, float | None], nom: str = ""
) -> Score:
    """Le score d'un document : chaque code de la référence compte une fois."""
    score = Score()
    for code, attendue in reference.items():
        champ = lus.get(code)
        lue = champ.valeur if champ is not None else None
        if attendue is None and lue is None:
            score.vrais_negatifs += 1
        elif attendue is not None and lue is not None and egales(lue, attendue):
            score.vrais_positifs += 1
        elif lue is not None:
            score.faux_positifs += 1
            score.ecarts.append(f"{nom} {code} : lu {lue}, attendu {attendue}")
        else:
            score.faux_negatifs += 1
            score.ecarts.append(f"{nom} {code} : rien de lu, attendu {attendue}")
    return score
