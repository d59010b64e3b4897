"""Évaluation d'un dossier de fiches contre les fiches de référence des échantillons."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from fiche.ancrage import champs_de
from fiche.evaluation import Comparaison, comparer_coeur, taux_exact
from fiche.modeles import Ancrage, Fiche


class ScoreCode(BaseModel):
    code: str
    vrais_positifs: int = 0
    faux_positifs: int = 0
    faux_negatifs: int = 0

    @property
    def precision(self) -> float:
        total = self.vrais_positifs + self.faux_positifs
        return self.vrais_positifs / total if total else 1.0

    @property
    def rappel(self) -> float:
        total = self.vrais_positifs + self.faux_negatifs
        return self.vrais_positifs / total if total else 1.0


class EvaluationFiche(BaseModel):
    rapport: str
    scanne: bool
    taux_exact: float
    ancrees: float = Field(description="Part des valeurs remplies retrouvées dans la source")
    provenance: float = Field(description="Part des valeurs remplies avec page et citation")
    comparaisons: list[Comparaison]


class PrecisionRappel(BaseModel):
    """Précision (valeurs écrites qui sont justes) à part du rappel (valeurs attendues
    trouvées) : une valeur fausse coûte plus qu'un champ vide, les deux se mesurent à part."""

    ecrites: int = 0
    justes_ecrites: int = 0
    attendues: int = 0
    trouvees: int = 0
    inventees: int = Field(0, description="Valeurs écrites là où la référence est vide")

    @property
    def precision(self) -> float:
        return self.justes_ecrites / self.ecrites if self.ecrites else 1.0

    @property
    def rappel(self) -> float:
        return self.trouvees / self.attendues if self.attendues else 1.0


def precision_rappel(comparaisons: list[Comparaison]) -> PrecisionRappel:
    score = PrecisionRappel()
    for c in comparaisons:
        if c.obtenu is not None:
            score.ecrites += 1
            score.justes_ecrites += c.exact
            score.inventees += c.attendu is None
        if c.attendu is not None:
            score.attendues += 1
            score.trouvees += c.exact
    return score


class RapportEvaluation(BaseModel):
    fiches: list[EvaluationFiche]
    par_champ: dict[str, float]
    taux_exact_natifs: float
    taux_exact_scannes: float
    taux_ancrage: float
    taux_provenance: float
    anomalies: list[ScoreCode]
    par_famille: dict[str, PrecisionRappel] = Field(default_factory=dict)
    references_manquantes: list[str] = Field(default_factory=list)


def _lire(chemin: Path) -> Fiche:
    return Fiche.model_validate_json(chemin.read_text(encoding="utf-8"))


def _ancrage(fiche: Fiche) -> tuple[float, float]:
    remplis = [c for _, c in champs_de(fiche) if c.valeur is not None]
    if not remplis:
        return 1.0, 1.0
    ancres = sum(c.ancrage != Ancrage.ABSENT for c in remplis) / len(remplis)
    provenance = sum(c.page is not None and bool(c.citation) for c in remplis) / len(remplis)
    return ancres, provenance


def _scores_anomalies(paires: list[tuple[Fiche, Fiche]]) -> list[ScoreCode]:
    """Par code : une anomalie attendue est trouvée si la fiche en porte une du même code."""
    scores: dict[str, ScoreCode] = {}
    for fiche, reference in paires:
        obtenus = Counter(a.code for a in fiche.anomalies)
        attendus = Counter(a.code for a in reference.anomalies)
        for code in set(obtenus) | set(attendus):
            score = scores.setdefault(code, ScoreCode(code=code))
            communs = min(obtenus[code], attendus[code])
            score.vrais_positifs += communs
            score.faux_positifs += obtenus[code] - communs
            score.faux_negatifs += attendus[code] - communs
    return sorted(scores.values(), key=lambda s: s.code)


def evaluer_dossier(dossier: Path, references: Path) -> RapportEvaluation:
    fiches: list[EvaluationFiche] = []
    paires: list[tuple[Fiche, Fiche]] = []
    manquantes: list[str] = []
    for chemin in sorted(dossier.glob("*.fiche.json")):
        reference_chemin = references / chemin.name
        if not reference_chemin.exists():
            manquantes.append(chemin.name)
            continue
        fiche, reference = _lire(chemin), _lire(reference_chemin)
        comparaisons = comparer_coeur(fiche, reference)
        ancrees, provenance = _ancrage(fiche)
        fiches.append(
            EvaluationFiche(
                rapport=chemin.name.removesuffix(".fiche.json"),
                scanne=reference.source.scanne,
                taux_exact=taux_exact(comparaisons),
                ancrees=ancrees,
                provenance=provenance,
                comparaisons=comparaisons,
            )
        )
        paires.append((fiche, reference))
    return _assembler(fiches, paires, manquantes)


def _assembler(
    fiches: list[EvaluationFiche], paires: list[tuple[Fiche, Fiche]], manquantes: list[str]
) -> RapportEvaluation:
    par_champ: dict[str, list[bool]] = {}
    for evaluation in fiches:
        for comparaison in evaluation.comparaisons:
            cle = (
                comparaison.champ.rsplit(".", 1)[0]
                if comparaison.famille == "poste"
                else comparaison.champ
            )
            par_champ.setdefault(cle, []).append(comparaison.exact)
    natives = [c for f in fiches if not f.scanne for c in f.comparaisons]
    scannees = [c for f in fiches if f.scanne for c in f.comparaisons]
    return RapportEvaluation(
        fiches=fiches,
        par_champ={k: sum(v) / len(v) for k, v in par_champ.items()},
        taux_exact_natifs=taux_exact(natives),
        taux_exact_scannes=taux_exact(scannees),
        taux_ancrage=sum(f.ancrees for f in fiches) / len(fiches) if fiches else 1.0,
        taux_provenance=sum(f.provenance for f in fiches) / len(fiches) if fiches else 1.0,
        anomalies=_scores_anomalies(paires),
        par_famille={
            famille: precision_rappel(
                [c for f in fiches for c in f.comparaisons if c.famille == famille]
            )
            for famille in ("identification", "poste")
        },
        references_manquantes=manquantes,
    )
