// 依申请公开 pages: move focus to the error summary (GOV.UK pattern) and guard the submit button
// against a double click (the server is idempotent anyway). No inline script (CSP).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      // Links in the summary move focus to the field, not only scroll to it.
      summary.querySelectorAll("a[href^='#']").forEach(function (link) {
        link.addEventListener("click", function (event) {
          var target = document.getElementById(link.getAttribute("href").slice(1));
          if (!target) return;
          event.preventDefault();
          target.scrollIntoView();
          target.focus();
        });
      });
    }
    document.querySelectorAll("button[data-prevent-double-click]").forEach(function (button) {
      var form = button.form;
      if (!form) return;
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-submitted") === "true") { event.preventDefault(); return; }
        form.setAttribute("data-submitted", "true");
      });
    });
  });
})();
