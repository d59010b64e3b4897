"""Un vrai serveur HTTP local compatible OpenAI (`POST /v1/chat/completions`) pour les tests.

Aucun LLM n'est joignable ici : les tests du remplisseur LLM passent par le vrai client
`openai` et un vrai échange HTTP avec ce serveur (bibliothèque standard, un fil, port
éphémère sur 127.0.0.1). Chaque test lui donne une file de comportements — réponse JSON,
429 avec Retry-After, 500, lenteur au-delà du délai, JSON invalide, `finish_reason:
"length"`, refus — ou une fonction qui construit la réponse à partir de la requête. Toutes
les requêtes sont enregistrées (corps brut, JSON, en-têtes, instant).

`reponse_depuis_fiche` fabrique la réponse d'un modèle parfait à partir d'une fiche d'or :
chaque valeur est rattachée à l'identifiant de la ligne du `Document` extrait qui porte
sa citation.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from extracteurs.modeles import Document, Ligne
from extracteurs.nombres import normaliser_espaces
from fiche.llm.schema import IdentificationLlm
from fiche.modeles import Champ, Fiche, Indicateur


@dataclass
class Requete:
    chemin: str
    entetes: dict[str, str]
    brut: bytes
    instant: float

    @property
    def corps(self) -> dict[str, Any]:
        return dict(json.loads(self.brut))

    @property
    def messages(self) -> list[dict[str, str]]:
        return list(self.corps["messages"])

    def message(self, role: str, rang: int = 0) -> str:
        return [m["content"] for m in self.messages if m["role"] == role][rang]

    @property
    def texte(self) -> str:
        """Tout le texte envoyé, décodé (les accents du JSON sont échappés dans `brut`)."""
        return "\n".join(m["content"] for m in self.messages)


@dataclass
class Reponse:
    statut: int = 200
    corps: Any = None
    entetes: dict[str, str] = field(default_factory=dict)
    attente_s: float = 0.0


Comportement = Reponse | Callable[[Requete], Reponse]


def completion(
    contenu: str | dict[str, Any] | None,
    *,
    fin: str = "stop",
    jetons: tuple[int, int] = (1234, 567),
    refus: str | None = None,
) -> Reponse:
    """Une réponse `chat.completion` ; un dict est sérialisé en JSON (accents en clair)."""
    texte = json.dumps(contenu, ensure_ascii=False) if isinstance(contenu, dict) else contenu
    corps = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "modele-test",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": texte, "refusal": refus},
                "finish_reason": fin,
            }
        ],
        "usage": {
            "prompt_tokens": jetons[0],
            "completion_tokens": jetons[1],
            "total_tokens": sum(jetons),
        },
    }
    return Reponse(corps=corps)


def erreur(statut: int, entetes: dict[str, str] | None = None) -> Reponse:
    corps = {"error": {"message": f"erreur simulée {statut}", "type": "test", "code": statut}}
    return Reponse(statut=statut, corps=corps, entetes=entetes or {})


def lenteur(secondes: float, puis: Reponse) -> Reponse:
    return Reponse(statut=puis.statut, corps=puis.corps, entetes=puis.entetes, attente_s=secondes)


class ServeurOpenAI:
    """Serveur scriptable : `ajouter(...)` empile des comportements, consommés un par requête."""

    def __init__(self) -> None:
        self.file: deque[Comportement] = deque()
        self.requetes: list[Requete] = []
        self._verrou = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._gestionnaire())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # un gestionnaire qui dort ne bloque pas l'arrêt
        self._fil = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def ajouter(self, *comportements: Comportement) -> None:
        self.file.extend(comportements)

    def demarrer(self) -> ServeurOpenAI:
        self._fil.start()
        return self

    def arreter(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _suivant(self, requete: Requete) -> Reponse:
        with self._verrou:
            self.requetes.append(requete)
            comportement = self.file.popleft() if self.file else erreur(500)
        return comportement(requete) if callable(comportement) else comportement

    def _gestionnaire(self) -> type[BaseHTTPRequestHandler]:
        serveur = self

        class Gestionnaire(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                longueur = int(self.headers.get("Content-Length", "0"))
                brut = self.rfile.read(longueur)
                entetes = {nom.lower(): valeur for nom, valeur in self.headers.items()}
                requete = Requete(self.path, entetes, brut, time.monotonic())
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._envoyer(erreur(404))
                    return
                self._envoyer(serveur._suivant(requete))

            def _envoyer(self, reponse: Reponse) -> None:
                time.sleep(reponse.attente_s)
                donnees = json.dumps(reponse.corps, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(reponse.statut)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(donnees)))
                    for nom, valeur in reponse.entetes.items():
                        self.send_header(nom, valeur)
                    self.end_headers()
                    self.wfile.write(donnees)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # le client a abandonné (délai dépassé) : attendu

            def log_message(self, format: str, *args: Any) -> None:
                pass  # silence : pytest affiche déjà ce qui compte

        return Gestionnaire


@contextmanager
def serveur_openai() -> Iterator[ServeurOpenAI]:
    serveur = ServeurOpenAI().demarrer()
    try:
        yield serveur
    finally:
        serveur.arreter()


# --- Réponse d'un modèle parfait, tirée d'une fiche d'or -------------------------------


def _texte(lignes: list[Ligne]) -> str:
    return " ".join(normaliser_espaces(ligne.texte.replace("\t", " ")) for ligne in lignes)


def ligne_de(document: Document, page: int | None, citation: str | None) -> str:
    """L'identifiant de la ligne de `page` qui contient `citation` (ou de 2-3 lignes de suite)."""
    cherche = normaliser_espaces(citation or "")
    lignes = document.pages[(page or 1) - 1].lignes
    for largeur in (1, 2, 3):
        for debut in range(len(lignes) - largeur + 1):
            fenetre = lignes[debut : debut + largeur]
            if cherche and cherche in _texte(fenetre):
                return ",".join(ligne.id for ligne in fenetre)
    raise LookupError(f"citation introuvable page {page} : {citation!r}")


def _cite(document: Document, champ: Champ[Any]) -> dict[str, Any]:
    if champ.valeur is None:
        return {"valeur": None, "ligne": None}
    valeur = champ.valeur
    valeur = valeur.isoformat() if hasattr(valeur, "isoformat") else valeur
    valeur = valeur.value if hasattr(valeur, "value") else valeur
    citation = champ.citation or str(valeur)
    return {"valeur": valeur, "ligne": ligne_de(document, champ.page, citation)}


def _valeurs(document: Document, valeurs: dict[str, Champ[float]]) -> list[dict[str, Any]]:
    return [
        {"annee": int(annee), "valeur": c.valeur, "ligne": _cite(document, c)["ligne"]}
        for annee, c in valeurs.items()
        if c.valeur is not None
    ]


def _series(document: Document, series: list[Indicateur]) -> list[dict[str, Any]]:
    return [
        {"libelle": s.libelle, "unite": s.unite, "valeurs": _valeurs(document, s.valeurs)}
        for s in series
    ]


def _titre_de_page(document: Document, page: int | None) -> str | None:
    if page is None:
        return None
    lignes = document.pages[page - 1].lignes
    titres = [ligne for ligne in lignes if ligne.genre == "titre"] or lignes
    return titres[0].id


def reponse_depuis_fiche(fiche: Fiche, document: Document) -> dict[str, Any]:
    """Le JSON (schéma `FicheLlm`) qu'aurait rendu un modèle lisant parfaitement le rapport."""
    ident = fiche.identification
    return {
        "identification": {
            nom: _cite(document, getattr(ident, nom)) for nom in IdentificationLlm.model_fields
        },
        "unite_source": fiche.financier.unite_source.value,
        "postes": [
            {"poste": poste, "annee": int(annee), "valeur": c.valeur, "ligne": ligne}
            for poste, valeurs in fiche.financier.postes.items()
            for annee, c in valeurs.items()
            if c.valeur is not None and (ligne := _cite(document, c)["ligne"])
        ],
        "indicateurs": _series(document, fiche.activite.indicateurs),
        "effectif_etp": _valeurs(document, fiche.activite.effectif_etp),
        "tarifs": _series(document, fiche.tarifs),
        "faits_marquants": [
            {"texte": c.valeur, "ligne": _cite(document, c)["ligne"]}
            for c in fiche.faits_marquants
            if c.valeur
        ],
        "conformite": [
            {"element": nom, "present": e.present, "ligne": _titre_de_page(document, e.page)}
            for nom, e in fiche.conformite.items()
        ],
    }
