// Shows the chosen photos as thumbnails before they go, then sends them one at a time,
// with a progress bar each, and shows the feedback on each as soon as it is back.
// Without JavaScript the form posts them all.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var list = document.getElementById("upload-list");
  if (!form || !list || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = form.querySelector("input[type=file]");
  var maxBytes = Number(form.dataset.maxBytes);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // The thumbnails of the chosen photos, made in the browser: nothing is sent yet.
  var picker = document.getElementById("picker");
  var preview = document.getElementById("picker-preview");
  var count = document.getElementById("picker-count");
  var previewUrls = [];

  function clearPreview() {
    previewUrls.forEach(function (url) { URL.revokeObjectURL(url); });
    previewUrls = [];
    preview.textContent = "";
    count.textContent = "";
  }

  function showChosen() {
    clearPreview();
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length === 0) { return; }
    count.textContent = files.length === 1 ? "1 photo chosen. Now press Send." :
      files.length + " photos chosen. Now press Send.";
    files.forEach(function (file) {
      var item = el("li", "picker-item");
      var img = el("img", "picker-thumb");
      var url = URL.createObjectURL(file);
      previewUrls.push(url);
      img.alt = "";  // the name beside it says which photo it is
      // A browser that cannot show the format (HEIC, say) still sends it.
      img.addEventListener("error", function () {
        img.replaceWith(el("span", "picker-thumb picker-nothumb", "No preview"));
      });
      img.src = url;
      item.appendChild(img);
      item.appendChild(el("span", "picker-name", file.name));
      preview.appendChild(item);
    });
  }

  if (picker && preview && count && window.URL && URL.createObjectURL) {
    picker.classList.add("js-picker");
    input.addEventListener("change", showChosen);
  } else {
    clearPreview = function () {};
  }

  function showFeedback(item, data) {
    item.classList.add("done");
    var link = el("a");
    link.href = data.url;
    var img = el("img", "thumb");
    img.src = data.thumb_url;
    img.alt = data.caption || "Your photo";
    link.appendChild(img);
    item.appendChild(link);
    var lines = el("ul", "feedback");
    data.feedback.forEach(function (line) {
      var li = el("li", "feedback-line " + line.tone);
      li.appendChild(el("strong", null, line.title + ": "));
      li.appendChild(document.createTextNode(line.message + " "));
      if (line.lesson_url && line.tone === "try") {
        var lesson = el("a", null, "Lesson: " + line.lesson_title);
        lesson.href = line.lesson_url;
        li.appendChild(lesson);
      }
      lines.appendChild(li);
    });
    item.appendChild(lines);
  }

  function showError(item, message, url) {
    item.classList.add("failed");
    item.appendChild(el("p", "error-message", message));
    if (url) {
      var link = el("a", null, "See the one you sent before");
      link.href = url;
      item.appendChild(link);
    }
  }

  function send(file, item, bar, status) {
    return new Promise(function (resolve) {
      if (file.size > maxBytes) {
        bar.remove();
        status.textContent = "";
        showError(item, "This photo is bigger than " + Math.floor(maxBytes / 1048576) +
          " MB, so it cannot be sent. Ask a worker to help make it smaller.");
        resolve();
        return;
      }
      var data = new FormData(form);
      data.delete(input.name);
      data.append(input.name, file, file.name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = event.loaded / event.total;
          if (event.loaded === event.total) { status.textContent = "Checking…"; }
        }
      });
      request.addEventListener("load", function () {
        bar.remove();
        status.textContent = "";
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
        if (answer && answer.ok) {
          status.textContent = "Sent.";
          showFeedback(item, answer);
        } else if (answer && answer.detail) {
          // A refusal is application/problem+json (RFC 9457), as from the API.
          showError(item, answer.detail, answer.photo_url);
        } else if (request.status === 413) {
          showError(item, "This photo is too big to send. Ask a worker to help.");
        } else {
          showError(item, "This photo could not be sent. Reload the page and try again.");
        }
        resolve();
      });
      request.addEventListener("error", function () {
        bar.remove();
        status.textContent = "";
        showError(item, "The connection dropped. Check the Wi-Fi and try this photo again.");
        resolve();
      });
      request.send(data);
    });
  }

  form.addEventListener("submit", function (event) {
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length === 0) { return; }  // the server explains what is missing
    event.preventDefault();
    clearPreview();
    var chain = Promise.resolve();
    files.forEach(function (file) {
      var item = el("li", "upload-item");
      item.appendChild(el("p", "upload-name", file.name));
      var bar = el("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", "Sending " + file.name);
      item.appendChild(bar);
      var status = el("p", "upload-status", "Waiting…");
      item.appendChild(status);
      list.appendChild(item);
      chain = chain.then(function () {
        status.textContent = "Sending…";
        return send(file, item, bar, status);
      });
    });
    chain.then(function () { input.value = ""; });
  });
})();
