// Confirmation before an irreversible action, without inline script (the CSP
// forbids it). A form, or the submit button that was pressed, carrying
// data-confirm="question" asks the question first; "Batal" cancels the submit.
// Without JavaScript the form submits directly, as before: the server still
// validates every action, and the big deletions also have a confirm page.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter || null;
    var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
}());
