// Polls a fragment the way htmx's `hx-get` + `hx-trigger="every Ns"` + `hx-swap="outerHTML"` do
// (the same attributes, so the page works unchanged if htmx is added later), without a library
// and without inline script (CSP). The request carries `HX-Request: true`; the server answers
// with the fragment, which stops the polling by leaving out `hx-trigger` once the job is done.
(function () {
  function interval(el) {
    var match = /every\s+(\d+(?:\.\d+)?)(ms|s)/.exec(el.getAttribute("hx-trigger") || "");
    if (!match) return 0;
    return parseFloat(match[1]) * (match[2] === "s" ? 1000 : 1);
  }
  function schedule(el) {
    var wait = interval(el);
    if (!wait || !el.getAttribute("hx-get")) return;
    window.setTimeout(function () { refresh(el); }, wait);
  }
  function refresh(el) {
    var url = el.getAttribute("hx-get");
    window.fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var next = holder.firstElementChild;
        if (!next) return;
        el.replaceWith(next);
        schedule(next);
      })
      .catch(function () { window.setTimeout(function () { refresh(el); }, 10000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[hx-get][hx-trigger]").forEach(schedule);
  });
})();
