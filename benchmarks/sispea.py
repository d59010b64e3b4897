"""Banc d'essai des indicateurs SISPEA, mode règles, avec les définitions de Narval (OFB).

Pour chaque `X.pdf` du dossier qui a sa référence `X.indicateurs.csv` (colonne
`pdf_value`) : extraction complète, fiche par règles (`fiche.production.produire_fiche`),
puis exactitude, précision et rappel (`fiche.evaluation_sispea`). Les écarts sont listés.
Usage : `uv run python benchmarks/sispea.py [--dossier ../shared/reels] [--json F]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
sys.path.insert(0, str(RACINE))

from extracteurs.document import extraire  # noqa: E402
from extracteurs.modeles import Document, Page  # noqa: E402
from fiche.evaluation_sispea import Score, comparer, lire_reference  # noqa: E402
from fiche.modeles import Fiche  # noqa: E402
from fiche.production import produire_fiche  # noqa: E402
from fiche.regles.sispea import indicateurs_sispea  # noqa: E402
from fiche.regles.sispea.referentiel import CODE_IMPRIME  # noqa: E402
from socle.reglages import reglages  # noqa: E402

NARVAL = {
    "Narval (Llama3-8B, GPU, 32 RPQS)": (0.899, 0.908, 0.839),
    "Narval, tableaux seuls": (None, 1.0, 0.48),
}


def sans_recapitulatif(document: Document) -> Document:
    """Le document privé de ses pages de récapitulatif (quatre rangées au code ou plus) :
    mesure ce que lisent les autres mécanismes, comme sur un rapport sans récapitulatif."""

    def recapitulatif(page: Page) -> bool:
        return sum(bool(CODE_IMPRIME.match(ligne.texte)) for ligne in page.lignes) >= 4

    return document.model_copy(
        update={"pages": [p for p in document.pages if not recapitulatif(p)]}
    )


def mesurer(dossier: Path) -> tuple[Score, dict[str, dict[str, float | int]]]:
    total = Score()
    sans_recap = Score()
    par_document: dict[str, dict[str, float | int]] = {}
    for reference in sorted(dossier.glob("*.indicateurs.csv")):
        pdf = reference.with_name(reference.name.replace(".indicateurs.csv", ".pdf"))
        if not pdf.exists():
            continue
        debut = time.perf_counter()
        document = extraire(pdf)
        fiche = produire_fiche(document, "regles", reglages())
        score = comparer(fiche.indicateurs_sispea, lire_reference(reference), pdf.stem)
        total.ajouter(score)
        partiel = indicateurs_sispea(sans_recapitulatif(document), exercice_de(fiche, document))
        sans_recap.ajouter(comparer(partiel, lire_reference(reference), pdf.stem))
        par_document[pdf.stem] = {
            "exactitude": round(score.exactitude, 4),
            "precision": round(score.precision, 4),
            "rappel": round(score.rappel, 4),
            "faux_positifs": score.faux_positifs,
            "faux_negatifs": score.faux_negatifs,
            "duree_s": round(time.perf_counter() - debut, 1),
        }
    par_document["(sans pages de récapitulatif)"] = {
        "exactitude": round(sans_recap.exactitude, 4),
        "precision": round(sans_recap.precision, 4),
        "rappel": round(sans_recap.rappel, 4),
        "faux_positifs": sans_recap.faux_positifs,
        "faux_negatifs": sans_recap.faux_negatifs,
        "duree_s": 0.0,
    }
    return total, par_document


def exercice_de(fiche: Fiche, document: Document) -> int | None:
    return document.exercice_probable or fiche.identification.exercice.valeur


def main() -> None:
    analyseur = argparse.ArgumentParser(description=__doc__)
    analyseur.add_argument("--dossier", type=Path, default=RACINE.parent / "shared" / "reels")
    analyseur.add_argument("--json", type=Path, default=None)
    options = analyseur.parse_args()
    total, par_document = mesurer(options.dossier)
    print(f"{'document':32} {'exact.':>7} {'préc.':>7} {'rappel':>7}")
    for nom, s in par_document.items():  # la dernière ligne : sans pages de récapitulatif
        print(f"{nom:32} {s['exactitude']:7.1%} {s['precision']:7.1%} {s['rappel']:7.1%}")
    print(
        f"{'TOTAL (' + str(total.total) + ' indicateurs)':32} {total.exactitude:7.1%} "
        f"{total.precision:7.1%} {total.rappel:7.1%}"
    )
    for nom, (exactitude, precision, rappel) in NARVAL.items():
        texte = f"{exactitude:7.1%}" if exactitude is not None else f"{'—':>7}"
        print(f"{nom:32} {texte} {precision:7.1%} {rappel:7.1%}")
    for ecart in total.ecarts:
        print("  écart :", ecart)
    if options.json:
        resultat = {
            "total": {
                "exactitude": total.exactitude,
                "precision": total.precision,
                "rappel": total.rappel,
                "indicateurs": total.total,
            },
            "documents": par_document,
            "ecarts": total.ecarts,
        }
        options.json.write_text(json.dumps(resultat, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
