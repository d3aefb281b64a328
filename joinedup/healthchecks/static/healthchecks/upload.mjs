// Shows the upload's progress on the register import page. Without JavaScript the form posts as usual and
// the result page shows the finished import.
const form = document.getElementById("register-upload");
if (form && window.XMLHttpRequest) {
  form.addEventListener("submit", (event) => {
    const input = document.getElementById("id_file");
    if (!input || !input.files.length) return;
    // A file over the limit posts as usual: the page says it is too large without sending it twice.
    if (input.files[0].size > Number(form.dataset.maxBytes || Infinity)) return;
    event.preventDefault();
    const group = document.getElementById("upload-progress-group");
    const bar = document.getElementById("upload-progress");
    const text = document.getElementById("upload-progress-text");
    group.hidden = false;
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        const percent = Math.round((90 * e.loaded) / e.total);
        bar.value = percent;
        bar.textContent = `${percent}%`;
        text.textContent = `Uploaded ${Math.round((100 * e.loaded) / e.total)}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      text.textContent = "Checking and importing the rows";
    });
    request.addEventListener("load", () => {
      bar.value = 100;
      if (request.responseURL && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);
      } else {
        form.submit(); // the form had a problem: post it normally so the page shows the error
      }
    });
    request.addEventListener("error", () => {
      text.textContent = "The upload failed: check your connection and try again";
    });
    request.send(new FormData(form));
  });
}
