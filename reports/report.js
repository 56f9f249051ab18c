/* imgaudit HTML report: sorting and filtering, without a server. Inlined into every report.
 * It reads text, data- attributes and the page's JSON data block only, and builds elements with
 * textContent, never markup, so strings from the report's data stay text. The findings table is drawn
 * from the data block a screenful at a time (a virtual table: rows for the visible window between two
 * spacers), so 100,000 findings cost a few dozen rows in the page. It records on <body> that it ran
 * (data-js="ok"), how many findings and shares there are and how many match the filters, and when the
 * findings were first drawn (data-findings-ms, milliseconds since navigation), which the report's
 * browser test and benchmark read back. */
(function () {
  "use strict";
  var body = document.body;
  var slice = Array.prototype.slice;

  window.addEventListener("error", function () {
    body.setAttribute("data-js", "error");
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) {
      e.className = cls;
    }
    if (text) {
      e.textContent = text;
    }
    return e;
  }

  function badge(kind, text) {
    return el("span", "badge " + kind, text);
  }

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

  /* Makes the headings of a table sort it on click or Enter: sortBy(column index, numeric, ascending).
   * Numbers and severities sort high first on the first click; text sorts A to Z. */
  function sortableHeads(table, sortBy) {
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
        var asc = th.getAttribute("aria-sort") ? th.getAttribute("aria-sort") === "descending" : !numeric;
        heads.forEach(function (h) {
          h.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        sortBy(idx, numeric, asc);
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

  /* A table whose rows are in the page: sorted by moving its rows. */
  function makeSortable(table) {
    sortableHeads(table, function (idx, numeric, asc) {
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
    });
  }

  /* Sorts the indices 0..n-1 by non-negative integer keys (key(i)), ties in index order; high keys first
   * unless asc. Packs key and index in one number, (key or max - key) * (n + 1) + index, so the typed
   * array sorts natively, without a comparator: 100,000 rows in a few milliseconds. The keys are ranks
   * or counts below a few million, so the packed numbers stay far below 2^53, exact in a double. */
  function sortByKeys(n, key, asc) {
    var keys = new Float64Array(n);
    var packed = new Float64Array(n);
    var m = n + 1;
    var max = 0;
    var i;
    for (i = 0; i < n; i++) {
      keys[i] = key(i);
      if (keys[i] > max) {
        max = keys[i];
      }
    }
    for (i = 0; i < n; i++) {
      packed[i] = (asc ? keys[i] : max - keys[i]) * m + i;
    }
    packed.sort();
    var order = new Uint32Array(n);
    for (i = 0; i < n; i++) {
      order[i] = packed[i] % m;
    }
    return order;
  }

  /* Ranks of strings (equal strings, equal ranks), for sorting text columns with sortByKeys. */
  function ranksOf(strings) {
    var n = strings.length;
    var idx = new Array(n);
    var i;
    for (i = 0; i < n; i++) {
      idx[i] = i;
    }
    idx.sort(function (a, b) {
      return strings[a] < strings[b] ? -1 : strings[a] > strings[b] ? 1 : 0;
    });
    var rank = new Uint32Array(n);
    var r = 0;
    for (i = 0; i < n; i++) {
      if (i > 0 && strings[idx[i]] !== strings[idx[i - 1]]) {
        r++;
      }
      rank[idx[i]] = r;
    }
    return rank;
  }

  /*
   * A table drawn from data: its body holds a spacer, the rows of the visible window, and a spacer, all
   * rows being one fixed height (the stylesheet clips their cells). The table scrolls inside its
   * wrapper. render(i) builds the row for item i; show(list) sets the items to show, in order.
   */
  function VirtualTable(table, render) {
    var wrap = table.parentNode;
    var tbody = table.tBodies[0];
    var nCols = table.tHead.rows[0].cells.length;
    var list = new Uint32Array(0);
    var rowH = 0;
    var pending = false;
    /* Browsers cap an element's height (Chromium near 16.7 million pixels): past this, the scroll
     * position maps to rows proportionally instead of row by row. */
    var MAX_PX = 8000000;
    var OVERSCAN = 8;

    wrap.classList.add("vwrap");
    table.classList.add("virtual");

    function spacer(px) {
      var tr = el("tr", "vspace");
      var td = el("td");
      tr.setAttribute("aria-hidden", "true");
      td.colSpan = nCols;
      td.style.height = px + "px";
      tr.appendChild(td);
      return tr;
    }

    function draw() {
      pending = false;
      var h = rowH || 60;
      var n = list.length;
      var view = wrap.clientHeight || window.innerHeight || 800;
      var count = Math.min(n, Math.ceil(view / h) + 2 * OVERSCAN);
      var full = n * h;
      var height = Math.min(full, MAX_PX);
      var top = wrap.scrollTop;
      var first;
      var topPx;
      if (full <= MAX_PX) {
        first = Math.max(0, Math.min(n - count, Math.floor(top / h) - OVERSCAN));
        topPx = first * h;
      } else {
        var span = Math.max(1, height - view);
        first = Math.max(0, Math.min(n - count, Math.floor((Math.min(top, span) / span) * (n - count))));
        topPx = Math.max(0, Math.min(height - count * h, top - OVERSCAN * h));
      }
      var frag = document.createDocumentFragment();
      frag.appendChild(spacer(topPx));
      for (var k = first; k < first + count; k++) {
        frag.appendChild(render(list[k]));
      }
      frag.appendChild(spacer(Math.max(0, height - topPx - count * h)));
      tbody.textContent = "";
      tbody.appendChild(frag);
      if (!rowH && count) {
        /* The height the stylesheet gives a row, measured once on the first one drawn. */
        rowH = tbody.rows[1].getBoundingClientRect().height || 60;
        if (Math.abs(rowH - h) > 0.5) {
          draw();
        }
      }
    }

    wrap.addEventListener("scroll", function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(draw);
      }
    });

    this.show = function (items) {
      list = items;
      wrap.scrollTop = 0;
      draw();
    };
  }

  /* Shows how many of the section's total items match its filters (its .shown count, its .no-match
   * note), and records it on <body> as data-ID-shown. */
  function showCount(section, id, m, total) {
    var shown = section.querySelector(".shown");
    var none = section.querySelector(".no-match");
    if (shown) {
      shown.textContent = String(m);
    }
    if (none) {
      none.hidden = m !== 0 || total === 0;
    }
    body.setAttribute("data-" + id + "-shown", String(m));
  }

  /*
   * A section whose table is drawn from data (a virtual table): its filters (select[data-filter], the
   * search box) and sortable headings work on the data, not on rows. spec gives n, the number of
   * items; render(i), the row of item i; test(name, value), a function(i) that is true for the items a
   * filter keeps; text(i), the item's text for the search box; key(column), a function(i) giving small
   * integer sort keys. Records data-ID-total and data-ID-shown on <body>.
   */
  function setupDataTable(id, spec) {
    var section = document.getElementById(id);
    var table = document.getElementById(id + "-table");
    var n = spec.n;
    var texts = new Array(n);
    var made = 0;
    var order = null;
    var keys = {};

    /* Lower-case text of the items for the search box, up to item end: made a slice at a time while the
     * page is idle after it opens, and the rest at once on a search that comes before. */
    function makeTexts(end) {
      for (; made < end; made++) {
        texts[made] = spec.text(made).toLowerCase();
      }
    }
    function makeTextsIdle() {
      makeTexts(Math.min(n, made + 5000));
      if (made < n) {
        window.setTimeout(makeTextsIdle, 0);
      }
    }
    var selects = slice.call(section.querySelectorAll("select[data-filter]"));
    var search = section.querySelector("input[type=search]");
    body.setAttribute("data-" + id + "-total", String(n));
    if (!n) {
      /* Nothing to draw: the table keeps the row that says so. */
      body.setAttribute("data-" + id + "-shown", "0");
      registerFilters(id, selects, search, function () {});
      return;
    }
    var vt = new VirtualTable(table, spec.render);

    function apply() {
      var tests = [];
      selects.forEach(function (s) {
        if (s.value) {
          tests.push(spec.test(s.getAttribute("data-filter"), s.value));
        }
      });
      var needle = search ? search.value.trim().toLowerCase() : "";
      if (needle) {
        makeTexts(n);
      }
      var out = new Uint32Array(n);
      var m = 0;
      for (var k = 0; k < n; k++) {
        var i = order ? order[k] : k;
        var ok = true;
        for (var t = 0; t < tests.length && ok; t++) {
          ok = tests[t](i);
        }
        if (ok && needle && texts[i].indexOf(needle) < 0) {
          ok = false;
        }
        if (ok) {
          out[m++] = i;
        }
      }
      vt.show(out.subarray(0, m));
      showCount(section, id, m, n);
    }

    sortableHeads(table, function (idx, numeric, asc) {
      if (!keys[idx]) {
        keys[idx] = spec.key(idx);
      }
      order = sortByKeys(n, keys[idx], asc);
      apply();
    });
    selects.forEach(function (s) {
      s.addEventListener("change", apply);
    });
    if (search) {
      search.addEventListener("input", apply);
    }
    registerFilters(id, selects, search, apply);
    apply();
    window.setTimeout(makeTextsIdle, 100);
  }

  /* Sort keys from the text of one column: a function(i) giving the rank of text(i). */
  function textKey(n, text) {
    var strings = new Array(n);
    for (var i = 0; i < n; i++) {
      strings[i] = text(i).toLowerCase();
    }
    var rank = ranksOf(strings);
    return function (i) {
      return rank[i];
    };
  }

  /* The section's data (the element ID-data, the rows in its parts ID-data-0, ID-data-1...), parsed,
   * with its rows as data.rows, and taken out of the page (it is kept as data, not as text twice); null
   * when there is none. */
  function takeData(id) {
    var block = document.getElementById(id + "-data");
    if (!block) {
      return null;
    }
    var data = JSON.parse(block.textContent);
    block.parentNode.removeChild(block);
    data.rows = [];
    for (var k = 0; k < data.parts; k++) {
      var part = document.getElementById(id + "-data-" + k);
      var rows = JSON.parse(part.textContent);
      part.parentNode.removeChild(part);
      if (k === 0) {
        data.rows = rows;
      } else {
        for (var i = 0; i < rows.length; i++) {
          data.rows.push(rows[i]);
        }
      }
    }
    return data;
  }

  var SEV_RANK = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  var CHANGES = ["", "new", "existing"];

  /* Appends a cell to tr, its content clipped to the row's height; returns the clip. */
  function cell(tr, cls) {
    var td = el("td", cls);
    var clip = el("div", "clip");
    td.appendChild(clip);
    tr.appendChild(td);
    return clip;
  }

  /* The findings (the data block html_data.c writes), as the table the C writer once wrote row by row. */
  function setupFindings() {
    var data = takeData("findings");
    if (!data || !document.getElementById("findings-table")) {
      return;
    }
    var F = data.rows;
    var res = data.resources;
    var rules = data.rules;
    var accounts = data.accounts;
    var regions = data.regions;
    var types = data.types;
    var waivers = data.waivers;
    var baseline = data.baseline;
    var n = F.length;

    function waiverNote(f) {
      var w = f[6] >= 0 ? waivers[f[6]] : null;
      if (!w) {
        return "waived";
      }
      return "waived: " + w[0] + " (" + w[1] + (w[1] ? ", " : "") + "expires " + (w[2] || "never") + ")";
    }

    /* The message, with its resource's id, name, account and region where the writer marked them
     * (U+0001 to U+0004). */
    var MARKS = /[\u0001-\u0004]/g;
    function message(f) {
      var m = f[3];
      var r = res[f[2]];
      return m.replace(MARKS, function (c) {
        var k = c.charCodeAt(0);
        return k === 1 ? r[0] : k === 2 ? r[1] : k === 3 ? (r[3] >= 0 ? accounts[r[3]][0] : "") : regions[r[4]];
      });
    }

    function account(f) {
      var a = res[f[2]][3];
      return a >= 0 ? accounts[a] : null;
    }

    function render(i) {
      var f = F[i];
      var rule = rules[f[0]];
      var r = res[f[2]];
      var acc = account(f);
      var tr = el("tr");
      var clip;
      tr.setAttribute("data-sev", rule[1]);
      cell(tr).appendChild(badge("sev-" + rule[1], rule[1]));
      clip = cell(tr);
      if (f[1]) {
        clip.appendChild(badge("st-waived", "waived"));
        clip.appendChild(el("div", "muted small", waiverNote(f)));
        tr.lastChild.title = waiverNote(f);
      } else {
        clip.appendChild(badge("st-fail", "failed"));
      }
      cell(tr, "mono").textContent = rule[0];
      tr.lastChild.title = rule[0];
      clip = cell(tr);
      clip.appendChild(el("div", "mono nowrap", acc ? acc[0] : "organization"));
      if (acc && acc[1]) {
        clip.appendChild(el("div", "muted small", acc[1]));
      }
      cell(tr, "nowrap").textContent = regions[r[4]];
      clip = cell(tr, "wide");
      clip.appendChild(el("div", "mono", r[0]));
      if (r[1]) {
        clip.appendChild(el("div", null, r[1]));
      }
      clip.appendChild(el("div", "muted small", types[r[2]]));
      tr.lastChild.title = r[0] + (r[1] ? "\n" + r[1] : "") + "\n" + types[r[2]];
      clip = cell(tr, "wide");
      clip.textContent = message(f);
      tr.lastChild.title = clip.textContent;
      if (baseline) {
        clip = cell(tr);
        if (f[4] === 1) {
          clip.appendChild(badge("st-new", "new"));
        } else if (f[4] === 2) {
          clip.appendChild(badge("st-existing", "existing"));
        }
        clip = cell(tr, "small nowrap");
        if (f[5]) {
          tr.lastChild.title = f[5];
          clip.textContent = f[5].slice(0, 10);
        }
      }
      return tr;
    }

    function indexOf(list, value) {
      for (var i = 0; i < list.length; i++) {
        if (list[i][0] === value) {
          return i;
        }
      }
      return -2; /* matches nothing, not even "none" (-1) */
    }

    function test(name, v) {
      if (name === "sev") {
        return function (i) {
          return rules[F[i][0]][1] === v;
        };
      }
      if (name === "status") {
        var st = v === "fail" ? 0 : v === "waived" ? 1 : -1;
        return function (i) {
          return F[i][1] === st;
        };
      }
      if (name === "rule") {
        var rule = indexOf(rules, v);
        return function (i) {
          return F[i][0] === rule;
        };
      }
      if (name === "account") {
        var acc = indexOf(accounts, v);
        return function (i) {
          return res[F[i][2]][3] === acc;
        };
      }
      var ch = name === "change" ? CHANGES.indexOf(v) : -1;
      return function (i) {
        return ch > 0 && F[i][4] === ch;
      };
    }

    function text(i) {
      var f = F[i];
      var r = res[f[2]];
      var acc = account(f);
      return [rules[f[0]][1], f[1] ? "waived" : "failed", rules[f[0]][0],
              acc ? acc[0] + " " + (acc[1] || "") : "organization", regions[r[4]], r[0], r[1], types[r[2]],
              message(f), f[1] ? waiverNote(f) : "", baseline ? CHANGES[f[4] || 0] : "", f[5]].join(" ");
    }

    /* Severity, status and change sort by their rank; the other columns by their text (the lookup
     * tables' strings ranked once, not per finding, where a column has one). */
    function key(idx) {
      var rank;
      switch (idx) {
        case 0:
          return function (i) {
            return SEV_RANK[rules[F[i][0]][1]];
          };
        case 1:
          return function (i) {
            return F[i][1];
          };
        case 2:
          rank = textKey(rules.length, function (r) {
            return rules[r][0];
          });
          return function (i) {
            return rank(F[i][0]);
          };
        case 3:
          rank = textKey(accounts.length, function (a) {
            return accounts[a][0];
          });
          return function (i) {
            var a = res[F[i][2]][3];
            return a >= 0 ? rank(a) : accounts.length;
          };
        case 4:
          rank = textKey(regions.length, function (g) {
            return regions[g];
          });
          return function (i) {
            return rank(res[F[i][2]][4]);
          };
        case 5:
          rank = textKey(res.length, function (r) {
            return res[r][0];
          });
          return function (i) {
            return rank(F[i][2]);
          };
        case 6:
          return textKey(n, function (i) {
            return message(F[i]);
          });
        case 7:
          return function (i) {
            return F[i][4] === 1 ? 2 : F[i][4] === 2 ? 1 : 0;
          };
        default:
          return textKey(n, function (i) {
            return F[i][5] || "";
          });
      }
    }

    setupDataTable("findings", { n: n, render: render, test: test, text: text, key: key });
  }

  var SHARE_BITS = { byol: 1, outside: 2, untrusted: 4, trusted: 8, "not-audited": 16 };
  var SEEN = ["", "owner", "recipient", "both"];

  /* The shares of a large fleet, from their data block (html_data.c), as the C writer's rows. */
  function setupShares() {
    var data = takeData("sharing");
    if (!data || !document.getElementById("sharing-table")) {
      return false;
    }
    var S = data.rows;
    var parties = data.parties;
    var regions = data.regions;
    var types = data.types;
    var n = S.length;

    function use(s) {
      var u = s[6];
      if (u === 0) {
        return "not seen: only the owner can read the grant";
      }
      if (u === 1) {
        return "launch and copy";
      }
      var fleet = (u - 2) & 1;
      var builder = (u - 2) & 2;
      return fleet && builder ? "fleets, image builders" : fleet ? "fleets" : builder ? "image builders"
        : "no use granted";
    }

    function party(tr, p) {
      var clip = cell(tr);
      var badges = el("div", "badges");
      clip.appendChild(el("div", "mono nowrap", p[0] || "unknown"));
      if (p[1]) {
        clip.appendChild(el("div", "muted small", p[1]));
      }
      if (p[2] & 1) {
        badges.appendChild(badge("external", "not audited"));
      }
      if (p[2] & 2) {
        badges.appendChild(badge("outside", "outside the Organization"));
      }
      if (p[2] & 4) {
        badges.appendChild(p[2] & 8 ? badge("trusted", "trusted") : badge("untrusted", "untrusted"));
      }
      clip.appendChild(badges);
    }

    function render(i) {
      var s = S[i];
      var tr = el("tr", s[8] & 1 ? "byol" : null);
      var clip;
      clip = cell(tr, "wide");
      clip.appendChild(el("div", "mono", s[0]));
      if (s[1]) {
        clip.appendChild(el("div", null, s[1]));
      }
      clip.appendChild(el("div", "muted small", types[s[2]]));
      tr.lastChild.title = s[0] + (s[1] ? "\n" + s[1] : "");
      cell(tr, "nowrap").textContent = regions[s[3]];
      party(tr, parties[s[4]]);
      party(tr, parties[s[5]]);
      cell(tr, "small").textContent = use(s);
      cell(tr, "small").textContent = SEEN[s[7]];
      clip = cell(tr);
      if (s[8] & 1) {
        clip.appendChild(badge("byol", "BYOL"));
      }
      return tr;
    }

    function partyText(p) {
      return [p[0] || "unknown", p[1], p[2] & 1 ? "not audited" : "", p[2] & 2 ? "outside the Organization" : "",
              p[2] & 4 ? (p[2] & 8 ? "trusted" : "untrusted") : ""].join(" ");
    }

    function test(name, v) {
      if (name === "owner" || name === "target") {
        var side = name === "owner" ? 4 : 5;
        return function (i) {
          return parties[S[i][side]][0] === v;
        };
      }
      var bit = name === "flags" && Object.prototype.hasOwnProperty.call(SHARE_BITS, v) ? SHARE_BITS[v] : 0;
      return function (i) {
        return (S[i][8] & bit) !== 0;
      };
    }

    function text(i) {
      var s = S[i];
      return [s[0], s[1], types[s[2]], regions[s[3]], partyText(parties[s[4]]), partyText(parties[s[5]]),
              use(s), SEEN[s[7]], s[8] & 1 ? "byol" : ""].join(" ");
    }

    function key(idx) {
      if (idx === 6) {
        return function (i) {
          return S[i][8] & 1;
        };
      }
      return textKey(n, function (i) {
        var s = S[i];
        return [s[0], regions[s[3]], parties[s[4]][0], parties[s[5]][0], use(s), SEEN[s[7]]][idx];
      });
    }

    setupDataTable("sharing", { n: n, render: render, test: test, text: text, key: key });
    return true;
  }

  /* The filter sets by section id: each filters the table "<id>-table" with the controls in its section. */
  var filterSets = {};

  /* Sets the filters from "name=value&name=value" (values URI-encoded); the others are cleared. */
  function setFilters(selects, search, spec) {
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

  /* Records a section's filters for links, and applies a filtered view from the address:
   * report.html#findings:sev=high&account=111122223333 */
  function registerFilters(id, selects, search, apply) {
    filterSets[id] = {
      set: function (spec) {
        setFilters(selects, search, spec);
      },
      apply: apply
    };
    var hash = window.location.hash;
    var prefix = "#" + id + ":";
    if (hash.indexOf(prefix) === 0 && hash.length > prefix.length) {
      setFilters(selects, search, hash.slice(prefix.length));
    }
  }

  /* Sets up the filters of a section whose table rows are in the page. A select[data-filter=NAME] keeps
   * the rows whose data-NAME is its value; with data-match="word", the rows whose data-NAME has it as one
   * of its space-separated words. It records on <body> how many rows there are and how many show
   * (data-ID-total, data-ID-shown). */
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
      showCount(section, id, n, rows.length);
    }

    selects.forEach(function (s) {
      s.addEventListener("change", apply);
    });
    if (search) {
      search.addEventListener("input", apply);
    }
    registerFilters(id, selects, search, apply);
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

  /* The page runs this script right after the findings section: the findings are drawn as soon as
   * their data is in, before the browser has read the rest of the page (a large sharing table's data
   * among it), which is set up once it has. */
  setupFindings();
  if (body.getAttribute("data-js") !== "error") {
    body.setAttribute("data-js", "ok");
  }
  body.setAttribute("data-findings-ms", String(Math.round(window.performance.now())));

  function setupRest() {
    var dataShares = setupShares();
    /* The tables drawn from data (class "virtual"; the findings table even when it has none) sort their
     * data, not their rows. */
    var rowTables = document.querySelectorAll("table.sortable:not(.virtual):not(#findings-table)");
    slice.call(rowTables).forEach(makeSortable);
    if (!dataShares) {
      setupFilters("sharing");
    }
    setupFilterLinks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupRest);
  } else {
    setupRest();
  }
})();
