"""Banc « plancher » : CPU de `dsp traiter --mode regles` contre pdfplumber nu.

Le plancher est ce que coûte, sur les mêmes fichiers, la lecture la plus simple qui rende
texte et tableaux : `page.extract_text()` puis `page.extract_tables()` sur chaque page,
avec pdfplumber seul. Le rapport des deux dit ce que coûtent tout le reste (lignes
positionnées, choix des lecteurs de tableaux, règles de la fiche, contrôles, brouillon
Word) et les imports.

Mesure en secondes CPU (user + sys) de tous les descendants (`RUSAGE_CHILDREN`, le banc
est « subreaper » : voir `mesure.py`, le processus de lecture compte), jamais en
temps mural : la machine est partagée. Chaque méthode tourne dans un processus neuf (imports
compris), côte à côte dans la même exécution, et la charge (`/proc/loadavg`) est notée.

Seuls les PDF natifs comptent (un PDF dont une page n'a pas de texte est scanné : banc OCR
à part). Le dossier réel (`../shared/reels`) est tenu à part : on n'y règle rien.

Usage : `uv run python benchmarks/plancher.py [--dossier D ...] [--repetitions N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from mesure import charge, cpu_commande, devenir_subreaper

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
DOSSIERS = (RACINE / "samples" / "corpus", RACINE.parent / "shared" / "reels")
DSP = Path(sys.executable).with_name("dsp")

PLANCHER = """
import sys, pdfplumber
for chemin in sys.argv[1:]:
    with pdfplumber.open(chemin) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
"""

NATIF = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    print(sum(1 for p in pdf.pages if len((p.extract_text() or "").strip()) >= 25),
          len(pdf.pages))
"""


def pdf_natifs(dossier: Path) -> tuple[list[Path], int]:
    """Les PDF dont toutes les pages portent du texte natif, et leur nombre de pages."""
    retenus, pages = [], 0
    for chemin in sorted(dossier.glob("*.pdf")):
        sortie = subprocess.run(
            [sys.executable, "-c", NATIF, str(chemin)], check=True, capture_output=True, text=True
        ).stdout.split()
        natives, total = int(sortie[0]), int(sortie[1])
        if natives == total:
            retenus.append(chemin)
            pages += total
    return retenus, pages


def environnement(dossier: Path) -> dict[str, str]:
    """Base SQLite neuve (l'historique est vide), hors ligne, sans LLM."""
    env = dict(os.environ)
    env.update(
        {
            "DSP_DATABASE_URL": f"sqlite:///{dossier / 'banc.db'}",
            "HF_HUB_OFFLINE": "1",
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
    )
    env.pop("DSP_LLM_BASE_URL", None)
    return env


def mesurer(dossier: Path, repetitions: int) -> dict[str, float | int | str]:
    """`repetitions` passages de `dsp`, chacun encadré par deux planchers (P D P D … P).

    La vitesse de la machine partagée dérive d'une minute à l'autre (plancher du même
    dossier de 5,2 à 8,1 s CPU dans une soirée) : le plus petit `dsp` et le plus petit
    plancher pouvaient venir de moments différents. Le rapport retenu est la médiane des
    rapports de chaque passage à la moyenne des deux planchers qui l'encadrent."""
    fichiers, pages = pdf_natifs(dossier)
    noms = [str(f) for f in fichiers]
    dsp: list[float] = []
    with tempfile.TemporaryDirectory(prefix="dsp-plancher-") as tmp:
        env = environnement(Path(tmp))
        plancher = [cpu_commande([sys.executable, "-c", PLANCHER, *noms], env)]
        for _ in range(repetitions):
            sortie = Path(tmp) / "fiches"
            # Dossier de données neuf à chaque passage : rien n'est relu d'un cache.
            donnees = tempfile.mkdtemp(dir=tmp, prefix="donnees-")
            commande = [str(DSP), "traiter", "--mode", "regles", "--sortie", str(sortie), *noms]
            dsp.append(cpu_commande(commande, {**env, "DSP_DATA_DIR": donnees}))
            plancher.append(cpu_commande([sys.executable, "-c", PLANCHER, *noms], env))
    rapports = [d / ((a + b) / 2) for d, a, b in zip(dsp, plancher, plancher[1:], strict=False)]
    return {
        "dossier": dossier.name,
        "fichiers": len(fichiers),
        "pages": pages,
        "dsp": min(dsp),
        "plancher": min(plancher),
        "rapport": statistics.median(rapports),
        "etendue": f"{min(rapports):.2f}–{max(rapports):.2f}",
    }


def aide_cpu(repetitions: int) -> float:
    return min(cpu_commande([str(DSP), "--help"]) for _ in range(repetitions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossier", type=Path, action="append")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    devenir_subreaper()
    print(f"charge avant : {charge()}")
    print(f"dsp --help : {aide_cpu(3):.2f} s CPU (meilleur de 3)")
    print(
        "| dossier | PDF natifs | pages | dsp traiter (s CPU, min) | plancher (s CPU, min) "
        "| rapport (médiane des passages) | étendue |"
    )
    print("|---|---|---|---|---|---|---|")
    for dossier in args.dossier or [d for d in DOSSIERS if d.is_dir()]:
        r = mesurer(dossier, args.repetitions)
        print(
            f"| {r['dossier']} | {r['fichiers']} | {r['pages']} | {r['dsp']:.1f} | "
            f"{r['plancher']:.1f} | {r['rapport']:.2f} | {r['etendue']} |",
            flush=True,
        )
    print(f"charge après : {charge()}")


if __name__ == "__main__":
    main()
