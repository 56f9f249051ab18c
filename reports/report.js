/* imgaudit HTML report: sorting and filtering, without a server. Inlined into every report.
 * It reads text and data- attributes only and never writes markup, so strings
 * from the report's data stay text. It records on <body> that it ran (data-js="ok") and how many
 * findings and shares it shows, which the report's browser test reads back. */
(function () {
  "use strict";
  var body = document.body;
  var slice = Array.prototype.slice;

  window.addEventListener("error", function () {
    body.setAttribute("data-js", "error");
  });

  function dataRows(table) {
    if (!table.tBodies.length) {
      return [];
    }
    return slice.call(table.tBodies[0].rows).filter(function (row) {
      return !row.classList.contains("empty");
    });
  }

  function cellKey(cell, numeric) {
    var v = cell ? cell.getAttribute("data-v") : null;
    if (v === null) {
      v = cell ? cell.textContent.trim().toLowerCase() : "";
    }
    if (numeric) {
      var n = parseFloat(v);
      return isNaN(n) ? 0 : n;
    }
    return v;
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tHead.rows.length) {
      return;
    }
    var heads = slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, idx) {
      if (!th.hasAttribute("data-sort")) {
        return;
      }
      var numeric = th.getAttribute("data-sort") === "num";
      th.tabIndex = 0;
      function sort() {
        /* Numbers and severities sort high first on the first click; text sorts A to Z. */
        var asc = th.getAttribute("aria-sort") ? th.getAttribute("aria-sort") === "descending" : !numeric;
        heads.forEach(function (h) {
          h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var keyed = dataRows(table).map(function (row, i) {
          return { row: row, key: cellKey(row.cells[idx], numeric), i: i };
        });
        keyed.sort(function (a, b) {
          if (a.key < b.key) {
            return asc ? -1 : 1;
          }
          if (a.key > b.key) {
            return asc ? 1 : -1;
          }
          return a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        keyed.forEach(function (k) {
          frag.appendChild(k.row);
        });
        table.tBodies[0].appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          sort();
        }
      });
    });
  }

  /* The filter sets by section id: each filters the table "<id>-table" with the controls in its section. */
  var filterSets = {};

  /* Sets up the filters of one section. A select[data-filter=NAME] keeps the rows whose data-NAME is its
   * value; with data-match="word", the rows whose data-NAME has it as one of its space-separated words.
   * It records on <body> how many rows there are and how many show (data-ID-total, data-ID-shown). */
  function setupFilters(id) {
    var section = document.getElementById(id);
    var table = document.getElementById(id + "-table");
    if (!section || !table) {
      return;
    }
    var rows = dataRows(table);
    var texts = rows.map(function (row) {
      return row.textContent.toLowerCase();
    });
    var selects = slice.call(section.querySelectorAll("select[data-filter]"));
    var search = section.querySelector("input[type=search]");
    var shown = section.querySelector(".shown");
    var none = section.querySelector(".no-match");

    function matches(row, w) {
      var v = row.getAttribute(w.attr);
      if (w.word) {
        return (" " + (v || "") + " ").indexOf(" " + w.value + " ") >= 0;
      }
      return v === w.value;
    }

    function apply() {
      var want = [];
      selects.forEach(function (s) {
        if (s.value) {
          want.push({ attr: "data-" + s.getAttribute("data-filter"), value: s.value,
                      word: s.getAttribute("data-match") === "word" });
        }
      });
      var needle = search ? search.value.trim().toLowerCase() : "";
      var n = 0;
      rows.forEach(function (row, i) {
        var ok = want.every(function (w) {
          return matches(row, w);
        });
        if (ok && needle && texts[i].indexOf(needle) < 0) {
          ok = false;
        }
        row.hidden = !ok;
        if (ok) {
          n++;
        }
      });
      if (shown) {
        shown.textContent = String(n);
      }
      if (none) {
        none.hidden = n !== 0 || rows.length === 0;
      }
      body.setAttribute("data-" + id + "-shown", String(n));
    }

    selects.forEach(function (s) {
      s.addEventListener("change", apply);
    });
    if (search) {
      search.addEventListener("input", apply);
    }
    /* Sets the filters from "name=value&name=value" (values URI-encoded); the others are cleared. */
    function setFilters(spec) {
      var want = {};
      spec.split("&").forEach(function (pair) {
        var eq = pair.indexOf("=");
        if (eq > 0) {
          try {
            want[decodeURIComponent(pair.slice(0, eq))] = decodeURIComponent(pair.slice(eq + 1));
          } catch (e) {
            /* A malformed link filters nothing. */
          }
        }
      });
      selects.forEach(function (s) {
        var name = s.getAttribute("data-filter");
        s.value = Object.prototype.hasOwnProperty.call(want, name) ? want[name] : "";
      });
      if (search) {
        search.value = "";
      }
    }

    filterSets[id] = { set: setFilters, apply: apply };
    /* A link can carry a filtered view: report.html#findings:sev=high&account=111122223333 */
    var hash = window.location.hash;
    var prefix = "#" + id + ":";
    if (hash.indexOf(prefix) === 0 && hash.length > prefix.length) {
      setFilters(hash.slice(prefix.length));
    }
    body.setAttribute("data-" + id + "-total", String(rows.length));
    apply();
  }

  /* Summary cards, rule names and the sharing counts jump to their table (the link's #id) with filters set. */
  function setupFilterLinks() {
    slice.call(document.querySelectorAll("[data-filters], [data-set-filter]")).forEach(function (link) {
      var target = filterSets[(link.getAttribute("href") || "").slice(1)];
      if (!target) {
        return;
      }
      link.addEventListener("click", function () {
        if (link.hasAttribute("data-filters")) {
          target.set(link.getAttribute("data-filters"));
        } else {
          target.set(encodeURIComponent(link.getAttribute("data-set-filter")) + "=" +
                     encodeURIComponent(link.getAttribute("data-value")));
        }
        target.apply();
      });
    });
  }

  slice.call(document.querySelectorAll("table.sortable")).forEach(makeSortable);
  setupFilters("findings");
  setupFilters("sharing");
  setupFilterLinks();
  if (body.getAttribute("data-js") !== "error") {
    body.setAttribute("data-js", "ok");
  }
})();
