// Saves a check-question answer the moment a choice is tapped (the button does the same without JS).
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.type === "radio" && input.form && input.form.classList.contains("question")) {
    input.form.submit();
  }
});
