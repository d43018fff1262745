// tmserver workbench: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function say(message) {
    var status = document.getElementById("copy-status");
    if (status) status.textContent = message;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // http:// on a LAN host is not a secure context: fall back to a hidden textarea
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copyFrom(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = source.textContent;
    copyText(text).then(function () {
      document.body.dataset.copied = text;
      say("Copied: " + text);
    }, function () {
      say("Copying was refused by the browser; select the text and copy it by hand.");
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (button) copyFrom(button);
  });

  document.addEventListener("keydown", function (event) {
    // Alt+1…9: copy that match's target
    if (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-9]$/.test(event.key)) {
      var button = document.querySelector('button.copy[data-key="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.focus();
        copyFrom(button);
      }
    }
    // Ctrl/Cmd+Enter in a textarea submits its form
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target.form) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  // A running job: poll its state, update the status line in place, reload when it ends.
  var job = document.getElementById("job");
  if (job && job.dataset.status === "running") {
    var poll = function () {
      fetch(job.dataset.stateUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          job.querySelector(".job-status").textContent = state.status;
          job.querySelector(".job-progress").textContent = state.progress;
          job.querySelector(".job-elapsed").textContent = state.elapsed;
          if (state.status === "running") setTimeout(poll, 500);
          else window.location.reload();
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 300);
  }
})();
