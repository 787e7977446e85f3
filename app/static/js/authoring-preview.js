/* Live preview of lesson Markdown. The server renders and sanitises
   (app.common.markdown.render_markdown); this script only sends the text and
   shows the returned HTML. Without JavaScript the "Pratinjau" button does the same. */
(function () {
  "use strict";
  var target = document.getElementById("pratinjau");
  if (!target || !window.fetch || !window.FormData) { return; }
  var source = document.getElementById(target.getAttribute("data-source"));
  var form = source && source.form;
  var token = form && form.querySelector("input[name=csrf_token]");
  if (!source) { return; }
  var timer = null;
  var sent = 0;
  function refresh() {
    var body = new FormData();
    if (token) { body.append("csrf_token", token.value); }
    body.append("body_md", source.value);
    var ticket = ++sent;
    fetch(target.getAttribute("data-preview-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && ticket === sent) { target.innerHTML = html; }
      })
      .catch(function () { /* keep the last preview; the button still works */ });
  }
  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
  refresh();
}());
