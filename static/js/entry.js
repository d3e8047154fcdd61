// The data-entry page with htmx (static/vendor/htmx): every form also works without this file
// (full page reloads). Here: which answer forms hold unsaved changes ("Lưu cả nhóm" and the
// warning before leaving), Enter moving to the next input, the evidence checks and upload progress.
(function () {
  "use strict";
  var rows = document.getElementById("entry-rows");
  if (!rows) return;

  // --- unsaved changes ------------------------------------------------------------------
  function dirtyForms(root) {
    return Array.prototype.slice.call((root || document).querySelectorAll("form.answer-form[data-dirty]"));
  }

  // The criteria cards under a group heading: the rows after it up to the next heading of the same or a higher level.
  function cardsOf(heading) {
    var depth = parseInt(heading.dataset.depth, 10), cards = [];
    for (var row = heading.nextElementSibling; row; row = row.nextElementSibling) {
      if (row.classList.contains("entry-group") && parseInt(row.dataset.depth, 10) <= depth) break;
      if (row.classList.contains("entry-item")) cards.push(row);
    }
    return cards;
  }

  function changedCardsOf(heading) {
    return cardsOf(heading).filter(function (card) { return card.querySelector("form.answer-form[data-dirty]"); });
  }

  function refreshGroupButtons() {
    rows.querySelectorAll(".entry-group").forEach(function (heading) {
      var button = heading.querySelector(".group-save");
      if (!button) return;
      var count = changedCardsOf(heading).length;
      button.hidden = count === 0;
      button.textContent = "Lưu cả nhóm (" + count + ")";
    });
  }

  function markDirty(event) {
    var form = event.target.closest("form.answer-form");
    if (!form || form.dataset.dirty) return;
    form.dataset.dirty = "1";
    refreshGroupButtons();
  }
  rows.addEventListener("input", markDirty);
  rows.addEventListener("change", markDirty);

  window.addEventListener("beforeunload", function (event) {
    if (dirtyForms().length) {
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their dialog
    }
  });

  // "Lưu cả nhóm": the changed cards' fields, prefixed "i-<pk>-", in one request (views.answers_save_group).
  rows.addEventListener("htmx:configRequest", function (event) {
    var button = event.detail.elt;
    if (!button.classList || !button.classList.contains("group-save")) return;
    var heading = button.closest(".entry-group");
    var data = event.detail.formData;
    data.append("nhom", heading.id);
    changedCardsOf(heading).forEach(function (card) {
      var pk = card.id.slice(2);  // the card's id is "i-<indicator pk>"
      data.append("chi-tieu", pk);
      new FormData(card.querySelector("form.answer-form")).forEach(function (value, name) {
        if (name !== "csrfmiddlewaretoken" && name !== "con-lai") data.append("i-" + pk + "-" + name, value);
      });
    });
  });

  // Swapped cards are fresh from the server: their state decides the buttons again.
  document.body.addEventListener("htmx:afterSettle", refreshGroupButtons);
  document.body.addEventListener("htmx:oobAfterSwap", refreshGroupButtons);
  refreshGroupButtons();

  // --- Enter moves to the next input (it does not submit) ---------------------------------
  function stops() {
    var seen = {};
    return Array.prototype.filter.call(rows.querySelectorAll(
      "form.answer-form input:not([type=hidden]), form.answer-form select"), function (input) {
      if (input.type !== "radio") return true;
      var key = input.form.closest(".entry-item").id + ":" + input.name;  // one stop per radio group
      if (seen[key]) return false;
      seen[key] = true;
      return true;
    });
  }
  rows.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) return;
    if (!input.closest || !input.closest("form.answer-form") || input.tagName === "BUTTON" || input.type === "submit") return;
    event.preventDefault();
    var list = stops(), here = list.indexOf(input);
    if (here < 0 && input.type === "radio") {
      here = list.findIndex(function (other) { return other.type === "radio" && other.name === input.name && other.form === input.form; });
    }
    var next = list[here + 1];
    if (next) {
      next.focus();
      if (next.select && next.type === "text") next.select();
    }
  });

  // --- evidence: the size limit and empty files in the browser, upload progress -------------
  // The limit is the server's own (data-max-bytes from the EVIDENCE_MAX_BYTES setting); the
  // server checks again: this only saves the wait. The message stays until another file is chosen.
  function checkFile(form) {
    var input = form.querySelector("input[type=file]");
    var error = form.nextElementSibling;
    var file = input.files[0];
    var mb = function (n) { return (Math.round(n / 1048576 * 10) / 10).toString().replace(".", ","); };
    var message = "";
    if (!file) message = "Hãy chọn tệp trước khi bấm “Tải lên”.";
    else if (file.size > parseInt(input.dataset.maxBytes, 10)) {
      message = "Tệp “" + file.name + "” (" + mb(file.size) + " MB) vượt giới hạn " + mb(parseInt(input.dataset.maxBytes, 10)) + " MB.";
    } else if (file.size === 0) message = "Tệp “" + file.name + "” rỗng (0 byte): hãy chọn tệp khác.";
    error.textContent = message;
    return !message;
  }
  rows.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.evidence-upload");
    if (form && event.target.type === "file" && event.target.files.length) checkFile(form);
  });
  rows.addEventListener("submit", function (event) {  // without htmx (it failed to load): the plain form
    var form = event.target;
    if (form.classList.contains("evidence-upload") && !window.htmx && !checkFile(form)) event.preventDefault();
  });
  rows.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains("evidence-upload")) return;
    if (!checkFile(form)) {
      event.preventDefault();
      return;
    }
    var bar = form.querySelector(".upload-progress");
    bar.value = 0;
    bar.hidden = false;
  });
  rows.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form.evidence-upload");
    if (form && event.detail.lengthComputable) {
      form.querySelector(".upload-progress").value = Math.round(100 * event.detail.loaded / event.detail.total);
    }
  });
  rows.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form.classList && form.classList.contains("evidence-upload")) form.querySelector(".upload-progress").hidden = true;
  });
  // An answer without any in-place update is not ours: the session expired and the request was sent
  // to the login page. Nothing was saved; what was typed stays on the page.
  rows.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.xhr.responseText.indexOf("hx-swap-oob") < 0) {
      alert("Chưa lưu được: phiên đăng nhập đã hết hạn. Hãy đăng nhập lại ở một tab khác rồi bấm lưu lại; số liệu đã nhập vẫn còn trên trang.");
    }
  });
  // A request that failed (the network, a server error): say so on the page, nothing is lost.
  document.body.addEventListener("htmx:sendError", function () { alert("Không gửi được: kiểm tra kết nối mạng rồi thử lại. Số liệu đã nhập vẫn còn trên trang."); });
  document.body.addEventListener("htmx:responseError", function (event) {
    alert("Máy chủ không lưu được (mã " + event.detail.xhr.status + "). Số liệu đã nhập vẫn còn trên trang; hãy thử lại.");
  });
})();
