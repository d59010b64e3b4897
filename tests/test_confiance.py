"""Confiance et motif de chaque valeur (ticket 12, point 4) : ce que l'agent voit d'abord."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extracteurs.modeles import Boite, Document, Ligne, Mot, Page
from fiche.confiance import evaluer_confiance, noter
from fiche.modeles import Ancrage, Champ, Fiche, LigneCare, Origine, Production, Source
from fiche.production import produire_fiche
from socle.reglages import Reglages
from tests.conftest import CORPUS, document_en_cache


def _document() -> Document:
    boite = Boite(x0=0, haut=0, x1=10, bas=10)
    scannee = Page(
        numero=2,
        largeur=595,
        hauteur=842,
        scannee=True,
        ocr_confiance=91.0,
        lignes=[
            Ligne(
                id="p2-l1",
                page=2,
                texte="Total des charges 1221 532",
                mots=[
                    Mot(texte="Total", boite=boite, confiance=96),
                    Mot(texte="1221", boite=boite, confiance=84),
                    Mot(texte="532", boite=boite, confiance=74),
                ],
            )
        ],
    )
    native = Page(numero=1, largeur=595, hauteur=842)
    return Document(
        fichier="r.pdf", sha256="0" * 64, format="pdf", pages=[native, scannee], tableaux=[]
    )


def _champ(valeur: float, ancrage: Ancrage, origine: Origine = Origine.REGLES, page: int = 1):
    return Champ[float](valeur=valeur, page=page, citation="1221 532", ancrage=ancrage,
                        origine=origine)  # fmt: skip


def _fiche(**valeurs: Champ[float]) -> Fiche:
    fiche = Fiche(
        source=Source(fichier="r.pdf", sha256="0" * 64, pages=2, scanne=False),
        production=Production(mode="regles", version="t", date=datetime.now(UTC), duree_s=0),
    )
    fiche.financier.lignes = [
        LigneCare(libelle=nom, page=1, section="charges", valeurs={"2023": champ})
        for nom, champ in valeurs.items()
    ]
    return fiche


def test_la_confiance_suit_ancrage_origine_et_ocr() -> None:
    fiche = _fiche(
        exacte=_champ(1.0, Ancrage.EXACT),
        calculee=_champ(2.0, Ancrage.CALCULE),
        approchee=_champ(3.0, Ancrage.APPROCHE),
        absente=_champ(4.0, Ancrage.ABSENT),
        modele=_champ(5.0, Ancrage.EXACT, Origine.LLM),
        scannee=_champ(6.0, Ancrage.EXACT, page=2),
        agent=_champ(7.0, Ancrage.EXACT, Origine.AGENT),
        source_faible=noter(_champ(8.0, Ancrage.EXACT), 0.6, "mention la plus fréquente"),
    )
    evaluer_confiance(fiche, _document())
    lu = {lg.libelle: lg.valeurs["2023"] for lg in fiche.financier.lignes}
    assert (lu["exacte"].confiance, lu["exacte"].motif) == (1.0, None)
    assert lu["calculee"].confiance == 0.8 and "calculée" in (lu["calculee"].motif or "")
    assert lu["approchee"].confiance == 0.6 and "normalisation" in (lu["approchee"].motif or "")
    assert lu["absente"].confiance == 0.0 and "introuvable" in (lu["absente"].motif or "")
    assert lu["modele"].confiance == 0.9 and "modèle de langue" in (lu["modele"].motif or "")
    # OCR : la confiance du mot le moins sûr de la cellule citée (« 532 » lu à 74 %).
    assert lu["scannee"].confiance == 0.74
    assert "confiance 74 %" in (lu["scannee"].motif or "")
    assert lu["agent"].confiance is None and lu["agent"].motif is None
    assert lu["source_faible"].confiance == 0.6
    assert lu["source_faible"].motif == "mention la plus fréquente"


def test_une_valeur_vide_n_est_pas_notee() -> None:
    assert noter(Champ[str](), 0.5, "motif").confiance is None


@pytest.mark.parametrize("nom", ["stationnement_forville_2023.pdf", "eau_potable_2023.pdf"])
def test_chaque_valeur_produite_porte_sa_confiance(
    request: pytest.FixtureRequest, nom: str
) -> None:
    document = document_en_cache(request.config, CORPUS / nom)
    fiche = produire_fiche(document, "regles", Reglages())
    from fiche.ancrage import champs_de

    notes = [c for _, c in champs_de(fiche) if c.valeur is not None]
    assert notes and all(c.confiance is not None and 0 <= c.confiance <= 1 for c in notes)
    # Une valeur calculée n'est jamais présentée comme entièrement sûre, et dit pourquoi.
    calculees = [c for c in notes if c.ancrage == Ancrage.CALCULE]
    assert all((c.confiance or 0) < 1 and c.motif for c in calculees)
