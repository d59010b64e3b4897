"""Le pipeline entier sur les cinq RPQS réels de `shared/reels/` (documents que personne ici
n'a écrits) contre des fiches de référence écrites en les lisant (`tests/reels/`).

Ce qui est vérifié : le type du document, chaque champ d'identification (y compris les
champs que le document ne donne pas, qui doivent rester vides), aucun poste financier
écrit (ces RPQS de régie n'ont pas de CARE : un chiffre serait inventé), aucune anomalie
bloquante, et une seule phrase qui dit ce qu'est le document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from controles import controler
from extracteurs.document import extraire
from fiche.evaluation import valeurs_egales
from fiche.modeles import Fiche, Gravite
from fiche.production import produire_fiche
from socle.reglages import reglages

REELS = Path(__file__).resolve().parents[1].parent / "shared" / "reels"
REFERENCES: dict[str, Any] = json.loads(
    (Path(__file__).parent / "reels" / "references.json").read_text(encoding="utf-8")
)
NOMS = sorted(k for k in REFERENCES if not k.startswith("_"))


@pytest.fixture(scope="module")
def fiches() -> dict[str, Fiche]:
    if not REELS.is_dir():
        pytest.skip(f"documents réels absents ({REELS})")
    sortie: dict[str, Fiche] = {}
    for nom in NOMS:
        document = extraire(REELS / f"{nom}.pdf")
        sortie[nom] = controler(
            produire_fiche(document, "regles", reglages()), document, reglages()
        )
    return sortie


@pytest.mark.parametrize("nom", NOMS)
def test_identification_et_type(fiches: dict[str, Fiche], nom: str) -> None:
    fiche, attendu = fiches[nom], REFERENCES[nom]
    assert fiche.source.type_document == attendu["type_document"]
    assert fiche.source.type_page and fiche.source.type_citation
    for champ, valeur in attendu.items():
        if champ == "type_document":
            continue
        obtenu = getattr(fiche.identification, champ)
        assert valeurs_egales(valeur, obtenu.valeur), (champ, valeur, obtenu.valeur)
        if obtenu.valeur is not None:
            assert obtenu.page and obtenu.citation, champ
            assert obtenu.confiance is not None, champ
        elif champ == "delegataire":
            # Un champ laissé vide dit pourquoi (régie, ou RPQS muet sur une délégation).
            assert obtenu.motif, champ


@pytest.mark.parametrize("nom", NOMS)
def test_aucun_chiffre_invente_ni_faux_bloquant(fiches: dict[str, Fiche], nom: str) -> None:
    fiche = fiches[nom]
    assert all(not valeurs for valeurs in fiche.financier.postes.values()), fiche.financier.postes
    assert not fiche.financier.lignes
    assert not [a for a in fiche.anomalies if a.gravite == Gravite.BLOQUANT]
    # Ni CARE ni R.3131 réclamés à une commune : une phrase dit ce qu'est le document.
    codes = [a.code for a in fiche.anomalies]
    assert codes.count("TYPE_DOCUMENT") == 1
    assert "DELAI" not in codes
    assert all("R.3131" not in a.regle for a in fiche.anomalies if a.code == "COMPLETUDE")
    assert "care" not in fiche.conformite
