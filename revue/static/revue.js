// Application de revue : temps de revue active, panneau source, erreurs et raccourcis. Aucune dépendance
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

  // Une action refusée (réponse 4xx ou 5xx, qu'htmx ignore par défaut) : son message en
  // français s'affiche dans le formulaire de l'action (sinon en haut de la page) et reçoit
  // le focus. Le texte est lu en texte brut (textContent), jamais injecté comme HTML.
  function zoneErreur(element) {
    var formulaire = element && element.closest ? element.closest("form") : null;
    var zone = formulaire ? formulaire.querySelector(".erreur-action") : document.getElementById("erreur-globale");
    if (!zone && formulaire) {
      zone = document.createElement("p");
      zone.className = "erreur erreur-action";
      zone.setAttribute("role", "alert");
      zone.tabIndex = -1;
      formulaire.appendChild(zone);
    }
    return zone;
  }

  function montrerErreur(element, message) {
    var zone = zoneErreur(element);
    if (!zone) { window.alert(message); return; }
    zone.textContent = message;
    zone.hidden = false;
    zone.focus();
    zone.scrollIntoView({ block: "nearest" });
  }

  function messageDe(xhr) {
    var modele = document.createElement("template");
    modele.innerHTML = xhr.responseText || "";
    var texte = (modele.content.textContent || "").trim();
    return texte || "Action refusée (erreur " + xhr.status + ").";
  }

  function avantRemplacement(evenement) {
    var xhr = evenement.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.getResponseHeader("HX-Redirect")) { return; }
    evenement.detail.shouldSwap = false;
    evenement.detail.isError = false;  // l'erreur est montrée, pas seulement journalisée
    montrerErreur(evenement.detail.requestConfig ? evenement.detail.requestConfig.elt : evenement.target, messageDe(xhr));
  }

  function apresRequete(evenement) {
    var xhr = evenement.detail.xhr;
    if (!evenement.detail.successful || (xhr && xhr.status >= 400)) { return; }
    var zone = zoneErreur(evenement.detail.elt);
    if (zone && zone.classList.contains("erreur-action")) { zone.textContent = ""; zone.hidden = true; }
  }

  // Raccourcis : n / p champ suivant / précédent, a anomalie suivante, v décision.
  function raccourcis(evenement) {
    var cible = evenement.target;
    if (evenement.ctrlKey || evenement.metaKey || evenement.altKey) { return; }
    if (cible && (cible.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(cible.tagName))) { return; }
    var touche = evenement.key;
    if (touche === "n" || touche === "p") {
      var valeurs = Array.prototype.slice.call(document.querySelectorAll("#fiche tr[data-chemin] td:nth-child(2) button.valeur"));
      if (!valeurs.length) { return; }
      var actuel = valeurs.indexOf(document.activeElement);
      if (actuel < 0) {
        var choisi = document.querySelector("#fiche tr.choisi td:nth-child(2) button.valeur");
        actuel = valeurs.indexOf(choisi);
      }
      var suivant = touche === "n" ? actuel + 1 : (actuel < 0 ? valeurs.length - 1 : actuel - 1);
      suivant = (suivant + valeurs.length) % valeurs.length;
      var details = valeurs[suivant].closest("details");
      if (details) { details.open = true; }
      valeurs[suivant].focus();
      valeurs[suivant].click();
    } else if (touche === "a") {
      var anomalies = Array.prototype.slice.call(document.querySelectorAll("li.anomalie"));
      if (!anomalies.length) { return; }
      var rang = anomalies.indexOf(document.activeElement);
      var prochaine = anomalies[(rang + 1) % anomalies.length];
      prochaine.focus();
      prochaine.scrollIntoView({ block: "center" });
    } else if (touche === "v") {
      var bouton = document.getElementById("valider");
      if (!bouton) { return; }
      bouton.scrollIntoView({ block: "center" });
      bouton.focus();
    } else {
      return;
    }
    evenement.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var racine = document.querySelector("[data-temps-url]");
    if (racine) { mesurerTemps(racine); }
    document.body.addEventListener("htmx:afterSwap", apresSource);
    document.body.addEventListener("htmx:beforeSwap", avantRemplacement);
    document.body.addEventListener("htmx:afterRequest", apresRequete);
    document.body.addEventListener("htmx:sendError", function (evenement) {
      montrerErreur(evenement.detail.elt, "Le serveur ne répond pas : vérifiez votre connexion puis recommencez.");
    });
    document.addEventListener("keydown", raccourcis);
  });
})();
