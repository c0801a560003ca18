// The festival's big screen: fetch the counters every 5 seconds (the server computes them
// once per 5 s for every screen) and update the numbers in place.
(function () {
  var root = document.querySelector("[data-counts]");
  if (!root) return;
  function update(figures) {
    root.querySelectorAll("[data-field]").forEach(function (el) {
      el.textContent = figures[el.dataset.field];
    });
    var body = root.querySelector("[data-booths]");
    if (body && figures.booths.length) {
      body.replaceChildren.apply(body, figures.booths.map(function (row) {
        var tr = document.createElement("tr");
        row.forEach(function (value) {
          var td = document.createElement("td");
          td.textContent = value;
          tr.appendChild(td);
        });
        return tr;
      }));
    }
  }
  function poll() {
    fetch(root.dataset.counts, {headers: {Accept: "application/json"}})
      .then(function (r) { return r.json(); })
      .then(update)
      .catch(function () {})
      .then(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);
})();
