// keyhound's HTML report: renders the data block written by html.rs into
// the page (header, counts, timeline, breakdowns, findings table) and makes
// the table sortable, filterable and expandable. Everything from the scan
// goes into the page as text (textContent, attribute values), never as
// markup. It loads nothing: the page's Content-Security-Policy forbids it.
(function () {
  "use strict";

  var SEVERITIES = ["critical", "high", "medium", "low"];
  var STATUSES = ["live", "unknown", "invalid", "unchecked"];
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    setAll(e, attrs);
    append(e, children);
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    setAll(e, attrs);
    return e;
  }

  function setAll(e, attrs) {
    if (!attrs) return;
    for (var k in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] === null || attrs[k] === undefined) continue;
      if (k === "text") e.textContent = String(attrs[k]);
      else if (k === "hidden") e.hidden = !!attrs[k];
      else e.setAttribute(k, String(attrs[k]));
    }
  }

  function append(e, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  function bytes(n) {
    var units = ["B", "KiB", "MiB", "GiB", "TiB"], u = 0;
    while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
    return u === 0 ? n + " B" : n.toFixed(1) + " " + units[u];
  }

  function countBy(items, key) {
    var m = new Map();
    items.forEach(function (x) {
      var k = key(x);
      if (k === null || k === undefined) return;
      m.set(k, (m.get(k) || 0) + 1);
    });
    return m;
  }

  function sortedEntries(m) {
    return Array.from(m.entries()).sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
  }

  // ---- the data -------------------------------------------------------
  var data = JSON.parse(document.getElementById("keyhound-data").textContent);
  var meta = data.meta, rules = data.rules;
  var rows = data.findings.map(function (f, i) {
    var rule = rules[f.rule];
    var status = f.verification ? f.verification.status : "unchecked";
    var t = f.date ? Date.parse(f.date) : NaN;
    return {
      i: i, f: f, rule: rule, provider: rule.provider || "unknown", status: status,
      time: isNaN(t) ? null : t, dir: topDir(f.path), tr: null, mark: null, detail: null
    };
  });
  var hasConfidence = rows.some(function (r) { return r.f.confidence; });
  var hasHistory = rows.some(function (r) { return r.f.commit; }) || meta.command === "history" || meta.command === "ci";
  var verified = meta.verified || rows.some(function (r) { return r.f.verification; });

  function topDir(path) {
    var parts = path.split("/");
    if (parts.length <= 1) return "(root)";
    if (parts.length === 2) return parts[0] + "/";
    return parts[0] + "/" + parts[1] + "/";
  }

  // ---- header ---------------------------------------------------------
  function header() {
    var title = meta.repository ? meta.repository : (meta.targets && meta.targets.length ? meta.targets.join(", ") : "");
    var out = [el("h1", { text: "keyhound audit report" })];
    out.push(el("p", { "class": "subtitle", text: (title ? title + " — " : "") + plural(rows.length, "finding") }));
    if (meta.saved_from) {
      out.push(el("div", { "class": "notice", text: "Written again from the saved report " + meta.saved_from +
        " by keyhound report" + (meta.has_summary ? "." : "; it is JSON Lines, which carry no summary: what the run scanned, and whether it was complete, are unknown.") }));
    }
    var complete;
    if (meta.complete === true) complete = "complete: everything asked for was scanned";
    else if (meta.complete === false) complete = "INCOMPLETE" + (meta.unread ? ": " + meta.unread + " not scanned" : "") + " — no finding there does not mean no secret there";
    else complete = "unknown";
    if (meta.complete === false && meta.has_summary) {
      out.push(el("div", { "class": "notice bad", id: "incomplete", text: "The scan was " + complete + "." }));
    }
    var dl = el("dl", { "class": "meta", id: "scanned" });
    function item(k, v, mono) {
      if (v === null || v === undefined || v === "") return;
      append(dl, [el("dt", { text: k }), el("dd", { "class": mono ? "mono" : null, text: v })]);
    }
    item("Repository", meta.repository, true);
    item("Command", meta.command ? "keyhound " + meta.command : null);
    item("Scanned", meta.targets && meta.targets.length ? meta.targets.join(", ") : null, true);
    item("Commit", meta.commit, true);
    item("Branch", meta.branch, true);
    item("Scan started", meta.started_at);
    item("Report written", meta.generated_at);
    item("keyhound", meta.version);
    if (meta.has_summary) {
      item("Rules", String(meta.rules));
      item("Read", plural(meta.scanned, meta.unit) + " (" + bytes(meta.bytes) + ")" +
        (meta.skipped_binary ? ", " + meta.skipped_binary + " binary skipped" : "") +
        (meta.skipped_large ? ", " + meta.skipped_large + " over the size limit skipped" : "") +
        " in " + (meta.duration_ms / 1000).toFixed(2) + " s");
      item("Suppressed", meta.suppressed ? plural(meta.suppressed, "finding") + " (allow comments, config, baseline, confidence)" : null);
      item("Minimum confidence", meta.min_confidence ? meta.min_confidence + (meta.below_min_confidence ?
        ": " + plural(meta.below_min_confidence, "finding") + " below it suppressed (--min-confidence low reports them)" : "") : null);
    }
    item("Completeness", complete);
    item("Secrets", meta.secrets_shown ? "SHOWN IN FULL (--show-secrets)" : "redacted: a prefix and the length only");
    out.push(dl);
    if (meta.warnings.length) {
      var det = el("details", { id: "warnings" }, el("summary", { text: plural(meta.warnings.length, "warning") }));
      var ul = el("ul");
      meta.warnings.forEach(function (w) { ul.appendChild(el("li", { "class": "mono", text: w })); });
      det.appendChild(ul);
      out.push(det);
    }
    return out;
  }

  // ---- headline counts --------------------------------------------------
  function card(cls, n, label, attrs) {
    var a = { "class": "card " + (cls || "") };
    for (var k in attrs || {}) a[k] = attrs[k];
    a["data-count"] = n;
    return el("div", a, [el("span", { "class": "n", text: String(n) }), el("span", { "class": "k", text: label })]);
  }

  function counts() {
    var out = [];
    var bySev = countBy(rows, function (r) { return r.f.severity; });
    out.push(el("div", { "class": "group" }, [el("span", { "class": "label", text: "Findings" }), el("div", { "class": "cards", id: "count-severity" },
      [card("total", rows.length, "total", { "data-key": "total" })].concat(SEVERITIES.map(function (s) {
        return card("sev-" + s, bySev.get(s) || 0, s, { "data-key": s });
      })))]));
    var statusCards;
    if (verified) {
      var bySt = countBy(rows, function (r) { return r.status; });
      statusCards = STATUSES.map(function (s) {
        return card("v-" + s, bySt.get(s) || 0, s === "unchecked" ? "no live check" : s, { "data-key": s });
      });
    } else {
      statusCards = [el("p", { "class": "empty", text: "Not verified: run with --verify to ask each provider whether its keys are live." })];
    }
    out.push(el("div", { "class": "group" }, [el("span", { "class": "label", text: "Verification" }), el("div", { "class": "cards", id: "count-status" }, statusCards)]));
    if (hasHistory) {
      var inHead = rows.filter(function (r) { return r.f.in_head === true; }).length;
      out.push(el("div", { "class": "group" }, [el("span", { "class": "label", text: "Still in HEAD" }), el("div", { "class": "cards", id: "count-head" }, [
        card("", inHead, "still in HEAD", { "data-key": "in-head" }),
        card("", rows.length - inHead, "history only", { "data-key": "history-only" })])]));
    }
    var confCards;
    if (hasConfidence) {
      var byConf = countBy(rows, function (r) { return r.f.confidence; });
      confCards = ["high", "medium", "low"].map(function (c) { return card("", byConf.get(c) || 0, c, { "data-key": c }); });
    } else {
      confCards = [el("p", { "class": "empty", text: "This report records no confidence for its findings." })];
    }
    out.push(el("div", { "class": "group" }, [el("span", { "class": "label", text: "Confidence" }), el("div", { "class": "cards", id: "count-confidence" }, confCards)]));
    var byProv = sortedEntries(countBy(rows, function (r) { return r.provider; }));
    out.push(el("div", { "class": "group" }, [el("span", { "class": "label", text: "Providers" }), el("div", { "class": "cards", id: "count-provider" },
      byProv.length ? byProv.map(function (e) { return card("", e[1], e[0], { "data-key": e[0] }); }) : [el("p", { "class": "empty", text: "None." })])]));
    return out;
  }

  // ---- timeline -----------------------------------------------------------
  var MARK = 8, STEP = 11, LEFT = 16, RIGHT = 16, TOP = 12, AXIS = 24;

  function timeline() {
    var dated = rows.filter(function (r) { return r.time !== null; });
    if (!dated.length) {
      return [el("p", { "class": "empty", id: "timeline-none", text: hasHistory ?
        "No finding has a commit date." : "No timeline: findings of a working-tree or staged scan have no commit dates (run keyhound history)." })];
    }
    var width = 1000, inner = width - LEFT - RIGHT, cols = Math.floor(inner / STEP);
    var t0 = Infinity, t1 = -Infinity;
    dated.forEach(function (r) { t0 = Math.min(t0, r.time); t1 = Math.max(t1, r.time); });
    var span = t1 - t0;
    var stacks = new Array(cols).fill(0);
    var placed = dated.slice().sort(function (a, b) {
      return a.time - b.time || SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity);
    }).map(function (r) {
      var col = span > 0 ? Math.round((r.time - t0) / span * (cols - 1)) : Math.floor(cols / 2);
      return { r: r, col: col, level: stacks[col]++ };
    });
    var tallest = Math.max.apply(null, stacks);
    // At most 24 marks high; taller stacks are squeezed (marks overlap).
    var step = tallest > 24 ? Math.max(1, 24 * STEP / tallest) : STEP;
    var plot = Math.ceil((tallest - 1) * step) + MARK + 2;
    var height = TOP + plot + AXIS;
    var base = TOP + plot - MARK - 1;
    var s = svg("svg", { "class": "timeline", id: "timeline", viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
      "aria-label": "When each leak was introduced: " + plural(placed.length, "finding") });
    s.appendChild(svg("line", { "class": "axis", x1: LEFT, x2: width - RIGHT, y1: TOP + plot + 0.5, y2: TOP + plot + 0.5 }));
    ticks(t0, t1).forEach(function (t) {
      var x = span > 0 ? LEFT + (t.time - t0) / span * (cols - 1) * STEP + MARK / 2 : width / 2;
      s.appendChild(svg("line", { "class": "axis", x1: Math.round(x) + 0.5, x2: Math.round(x) + 0.5, y1: TOP + plot, y2: TOP + plot + 4 }));
      // Labels near an end are anchored there, so they are not cut off.
      var anchor = x < LEFT + 48 ? "start" : x > width - RIGHT - 48 ? "end" : "middle";
      var label = svg("text", { x: anchor === "start" ? LEFT : anchor === "end" ? width - RIGHT : x, y: TOP + plot + 16, "text-anchor": anchor });
      label.textContent = t.label;
      s.appendChild(label);
    });
    placed.forEach(function (p) {
      var f = p.r.f;
      var x = LEFT + p.col * STEP, y = Math.round(base - p.level * step);
      var gone = f.in_head === false;
      // A filled mark is still in HEAD; an outlined one is only in history.
      var m = svg("rect", { "class": "mark sev-" + f.severity + (gone ? " gone" : ""), x: gone ? x + 1 : x, y: gone ? y + 1 : y,
        width: gone ? MARK - 2 : MARK, height: gone ? MARK - 2 : MARK, "data-finding": f.fingerprint, tabindex: "-1" });
      var tip = svg("title");
      tip.textContent = f.severity + " · " + p.r.rule.name + " · " + f.path + ":" + f.line + " · " + (f.date || "") + (gone ? " · removed from HEAD" : " · still in HEAD");
      m.appendChild(tip);
      m.addEventListener("click", function () { reveal(p.r); });
      p.r.mark = m;
      s.appendChild(m);
    });
    var legend = el("div", { "class": "legend" }, SEVERITIES.map(function (sv) {
      return el("span", null, [el("span", { "class": "sw sev-" + sv }), sv]);
    }).concat([el("span", null, [el("span", { "class": "sw filled" }), "filled: still in HEAD"]),
      el("span", null, [el("span", { "class": "sw gone" }), "outlined: removed from HEAD, still in history"])]));
    return [s, legend];
  }

  function ticks(t0, t1) {
    var out = [], d0 = new Date(t0), d1 = new Date(t1);
    var years = d1.getUTCFullYear() - d0.getUTCFullYear();
    if (t1 - t0 < 2 * 86400000) {
      return [{ time: t0, label: new Date(t0).toISOString().slice(0, 16).replace("T", " ") }].concat(
        t1 > t0 ? [{ time: t1, label: new Date(t1).toISOString().slice(0, 16).replace("T", " ") }] : []);
    }
    if (years >= 2) {
      var every = Math.ceil(years / 10);
      for (var y = d0.getUTCFullYear() + 1; y <= d1.getUTCFullYear(); y += every) out.push({ time: Date.UTC(y, 0, 1), label: String(y) });
    } else {
      var months = years * 12 + d1.getUTCMonth() - d0.getUTCMonth();
      var stepM = Math.max(1, Math.ceil(months / 10));
      for (var k = 1; k <= months; k += stepM) {
        var d = Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth() + k, 1);
        out.push({ time: d, label: new Date(d).toISOString().slice(0, 7) });
      }
    }
    if (!out.length) {
      out.push({ time: t0, label: new Date(t0).toISOString().slice(0, 10) });
      out.push({ time: t1, label: new Date(t1).toISOString().slice(0, 10) });
    }
    return out;
  }

  // ---- breakdowns ---------------------------------------------------------
  function breakdown(id, title, entries, onPick) {
    var max = entries.length ? entries[0][1] : 0;
    var box = el("div", { "class": "breakdown", id: id }, el("h3", { text: title }));
    if (!entries.length) box.appendChild(el("p", { "class": "empty", text: "None." }));
    entries.slice(0, 10).forEach(function (e) {
      var bar = el("div", { "class": "bar", "data-key": e[0], "data-count": e[1], title: e[0] }, [
        el("div", null, [el("div", { "class": "name", text: e[0] }), el("meter", { min: 0, max: max, value: e[1] })]),
        el("div", { "class": "count", text: String(e[1]) })]);
      if (onPick) bar.addEventListener("click", function () { onPick(e[0]); });
      box.appendChild(bar);
    });
    if (entries.length > 10) box.appendChild(el("p", { "class": "empty", text: "and " + (entries.length - 10) + " more" }));
    return box;
  }

  function breakdowns() {
    var authors = sortedEntries(countBy(rows, function (r) { return r.f.author ? r.f.author + (r.f.email ? " <" + r.f.email + ">" : "") : null; }));
    return el("div", { "class": "breakdowns" }, [
      breakdown("by-provider", "By provider", sortedEntries(countBy(rows, function (r) { return r.provider; })), function (p) { controls.provider.value = p; applyFilters(); }),
      breakdown("by-directory", "Top directories", sortedEntries(countBy(rows, function (r) { return r.dir; })), function (d) { controls.path.value = d === "(root)" ? "" : d; applyFilters(); }),
      hasHistory ? breakdown("by-author", "By author (who introduced it)", authors, null) : null
    ].filter(Boolean));
  }

  // ---- findings table -----------------------------------------------------
  var controls = {};
  var tbody;
  var columns = [
    { key: "severity", label: "Severity", value: function (r) { return SEVERITIES.indexOf(r.f.severity); } },
    { key: "status", label: "Verified", value: function (r) { return STATUSES.indexOf(r.status); } },
    { key: "provider", label: "Provider", value: function (r) { return r.provider.toLowerCase(); } },
    { key: "rule", label: "Kind", value: function (r) { return r.rule.name.toLowerCase(); } },
    { key: "path", label: "Location", value: function (r) { return r.f.path + "\u0000" + String(r.f.line).padStart(9, "0"); } },
    { key: "date", label: "Introduced", value: function (r) { return r.time === null ? -Infinity : -r.time; }, history: true },
    { key: "author", label: "Author", value: function (r) { return (r.f.author || "").toLowerCase(); }, history: true },
    { key: "head", label: "In HEAD", value: function (r) { return r.f.in_head === true ? 0 : 1; }, history: true },
    { key: "confidence", label: "Confidence", value: function (r) { return ["high", "medium", "low"].indexOf(r.f.confidence); }, confidence: true },
    { key: "secret", label: "Secret", value: function (r) { return r.f.secret; } }
  ].filter(function (c) { return (!c.history || hasHistory) && (!c.confidence || hasConfidence) && (c.key !== "status" || verified); });

  function select(id, label, options) {
    var s = el("select", { id: id }, options.map(function (o) { return el("option", { value: o[0], text: o[1] }); }));
    s.addEventListener("change", applyFilters);
    controls[id.replace("filter-", "")] = s;
    return el("label", null, [label, s]);
  }

  function filters() {
    var providers = sortedEntries(countBy(rows, function (r) { return r.provider; })).map(function (e) { return e[0]; }).sort();
    var parts = [
      select("filter-severity", "Severity", [["", "any"]].concat(SEVERITIES.map(function (s) { return [s, s]; }))),
      select("filter-provider", "Provider", [["", "any"]].concat(providers.map(function (p) { return [p, p]; })))
    ];
    if (hasConfidence) parts.push(select("filter-confidence", "Confidence", [["", "any"], ["high", "high"], ["medium", "medium"], ["low", "low"]]));
    parts.push(select("filter-status", "Verified", [["", "any"], ["live", "live"], ["not-live", "not live"], ["invalid", "invalid"], ["unknown", "unknown"], ["unchecked", "no check / not verified"]]));
    if (hasHistory) parts.push(select("filter-head", "In HEAD", [["", "any"], ["yes", "still in HEAD"], ["no", "history only"]]));
    var path = el("input", { id: "filter-path", type: "search", placeholder: "part of a path", size: 24 });
    path.addEventListener("input", applyFilters);
    controls.path = path;
    parts.push(el("label", null, ["Path contains", path]));
    controls.shown = el("span", { "class": "shown", id: "shown", "aria-live": "polite" });
    parts.push(controls.shown);
    return el("div", { "class": "filters", id: "filters" }, parts);
  }

  function table() {
    var head = el("tr", null, columns.map(function (c) {
      var th = el("th", { scope: "col", "data-sort": c.key, text: c.label, title: "Sort by " + c.label.toLowerCase() });
      th.addEventListener("click", function () { sortBy(c, th); });
      return th;
    }));
    tbody = el("tbody");
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { r.tr = rowOf(r); frag.appendChild(r.tr); });
    tbody.appendChild(frag);
    return el("table", { "class": "findings", id: "findings" }, [el("thead", null, head), tbody]);
  }

  function cell(c, r) {
    var f = r.f;
    switch (c.key) {
      case "severity": return el("td", null, [el("span", { "class": "toggle", text: "\u25B8" }), el("span", { "class": "tag sev-" + f.severity, text: f.severity })]);
      case "status": return el("td", { "class": "tag v-" + r.status, text: r.status === "unchecked" ? "–" : r.status });
      case "provider": return el("td", { text: r.provider });
      case "rule": return el("td", { text: r.rule.name });
      case "path": return el("td", { "class": "path", text: (f.repository ? f.repository + ": " : "") + f.path + ":" + f.line });
      case "date": return el("td", { text: f.date ? f.date.slice(0, 10) : "" });
      case "author": return el("td", { text: f.author || "" });
      case "head": return el("td", { text: f.in_head === true ? "yes" : f.in_head === false ? "no" : "" });
      case "confidence": return el("td", { text: f.confidence || "" });
      case "secret": return el("td", { "class": "secret", text: f.secret });
    }
  }

  function rowOf(r) {
    var f = r.f;
    var tr = el("tr", { "class": "row", "data-finding": f.fingerprint, "data-severity": f.severity, "data-provider": r.provider,
      "data-status": r.status, "data-in-head": f.in_head === undefined || f.in_head === null ? null : String(f.in_head),
      "data-confidence": f.confidence || null, tabindex: "0", "aria-expanded": "false" }, columns.map(function (c) { return cell(c, r); }));
    tr.addEventListener("click", function () { toggle(r); });
    tr.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(r); } });
    return tr;
  }

  function toggle(r) {
    if (r.detail) {
      r.detail.remove();
      r.detail = null;
      r.tr.classList.remove("open");
      r.tr.setAttribute("aria-expanded", "false");
      r.tr.firstChild.firstChild.textContent = "\u25B8";
      return;
    }
    r.detail = el("tr", { "class": "detail", "data-detail-of": r.f.fingerprint }, el("td", { colspan: columns.length }, details(r)));
    r.detail.hidden = r.tr.hidden;
    r.tr.after(r.detail);
    r.tr.classList.add("open");
    r.tr.setAttribute("aria-expanded", "true");
    r.tr.firstChild.firstChild.textContent = "\u25BE";
  }

  function reveal(r) {
    if (r.tr.hidden) { resetFilters(); }
    if (!r.detail) toggle(r);
    r.tr.scrollIntoView({ block: "center" });
    r.tr.focus();
  }

  function link(href, text) {
    return el("a", { href: href, rel: "noopener noreferrer", target: "_blank", text: text || href });
  }

  function isWebLink(u) { return /^https?:\/\//i.test(u || ""); }

  function details(r) {
    var f = r.f, rule = r.rule;
    var dl = el("dl");
    function item(k, v) {
      if (v === null || v === undefined || v === "") return;
      append(dl, [el("dt", { text: k }), el("dd", null, v)]);
    }
    item("Secret", el("span", { "class": "mono secret-full", text: f.secret }));
    item("Line", el("div", { "class": "masked" }, [f.context[0], el("mark", { text: f.context[1] }), f.context[2]]));
    item("Repository", f.repository);
    item("Where", f.path + ", line " + f.line + ", column " + f.column + (f.end_line !== f.line ? " to line " + f.end_line : ""));
    if (f.incident) item("Incident", f.incident.id + ": this secret is in " + plural(f.incident.places, "place") + " in " + plural(f.incident.repositories, "repository", "repositories"));
    item("Kind", rule.name + " (" + rule.id + ")");
    item("Severity", f.severity);
    if (f.confidence) item("Confidence", f.confidence);
    if (f.decoded) item("Encoded", "the secret is hidden under " + f.decoded + " at this location");
    if (f.tracked === false) item("Tracked", "no: git does not track this file (it is on disk, not in a commit)");
    item("Commit", f.commit ? el("span", { "class": "mono", text: f.commit }) : null);
    item("Author", f.author ? f.author + (f.email ? " <" + f.email + ">" : "") : null);
    item("Date", f.date);
    if (f.in_head !== undefined && f.in_head !== null) item("In HEAD", f.in_head ? "yes: HEAD's tree still holds it at this path" : "no: removed from this path, still in the history");
    if (f.occurrences) item("Occurrences", plural(f.occurrences, "blob") + " carried it at this path");
    if (f.verification) item("Verified", f.verification.status + " (" + f.verification.detail + ", checked " + f.verification.checked_at + ")");
    if (f.suppressed) item("Suppressed", f.suppressed);
    item("Fingerprint", el("span", { "class": "mono", text: f.fingerprint }));
    item("Remediation", rule.remediation);
    var revoke = rule.revoke;
    if (isWebLink(revoke)) item("Revoke", link(revoke));
    var refs = (rule.references || []).filter(isWebLink);
    if (refs.length) item("References", refs.map(function (u, i) { return el("div", null, link(u)); }));
    var forge = forgeLink(f);
    item("On " + (meta.forge ? meta.forge.name : "the forge"), forge ? link(forge) : null);
    return dl;
  }

  // The line on GitHub or GitLab, when the repository's remote is one and
  // the finding is in a commit (its introducing commit, or HEAD for a
  // tracked file of a working-tree scan). A member of an archive links to
  // the archive, without a line (the line is the member's).
  function forgeLink(f) {
    var forge = meta.forge;
    if (!forge) return null;
    var commit = f.commit || (f.tracked === true ? forge.head : null);
    var file = f.container ? f.container[0] : f.path;
    if (!commit || file === "<stdin>" || file.charAt(0) === "/") return null;
    var path = normalize((forge.prefix ? forge.prefix + "/" : "") + file);
    if (path === null) return null;
    var lines = f.container ? "" : f.end_line !== f.line ? (forge.kind === "gitlab" ? "#L" + f.line + "-" + f.end_line : "#L" + f.line + "-L" + f.end_line) : "#L" + f.line;
    var blob = forge.kind === "gitlab" ? "/-/blob/" : "/blob/";
    return forge.web + blob + encodeURIComponent(commit) + "/" + path.split("/").map(encodeURIComponent).join("/") + lines;
  }

  function normalize(path) {
    var out = [];
    var parts = path.split("/");
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p === "" || p === ".") continue;
      if (p === "..") { if (!out.length) return null; out.pop(); } else out.push(p);
    }
    return out.join("/");
  }

  // ---- sorting and filtering ------------------------------------------------
  var sortState = { key: null, dir: 1 };

  function sortBy(c, th) {
    sortState.dir = sortState.key === c.key ? -sortState.dir : 1;
    sortState.key = c.key;
    document.querySelectorAll("table.findings th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", sortState.dir === 1 ? "ascending" : "descending");
    order(function (a, b) {
      var x = c.value(a), y = c.value(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sortState.dir || a.i - b.i;
    });
  }

  function order(cmp) {
    var frag = document.createDocumentFragment();
    rows.slice().sort(cmp).forEach(function (r) {
      frag.appendChild(r.tr);
      if (r.detail) frag.appendChild(r.detail);
    });
    tbody.appendChild(frag);
  }

  function matches(r) {
    var v = function (name) { return controls[name] ? controls[name].value : ""; };
    var sev = v("severity"), prov = v("provider"), conf = v("confidence"), st = v("status"), head = v("head");
    var path = v("path").trim().toLowerCase();
    if (sev && r.f.severity !== sev) return false;
    if (prov && r.provider !== prov) return false;
    if (conf && r.f.confidence !== conf) return false;
    if (st === "not-live" ? r.status === "live" : st && r.status !== st) return false;
    if (head === "yes" && r.f.in_head !== true) return false;
    if (head === "no" && r.f.in_head !== false) return false;
    if (path && ((r.f.repository || "") + ": " + r.f.path).toLowerCase().indexOf(path) < 0) return false;
    return true;
  }

  function applyFilters() {
    var shown = 0;
    rows.forEach(function (r) {
      var ok = matches(r);
      if (ok) shown++;
      if (r.tr.hidden === ok) {
        r.tr.hidden = !ok;
        if (r.detail) r.detail.hidden = !ok;
        if (r.mark) r.mark.classList.toggle("hidden-by-filter", !ok);
      }
    });
    controls.shown.textContent = "showing " + shown + " of " + plural(rows.length, "finding");
    controls.shown.setAttribute("data-shown", shown);
  }

  function resetFilters() {
    ["severity", "provider", "confidence", "status", "head", "path"].forEach(function (k) { if (controls[k]) controls[k].value = ""; });
    applyFilters();
  }

  // ---- the page -------------------------------------------------------------
  function section(id, title, body) {
    return el("section", { id: id }, [el("h2", { text: title })].concat(body));
  }

  function render() {
    var app = document.getElementById("app");
    var page = document.createDocumentFragment();
    append(page, header());
    page.appendChild(section("counts", "At a glance", [el("div", { "class": "glance" }, counts())]));
    page.appendChild(section("timeline-section", "When each leak was introduced", timeline()));
    page.appendChild(section("breakdowns", "Where they are, and who added them", [breakdowns()]));
    var list = [filters()];
    list.push(rows.length ? table() : el("p", { "class": "empty", text: "No findings." }));
    page.appendChild(section("findings-section", "Findings", list));
    page.appendChild(el("footer", { text: "Written by keyhound " + meta.version + ". This file loads nothing from the network." }));
    app.textContent = "";
    app.appendChild(page);
    if (rows.length) {
      // Live keys first, then by severity, then the newest leak.
      order(function (a, b) {
        return STATUSES.indexOf(a.status) - STATUSES.indexOf(b.status) ||
          SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) ||
          (b.time || 0) - (a.time || 0) || a.i - b.i;
      });
    }
    applyFilters();
  }

  try {
    render();
    document.documentElement.setAttribute("data-ready", "true");
    performance.mark("keyhound-interactive");
  } catch (e) {
    document.getElementById("app").textContent = "This report could not be shown: " + e;
    throw e;
  }
})();
