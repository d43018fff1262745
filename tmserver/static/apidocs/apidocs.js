// The API docs page: filter the operations and send a call from an operation's form ("Try it"),
// with the API key typed at the top (kept in sessionStorage, sent as "Authorization: Bearer …").
// Self-contained: no library, no CDN; the page is rendered by tmserver.api.openapi.docs_page.
(function () {
  "use strict";
  var keyInput = document.getElementById("apikey");
  keyInput.value = sessionStorage.getItem("tmserver.apikey") || "";
  keyInput.addEventListener("input", function () { sessionStorage.setItem("tmserver.apikey", keyInput.value); });

  document.getElementById("filter").addEventListener("input", function (e) {
    var q = e.target.value.toLowerCase();
    document.querySelectorAll(".op").forEach(function (d) { d.style.display = d.dataset.k.includes(q) ? "" : "none"; });
  });

  // The URL of the call: path parameters filled in, query parameters appended; header parameters apart.
  function target(op, form) {
    var path = op.dataset.path, query = new URLSearchParams(), headers = {};
    form.querySelectorAll("input[data-in]").forEach(function (inp) {
      if (inp.value === "") return;
      if (inp.dataset.in === "path") path = path.replace("{" + inp.name + "}", encodeURIComponent(inp.value));
      else if (inp.dataset.in === "query") query.append(inp.name, inp.value);
      else if (inp.dataset.in === "header") headers[inp.name] = inp.value;
    });
    var qs = query.toString();
    return { url: path + (qs ? "?" + qs : ""), headers: headers };
  }

  function body(form, headers) {
    var files = form.querySelector("input[name=__file]");
    if (files && files.files.length) {
      var data = new FormData();
      Array.prototype.forEach.call(files.files, function (f) { data.append("file", f); });
      return data;
    }
    var text = form.querySelector("textarea[name=__body]");
    if (!text) return undefined;
    JSON.parse(text.value); // a typo is shown here, not sent
    headers["Content-Type"] = "application/json";
    return text.value;
  }

  function show(form, status, text) {
    form.querySelector(".status").textContent = status;
    var out = form.querySelector(".out");
    out.hidden = false;
    out.textContent = text;
  }

  document.querySelectorAll("form.try").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var op = form.closest(".op"), t = target(op, form), payload;
      if (keyInput.value) t.headers.Authorization = "Bearer " + keyInput.value;
      try { payload = body(form, t.headers); } catch (err) { show(form, "not sent", "the body is not JSON: " + err.message); return; }
      show(form, "…", op.dataset.method + " " + t.url);
      fetch(t.url, { method: op.dataset.method, headers: t.headers, body: payload }).then(function (r) {
        return r.text().then(function (text) {
          var pretty = text;
          try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (err) { /* not JSON: shown as is */ }
          show(form, r.status + " " + r.statusText, op.dataset.method + " " + t.url + "\n\n" + pretty);
        });
      }).catch(function (err) { show(form, "failed", String(err)); });
    });
  });
}());
