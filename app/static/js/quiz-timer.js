// Quiz countdown. The server is the source of truth: it renders the seconds
// left and enforces the deadline; this only shows the count and, at zero,
// submits the form so the learner's latest answers are graded.
(function () {
  "use strict";
  var timer = document.getElementById("quiz-timer");
  if (!timer) { return; }
  var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
  var form = document.getElementById(timer.getAttribute("data-form"));
  if (isNaN(left) || !form) { return; }
  var deadline = Date.now() + left * 1000;
  var original = timer.textContent.trim();
  // The label comes from the page, translated with the rest of it.
  var label = timer.getAttribute("data-label") || "";
  var sent = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function submit() {
    if (sent) { return; }
    sent = true;
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "kirim";
    form.appendChild(action);
    form.submit();
  }

  function tick() {
    var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    timer.textContent = label + " " + (h ? h + ":" + pad(m) : m) + ":" + pad(s) + ". " + original;
    if (seconds === 0) { submit(); return; }
    window.setTimeout(tick, 1000);
  }
  tick();
}());
