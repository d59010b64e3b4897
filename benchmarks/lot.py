"""Banc d'essai du traitement par lots : 59 rapports générés, mode règles.

Le lot est fabriqué à partir des PDF de `samples/corpus` (chacun recopié avec un
commentaire PDF final différent : contenus, donc sha256, tous distincts). Deux méthodes,
chacune dans un processus à part (mémoire de pointe RSS) et une base neuve :
- `prefect` : le flow `traiter_lot` (serveur Prefect éphémère, tâches, cache, artefacts) ;
- `direct` : les mêmes fonctions (`.fn` des tâches) appelées sans Prefect, même
  concurrence (fils), même base.
Usage : `uv run python benchmarks/lot.py [--rapports 59] [--concurrence 2]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ICI = Path(__file__).resolve().parent
RACINE = ICI.parent
CORPUS = RACINE / "samples" / "corpus"


def generer(dossier: Path, nombre: int) -> None:
    modeles = sorted(CORPUS.glob("*.pdf"))
    for i in range(nombre):
        modele = modeles[i % len(modeles)]
        cible = dossier / f"{modele.stem}_lot{i:03d}.pdf"
        cible.write_bytes(modele.read_bytes() + f"\n% lot {i}\n".encode())


def _direct(dossier: Path, concurrence: int) -> int:
    from extracteurs.document import empreinte
    from flows.lot import rapports_du_dossier
    from flows.taches import (
        controler_fiche,
        depot_courant,
        enregistrer,
        extraire_rapport,
        remplir_fiche,
    )

    depot_courant()

    def un(chemin: Path) -> None:
        sha = empreinte(chemin)
        document = extraire_rapport.fn(chemin, sha)
        fiche = remplir_fiche.fn(document, sha, "regles")
        fiche = controler_fiche.fn(fiche, document)
        enregistrer.fn(chemin, sha, fiche, {})

    fichiers = rapports_du_dossier(dossier)
    with ThreadPoolExecutor(concurrence) as executeur:
        list(executeur.map(un, fichiers))
    return len(fichiers)


def _prefect(dossier: Path, concurrence: int) -> int:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows.lot import avec_concurrence

    bilans = avec_concurrence(concurrence)(dossier, "regles")
    return sum(b.statut.value == "a_valider" for b in bilans)


def mesurer(methode: str, dossier: Path, concurrence: int) -> None:
    """Exécuté dans le processus enfant : imprime une ligne JSON."""
    debut = time.perf_counter()
    faits = (_prefect if methode == "prefect" else _direct)(dossier, concurrence)
    duree = time.perf_counter() - debut
    pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"methode": methode, "duree_s": duree, "pic_mo": pic, "faits": faits}))


def lancer(methode: str, dossier: Path, concurrence: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="dsp-banc-") as donnees:
        env = {**os.environ, "DSP_DATA_DIR": donnees, "PREFECT_HOME": f"{donnees}/prefect"}
        debut = time.perf_counter()
        sortie = subprocess.run(
            [sys.executable, __file__, "--enfant", methode, "--dossier", str(dossier),
             "--concurrence", str(concurrence)],
            cwd=RACINE, env=env, check=False, capture_output=True, text=True,
        )  # fmt: skip
        if sortie.returncode:
            raise SystemExit(f"Échec de la méthode {methode} :\n{sortie.stderr[-3000:]}")
        mesure: dict[str, float] = json.loads(sortie.stdout.strip().splitlines()[-1])
        mesure["mur_s"] = time.perf_counter() - debut
        return mesure


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rapports", type=int, default=59)
    parser.add_argument("--concurrence", type=int, default=2)
    parser.add_argument("--enfant", choices=("prefect", "direct"))
    parser.add_argument("--dossier", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(RACINE))
    if args.enfant:
        mesurer(args.enfant, args.dossier, args.concurrence)
        return
    with tempfile.TemporaryDirectory(prefix="dsp-lot-") as dossier:
        generer(Path(dossier), args.rapports)
        mesures = [lancer(m, Path(dossier), args.concurrence) for m in ("direct", "prefect")]
    quand = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Mesuré le {quand} sur {platform.machine()}, {os.cpu_count()} cœurs, "
          f"{args.rapports} rapports, concurrence {args.concurrence}, mode règles.")  # fmt: skip
    print("\n| méthode | processus complet (s) | lot (s) | pic mémoire (Mo) | à valider |")
    print("|---|---|---|---|---|")
    for m in mesures:
        print(f"| {m['methode']} | {m['mur_s']:.1f} | {m['duree_s']:.1f} | "
              f"{m['pic_mo']:.0f} | {m['faits']:.0f} |")  # fmt: skip
    surcout = mesures[1]["mur_s"] - mesures[0]["mur_s"]
    print(f"\nSurcoût Prefect (processus complet) : {surcout:.1f} s "
          f"({surcout / mesures[0]['mur_s']:.0%}).")  # fmt: skip


if __name__ == "__main__":
    main()
