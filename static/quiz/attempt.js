// Saves each tap at once (the page works without this: each question has a save button),
// and counts down to the server's deadline, then submits.
(function () {
  document.documentElement.classList.add("js");
  var timer = document.querySelector("[data-seconds-left]");
  var left = timer ? parseInt(timer.dataset.secondsLeft, 10) : 0;
  var end = Date.now() + left * 1000;
  var out = document.getElementById("countdown");
  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    out.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    if (s === 0) { document.getElementById("submit-form").submit(); return; }
    setTimeout(tick, 1000);
  }
  if (out) tick();
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.classList.contains("quiz-question")) return;
    var status = form.querySelector(".saved");
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        status.textContent = data.ok ? timer.dataset.saved : data.message;
        if (data.ok) form.classList.add("answered");
        document.getElementById("answered").textContent =
          document.querySelectorAll(".quiz-question.answered").length;
      })
      .catch(function () { status.textContent = timer.dataset.offline; });
  });
})();
