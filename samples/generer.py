"""Génère le corpus d'échantillons (`samples/corpus/`) ou un lot de benchmark.

uv run python samples/generer.py                         # corpus commité
uv run python samples/generer.py --lot 59 --sortie DIR   # lot de 59 rapports (non commité)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ICI = Path(__file__).resolve().parent
sys.path.insert(0, str(ICI))

from generateur.generation import generer_corpus  # noqa: E402
from generateur.lot import generer_lot  # noqa: E402


def main(arguments: list[str] | None = None) -> int:
    parseur = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parseur.add_argument(
        "--lot", type=int, default=None, help="nombre de rapports du lot de benchmark"
    )
    parseur.add_argument("--sortie", type=Path, default=None, help="dossier de sortie")
    options = parseur.parse_args(arguments)
    if options.lot is None:
        sortie = options.sortie or ICI / "corpus"
        entrees = generer_corpus(sortie)
    else:
        if options.sortie is None:
            parseur.error("--lot demande --sortie")
        entrees = generer_lot(options.lot, options.sortie)
    for entree in entrees:
        codes = ", ".join(entree["anomalies_attendues"])  # type: ignore[arg-type]
        print(f"{entree['fichier']:<48} {entree['pages']:>3} p.  {codes}")
    print(
        f"{len(entrees)} rapports écrits dans {sortie if options.lot is None else options.sortie}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
