// Progressive enhancements; every page works without this file. Copy buttons, the live expiry
// line and custom date of the New API Token form, live crate-pattern descriptions, pattern rows.
"use strict";

(function () {
  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  // ---- Copying ---------------------------------------------------------------------------------

  function copyText(text, source) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain http on a LAN name has no clipboard API: select the text and use the old command.
    return new Promise(function (resolve, reject) {
      if (source && source.select) source.select();
      else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      }
      (document.execCommand && document.execCommand("copy")) ? resolve() : reject(new Error("copy failed"));
    });
  }

  function flashButton(button, label) {
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = label;
    setTimeout(function () { button.textContent = original; }, 2000);
  }

  $all("[data-copy]").forEach(function (button) {
    var target = $(button.getAttribute("data-copy"));
    if (!target) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var status = $("[data-copy-status]");
      copyText(target.value, target).then(function () {
        flashButton(button, "Copied!");
        if (status) status.textContent = "The token is on your clipboard.";
      }, function () {
        target.select();
        if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected token.";
      });
    });
  });

  $all("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
    input.addEventListener("click", function () { input.select(); });
  });

  $all("pre.snippet").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small snippet-copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy this snippet");
    button.addEventListener("click", function () {
      var code = $("code", pre) || pre;
      copyText(code.textContent, code).then(function () { flashButton(button, "Copied!"); }, function () {});
    });
    pre.classList.add("has-copy");
    pre.appendChild(button);
  });

  // ---- New API Token form ----------------------------------------------------------------------

  var form = $("[data-token-form]");
  if (!form) return;

  var select = $("[data-expiry-select]", form);
  var line = $("[data-expiry-line]", form);
  var custom = $("[data-custom-date]", form);
  var dateInput = custom && $("input", custom);
  var longDate = { year: "numeric", month: "long", day: "numeric" };

  function isoDay(date) {
    var pad = function (n) { return String(n).padStart(2, "0"); };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate());
  }

  function updateExpiry() {
    var value = select.value;
    custom.hidden = value !== "custom";
    if (value === "none") { line.textContent = "The token will never expire"; return; }
    if (value === "custom") {
      if (!dateInput.value) { line.textContent = "Choose the day the token should expire."; return; }
      var parts = dateInput.value.split("-").map(Number);
      var day = new Date(parts[0], parts[1] - 1, parts[2]);
      line.textContent = dateInput.value <= isoDay(new Date())
        ? "Choose a day in the future."
        : "The token will expire on " + day.toLocaleDateString(undefined, longDate);
      return;
    }
    var date = new Date(Date.now() + Number(value) * 24 * 60 * 60 * 1000);
    line.textContent = "The token will expire on " + date.toLocaleDateString(undefined, longDate);
  }

  if (select && line && custom && dateInput) {
    var tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000);
    dateInput.min = isoDay(tomorrow);
    select.addEventListener("change", function () {
      updateExpiry();
      if (select.value === "custom") dateInput.focus();
    });
    dateInput.addEventListener("input", updateExpiry);
    updateExpiry();
  }

  // Must say the same as describePattern() in src/auth/scopes.ts.
  function describePattern(pattern) {
    if (pattern === "") return "";
    if (pattern === "*") return "Matches all crates";
    var stem = pattern.slice(-1) === "*" ? pattern.slice(0, -1) : pattern;
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(stem)) return "Invalid crate name pattern";
    return pattern.slice(-1) === "*" ? "Matches all crates starting with " + stem : "Matches only the " + pattern + " crate";
  }

  var list = $("[data-patterns]", form);
  var addButton = $("[data-add-pattern]", form);
  var unrestricted = $("[data-unrestricted]", form);

  function rows() { return $all("[data-pattern-row]", list); }

  function refreshPatterns() {
    var filled = 0;
    rows().forEach(function (row, i) {
      var input = $("input", row);
      var label = $("label", row);
      var help = $("[data-pattern-help]", row);
      var id = "f-pattern-" + i;
      input.id = id;
      label.htmlFor = id;
      label.textContent = "Crate pattern " + (i + 1);
      help.id = id + "-help";
      var value = input.value.trim();
      if (value) filled++;
      // A row the server refused keeps its error until it is edited.
      if (!row.classList.contains("has-error")) help.textContent = describePattern(value);
      help.classList.toggle("is-invalid", help.textContent === "Invalid crate name pattern");
      var remove = $("[data-remove-pattern]", row);
      remove.hidden = false;
      remove.setAttribute("aria-label", "Remove crate pattern " + (i + 1));
    });
    if (unrestricted) unrestricted.hidden = filled > 0;
  }

  function addRow() {
    var last = rows().pop();
    var row = last.cloneNode(true);
    row.classList.remove("has-error");
    $all(".field-error", row).forEach(function (e) { e.remove(); });
    var input = $("input", row);
    input.value = "";
    input.removeAttribute("aria-invalid");
    list.appendChild(row);
    refreshPatterns();
    input.setAttribute("aria-describedby", input.id + "-help");
    input.focus();
  }

  if (list && addButton) {
    // With "Add pattern" available, the spare empty rows offered without JavaScript are not needed.
    var empties = rows().filter(function (row) { return $("input", row).value.trim() === ""; });
    empties.slice(rows().length === empties.length ? 1 : 0).forEach(function (row) { row.remove(); });
    addButton.hidden = false;
    addButton.addEventListener("click", addRow);
    list.addEventListener("input", function (event) {
      var row = event.target.closest("[data-pattern-row]");
      if (row && row.classList.contains("has-error")) {
        row.classList.remove("has-error");
        $all(".field-error", row).forEach(function (e) { e.remove(); });
        event.target.removeAttribute("aria-invalid");
        event.target.setAttribute("aria-describedby", event.target.id + "-help");
      }
      refreshPatterns();
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-pattern]");
      if (!button) return;
      var row = button.closest("[data-pattern-row]");
      if (rows().length > 1) row.remove();
      else $("input", row).value = "";
      refreshPatterns();
      addButton.focus();
    });
    refreshPatterns();
  }

  // A second click would submit the form twice; the second answer could not show the token.
  form.addEventListener("submit", function () {
    var submit = $("button[type=submit]", form);
    setTimeout(function () { submit.disabled = true; submit.textContent = "Generating…"; }, 0);
  });
})();
