"""Banc mémoire : CPU et pic mémoire de l'extraction contre le nombre de pages.

Un rapport long est fabriqué en répétant les pages natives d'un PDF du corpus (pdfium,
copie de pages : rien n'est inventé), à 300 puis 1 000 pages ; chaque taille est extraite
dans un processus neuf dont on relève le CPU (user + sys, `RUSAGE_CHILDREN`) et le pic de
mémoire résidente (`ru_maxrss`). Cible : pic ≤ 500 Mo à 1 000 pages.

Usage : `uv run python benchmarks/memoire.py [--pages 300 1000] [--source PDF]`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
SOURCE = RACINE / "samples" / "corpus" / "eau_potable_2023.pdf"

EXTRAIRE = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from extracteurs.document import extraire
from socle.reglages import Reglages
document = extraire(Path(sys.argv[1]), Reglages(max_pages=5000))
print(len(document.pages), len(document.tableaux))
"""


def fabriquer(source: Path, pages: int, cible: Path) -> None:
    import pypdfium2 as pdfium

    origine = pdfium.PdfDocument(source)
    long = pdfium.PdfDocument.new()
    try:
        n = len(origine)
        while len(long) < pages:
            long.import_pages(origine, list(range(min(n, pages - len(long)))))
        long.save(cible)
    finally:
        long.close()
        origine.close()


def mesurer(chemin: Path) -> tuple[float, float, str]:
    avant = resource.getrusage(resource.RUSAGE_CHILDREN)
    sortie = subprocess.run(
        [sys.executable, "-c", EXTRAIRE, str(chemin), str(RACINE)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    apres = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (apres.ru_utime - avant.ru_utime) + (apres.ru_stime - avant.ru_stime)
    # ru_maxrss des enfants : le plus gros enfant attendu jusqu'ici (Ko sous Linux) ;
    # les tailles croissent, le dernier mesuré est donc le plus gros.
    return cpu, apres.ru_maxrss / 1024, sortie


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    print(f"charge : {Path('/proc/loadavg').read_text().split()[:3]}")
    print("| pages | CPU (s) | CPU/page (s) | pic mémoire (Mo) | pages, tableaux lus |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="dsp-memoire-") as dossier:
        for pages in sorted(args.pages):
            chemin = Path(dossier) / f"long-{pages}.pdf"
            fabriquer(args.source, pages, chemin)
            cpu, pic, lus = mesurer(chemin)
            print(f"| {pages} | {cpu:.1f} | {cpu / pages:.3f} | {pic:.0f} | {lus} |", flush=True)
    print(f"charge après : {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
