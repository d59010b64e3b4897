"""Un lot que rien n'abat : plantage natif d'une lecture, deux lots concurrents sur un
même dossier, lot tué par SIGKILL (aucun serveur Prefect orphelin)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from flows import isolement
from flows.lot import traiter_lot
from flows.taches import depot_courant
from socle import processus
from socle.erreurs import ExtractionError
from socle.gardien import arreter, heure_de_demarrage, vivant
from socle.reglages import Reglages, reglages
from stockage.depot import Depot
from stockage.statuts import Statut
from tests.conftest import CORPUS, RACINE, depot_d_echantillons

ECHANTILLONS = ("plage_lot7_2023.pdf", "dechets_val_orne_annexe_care_2023.xlsx")
FORVILLE = "stationnement_forville_2023.pdf"

pytestmark = pytest.mark.usefixtures("prefect_harnais")


def planter_sur_les_pieges(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté dans le processus de travail : un fichier « piege » y provoque une vraie
    erreur de segmentation, comme libpdfium sur un PDF forgé."""
    if "piege" in chemin.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    isolement.extraire_vers(chemin, reglages, cible)


def _defauts_de_page(taille: int) -> int:
    """Défauts de page pour remplir puis libérer un tampon de `taille` octets."""
    import resource

    avant = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    tampon = bytearray(taille)
    del tampon
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - avant


def noter_l_heritage(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté dans le processus de travail : ce qu'il a hérité du serveur de processus."""
    import gc

    heritage = {
        "geles": gc.get_freeze_count(),
        "seuil_jeunes": gc.get_threshold()[0],
        "camelot": "camelot.io" in sys.modules,
        # Un rendu de page à 300 ppp (A4, BGR) : 26 Mo.
        "defauts": [_defauts_de_page(26 * 1024 * 1024) for _ in range(2)],
        "environnement": {n: os.environ.get(n) for n in processus.DEFAUTS},
    }
    cible.write_text(json.dumps(heritage), encoding="utf-8")


def test_la_lecture_herite_de_modules_precharges_et_geles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chaque lecture est une copie du serveur de processus, camelot déjà importé. Les
    objets hérités sont gelés (`gc.freeze`) : sans cela, le ramasse-miettes de l'enfant
    les parcourt et recopie leurs pages mémoire, ~0,09 s CPU de plus par fichier d'un lot
    (`benchmarks/RESULTS.md`). Les grands tampons (rendus de pages) libérés sont gardés
    pour les suivants, et l'environnement réglé par `socle.processus` est hérité."""
    monkeypatch.setattr(isolement, "TRAVAIL", noter_l_heritage)
    isolement.arreter_les_lecteurs()  # un lecteur neuf : son premier tampon est froid
    cible = tmp_path / "heritage.json"
    isolement.extraire_isole(CORPUS / ECHANTILLONS[0], cible, Reglages())
    heritage = json.loads(cible.read_text(encoding="utf-8"))
    assert heritage["camelot"] is True
    assert heritage["geles"] > 10_000, "les objets des modules préchargés sont gelés"
    assert heritage["seuil_jeunes"] == processus.SEUIL_JEUNES, "collectes espacées"
    # Un grand tampon libéré reste au processus : le suivant ne refait pas ses défauts de
    # page (sans le réglage de glibc, chacun en coûte ~6 700, un par page de 4 Ko).
    premier, second = heritage["defauts"]
    if premier > 1_000:  # pages de 4 Ko (sans pages énormes transparentes systématiques)
        assert second < premier / 10, "le tampon libéré est réutilisé"
    # L'environnement réglé par `socle.processus` (un seul fil de calcul OpenBLAS, pas de
    # recherche de greffons pydantic, sauf valeur de l'utilisateur) est hérité.
    assert heritage["environnement"] == {n: os.environ[n] for n in processus.DEFAUTS}


def tuer_le_serveur_puis_lire(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté dans le processus de travail : son serveur de processus (son parent) meurt
    pendant la lecture ; la première fois, la lecture meurt aussi sans rien dire."""
    os.kill(os.getppid(), signal.SIGKILL)
    premiere = chemin.with_suffix(".premiere")
    if "muet" in chemin.name and not premiere.exists():
        premiere.touch()
        os._exit(0)
    isolement.extraire_vers(chemin, reglages, cible)


def test_serveur_de_processus_disparu_la_lecture_n_est_pas_perdue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vu une fois en CI : un fichier sain d'un lot « en erreur », code de sortie 255, le
    statut de son processus de lecture perdu par le serveur de processus. Le message de
    l'enfant fait foi ; sans message ni statut, la lecture est refaite par un serveur neuf."""
    monkeypatch.setattr(isolement, "TRAVAIL", tuer_le_serveur_puis_lire)
    for nom in ("parle.pdf", "muet.pdf"):
        # Chaque fichier par un lecteur neuf, enfant d'un serveur vivant : un lecteur
        # gardé, orphelin du serveur tué, viserait en `getppid()` un tout autre processus.
        isolement.arreter_les_lecteurs()
        source = tmp_path / nom
        source.write_bytes((CORPUS / ECHANTILLONS[0]).read_bytes())
        cible = tmp_path / f"{nom}.json"
        isolement.extraire_isole(source, cible, Reglages())
        assert json.loads(cible.read_text(encoding="utf-8"))["fichier"] == nom
    assert (tmp_path / "muet.premiere").exists(), "la première lecture est bien morte muette"


def noter_le_processus(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté par le lecteur : son numéro de processus ; plante sur un « piege »."""
    if "piege" in chemin.name:
        os.kill(os.getpid(), signal.SIGSEGV)
    cible.write_text(str(os.getpid()), encoding="utf-8")


def test_un_lecteur_lit_les_rapports_l_un_apres_l_autre(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Les rapports d'une commande sont lus par le même processus de lecture (ni copie du
    serveur ni tas neuf par fichier) ; après un plantage, le suivant l'est par un neuf."""
    monkeypatch.setattr(isolement, "TRAVAIL", noter_le_processus)
    isolement.arreter_les_lecteurs()
    source = CORPUS / ECHANTILLONS[0]
    lus = []
    for rang in range(2):
        isolement.extraire_isole(source, tmp_path / f"{rang}.pid", Reglages())
        lus.append((tmp_path / f"{rang}.pid").read_text(encoding="utf-8"))
    assert lus[0] == lus[1], "un seul lecteur pour les deux rapports"
    piege = tmp_path / "piege.pdf"
    piege.write_bytes(source.read_bytes())
    with pytest.raises(ExtractionError, match="signal SIGSEGV"):
        isolement.extraire_isole(piege, tmp_path / "piege.pid", Reglages())
    isolement.extraire_isole(source, tmp_path / "apres.pid", Reglages())
    assert (tmp_path / "apres.pid").read_text(encoding="utf-8") not in lus
    assert len(isolement._LIBRES) == 1, "le lecteur mort n'est pas rendu"


def attendre_l_autre_lecture(chemin: Path, reglages: Reglages, cible: Path) -> None:
    """Exécuté par le lecteur : note son processus, puis attend que l'autre lecture
    (l'autre cible, même dossier) ait noté le sien ; seul, il échoue au bout de 30 s."""
    cible.write_text(str(os.getpid()), encoding="utf-8")
    autre = cible.with_name("b.pid" if cible.name == "a.pid" else "a.pid")
    for _ in range(300):
        if autre.exists():
            return
        time.sleep(0.1)
    raise ExtractionError("L'autre lecture n'a jamais commencé.", fichier=chemin.name)


def test_deux_appelants_simultanes_ont_chacun_leur_lecteur(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deux lectures demandées en même temps (tâches Prefect concurrentes) avancent
    ensemble, chacune dans son lecteur : aucune n'attend que l'autre ait fini."""
    monkeypatch.setattr(isolement, "TRAVAIL", attendre_l_autre_lecture)
    isolement.arreter_les_lecteurs()
    source = CORPUS / ECHANTILLONS[0]
    with ThreadPoolExecutor(max_workers=2) as fils:
        lectures = [
            fils.submit(isolement.extraire_isole, source, tmp_path / nom, Reglages())
            for nom in ("a.pid", "b.pid")
        ]
        for lecture in lectures:
            lecture.result(timeout=120)
    pids = {(tmp_path / nom).read_text(encoding="utf-8") for nom in ("a.pid", "b.pid")}
    assert len(pids) == 2 and len(isolement._LIBRES) == 2


def test_lecteur_au_repos_s_arrete_et_la_demande_qui_le_croise_est_relue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Un lecteur sans demande s'arrête (un processus qui dure ne garde pas sa mémoire) ;
    une demande confiée au moment où il s'arrête est lue par un lecteur neuf, sans erreur."""
    isolement.arreter_les_lecteurs()
    monkeypatch.setattr(isolement, "REPOS_S", 0.2)
    endormi = isolement._Lecteur()
    endormi.processus.join(timeout=30)
    assert endormi.processus.exitcode == isolement.CODE_REPOS
    choisis = iter([endormi])
    monkeypatch.setattr(isolement, "_prendre", lambda: next(choisis, None) or isolement._Lecteur())
    cible = tmp_path / "document.json"
    isolement.extraire_isole(CORPUS / ECHANTILLONS[0], cible, Reglages())
    assert json.loads(cible.read_text(encoding="utf-8"))["fichier"] == ECHANTILLONS[0]


def test_aucun_lecteur_ne_survit_a_sa_commande(tmp_path: Path) -> None:
    """Le lecteur gardé pour la commande s'arrête avec elle (sortie normale du processus
    qui l'a lancé) : rien ne reste à tourner ni à tenir de la mémoire après `dsp`. Le
    repos est réglé à une heure : la commande n'attend pas que son lecteur s'endorme."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from flows import isolement\n"
        "from socle.reglages import Reglages\n"
        "isolement.REPOS_S = 3600.0\n"
        "isolement.extraire_isole(Path(sys.argv[1]), Path(sys.argv[2]), Reglages())\n"
        "print(isolement._LIBRES[0].processus.pid)\n"
    )
    fini = subprocess.run(
        [sys.executable, "-c", code, str(CORPUS / ECHANTILLONS[0]), str(tmp_path / "d.json")],
        cwd=RACINE, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert fini.returncode == 0, fini.stderr
    lecteur = int(fini.stdout.split()[-1])
    for _ in range(50):
        if not vivant(lecteur):
            break
        time.sleep(0.1)
    assert not vivant(lecteur), "le lecteur a survécu à sa commande"


def test_plantage_natif_d_une_lecture_le_lot_continue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    boite = depot_d_echantillons(tmp_path / "depot", ECHANTILLONS)
    piege = (CORPUS / ECHANTILLONS[0]).read_bytes() + b"\n% piege\n"
    (boite / "piege_2023.pdf").write_bytes(piege)
    monkeypatch.setattr(isolement, "TRAVAIL", planter_sur_les_pieges)
    bilans = {b.fichier: b for b in traiter_lot(boite)}
    assert bilans["piege_2023.pdf"].statut == Statut.ERREUR
    raison = bilans["piege_2023.pdf"].raison or ""
    assert "signal SIGSEGV" in raison and "Les autres rapports du lot ont continué" in raison
    assert [bilans[n].statut for n in ECHANTILLONS] == [Statut.A_VALIDER] * 2
    en_base = {r.fichier: r for r in depot_courant().rapports()}
    assert en_base["piege_2023.pdf"].statut == Statut.ERREUR.value
    assert "signal SIGSEGV" in (en_base["piege_2023.pdf"].raison or "")


def _lancer_lot(dossier: Path, api: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PREFECT_API_URL": api}
    return subprocess.Popen(
        [sys.executable, "-m", "cli.principal", "lot", str(dossier), "--concurrence", "2"],
        cwd=RACINE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_deux_lots_concurrents_chaque_rapport_une_fois(tmp_path: Path) -> None:
    """Deux `dsp lot` lancés ensemble sur un dossier (deux vrais processus, même base) :
    chaque rapport est enregistré une fois, avec une seule fiche et un seul temps machine."""
    boite = depot_d_echantillons(tmp_path / "depot", (*ECHANTILLONS, FORVILLE))
    api = str(PREFECT_API_URL.value())
    lots = [_lancer_lot(boite, api) for _ in range(2)]
    for lot in lots:
        sortie, erreur = lot.communicate(timeout=600)
        assert lot.returncode == 0, (sortie + erreur)[-2000:]
    depot = Depot()
    rapports = depot.rapports()
    assert sorted(r.fichier for r in rapports) == sorted(p.name for p in boite.iterdir())
    base = reglages().data_dir / "synthese.db"
    with sqlite3.connect(base) as connexion:
        extractions = dict(connexion.execute(
            "select rapport_id, count(*) from durees where etape = 'extraction' group by rapport_id"
        ).fetchall())  # fmt: skip
    for rapport in rapports:
        assert [v.numero for v in depot.versions(rapport.id)] == [1], rapport.fichier
        assert extractions[rapport.id] == 1, rapport.fichier
    depot.fermer()


def _serveur_enfant(parent: int) -> int | None:
    """Le serveur Prefect éphémère lancé par le processus `parent`, s'il a démarré."""
    for dossier in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((dossier / "stat").read_text().rpartition(")")[2].split()[1])
            ligne = (dossier / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"prefect.server.api.server:create_app" in ligne:
            return int(dossier.name)
    return None


def test_lot_tue_par_sigkill_son_serveur_prefect_s_arrete(tmp_path: Path) -> None:
    """`dsp lot` sans serveur configuré démarre un serveur Prefect éphémère ; tué par
    SIGKILL (lui seul, pas son groupe), il ne laisse aucun serveur orphelin."""
    boite = depot_d_echantillons(tmp_path / "depot", ECHANTILLONS)
    env = {**os.environ, "PREFECT_API_URL": "", "PREFECT_HOME": str(tmp_path / "prefect")}
    lot = subprocess.Popen(
        [sys.executable, "-m", "cli.principal", "lot", str(boite), "--concurrence", "1"],
        cwd=RACINE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    serveur, limite = None, time.monotonic() + 180
    while serveur is None and lot.poll() is None and time.monotonic() < limite:
        serveur = _serveur_enfant(lot.pid)
        time.sleep(0.1)
    assert serveur is not None, "le lot n'a pas démarré de serveur Prefect éphémère"
    demarrage = heure_de_demarrage(serveur)
    lot.kill()
    lot.wait(timeout=30)
    limite = time.monotonic() + 30
    while vivant(serveur, demarrage) and time.monotonic() < limite:
        time.sleep(0.2)
    orphelin = vivant(serveur, demarrage)
    arreter(serveur, demarrage)  # le test ne laisse rien, même en échec
    assert not orphelin, "le serveur Prefect éphémère a survécu au SIGKILL du lot"
