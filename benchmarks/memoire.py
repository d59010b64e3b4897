"""Banc mémoire : CPU et pic mémoire contre le nombre de pages.

Un rapport long est fabriqué en répétant les pages natives d'un PDF du corpus (pdfium,
copie de pages : rien n'est inventé), à 300 puis 1 000 pages. Deux mesures par taille :
- `extraire` seul, dans un processus neuf (la lecture) ;
- `dsp traiter --mode regles` de bout en bout (lecture dans le processus de travail,
  fiche, contrôles, brouillon Word), dossier de données neuf.
Chaque mesure passe par un processus témoin neuf, « subreaper » (`mesure.py`) : son
`RUSAGE_CHILDREN` donne le CPU de tous les descendants (user + sys) et le pic de mémoire
résidente du plus gros d'entre eux (`ru_maxrss`). Cible : pic ≤ 500 Mo à 1 000 pages.

Usage : `uv run python benchmarks/memoire.py [--pages 300 1000] [--source PDF]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from mesure import charge, cpu_commande, devenir_subreaper, pic_enfants_mo

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
SOURCE = RACINE / "samples" / "corpus" / "eau_potable_2023.pdf"
DSP = Path(sys.executable).with_name("dsp")

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


def temoin(commande: list[str]) -> None:
    """Exécuté dans le processus témoin : lance la commande, attend tous ses
    descendants, écrit CPU et pic en JSON."""
    devenir_subreaper()
    cpu = cpu_commande(commande)
    print(json.dumps({"cpu": cpu, "pic": pic_enfants_mo()}))


def mesurer(commande: list[str], env: dict[str, str]) -> tuple[float, float]:
    sortie = subprocess.run(
        [sys.executable, __file__, "--temoin", "--", *commande],
        check=True, capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    mesure = json.loads(sortie.strip().splitlines()[-1])
    return mesure["cpu"], mesure["pic"]


def commandes(chemin: Path, dossier: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1", "DSP_MAX_PAGES": "5000"}
    env.pop("DSP_LLM_BASE_URL", None)
    donnees = tempfile.mkdtemp(dir=dossier, prefix="donnees-")
    traiter = [str(DSP), "traiter", "--mode", "regles", "--sortie", f"{donnees}/fiches"]
    return {
        "extraire seul": ([sys.executable, "-c", EXTRAIRE, str(chemin), str(RACINE)], env),
        "dsp traiter": ([*traiter, str(chemin)], {**env, "DSP_DATA_DIR": donnees}),
    }


def main() -> None:
    if "--temoin" in sys.argv:
        temoin(sys.argv[sys.argv.index("--") + 1 :])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    print(f"charge : {charge()}")
    print("| pages | mesure | CPU (s) | CPU/page (s) | pic mémoire (Mo) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="dsp-memoire-") as tmp:
        for pages in sorted(args.pages):
            chemin = Path(tmp) / f"long-{pages}.pdf"
            fabriquer(args.source, pages, chemin)
            for nom, (commande, env) in commandes(chemin, Path(tmp)).items():
                cpu, pic = mesurer(commande, env)
                ligne = f"| {pages} | {nom} | {cpu:.1f} | {cpu / pages:.3f} | {pic:.0f} |"
                print(ligne, flush=True)
    print(f"charge après : {charge()}")


if __name__ == "__main__":
    main()
