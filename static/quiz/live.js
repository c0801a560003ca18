// Shared by the player's and the host's pages: a websocket that reconnects with backoff
// and jitter, and small renderers that build DOM nodes (textContent only, never HTML).
window.HocSoLive = (function () {
  // The codes the server refuses a connection with (docs/protocol.md): reconnecting cannot
  // help, so the page stops and says why, with the page's data-t-closed-* text.
  var REFUSED = {4401: "Token", 4403: "Forbidden", 4404: "Gone", 4429: "Busy"};

  function refused(code) { return code >= 4400 && code < 4500; }

  function refusal(dataset, code, prefix) {
    prefix = prefix || "tClosed";
    return dataset[prefix + (REFUSED[code] || "Other")] || dataset[prefix + "Other"] || "";
  }

  function connect(path, onMessage, onStatus) {
    var delay = 500;
    var socket = null;
    function open() {
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
      socket = new WebSocket(url);
      socket.onopen = function () { delay = 500; onStatus("open"); };
      socket.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        if (refused(event.code)) {
          onStatus("closed", event.code);
          return;
        }
        onStatus("offline");
        setTimeout(open, delay + Math.random() * delay);  // jitter: phones don't return all at once
        delay = Math.min(delay * 2, 8000);
      };
    }
    open();
    return {
      send: function (message) {
        if (socket && socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify(message));
          return true;
        }
        return false;
      }
    };
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function table(rows) {
    return el("table", {class: "list compact"}, [el("tbody", {}, rows.map(function (row) {
      return el("tr", {}, row.map(function (cell) { return el("td", {text: String(cell)}); }));
    }))]);
  }

  function countdown(node, deadlineMs, offsetMs) {
    function tick() {
      var left = Math.max(0, Math.round((deadlineMs - (Date.now() + offsetMs)) / 1000));
      node.textContent = left + "s";
      if (left > 0 && node.isConnected) setTimeout(tick, 250);
    }
    tick();
  }

  return {connect: connect, refused: refused, refusal: refusal, el: el, table: table,
    countdown: countdown};
})();
