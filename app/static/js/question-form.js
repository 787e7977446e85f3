/* Question form (app/authoring/templates/authoring/question_form.html): show only
   the sections of the chosen question type. Every section carries
   data-question-types="<type> ..."; without JavaScript all sections stay
   visible and the server ignores the ones the chosen type does not use. */
(function () {
  "use strict";
  var select = document.getElementById("type");
  if (!select) { return; }
  var sections = document.querySelectorAll("[data-question-types]");
  function update() {
    var chosen = select.value;
    for (var i = 0; i < sections.length; i += 1) {
      var types = sections[i].getAttribute("data-question-types").split(" ");
      sections[i].hidden = types.indexOf(chosen) === -1;
    }
  }
  select.addEventListener("change", update);
  update();
}());
