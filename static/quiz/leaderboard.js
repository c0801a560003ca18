// Live leaderboard. The page is complete without this; with it, the tables follow the
// round's pushes over a websocket (at most one every 1.5 s) and reconnect after a drop.
(function () {
  var root = document.querySelector("[data-leaderboard]");
  if (!root || !window.WebSocket) return;
  var status = root.querySelector("[data-live-status]");
  var statusText = status.querySelector("[data-status]");
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host +
    "/ws/thi/vong/" + root.dataset.leaderboard + "/";
  var format = new Intl.NumberFormat("vi-VN", {useGrouping: false, maximumFractionDigits: 1});
  var delay = 1000;
  var CLOSED = {4404: "Gone", 4429: "Busy"};

  function text(value) {
    if (value === null || value === undefined) return "—";
    return typeof value === "number" ? format.format(value) : String(value);
  }

  function fill(key, rows, columns) {
    var body = root.querySelector('[data-rows="' + key + '"]');
    if (!body) return;
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      columns(row).forEach(function (value) {
        var td = document.createElement("td");
        td.textContent = text(value);
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    var empty = root.querySelector('[data-empty="' + key + '"]');
    if (empty) empty.hidden = rows.length > 0;
  }

  function histogram(rows) {
    var list = root.querySelector("[data-histogram]");
    if (!list || !rows.length) return;
    var most = Math.max.apply(null, rows.map(function (r) { return r[1]; }));
    list.replaceChildren.apply(list, rows.map(function (r) {
      var li = document.createElement("li");
      [["histogram-label", r[0]], ["histogram-bar", ""], ["histogram-value", r[1]]].forEach(function (part) {
        var span = document.createElement("span");
        span.className = part[0];
        span.textContent = part[1] === "" ? "" : text(part[1]);
        if (part[0] === "histogram-bar") span.style.width = Math.round(100 * r[1] / most) + "%";
        li.appendChild(span);
      });
      return li;
    }));
  }

  function gamesColumn() {
    root.querySelectorAll("[data-games-label]").forEach(function (table) {
      var head = table.tHead.rows[0];
      if (head.cells.length > 5) return;
      var th = document.createElement("th");
      th.textContent = table.dataset.gamesLabel;
      head.appendChild(th);
    });
  }

  function render(data) {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      el.textContent = text(data[el.dataset.field]);
    });
    fill("top", data.top, function (r) {
      var cells = [r[0], r[1], r[2], text(r[3]) + "/" + text(r[4]), r[5]];
      if (data.final) cells.push(r[6]);
      return cells;
    });
    var unit = function (r) {
      // r[7]: the expected headcount; without one the rate is over registered accounts (*).
      var rate = r[3] === null ? null : text(r[3]) + (r[7] === null ? "*" : "");
      var cells = [r[0], r[1], rate, r[4], r[5]];
      if (data.games) cells.push(r[6]);  // live-game points count toward this round
      return cells;
    };
    if (data.games) gamesColumn();
    fill("communes", data.communes, unit);
    fill("organizations", data.organizations, unit);
    histogram(data.histogram);
  }

  function connect() {
    var socket = new WebSocket(url);
    socket.onopen = function () {
      delay = 1000;
      statusText.textContent = status.dataset.live;
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "leaderboard") render(data);
    };
    socket.onclose = function (event) {
      // Refused (docs/protocol.md): reconnecting cannot help; the page says why and stops.
      if (event.code >= 4400 && event.code < 4500) {
        statusText.textContent = root.dataset["closed" + (CLOSED[event.code] || "Other")];
        return;
      }
      statusText.textContent = status.dataset.offline;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
