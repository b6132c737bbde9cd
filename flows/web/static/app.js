// Job progress: poll the status endpoint and append the new lines (no framework).
(function () {
  var state = document.getElementById("job-state");
  if (!state || state.dataset.status !== "running") return;
  var log = document.getElementById("job-log");
  var next = document.getElementById("job-next");
  var count = parseInt(state.dataset.count, 10) || 0;
  var words = { running: "进行中…", done: "完成", failed: "未完成（见下方说明）" };
  function poll() {
    fetch(state.dataset.url + "?since=" + count, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        job.lines.forEach(function (line) { log.appendChild(document.createTextNode(line + "\n")); });
        count = job.count;
        state.dataset.status = job.status;
        state.textContent = words[job.status] || job.status;
        if (job.status === "running") { setTimeout(poll, 1000); }
        else { next.hidden = false; }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
