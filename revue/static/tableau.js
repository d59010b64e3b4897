// Graphiques du tableau de bord : figures calculées par le serveur, dessinées par
// plotly-basic.min.js servi localement (aucun CDN).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var bloc = document.getElementById("figures");
    if (!bloc || typeof Plotly === "undefined") { return; }
    var figures = JSON.parse(bloc.textContent);
    Object.keys(figures).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) {
        Plotly.newPlot(element, figures[id].data, figures[id].layout, { displayModeBar: false, responsive: true });
      }
    });
  });
})();
