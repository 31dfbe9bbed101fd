/* The web page of `slant serve`: posts the text or link to /v1/analyze, then shows the
   report fragment rendered by the server (all article text escaped there). */
(function () {
  "use strict";
  var status = document.getElementById("status");
  var report = document.getElementById("report");
  function say(msg, isError) { status.textContent = msg; status.className = isError ? "error" : ""; }
  function errorText(body, res) {
    if (body && body.error && body.error.message) { return res.status + ": " + body.error.message; }
    return "HTTP " + res.status;
  }
  function show(id) {
    return fetch("/v1/analyses/" + encodeURIComponent(id) + "/report?fragment=true").then(function (res) {
      if (!res.ok) { throw new Error("could not load report " + id + " (HTTP " + res.status + ")"); }
      return res.text();
    }).then(function (html) {
      report.innerHTML = html;
      var root = report.querySelector(".slant-report");
      window.SlantReport.init(root);
      history.replaceState(null, "", "?id=" + encodeURIComponent(id));
    });
  }
  document.getElementById("analyze-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = document.getElementById("text").value;
    var url = document.getElementById("url").value.trim();
    var body = {force: document.getElementById("force").checked};
    if (text.trim()) { body.text = text; } else if (url) { body.url = url; } else { say("Paste an article or a link first.", true); return; }
    say("Analysing\u2026");
    var started = Date.now();
    fetch("/v1/analyze", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (data) {
          if (!res.ok) { throw new Error(errorText(data, res)); }
          return data;
        });
      })
      .then(function (data) {
        var secs = ((Date.now() - started) / 1000).toFixed(1);
        return show(data.id).then(function () {
          say((data.cached ? "Stored analysis " : "Analysed in " + secs + " s: ") + data.id.slice(0, 12) +
              " \u00b7 " + data.analysis.techniques.length + " technique spans, " + data.analysis.quotations.length + " quotations");
        });
      })
      .catch(function (err) { say(err.message, true); });
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var params = new URLSearchParams();
    [["speaker", "s-speaker"], ["entity", "s-entity"], ["technique", "s-technique"], ["q", "s-q"]].forEach(function (p) {
      var v = document.getElementById(p[1]).value.trim();
      if (v) { params.set(p[0], v); }
    });
    var list = document.getElementById("results");
    fetch("/v1/analyses?" + params.toString()).then(function (res) { return res.json(); }).then(function (page) {
      list.textContent = "";
      if (page.error) { say(page.error.message, true); return; }
      var head = document.createElement("li");
      head.textContent = page.total + " stored analyses match";
      list.appendChild(head);
      page.items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.textContent = (item.title || item.url || item.source || item.id.slice(0, 12)) + " (" + item.text_length + " chars, " + item.n_techniques + " techniques" +
          (item.speakers && item.speakers.length ? "; speakers: " + item.speakers.slice(0, 4).join(", ") : "") + ")";
        a.addEventListener("click", function () { show(item.id).catch(function (e) { say(e.message, true); }); });
        li.appendChild(a);
        list.appendChild(li);
      });
    }).catch(function (err) { say(err.message, true); });
  });
  var initial = new URLSearchParams(location.search).get("id");
  if (initial) { show(initial).catch(function (e) { say(e.message, true); }); }
})();
