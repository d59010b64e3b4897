"""Aperçus versionnés des deux gabarits (`docs/fiche_synthese.png`, `docs/rapport_ccspl.png`).

Rend une fiche validée du corpus et le rapport CCSPL d'une autorité d'une base jetable
(rapports validés, un à valider, les autres contrats sans rapport), les convertit en PDF avec
LibreOffice puis en planches PNG : ce que la commission reçoit, sans ouvrir Word.
`uv run python gabarits/apercus.py`
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from fiche.modeles import Fiche, Revue
from publication import rapports_ccspl, rendre_fiche
from publication.conversion import en_pdf, en_png
from socle.reglages import Reglages
from stockage.depot import Depot
from stockage.statuts import Statut

RACINE = Path(__file__).resolve().parent.parent
CORPUS = RACINE / "samples" / "corpus"
DOCS = RACINE / "docs"
VALIDES = ("stationnement_forville_2023", "plage_lot7_2023", "port_plaisance_2023")
A_VALIDER = "casino_les_pins_2023"
REVUE = Revue(
    statut="valide",
    agent="Mme Durand",
    date=datetime(2024, 6, 3, 10, 30),
    duree_active_s=1260,
    corrections=1,
    avis=(
        "Rapport complet et chiffres cohérents. La redevance suit le chiffre d'affaires "
        "(10 %) ; demander au délégataire le détail des frais de siège pour 2024."
    ),
)


def fiche(nom: str) -> Fiche:
    lue = Fiche.model_validate_json((CORPUS / f"{nom}.fiche.json").read_text(encoding="utf-8"))
    return lue.model_copy(update={"revue": REVUE})


def base(dossier: Path) -> Depot:
    depot = Depot(f"sqlite:///{dossier / 'apercu.db'}")
    depot.importer_contrats(RACINE / "samples" / "contrats.csv")
    for nom in (*VALIDES, A_VALIDER):
        lue = fiche(nom)
        rapport, _ = depot.enregistrer_rapport(lue.source.fichier, lue.source.sha256)
        depot.enregistrer_fiche(rapport.id, lue)
        depot.changer_statut(rapport.id, Statut.A_VALIDER)
        if nom != A_VALIDER:
            depot.changer_statut(rapport.id, Statut.VALIDE, agent=REVUE.agent)
    return depot


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dsp-apercus-") as temporaire:
        dossier = Path(temporaire)
        fiche_docx = rendre_fiche(
            fiche(VALIDES[0]), dossier / "fiche_synthese.docx", brouillon=False
        )
        depot = base(dossier)
        try:
            rapports = rapports_ccspl(depot, 2023, Reglages(data_dir=dossier / "donnees"))
            # L'autorité qui a deux contrats validés (le port et la plage).
            ccspl = next(p for p in rapports if "saint-clair" in p.name)
        finally:
            depot.fermer()
        pdf_fiche, pdf_ccspl = en_pdf([fiche_docx, ccspl], dossier / "pdf")
        print(en_png(pdf_fiche, DOCS / "fiche_synthese.png", pages=2, echelle=1.2))
        print(en_png(pdf_ccspl, DOCS / "rapport_ccspl.png", pages=4, echelle=0.8))


if __name__ == "__main__":
    main()
