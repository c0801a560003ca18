// Commune picker: suggests communes as one types, accent-insensitively ("giap trung" →
// "Giáp Trung"). Without this script the text box still works: the server resolves the name.
(function () {
  "use strict";
  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim()
      .replace(/^(xa|phuong|dac khu) /, "");
  }
  document.querySelectorAll("input[data-commune-picker]").forEach(function (input) {
    var data = JSON.parse(document.getElementById(input.dataset.communePicker).textContent);
    data.forEach(function (c) { c.key = fold(c.name); });
    var list = document.getElementById(input.getAttribute("aria-controls"));
    function render() {
      var key = fold(input.value);
      list.textContent = "";
      if (!key) { list.hidden = true; return; }
      var starts = [], contains = [];
      data.forEach(function (c) {
        if (c.key === key && c.name === input.value) return;
        if (c.key.indexOf(key) === 0) starts.push(c);
        else if (c.key.indexOf(key) > 0 || c.code === key) contains.push(c);
      });
      var matches = starts.concat(contains).slice(0, 8);
      matches.forEach(function (c) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("role", "option");
        button.textContent = c.label;
        button.addEventListener("click", function () {
          input.value = c.name;
          list.hidden = true;
          input.focus();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      list.hidden = matches.length === 0;
    }
    input.addEventListener("input", render);
  });
})();
