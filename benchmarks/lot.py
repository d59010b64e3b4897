"""Banc d'essai du traitement par lots : 59 rapports, mode règles, direct contre Prefect.

Le lot est fabriqué à partir des PDF de `samples/corpus` (chacun recopié avec un
commentaire PDF final différent : contenus, donc sha256, tous distincts ; les 2 scannés
compris). Deux méthodes, côte à côte dans le même passage, chacune dans un processus à
part avec une base neuve :
- `direct` : la fonction pipeline d'un fichier (`flows.traitement.traiter_une_fois`,
  étapes `SANS_PREFECT`) appelée sur chaque fichier, même concurrence (fils), même base ;
- `prefect` : le flow `traiter_lot` (serveur Prefect éphémère, tâches, artefact du lot).

Mesure : secondes CPU (user + sys) de **tous** les processus descendants — processus de
lecture (forkserver), et pour `prefect` le serveur éphémère qu'il démarre. Le banc se
déclare « subreaper » (prctl) : un descendant orphelin (le forkserver survit quelques
instants à son parent) lui revient et il l'attend, si bien que son CPU est compté.
Usage : `uv run python benchmarks/lot.py [--rapports 59] [--concurrence 2] [--profil DOSSIER]`.
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
from typing import TYPE_CHECKING

from mesure import attendre_orphelins, cpu_enfants, devenir_subreaper

if TYPE_CHECKING:
    from flows.traitement import BilanRapport

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
    from extracteurs.formats import empreinte
    from flows.lot import rapports_du_dossier
    from flows.taches import depot_courant
    from flows.traitement import SANS_PREFECT, traiter_une_fois

    depot_courant()
    fichiers = rapports_du_dossier(dossier)

    def un(chemin: Path) -> BilanRapport:
        return traiter_une_fois(chemin, empreinte(chemin), "regles", SANS_PREFECT)

    with ThreadPoolExecutor(concurrence) as executeur:
        bilans = list(executeur.map(un, fichiers))
    return sum(b.statut.value == "a_valider" for b in bilans)


def _prefect(dossier: Path, concurrence: int) -> int:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from flows.lot import avec_concurrence

    bilans = avec_concurrence(concurrence)(dossier, "regles")
    return sum(b.statut.value == "a_valider" for b in bilans)


def _cpu_serveur() -> float:
    """CPU du serveur Prefect éphémère (descendant uvicorn), lu avant son arrêt."""
    import psutil

    total = 0.0
    for enfant in psutil.Process().children(recursive=True):
        try:
            if "uvicorn" in " ".join(enfant.cmdline()):
                temps = enfant.cpu_times()
                total += temps.user + temps.system
        except psutil.Error:
            continue
    return total


def mesurer(methode: str, dossier: Path, concurrence: int, profil: Path | None) -> None:
    """Exécuté dans le processus enfant : imprime une ligne JSON."""
    debut = time.perf_counter()
    appel = _prefect if methode == "prefect" else _direct
    if profil is not None:
        import cProfile

        profileur = cProfile.Profile()
        faits = profileur.runcall(appel, dossier, concurrence)
        profileur.dump_stats(profil / f"{methode}.prof")
    else:
        faits = appel(dossier, concurrence)
    duree = time.perf_counter() - debut
    soi = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "methode": methode, "duree_s": duree, "faits": faits,
        "pic_mo": soi.ru_maxrss / 1024, "cpu_principal_s": soi.ru_utime + soi.ru_stime,
        "cpu_serveur_s": _cpu_serveur() if methode == "prefect" else 0.0,
    }))  # fmt: skip


def lancer(methode: str, dossier: Path, concurrence: int, profil: Path | None) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="dsp-banc-") as donnees:
        env = {**os.environ, "DSP_DATA_DIR": donnees, "PREFECT_HOME": f"{donnees}/prefect",
               "PREFECT_API_URL": ""}  # fmt: skip
        commande = [sys.executable, __file__, "--enfant", methode, "--dossier", str(dossier),
                    "--concurrence", str(concurrence)]  # fmt: skip
        if profil is not None:
            commande += ["--profil", str(profil)]
        cpu_avant, debut = cpu_enfants(), time.perf_counter()
        sortie = subprocess.run(
            commande, cwd=RACINE, env=env, check=False, capture_output=True, text=True
        )
        attendre_orphelins()
        if sortie.returncode:
            raise SystemExit(f"Échec de la méthode {methode} :\n{sortie.stderr[-3000:]}")
        mesure: dict[str, float] = json.loads(sortie.stdout.strip().splitlines()[-1])
        mesure["mur_s"] = time.perf_counter() - debut
        mesure["cpu_s"] = cpu_enfants() - cpu_avant
        return mesure


def _charge() -> str:
    return Path("/proc/loadavg").read_text().split()[0].replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rapports", type=int, default=59)
    parser.add_argument("--concurrence", type=int, default=2)
    parser.add_argument("--methodes", default="direct,prefect")
    parser.add_argument("--profil", type=Path, help="cProfile du processus principal ici")
    parser.add_argument("--enfant", choices=("prefect", "direct"))
    parser.add_argument("--dossier", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(RACINE))
    if args.enfant:
        mesurer(args.enfant, args.dossier, args.concurrence, args.profil)
        return
    devenir_subreaper()
    quand = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    lignes = []
    with tempfile.TemporaryDirectory(prefix="dsp-lot-") as dossier:
        generer(Path(dossier), args.rapports)
        for methode in args.methodes.split(","):
            charge = _charge()
            mesure = lancer(methode, Path(dossier), args.concurrence, args.profil)
            lignes.append((mesure, f"{charge} → {_charge()}"))
    print(f"Mesuré le {quand} sur {platform.machine()}, {os.cpu_count()} cœurs, "
          f"{args.rapports} rapports, concurrence {args.concurrence}, mode règles.\n"
          f"uptime au départ : {uptime.stdout.strip()}")  # fmt: skip
    print(
        "\n| méthode | charge (1 min) | CPU total (s) | dont processus principal | "
        "dont serveur Prefect | mur (s) | pic mémoire principal (Mo) | à valider |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for m, charge in lignes:
        print(f"| {m['methode']} | {charge} | {m['cpu_s']:.1f} | {m['cpu_principal_s']:.1f} | "
              f"{m['cpu_serveur_s']:.1f} | {m['mur_s']:.1f} | {m['pic_mo']:.0f} | "
              f"{m['faits']:.0f} |")  # fmt: skip
    cpu = {m["methode"]: m["cpu_s"] for m, _ in lignes}
    if {"direct", "prefect"} <= set(cpu):
        print(f"\nRapport CPU prefect / direct : {cpu['prefect'] / cpu['direct']:.2f}")


if __name__ == "__main__":
    main()
