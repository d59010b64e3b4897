"""Banc OCR : CPU de l'extraction d'un PDF scanné contre `tesseract -l fra` nu.

Le plancher est Tesseract seul, lancé en ligne de commande sur les mêmes images : chaque
page rendue en niveaux de gris à la résolution que choisit `dsp` (300 ppp, ou celle du
scan si elle est plus basse), sans autre traitement. `dsp` y ajoute le rendu, l'effacement
des filets, l'OSD des pages couchées, le regroupement des mots en lignes et tableaux, et
ses imports (processus neuf). Cible : ≤ 1,2 × le plancher.

Secondes CPU (user + sys) des processus enfants et de leurs descendants attendus
(`RUSAGE_CHILDREN`) ; les deux côte à côte dans la même exécution, un seul fil OpenMP
pour Tesseract dans les deux cas (`OMP_THREAD_LIMIT=1`, comme `extracteurs.ocr`).

Usage : `uv run python benchmarks/ocr.py [PDF ...]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
SCANNES = sorted((RACINE / "samples" / "corpus").glob("*scanne*.pdf"))

EXTRAIRE = """
import sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from extracteurs.document import extraire
extraire(Path(sys.argv[1]))
"""


def cpu_enfant(commande: list[str], env: dict[str, str]) -> float:
    avant = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(commande, check=True, env=env, capture_output=True)
    apres = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (apres.ru_utime - avant.ru_utime) + (apres.ru_stime - avant.ru_stime)


def images(chemin: Path, dossier: Path) -> list[Path]:
    """Chaque page rendue comme `dsp` la rend avant OCR (niveaux de gris, ≤ 300 ppp)."""
    sys.path.insert(0, str(RACINE))
    import pdfplumber
    import pypdfium2 as pdfium

    from extracteurs import ocr, pdf

    rendus = []
    with pdfplumber.open(chemin) as plumber:
        document = pdfium.PdfDocument(chemin)
        for index, page in enumerate(plumber.pages):
            native = pdf.resolution_images(page)
            dpi = 300 if native is None else int(min(300, max(150, native)))
            cible = dossier / f"{chemin.stem}-{index + 1}.png"
            ocr.rendre(document[index], dpi).save(cible, dpi=(dpi, dpi))
            rendus.append(cible)
        document.close()
    return rendus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path, nargs="*")
    args = parser.parse_args()
    env = dict(os.environ, OMP_THREAD_LIMIT="1", HF_HUB_OFFLINE="1", DO_NOT_TRACK="1")
    print(f"charge : {Path('/proc/loadavg').read_text().split()[:3]}")
    print("| PDF | pages | dsp extraire (s CPU) | tesseract -l fra nu (s CPU) | rapport |")
    print("|---|---|---|---|---|")
    total_dsp = total_nu = 0.0
    with tempfile.TemporaryDirectory(prefix="dsp-ocr-") as tmp:
        for chemin in args.pdf or SCANNES:
            rendus = images(chemin, Path(tmp))
            dsp = cpu_enfant([sys.executable, "-c", EXTRAIRE, str(chemin), str(RACINE)], env)
            nu = sum(cpu_enfant(["tesseract", str(r), "-", "-l", "fra"], env) for r in rendus)
            total_dsp, total_nu = total_dsp + dsp, total_nu + nu
            print(f"| {chemin.name} | {len(rendus)} | {dsp:.1f} | {nu:.1f} | {dsp / nu:.2f} |")
    print(f"| total | | {total_dsp:.1f} | {total_nu:.1f} | {total_dsp / total_nu:.2f} |")
    print(f"charge après : {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
