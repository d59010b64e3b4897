"""Texte caché dans un rapport : invisible à l'œil (blanc sur blanc, hors de la page, taille
nulle) ou déguisé pour échapper à une recherche (autres langues, caractères de largeur
nulle, homoglyphes, lettres espacées)."""

from __future__ import annotations

from pathlib import Path

from fiche.injection import lignes_suspectes
from fiche.modeles import Ancrage
from socle.reglages import Reglages
from tests.hostile import briques as b
from tests.hostile.generer import INJONCTIONS_DEGUISEES, PIEGE_INVISIBLE
from tests.hostile.parcours import CorpusHostile, fiche_controlee, par_code


def test_texte_invisible_ignore_a_la_lecture(corpus: CorpusHostile, tmp_path: Path) -> None:
    """Le texte invisible n'entre pas dans le `Document` : il ne peut décider d'aucune
    valeur. Un texte blanc sur un aplat coloré, lui, est lu."""
    document, fiche = fiche_controlee(
        corpus.fichier("texte_invisible"), Reglages(data_dir=tmp_path)
    )
    texte = "\n".join(ligne.texte for ligne in document.lignes())
    assert PIEGE_INVISIBLE not in texte and "9 999 999" not in texte
    assert "Bandeau blanc sur fond bleu" in texte
    assert all("9 999 999" not in str(g) for g in document.tableaux)
    postes = fiche.financier.postes
    assert postes["resultat"]["2023"].valeur == b.POSTES_N["resultat"]
    assert postes["resultat"]["2023"].ancrage == Ancrage.EXACT


def test_injonctions_deguisees_signalees(corpus: CorpusHostile, tmp_path: Path) -> None:
    document, fiche = fiche_controlee(
        corpus.fichier("injections_deguisees"), Reglages(data_dir=tmp_path)
    )
    suspectes = [ligne.texte for ligne in lignes_suspectes(document)]
    assert len(suspectes) == len(INJONCTIONS_DEGUISEES), suspectes
    (alerte,) = par_code(fiche, "INSTRUCTIONS_SUSPECTES")
    assert alerte.pages == [1]
