// KAM's only script, served from /static/app.js (the Content-Security-Policy
// allows no inline script). Behaviour is declared in the markup:
//   data-print          a button that prints the page
//   data-confirm="…"    a form that asks before it is submitted
//   data-select         an input whose text is selected on click
//   data-add="name"     a button that adds a row from <template id="blank-name">
//   data-remove-label   on a box of repeatable rows: each row gets a button that
//                       empties it (an empty row is not saved) and hides it
// and every form's buttons are disabled once it is on its way, so a double
// click posts once (re-enabled when the page is shown again from history).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  document.querySelectorAll("form").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (e.defaultPrevented) { return; }
      // After this event the browser has taken the form's data (and the
      // pressed button's name and value): only then are the buttons disabled.
      window.setTimeout(function () {
        f.querySelectorAll("button, input[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form button, form input[type=submit]").forEach(function (b) { b.disabled = false; });
  });
  document.querySelectorAll("[data-toggle-menu]").forEach(function (b) {
    b.addEventListener("click", function () {
      var header = b.closest("header");
      var open = header.classList.toggle("menu-open");
      b.setAttribute("aria-expanded", open ? "true" : "false");
      // On a phone "more" is part of the open list.
      header.querySelectorAll("details.more").forEach(function (d) { d.open = open; });
    });
  });
  // "More" closes when something else is clicked.
  document.addEventListener("click", function (e) {
    if (e.target.closest(".menu-open")) { return; }
    document.querySelectorAll("details.more[open]").forEach(function (d) {
      if (!d.contains(e.target)) { d.removeAttribute("open"); }
    });
  });
  document.querySelectorAll("[data-select]").forEach(function (i) {
    i.addEventListener("click", function () { i.select(); });
  });
  function removable(fieldset, label) {
    if (fieldset.querySelector(".remove-row")) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "secondary remove-row";
    b.textContent = label;
    b.addEventListener("click", function () {
      fieldset.querySelectorAll("input, select, textarea").forEach(function (i) {
        if (i.type === "hidden") { return; }
        if (i.type === "checkbox") { i.checked = false; } else { i.value = ""; }
      });
      fieldset.hidden = true;
    });
    fieldset.appendChild(b);
  }
  document.querySelectorAll("[data-remove-label]").forEach(function (box) {
    var label = box.getAttribute("data-remove-label");
    box.querySelectorAll("fieldset").forEach(function (f) { removable(f, label); });
    new MutationObserver(function () {
      box.querySelectorAll("fieldset").forEach(function (f) { removable(f, label); });
    }).observe(box, { childList: true });
  });
  document.querySelectorAll("[data-add]").forEach(function (b) {
    b.addEventListener("click", function () {
      var name = b.getAttribute("data-add");
      var box = document.getElementById("rows-" + name);
      var n = parseInt(box.getAttribute("data-next"), 10);
      var html = document.getElementById("blank-" + name).innerHTML.split("__i__").join(String(n));
      box.insertAdjacentHTML("beforeend", html);
      var legends = box.querySelectorAll("legend");
      legends[legends.length - 1].textContent += " " + (n + 1);
      box.setAttribute("data-next", String(n + 1));
    });
  });
  // The order form's running total, before placing: quantity × price (the
  // line's own or the product's list price) less the discount, tax included
  // as prices are. The store prices the order again when it is placed.
  document.querySelectorAll("form[data-prices]").forEach(function (form) {
    var prices = JSON.parse(form.getAttribute("data-prices") || "{}");
    var out = form.querySelector("[data-total]");
    var num = function (v) { var n = parseFloat(String(v || "").replace(/,/g, "")); return isNaN(n) ? null : n; };
    function update() {
      var total = 0, any = false;
      form.querySelectorAll("select[name$='.product_id']").forEach(function (sel) {
        var base = sel.name.slice(0, -"product_id".length);
        var field = function (n) { var el = form.querySelector("[name='" + base + n + "']"); return el ? el.value : ""; };
        var fs = sel.closest("fieldset");
        if (!sel.value || (fs && fs.hidden)) { return; }
        var q = num(field("quantity"));
        var price = num(field("unit_price"));
        var cents = price === null ? prices[sel.value] : Math.round(price * 100);
        if (q === null || cents === undefined) { return; }
        var d = num(field("discount_pct")) || 0;
        total += Math.round(q * cents * (1 - d / 100));
        any = true;
      });
      var yuan = (total / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      out.textContent = any ? form.getAttribute("data-total-label") + "¥" + yuan : "";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("click", function () { setTimeout(update, 0); });
    update();
  });
  // 省/市/区: a cascading picker over the national division list shipped
  // with KAM. Each field offers the choices under the one before it (and may
  // still be typed: a development zone is written as people know it).
  var province = document.getElementById("f-province");
  var city = document.getElementById("f-city");
  var district = document.getElementById("f-district");
  if (province && city && !province.readOnly) {
    var list = function (input, id) {
      var dl = document.createElement("datalist");
      dl.id = id;
      input.setAttribute("list", id);
      input.setAttribute("autocomplete", "off");
      input.insertAdjacentElement("afterend", dl);
      return dl;
    };
    var lp = list(province, "dl-province"), lc = list(city, "dl-city"), ld = district ? list(district, "dl-district") : null;
    var fill = function (dl, names) {
      dl.textContent = "";
      names.forEach(function (n) { var o = document.createElement("option"); o.value = n; dl.appendChild(o); });
    };
    fetch("/static/divisions.json").then(function (r) { return r.json(); }).then(function (tree) {
      var cities = function () { var p = tree.find(function (x) { return x[0] === province.value.trim(); }); return p ? p[1] : []; };
      var refresh = function () {
        var cs = cities();
        fill(lc, cs.map(function (c) { return c[0]; }));
        if (ld) {
          var c = cs.find(function (x) { return x[0] === city.value.trim(); });
          fill(ld, c ? c[1] : []);
        }
      };
      fill(lp, tree.map(function (p) { return p[0]; }));
      province.addEventListener("change", function () {
        var cs = cities();
        if (cs.length === 1) { city.value = cs[0][0]; }
        else if (cs.length && !cs.some(function (c) { return c[0] === city.value.trim(); })) { city.value = ""; }
        refresh();
      });
      province.addEventListener("input", refresh);
      city.addEventListener("input", refresh);
      city.addEventListener("change", refresh);
      refresh();
    }).catch(function () {});
  }
  // An import committing in the background: its progress, read every second
  // without a reload; the page comes back when it has finished or failed.
  var bar = document.querySelector("[data-progress]");
  if (bar) {
    var meter = bar.querySelector("progress"), label = bar.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(bar.dataset.progress, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          meter.max = p.total; meter.value = p.done;
          label.textContent = p.done + " / " + p.total;
          if (p.running) { setTimeout(poll, 1000); } else { location.reload(); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }
  // A long list (accounts and their people, products, users) gets a search
  // box: typing narrows the choices; one match left is chosen.
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  function searchable(sel) {
    var who = /\.who$/.test(sel.name);
    if (sel.disabled || sel.dataset.searchable || (!who && sel.options.length < 12)) { return; }
    sel.dataset.searchable = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.placeholder = zh ? "输入关键字筛选…" : "Type to filter…";
    box.setAttribute("aria-label", box.placeholder);
    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      var shown = [];
      Array.prototype.forEach.call(sel.options, function (o) {
        var hit = !o.value || !q || o.text.toLowerCase().indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit && o.value) { shown.push(o); }
      });
      if (shown.length === 1) { sel.value = shown[0].value; sel.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    sel.insertAdjacentElement("beforebegin", box);
  }
  document.querySelectorAll("form select").forEach(searchable);
  new MutationObserver(function () { document.querySelectorAll("form select").forEach(searchable); })
    .observe(document.body, { childList: true, subtree: true });
});
