// A "Show passphrase" button under each marked passphrase field: a passphrase copied from
// a printed card is easier to get right when you can see what you typed. The button is
// made here, so without JavaScript there is no button that does nothing.
(function () {
  "use strict";
  document.querySelectorAll("input[data-show-passphrase]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary show-passphrase";
    button.textContent = "Show passphrase";
    button.setAttribute("aria-controls", input.id);
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
    input.insertAdjacentElement("afterend", button);
  });
})();
