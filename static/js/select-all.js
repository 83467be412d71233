// "Tick all" on the camera list: shown only when this file runs, since it needs script.
document.querySelectorAll("[data-select-all]").forEach((button) => {
  const boxes = () => button.form.querySelectorAll(
    `input[type="checkbox"][name="${button.dataset.selectAll}"]`);
  const label = () => ([...boxes()].every((box) => box.checked) ? "Untick all" : "Tick all");
  button.hidden = false;
  button.addEventListener("click", () => {
    const tick = label() === "Tick all";
    boxes().forEach((box) => { box.checked = tick; });
    button.textContent = label();
  });
  button.form.addEventListener("change", () => { button.textContent = label(); });
});
