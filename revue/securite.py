"""Sécurité de l'application de revue : mots de passe, sessions, CSRF, limitation des
tentatives de connexion, rôles, en-têtes HTTP.

- mots de passe hachés par scrypt (bibliothèque standard), sel aléatoire, comparaison à
  temps constant ; un identifiant inconnu coûte le même calcul qu'un connu ;
- session : jeton aléatoire dans un cookie HttpOnly SameSite=Strict ; la base n'en garde
  que l'empreinte ; expiration réglable, déconnexion qui supprime la session ;
- CSRF : jeton HMAC(secret, session) dans chaque formulaire et en en-tête des requêtes
  HTMX ; avant connexion, double soumission (cookie signé + champ) ;
- secret : `DSP_REVUE_SECRET`, le défaut n'est accepté qu'en mode démonstration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from typing import Any, Literal

from socle.erreurs import ConfigurationError
from socle.reglages import SECRET_PAR_DEFAUT, Reglages

Role = Literal["relecteur", "valideur", "admin"]
ROLES: tuple[Role, ...] = ("relecteur", "valideur", "admin")
NIVEAUX: dict[str, int] = {"relecteur": 1, "valideur": 2, "admin": 3}
LIBELLES_ROLES: dict[str, str] = {
    "relecteur": "relecteur (corrige)",
    "valideur": "valideur (corrige et valide)",
    "admin": "administrateur",
}

COOKIE_SESSION = "dsp_session"
COOKIE_CSRF_CONNEXION = "dsp_csrf_connexion"
ENTETE_CSRF = "X-CSRF-Token"
CHAMP_CSRF = "csrf"

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LONGUEUR = 2**14, 8, 1, 32
LONGUEUR_MIN_MOT_DE_PASSE = 8


def _b64(octets: bytes) -> str:
    return base64.b64encode(octets).decode("ascii")


def hacher_mot_de_passe(mot_de_passe: str) -> str:
    """« scrypt$n$r$p$sel$empreinte » (base64)."""
    sel = secrets.token_bytes(16)
    empreinte = hashlib.scrypt(
        mot_de_passe.encode("utf-8"), salt=sel, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P,
        dklen=_SCRYPT_LONGUEUR,
    )  # fmt: skip
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(sel)}${_b64(empreinte)}"


def verifier_mot_de_passe(mot_de_passe: str, stocke: str) -> bool:
    """Vrai si le mot de passe correspond à l'empreinte stockée (temps constant)."""
    try:
        nom, n, r, p, sel, attendu = stocke.split("$")
        if nom != "scrypt":
            return False
        calcule = hashlib.scrypt(
            mot_de_passe.encode("utf-8"), salt=base64.b64decode(sel), n=int(n), r=int(r),
            p=int(p), dklen=len(base64.b64decode(attendu)),
        )  # fmt: skip
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(calcule, base64.b64decode(attendu))


EMPREINTE_LEURRE = hacher_mot_de_passe(secrets.token_urlsafe(16))
"""Vérifiée pour un identifiant inconnu : même durée de réponse que pour un compte réel."""


def verifier_force(mot_de_passe: str) -> None:
    if len(mot_de_passe) < LONGUEUR_MIN_MOT_DE_PASSE:
        raise ConfigurationError(
            f"Mot de passe trop court : {LONGUEUR_MIN_MOT_DE_PASSE} caractères au moins."
        )


def secret_effectif(reglages: Reglages) -> bytes:
    """Le secret des jetons ; le défaut (ou un secret vide) n'est accepté qu'en mode
    démonstration, où un secret aléatoire propre au processus le remplace."""
    secret = reglages.revue_secret.get_secret_value()
    if secret and secret != SECRET_PAR_DEFAUT:
        if len(secret) < 16:
            raise ConfigurationError("DSP_REVUE_SECRET est trop court : 16 caractères au moins.")
        return secret.encode("utf-8")
    if reglages.demo:
        return secrets.token_bytes(32)
    raise ConfigurationError(
        "DSP_REVUE_SECRET n'est pas défini : l'application de revue refuse le secret par "
        "défaut hors démonstration. Définissez-le dans .env, par exemple avec "
        '`python -c "import secrets; print(secrets.token_urlsafe(32))"`, ou lancez en '
        "démonstration (DSP_DEMO=true)."
    )


def nouveau_jeton() -> str:
    return secrets.token_urlsafe(32)


def empreinte_jeton(jeton: str) -> str:
    return hashlib.sha256(jeton.encode("utf-8")).hexdigest()


def jeton_csrf(secret: bytes, jeton_session: str) -> str:
    """Le jeton CSRF d'une session : HMAC du jeton de session (rien à stocker)."""
    return hmac.new(secret, b"csrf:" + jeton_session.encode("utf-8"), "sha256").hexdigest()


def csrf_connexion(secret: bytes) -> tuple[str, str]:
    """(valeur du cookie, valeur du champ) du formulaire de connexion : un nonce signé."""
    nonce = secrets.token_urlsafe(16)
    signature = hmac.new(secret, b"connexion:" + nonce.encode(), "sha256").hexdigest()
    return f"{nonce}.{signature}", nonce


def verifier_csrf_connexion(secret: bytes, cookie: str | None, champ: str | None) -> bool:
    if not cookie or not champ or "." not in cookie:
        return False
    nonce, signature = cookie.rsplit(".", 1)
    attendue = hmac.new(secret, b"connexion:" + nonce.encode(), "sha256").hexdigest()
    return hmac.compare_digest(signature, attendue) and hmac.compare_digest(nonce, champ)


def egaux(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class Limiteur:
    """Échecs de connexion par clé (adresse, compte) sur une fenêtre glissante.

    Un essai est compté **avant** la vérification du mot de passe, sous verrou
    (`tenter`) : 40 essais simultanés n'obtiennent pas plus de `maximum` vérifications
    (compter l'échec après le calcul scrypt laissait passer tous ceux qui arrivaient
    pendant ce calcul). Une réussite retire son essai.
    """

    def __init__(self, maximum: int, fenetre_s: float) -> None:
        self.maximum, self.fenetre_s = maximum, fenetre_s
        self._echecs: dict[str, deque[float]] = {}
        self._verrou = threading.Lock()

    def _recents(self, cle: str, maintenant: float) -> deque[float]:
        file = self._echecs.setdefault(cle, deque())
        while file and file[0] <= maintenant - self.fenetre_s:
            file.popleft()
        return file

    def _attente(self, cles: tuple[str, ...], maintenant: float) -> float:
        attentes = [
            file[0] + self.fenetre_s - maintenant
            for file in (self._recents(c, maintenant) for c in cles)
            if len(file) >= self.maximum
        ]
        return max(attentes, default=0.0)

    def attente(self, *cles: str) -> float:
        """Secondes à attendre avant un nouvel essai (0 : essai permis)."""
        with self._verrou:
            return self._attente(cles, time.monotonic())

    def tenter(self, *cles: str) -> tuple[float, float]:
        """Réserve un essai pour ces clés : rend (attente, marque). Une attente positive
        refuse l'essai ; sinon l'essai est déjà compté comme un échec, et `reussite`
        avec sa marque le retire."""
        maintenant = time.monotonic()
        with self._verrou:
            attente = self._attente(cles, maintenant)
            if attente <= 0:
                for cle in cles:
                    self._recents(cle, maintenant).append(maintenant)
        return attente, maintenant

    def reussite(self, cle: str, *autres: str, marque: float | None = None) -> None:
        """Efface les échecs de `cle` (le compte) ; retire des `autres` (l'adresse)
        l'essai réservé à `marque`."""
        with self._verrou:
            self._echecs.pop(cle, None)
            for autre in autres:
                file = self._echecs.get(autre)
                if file is not None and marque is not None and marque in file:
                    file.remove(marque)


def options_proxy(reglages: Reglages) -> dict[str, Any]:
    """Options d'uvicorn pour l'adresse du client. Par défaut uvicorn croit l'en-tête
    X-Forwarded-For de toute requête venue de 127.0.0.1 : n'importe quel client local
    choisissait ainsi l'adresse limitée (la sienne remise à zéro, ou celle d'une victime
    bloquée). L'en-tête n'est cru que des proxies déclarés dans `DSP_REVUE_PROXIES`."""
    proxies = [a.strip() for a in reglages.revue_proxies.split(",") if a.strip()]
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None}


POLITIQUE_CONTENU = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
"""Aucun script en ligne ni externe : tout vient de /static (hors ligne). Les styles en
ligne restent permis (positions des surlignages, graphiques Plotly)."""

EN_TETES: dict[str, str] = {
    "Content-Security-Policy": POLITIQUE_CONTENU,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
