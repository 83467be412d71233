// The main menu folds behind a button on small screens (the disclosure pattern). Without
// this script the button stays hidden and every link shows.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector(".menu-button");
  if (!button) return;
  const setOpen = (open) => button.setAttribute("aria-expanded", String(open));
  button.hidden = false;
  document.documentElement.classList.add("has-menu");
  button.addEventListener("click", () => {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
});
