"""Rendu d'un rapport dans son format, écriture de la fiche d'or et de l'entrée de manifeste."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from fiche.modeles import Fiche

from .modele import Rapport
from .or_fiche import ecrire_or
from .parametres import Parametres
from .rendu_pdf import rendre_pdf


def rendre(rapport: Rapport, p: Parametres, chemin: Path) -> dict[str, int]:
    if p.format == "pdf":
        pages = rendre_pdf(rapport.blocs, chemin, p.style, rapport.titre_document)
        if p.scanne:
            from .scan import numeriser

            tournee = pages[_cle_tournee(rapport)] if p.page_tournee else None
            numeriser(chemin, p.rng("scan"), tournee)
        return pages
    if p.format == "docx":
        from .rendu_docx import rendre_docx

        return rendre_docx(rapport, chemin)
    from .rendu_xlsx import rendre_xlsx

    return rendre_xlsx(rapport, chemin)


def _cle_tournee(rapport: Rapport) -> str:
    """La page pivotée au scan est celle du tableau du CARE (elle porte les montants)."""
    return rapport.lignes[0].cle


def produire(rapport: Rapport, p: Parametres, dossier: Path) -> tuple[Fiche, dict[str, object]]:
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / f"{p.nom}.{p.format}"
    if p.format == "xlsx":
        from .rendu_xlsx import citations_tableur

        citations_tableur(rapport)
    pages = rendre(rapport, p, chemin)
    fiche = ecrire_or(rapport, pages, chemin, p.scanne)
    (dossier / f"{p.nom}.fiche.json").write_text(fiche.vers_json() + "\n", encoding="utf-8")
    return fiche, entree_manifeste(rapport, fiche, pages)


def entree_manifeste(rapport: Rapport, fiche: Fiche, pages: dict[str, int]) -> dict[str, object]:
    assert rapport.caracteristiques is not None
    traits = asdict(rapport.caracteristiques)
    # Le style des négatifs n'a de sens que si le CARE imprime au moins un négatif.
    negatifs = any(
        v.valeur is not None and v.valeur < 0
        for lg in fiche.financier.lignes
        for v in lg.valeurs.values()
    )
    if not negatifs:
        traits["style_negatif"] = None
    if traits["page_tournee"]:
        traits["page_tournee"] = pages[traits["page_tournee"]]
    return {
        "nom": rapport.nom,
        "fichier": fiche.source.fichier,
        "fiche": f"{rapport.nom}.fiche.json",
        "pages": fiche.source.pages,
        **traits,
        "anomalies_plantees": rapport.anomalies_plantees,
        "anomalies_attendues": sorted({a.code for a in fiche.anomalies}),
    }
