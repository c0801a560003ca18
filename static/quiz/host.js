// The host's screen on the projector: drives the game; shows the question, how the room
// answered, the leaderboard and the podium; counters once a second.
(function () {
  var root = document.getElementById("host");
  if (!root) return;
  var L = window.HocSoLive, t = root.dataset, stage = document.getElementById("stage");
  var current = null;

  function show(nodes) { stage.replaceChildren.apply(stage, nodes); }

  function handle(m) {
    if (m.type === "status") {
      document.getElementById("players").textContent = m.players;
      document.getElementById("answered").textContent = m.answered;
    } else if (m.type === "question" || (m.type === "state" && m.question)) {
      var q = m.type === "question" ? m : m.question;
      current = q;
      var timer = L.el("p", {class: "timer"});
      show([L.el("p", {class: "muted", text: t.tQuestion + " " + q.index + "/" + q.total}), timer,
        L.el("h2", {text: q.text})].concat(q.choices.map(function (c) {
        return L.el("p", {class: "choice-big", text: c[1]});
      })));
      L.countdown(timer, q.deadline, m.now ? m.now - Date.now() : 0);
    } else if (m.type === "reveal" && current) {
      var counts = {};
      m.distribution.forEach(function (d) { counts[d[0]] = d[1]; });
      show([L.el("h2", {text: current.text})].concat(current.choices.map(function (c) {
        var right = m.correct.indexOf(c[0]) >= 0;
        return L.el("p", {class: right ? "choice-big choice-right" : "choice-big",
          text: (right ? "✓ " : "") + c[1] + " — " + (counts[c[0]] || 0)});
      })).concat(m.explanation ? [L.el("p", {class: "feedback", text: m.explanation})] : []));
    } else if (m.type === "leaderboard" || m.type === "finished") {
      var nodes = m.type === "finished" ? [L.el("h2", {text: t.tFinished})] : [];
      nodes.push(L.table(m.top.map(function (r) { return [r[0], r[1], r[2], r[3]]; })));
      if (m.communes.length) nodes.push(L.table(m.communes.map(function (r) { return [r[0], r[1], r[2]]; })));
      if (m.organizations.length) nodes.push(L.table(m.organizations.map(function (r) { return [r[0], r[1], r[2]]; })));
      show(nodes);
    } else if (m.type === "locked") {
      stage.appendChild(L.el("p", {class: "notice", text: "⏱"}));
    } else if (m.type === "error") {
      document.getElementById("connection").textContent = m.message;
    }
  }

  var socket = L.connect("/ws/choi/" + t.game + "/dieu-khien/", handle, function (state, code) {
    document.getElementById("connection").textContent =
      state === "open" ? t.tLive : state === "offline" ? t.tOffline : L.refusal(t, code);
  });
  root.querySelectorAll("[data-command]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      var message = {type: button.dataset.command};
      if (message.type === "lock_lobby") {
        button.classList.toggle("on");
        message.locked = button.classList.contains("on");
      }
      socket.send(message);
    });
  });
})();
