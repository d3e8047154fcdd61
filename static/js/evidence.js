// The evidence size limit, checked in the browser with the same number the server enforces
// (data-max-bytes comes from the EVIDENCE_MAX_BYTES setting), so a 21 MB scan is refused
// before it is sent. The server checks again: this only saves the wait.
document.querySelectorAll("form.evidence-upload").forEach(function (form) {
  var input = form.querySelector("input[type=file]");
  var error = form.nextElementSibling;
  function check() {
    error.textContent = "";
    var file = input.files[0];
    if (!file) return true;
    var max = parseInt(input.dataset.maxBytes, 10);
    if (file.size > max) {
      var mb = function (n) { return (Math.round(n / 1048576 * 10) / 10).toString().replace(".", ","); };
      error.textContent = "Tệp “" + file.name + "” (" + mb(file.size) + " MB) vượt giới hạn " + mb(max) + " MB.";
      input.value = "";
      return false;
    }
    if (file.size === 0) {
      error.textContent = "Tệp “" + file.name + "” rỗng (0 byte).";
      input.value = "";
      return false;
    }
    return true;
  }
  input.addEventListener("change", check);
  form.addEventListener("submit", function (event) { if (!check() || !input.files.length) event.preventDefault(); });
});
