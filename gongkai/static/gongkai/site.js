// 适老化: font-size switch, remembered in localStorage. No inline script (CSP).
(function () {
  var KEY = "gongkai-font-size";
  function apply(size) {
    document.documentElement.setAttribute("data-font-size", size);
    document.querySelectorAll("[data-font-size]").forEach(function (b) {
      if (b.tagName === "BUTTON") b.setAttribute("aria-pressed", String(b.getAttribute("data-font-size") === size));
    });
  }
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) {}
  if (saved) document.documentElement.setAttribute("data-font-size", saved);
  document.addEventListener("DOMContentLoaded", function () {
    apply(document.documentElement.getAttribute("data-font-size") || "normal");
    document.querySelectorAll("button[data-font-size]").forEach(function (b) {
      b.addEventListener("click", function () {
        var size = b.getAttribute("data-font-size");
        try { localStorage.setItem(KEY, size); } catch (e) {}
        apply(size);
      });
    });
  });
})();
