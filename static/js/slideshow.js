// A slideshow for a room's screen: one slide at a time, moved on by the arrow keys, space,
// the buttons, or a tap on the left or right half of the picture. Every picture is in the
// page and loaded at once, so once the page says "Ready" it needs no network any more.
// Without script every slide shows, one under the other.
(function () {
  "use strict";
  const show = document.querySelector("[data-slideshow]");
  if (!show) return;
  const slides = Array.from(show.querySelectorAll(".slide"));
  const counter = show.querySelector("[data-counter]");
  const ready = show.querySelector("[data-ready]");
  let current = 0;

  function go(index) {
    if (!slides.length) return;
    current = (index + slides.length) % slides.length;
    slides.forEach(function (slide, i) { slide.hidden = i !== current; });
    counter.textContent = (current + 1) + " of " + slides.length;
    history.replaceState(null, "", "#" + slides[current].id);
  }

  show.querySelector("[data-controls]").hidden = false;
  show.querySelector("[data-next]").addEventListener("click", function () { go(current + 1); });
  show.querySelector("[data-previous]").addEventListener("click", function () { go(current - 1); });
  const full = show.querySelector("[data-fullscreen]");
  if (show.requestFullscreen) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else show.requestFullscreen();
    });
  } else {
    full.hidden = true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select, button")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown" || event.key === " ") go(current + 1);
    else if (event.key === "ArrowLeft" || event.key === "PageUp") go(current - 1);
    else if (event.key === "Home") go(0);
    else if (event.key === "End") go(slides.length - 1);
    else return;
    event.preventDefault();
  });
  slides.forEach(function (slide) {
    const picture = slide.querySelector("img");
    picture.addEventListener("click", function (event) {
      const box = picture.getBoundingClientRect();
      go(event.clientX - box.left < box.width / 2 ? current - 1 : current + 1);
    });
  });

  // Every picture is fetched now, hidden or not; say when all are in.
  const pictures = slides.map(function (slide) { return slide.querySelector("img"); });
  const loaded = pictures.map(function (picture) {
    return picture.complete ? Promise.resolve() : new Promise(function (done) {
      picture.addEventListener("load", done, { once: true });
      picture.addEventListener("error", done, { once: true });
    });
  });
  Promise.all(loaded).then(function () {
    const failed = pictures.filter(function (picture) { return !picture.naturalWidth; }).length;
    ready.textContent = failed ? failed + " pictures did not load: reload the page."
                               : "Ready: this slideshow now works without the internet.";
    show.dataset.loaded = failed ? "partly" : "all";
  });

  const start = slides.findIndex(function (slide) { return "#" + slide.id === location.hash; });
  go(start >= 0 ? start : 0);
})();
