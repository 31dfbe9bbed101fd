/* slant report interactivity: technique legend toggles, the outlet-voice filter, click details,
   jump-to-span. Reads only the report's own DOM and its embedded JSON; builds text with
   textContent (never innerHTML), so nothing from the article can become markup. */
(function () {
  "use strict";
  function init(root) {
    if (!root || root.dataset.ready) { return; }
    root.dataset.ready = "1";
    var dataEl = root.querySelector("script.slant-data");
    var data = dataEl ? JSON.parse(dataEl.textContent) : {techniques: [], voices: {}, labels: []};
    var hidden = {};
    var segs = Array.prototype.slice.call(root.querySelectorAll(".seg"));

    function recolour() {
      segs.forEach(function (el) {
        if (!el.dataset.t) { return; }
        var ids = el.dataset.t.split(" ");
        var labels = [];
        ids.forEach(function (i) { var t = data.techniques[+i]; if (t && !hidden[t.label]) { labels.push(t.label); } });
        el.className = el.className.replace(/\btc-\d+\b/g, "").replace(/\b(tech|multi)\b/g, "").trim();
        var uniq = labels.filter(function (l, k) { return labels.indexOf(l) === k; });
        if (uniq.length) {
          el.classList.add("tech", "tc-" + data.labels.indexOf(uniq[0]));
          if (uniq.length > 1) { el.classList.add("multi"); }
        }
      });
    }
    root.querySelectorAll(".chip[data-label]").forEach(function (chip) {
      chip.addEventListener("click", function () {
        var l = chip.dataset.label;
        hidden[l] = !hidden[l];
        chip.classList.toggle("off", !!hidden[l]);
        recolour();
      });
    });
    var only = root.querySelector("input.only-outlet");
    if (only) {
      only.addEventListener("change", function () { root.classList.toggle("only-outlet", only.checked); });
    }
    var claims = root.querySelector("input.show-claims");
    if (claims) {
      claims.addEventListener("change", function () { root.classList.toggle("show-claims", claims.checked); });
    }
    var detail = root.querySelector(".detail");
    function line(parent, text, cls) {
      var d = document.createElement("div");
      if (cls) { d.className = cls; }
      d.textContent = text;
      parent.appendChild(d);
      return d;
    }
    function show(el) {
      if (!detail) { return; }
      segs.forEach(function (s) { s.classList.remove("sel"); });
      el.classList.add("sel");
      detail.textContent = "";
      var v = el.dataset.v || "outlet";
      line(detail, "Voice: " + (data.voices[v] || v) + "  \u00b7  characters " + el.dataset.s + "\u2013" + el.dataset.e, "sub");
      var ids = el.dataset.t ? el.dataset.t.split(" ") : [];
      if (!ids.length) { line(detail, "No technique detected here.", "empty"); }
      ids.forEach(function (i) {
        var t = data.techniques[+i];
        if (!t) { return; }
        var item = line(detail, "", "item");
        var b = document.createElement("b");
        b.textContent = t.label.replace(/_/g, " ");
        item.appendChild(b);
        item.appendChild(document.createTextNode(
          "  score " + t.score.toFixed(2) + "  \u00b7  voice: " + (data.voices[t.voice] || t.voice || "-") + "  \u00b7  \u201c" + t.excerpt + "\u201d"));
      });
    }
    segs.forEach(function (el) { el.addEventListener("click", function () { show(el); }); });
    function jump(start) {
      var best = null;
      for (var k = 0; k < segs.length; k++) {
        if (+segs[k].dataset.s <= start) { best = segs[k]; } else { break; }
      }
      if (!best) { return; }
      best.scrollIntoView({block: "center", behavior: "smooth"});
      best.classList.add("flash");
      setTimeout(function () { best.classList.remove("flash"); }, 1600);
    }
    root.querySelectorAll("[data-jump]").forEach(function (el) {
      el.addEventListener("click", function () { jump(+el.dataset.jump); });
    });
  }
  function initAll() {
    document.querySelectorAll(".slant-report").forEach(init);
  }
  window.SlantReport = {init: init, initAll: initAll};
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", initAll); } else { initAll(); }
})();
