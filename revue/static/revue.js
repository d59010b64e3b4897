// Application de revue : temps de revue active et panneau source. Aucune dépendance
// externe ; la politique de sécurité interdit tout script en ligne.
(function () {
  "use strict";

  // Temps de revue active : une seconde n'est comptée que si la page est visible et que
  // l'agent l'a utilisée (souris, clavier, défilement) dans les 60 dernières secondes.
  function mesurerTemps(racine) {
    var url = racine.dataset.tempsUrl, csrf = racine.dataset.csrf;
    var INACTIVITE_MS = 60000, MAX_ENVOI = 120;
    var derniere = Date.now(), cumul = 0;
    ["mousemove", "mousedown", "keydown", "scroll", "wheel", "touchstart", "click"].forEach(function (nom) {
      document.addEventListener(nom, function () { derniere = Date.now(); }, { passive: true, capture: true });
    });
    setInterval(function () {
      if (document.visibilityState === "visible" && Date.now() - derniere < INACTIVITE_MS) { cumul += 1; }
    }, 1000);
    function envoyer() {
      if (cumul < 1) { return; }
      var secondes = Math.min(cumul, MAX_ENVOI);
      cumul -= secondes;
      var donnees = new FormData();
      donnees.append("secondes", String(secondes));
      donnees.append("csrf", csrf);
      if (!(navigator.sendBeacon && navigator.sendBeacon(url, donnees))) {
        fetch(url, { method: "POST", body: donnees, keepalive: true, credentials: "same-origin" });
      }
    }
    setInterval(envoyer, 30000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { envoyer(); }
    });
    window.addEventListener("pagehide", envoyer);
    window.dspEnvoyerTemps = envoyer;
  }

  // Après l'affichage d'une page source : la ligne choisie est marquée, le premier
  // surlignage est amené à l'écran.
  function apresSource(evenement) {
    var cible = evenement.detail && evenement.detail.target;
    if (!cible || cible.id !== "source") { return; }
    var choisi = cible.querySelector(".champ-choisi");
    document.querySelectorAll("tr.choisi").forEach(function (tr) { tr.classList.remove("choisi"); });
    if (choisi) {
      document.querySelectorAll("tr[data-chemin]").forEach(function (tr) {
        if (tr.dataset.chemin === choisi.dataset.chemin) { tr.classList.add("choisi"); }
      });
    }
    var image = cible.querySelector(".page-source img");
    var premier = cible.querySelector(".surlignage");
    if (image && premier) {
      var montrer = function () { premier.scrollIntoView({ block: "center", behavior: "instant" }); };
      if (image.complete) { montrer(); } else { image.addEventListener("load", montrer, { once: true }); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var racine = document.querySelector("[data-temps-url]");
    if (racine) { mesurerTemps(racine); }
    document.body.addEventListener("htmx:afterSwap", apresSource);
  });
})();
