// The volunteer's scan page: read a resident's personal QR with the phone camera (jsQR,
// shipped with the site) and record the attendance; the form still works without this
// (type the phone number). The same code is not sent twice within a few seconds.
(function () {
  document.documentElement.classList.add("js");
  var form = document.querySelector("[data-scan]");
  var video = document.getElementById("camera");
  var status = document.getElementById("scan-status");
  var result = document.getElementById("scan-result");
  if (!form || !video || !window.jsQR) return;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", {willReadFrequently: true});
  var last = {code: "", at: 0};

  function record(code) {
    var data = new FormData(form);
    data.set("code", code);
    data.set("phone", "");
    fetch(form.action || location.href, {method: "POST", body: data, headers: {"X-Requested-With": "fetch"}})
      .then(function (r) {
        // Every answer of the scan view is JSON; anything else (a proxy's error page, a
        // signed-out session's login page) is shown as "not sent", never parsed.
        var type = r.headers.get("content-type") || "";
        if (type.indexOf("application/json") !== 0) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (reply) {
        result.hidden = false;
        result.textContent = reply.message;
        result.className = reply.ok ? "notice" : "notice error";
      })
      .catch(function () { status.textContent = status.dataset.offline; });
  }

  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      var now = Date.now();
      if (found && found.data && (found.data !== last.code || now - last.at > 5000)) {
        last = {code: found.data, at: now};
        record(found.data);
      }
    }
    setTimeout(tick, 200);
  }

  status.textContent = status.dataset.starting;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    status.textContent = status.dataset.denied;
    return;
  }
  navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
    .then(function (stream) {
      video.srcObject = stream;
      return video.play();
    })
    .then(function () {
      status.textContent = status.dataset.scanning;
      tick();
    })
    .catch(function () { status.textContent = status.dataset.denied; });
})();
