// The player's phone: question, answer (acknowledged only once the server stored it),
// reveal with own points and rank, leaderboard, podium. Reloading or losing the network
// loses nothing: the socket reconnects and the server sends the current state.
(function () {
  var root = document.getElementById("game");
  if (!root) return;
  var L = window.HocSoLive, t = root.dataset, stage = document.getElementById("stage");
  var status = document.getElementById("status"), you = document.getElementById("you");
  var offset = 0, current = null, answeredKey = "hocso-answered-" + t.game;
  // Messages can cross: a reconnect's state, read just before a broadcast, may arrive after
  // it. Each message's place in the game is compared, and an older state is ignored.
  var PHASES = {lobby: 0, question: 1, locked: 2, reveal: 3, leaderboard: 4};
  var seen = -1;
  function place(m) {
    if (m.type === "finished" || m.phase === "finished") return 100000;
    var phase = m.type === "state" ? m.phase : m.type;
    return (m.index || 0) * 10 + (PHASES[phase] || 0);
  }
  var answered = JSON.parse(sessionStorage.getItem(answeredKey) || "{}");

  function show(nodes) { stage.replaceChildren.apply(stage, nodes); }
  function setYou(info) {
    if (!info || info.total === undefined) return;
    you.hidden = false;
    you.textContent = t.tTotal + ": " + info.total + (info.rank ? " · " + t.tRank + " " + info.rank : "");
  }

  function question(q) {
    current = q;
    var timer = L.el("p", {class: "timer", "aria-live": "off"});
    var chosen = {};
    var buttons = q.choices.map(function (choice) {
      var b = L.el("button", {type: "button", class: "choice-button", text: choice[1], "data-choice": choice[0]});
      b.addEventListener("click", function () {
        if (answered[q.index]) return;
        if (q.multiple) { chosen[choice[0]] = !chosen[choice[0]]; b.classList.toggle("picked"); return; }
        send([choice[0]]);
      });
      return b;
    });
    var nodes = [L.el("p", {class: "muted", text: t.tQuestion + " " + q.index + "/" + q.total}), timer,
      L.el("h2", {text: q.text})].concat(buttons);
    if (q.multiple) {
      var submit = L.el("button", {type: "button", text: t.tSubmit});
      submit.addEventListener("click", function () {
        var ids = Object.keys(chosen).filter(function (k) { return chosen[k]; }).map(Number);
        if (ids.length) send(ids);
      });
      nodes.push(submit);
    }
    nodes.push(L.el("p", {id: "answer-status", class: "muted", "aria-live": "polite"}));
    show(nodes);
    L.countdown(timer, q.deadline, offset);
    if (answered[q.index]) markAnswered();
  }

  function send(ids) {
    if (socket.send({type: "answer", index: current.index, choices: ids})) {
      document.getElementById("answer-status").textContent = t.tSent;
    }
  }

  function markAnswered() {
    stage.querySelectorAll(".choice-button").forEach(function (b) { b.disabled = true; });
    var s = document.getElementById("answer-status");
    if (s) s.textContent = t.tAck;
  }

  function reveal(m) {
    var right = m.you && m.you.correct;
    var nodes = [L.el("h2", {class: right ? "right" : "wrong", text: right ? t.tRight : t.tWrong})];
    if (m.you) nodes.push(L.el("p", {text: "+" + m.you.points + " " + t.tPoints}));
    if (current && current.index === m.index) {
      current.choices.forEach(function (c) {
        nodes.push(L.el("p", {class: m.correct.indexOf(c[0]) >= 0 ? "choice-right" : "choice-other",
          text: (m.correct.indexOf(c[0]) >= 0 ? "✓ " : "· ") + c[1]}));
      });
    }
    if (m.explanation) nodes.push(L.el("p", {class: "feedback", text: m.explanation}));
    show(nodes);
    setYou(m.you);
  }

  function board(m, heading) {
    var nodes = [L.el("h2", {text: heading || ""})];
    nodes.push(L.table(m.top.map(function (r) { return [r[0], r[1], r[2], r[3]]; })));
    if (m.communes && m.communes.length) nodes.push(L.table(m.communes.map(function (r) { return [r[0], r[1], r[2]]; })));
    show(nodes);
    setYou(m.you);
  }

  function handle(m) {
    if (PHASES[m.type] !== undefined || m.type === "state" || m.type === "finished") {
      var at = place(m);
      if (m.type === "state" && at < seen) return;
      if (m.type === "state" && at === seen) { setYou(m.you); return; }  // nothing new
      seen = Math.max(seen, at);
    }
    if (m.now) offset = m.now - Date.now();
    if (m.type === "state") {
      setYou(m.you);
      if (m.phase === "question" && m.question) question(m.question);
      else if (m.phase === "finished") show([L.el("h2", {text: t.tFinished})]);
      else if (m.phase === "lobby") show([L.el("p", {class: "notice", text: t.tLobby})]);
      else if (m.phase === "locked") show([L.el("p", {class: "notice", text: t.tLocked})]);
      else show([L.el("p", {class: "notice", text: t.tWait})]);
    } else if (m.type === "question") {
      offset = 0;
      question(m);
    } else if (m.type === "ack") {
      answered[m.index] = m.choices;
      sessionStorage.setItem(answeredKey, JSON.stringify(answered));
      markAnswered();
    } else if (m.type === "locked") {
      show([L.el("p", {class: "notice", text: t.tLocked})]);
    } else if (m.type === "reveal") {
      reveal(m);
    } else if (m.type === "leaderboard") {
      board(m, "");
    } else if (m.type === "finished") {
      board(m, t.tFinished);
    } else if (m.type === "removed") {
      show([L.el("p", {class: "notice", text: t.tRemoved})]);
    } else if (m.type === "error") {
      var s = document.getElementById("answer-status");
      (s || status).textContent = m.message;
      if (m.code === "answered" && current) markAnswered();
    }
  }

  var socket = L.connect("/ws/choi/" + t.game + "/?t=" + encodeURIComponent(t.token), handle, function (state, code) {
    status.textContent = state === "open" ? "" : state === "offline" ? t.tOffline : L.refusal(t, code);
  });
})();
