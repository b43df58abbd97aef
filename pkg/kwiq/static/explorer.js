// The front end of kwiq's concordance explorer (kwiq/_explorer.py holds
// the model). It sends what the user asks for as traits and draws the
// `result` the model answers with; every text from a document is set as
// textContent, never parsed as HTML.

// Typing waits this long for the next key before asking (Enter asks at once).
const DEBOUNCE_MS = 150;
// The positions a click sorts by, as AntConc offers them.
const POSITIONS = ["L5", "L4", "L3", "L2", "L1", "match", "R1", "R2", "R3", "R4", "R5"];
// The column headers that sort, and by which key.
const HEADER_KEYS = { doc: "doc", left: "L1", match: "match", right: "R1" };
const PAGE_SIZES = [25, 60, 100, 250];
// The most sort keys shift-click adds, as AntConc's three levels.
const MAX_KEYS = 3;

function make(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function keyName(key) {
  return /^[lr]\d$/i.test(key) ? key.toUpperCase() : key.toLowerCase();
}

function plural(n, word) {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

// A context with its sort words in spans coloured by key (kx-key0 ...).
function coloured(text, spans) {
  const parts = [];
  let at = 0;
  for (const [begin, end, key] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (begin < at) continue;
    parts.push(document.createTextNode(text.slice(at, begin)));
    parts.push(make("span", { class: `kx-sortword kx-key${key % 6}`, text: text.slice(begin, end) }));
    at = end;
  }
  parts.push(document.createTextNode(text.slice(at)));
  return parts;
}

function render({ model, el }) {
  const root = make("div", { class: "kwiq-explorer", "data-lm-suppress-shortcuts": "true" });
  el.append(root);

  // ---- controls
  const query = make("input", {
    type: "search", class: "kx-query", "aria-label": "Query", placeholder: "query, e.g. peace or peace*",
    spellcheck: "false", autocomplete: "off",
  });
  const windowBox = make("input", { type: "number", class: "kx-window", min: "0", max: "50", "aria-label": "Window (words each side)" });
  const syntax = make("select", { class: "kx-syntax", "aria-label": "Query language" }, [
    make("option", { value: "plain", text: "plain" }), make("option", { value: "cql", text: "CQL" })]);
  const caseBox = make("input", { type: "checkbox", class: "kx-case", "aria-label": "Match case" });
  const near = make("input", {
    type: "search", class: "kx-near", "aria-label": "Context word (in the window)", placeholder: "context word",
    spellcheck: "false", autocomplete: "off",
  });
  const pageSize = make("select", { class: "kx-page-size", "aria-label": "Lines per page" },
    PAGE_SIZES.map((n) => make("option", { value: String(n), text: String(n) })));
  const controls = make("div", { class: "kx-controls" }, [
    make("label", { class: "kx-label" }, ["Query ", query]),
    syntax,
    make("label", { class: "kx-label" }, ["Window ", windowBox]),
    make("label", { class: "kx-label" }, [caseBox, " case"]),
    make("label", { class: "kx-label" }, ["Near ", near]),
    make("label", { class: "kx-label" }, ["Lines ", pageSize]),
  ]);
  const filters = make("div", { class: "kx-filters", role: "group", "aria-label": "Metadata filters" });
  const error = make("div", { class: "kx-error", role: "alert", hidden: "" });

  // ---- sort bar: a button per position, AntConc's sort levels
  const sortButtons = POSITIONS.map((key) => make("button", {
    type: "button", class: "kx-sortkey", "data-key": key, text: key,
    "aria-label": `Sort by ${key}`, title: `Sort by ${key} (shift-click: add as the next key)`,
  }));
  const unsorted = make("button", { type: "button", class: "kx-unsort", text: "corpus order", "aria-label": "Corpus order" });
  const sortBar = make("div", { class: "kx-sortbar", role: "toolbar", "aria-label": "Sort by" },
    [make("span", { class: "kx-dim", text: "Sort " }), ...sortButtons, unsorted]);

  const summary = make("div", { class: "kx-summary", "aria-live": "polite" });
  const head = make("thead");
  const body = make("tbody");
  const table = make("table", { class: "kx-lines" }, [head, body]);
  const lines = make("div", { class: "kx-scroll", tabindex: "0", "aria-label": "Concordance lines" }, [table]);

  // ---- pager and exports
  const first = make("button", { type: "button", class: "kx-first", text: "\u00ab", "aria-label": "First page" });
  const prev = make("button", { type: "button", class: "kx-prev", text: "\u2039 prev", "aria-label": "Previous page" });
  const pageBox = make("input", { type: "number", class: "kx-page", min: "1", "aria-label": "Page" });
  const pagesText = make("span", { class: "kx-pages" });
  const next = make("button", { type: "button", class: "kx-next", text: "next \u203a", "aria-label": "Next page" });
  const last = make("button", { type: "button", class: "kx-last", text: "\u00bb", "aria-label": "Last page" });
  const csv = make("button", { type: "button", class: "kx-csv", text: "CSV", title: "Write every line shown to a CSV file" });
  const frame = make("button", { type: "button", class: "kx-frame", text: "DataFrame", title: "Put every line shown in this widget's .frame" });
  const status = make("span", { class: "kx-status kx-dim", "aria-live": "polite" });
  const pager = make("div", { class: "kx-pager" }, [
    first, prev, make("label", { class: "kx-label" }, ["page ", pageBox]), pagesText, next, last,
    make("span", { class: "kx-gap" }), csv, frame, status,
  ]);

  const groupBy = make("select", { class: "kx-group-by", "aria-label": "Count by metadata column" });
  const groups = make("div", { class: "kx-groups" });
  const groupBar = make("div", { class: "kx-groupbar" }, [make("label", { class: "kx-label" }, ["Count by ", groupBy]), groups]);

  const passage = make("div", { class: "kx-passage", hidden: "", role: "region", "aria-label": "Passage" });

  root.append(controls, filters, error, sortBar, summary, lines, pager, groupBar, passage);

  // ---- sending
  function ask(changes) {
    for (const [name, value] of Object.entries(changes)) model.set(name, value);
    model.save_changes();
  }
  let typing = null;
  function askQuery(now) {
    clearTimeout(typing);
    const send = () => { if (query.value !== model.get("query")) ask({ query: query.value }); };
    if (now) send(); else typing = setTimeout(send, DEBOUNCE_MS);
  }
  query.addEventListener("input", () => askQuery(false));
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); askQuery(true); }
    event.stopPropagation();
  });
  let nearTyping = null;
  near.addEventListener("input", () => {
    clearTimeout(nearTyping);
    nearTyping = setTimeout(() => ask({ near: near.value }), DEBOUNCE_MS);
  });
  near.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { clearTimeout(nearTyping); ask({ near: near.value }); }
    event.stopPropagation();
  });
  windowBox.addEventListener("change", () => {
    const n = Number.parseInt(windowBox.value, 10);
    if (Number.isFinite(n)) ask({ window: n });
  });
  caseBox.addEventListener("change", () => ask({ case: caseBox.checked }));
  syntax.addEventListener("change", () => ask({ syntax: syntax.value }));
  pageSize.addEventListener("change", () => ask({ page_size: Number(pageSize.value) }));
  groupBy.addEventListener("change", () => ask({ group_by: groupBy.value }));

  function sortBy(key, add) {
    const keys = model.get("sort") || [];
    if (!add) { ask({ sort: [key] }); return; }
    const kept = keys.filter((k) => k.toLowerCase() !== key.toLowerCase());
    ask({ sort: [...kept, key].slice(-MAX_KEYS) });
  }
  for (const button of sortButtons) {
    button.addEventListener("click", (event) => sortBy(button.dataset.key, event.shiftKey));
  }
  unsorted.addEventListener("click", () => ask({ sort: [] }));

  function pages() { return (model.get("result") || {}).pages || 1; }
  function goTo(page) {
    const k = Math.min(Math.max(1, page), pages());
    if (k !== model.get("page")) ask({ page: k });
  }
  first.addEventListener("click", () => goTo(1));
  prev.addEventListener("click", () => goTo(model.get("page") - 1));
  next.addEventListener("click", () => goTo(model.get("page") + 1));
  last.addEventListener("click", () => goTo(pages()));
  pageBox.addEventListener("change", () => goTo(Number.parseInt(pageBox.value, 10) || 1));
  pageBox.addEventListener("keydown", (event) => event.stopPropagation());
  csv.addEventListener("click", () => model.send({ action: "csv" }));
  frame.addEventListener("click", () => model.send({ action: "frame" }));

  // ---- metadata filters: one control per column
  function drawFilters() {
    filters.replaceChildren();
    const where = model.get("where") || {};
    for (const column of model.get("columns") || []) {
      const name = column.name;
      const label = make("label", { class: "kx-label kx-filter", "data-column": name }, [`${name} `]);
      const set = (value) => {
        const next = { ...(model.get("where") || {}) };
        if (value === null) delete next[name]; else next[name] = value;
        ask({ where: next });
      };
      if (column.kind === "range") {
        const [low, high] = where[name] || [null, null];
        const step = column.integral ? "1" : "any";
        const from = make("input", { type: "number", step, class: "kx-from", "aria-label": `${name} from`, placeholder: String(column.min ?? "") });
        const to = make("input", { type: "number", step, class: "kx-to", "aria-label": `${name} to`, placeholder: String(column.max ?? "") });
        if (low !== null && low !== undefined) from.value = String(low);
        if (high !== null && high !== undefined) to.value = String(high);
        const changed = () => {
          const a = from.value === "" ? null : Number(from.value);
          const b = to.value === "" ? null : Number(to.value);
          set(a === null && b === null ? null : [a, b]);
        };
        for (const box of [from, to]) {
          box.addEventListener("change", changed);
          box.addEventListener("keydown", (event) => {
            if (event.key === "Enter") changed();
            event.stopPropagation();
          });
        }
        label.append(from, "\u2013", to);
      } else if (column.kind === "choice") {
        const select = make("select", { "aria-label": `${name} is` },
          [make("option", { value: "\u0000any", text: "any" }),
            ...column.values.map((v) => make("option", { value: v, text: v === "" ? "(missing)" : v }))]);
        select.value = name in where ? where[name] : "\u0000any";
        select.addEventListener("change", () => set(select.value === "\u0000any" ? null : select.value));
        label.append(select);
      } else {
        const box = make("input", { type: "search", "aria-label": `${name} is`, placeholder: "any" });
        box.value = where[name] ?? "";
        box.addEventListener("change", () => set(box.value === "" ? null : box.value));
        box.addEventListener("keydown", (event) => event.stopPropagation());
        label.append(box);
      }
      filters.append(label);
    }
    filters.hidden = !(model.get("columns") || []).length;
    groupBar.hidden = filters.hidden;
    const chosen = model.get("group_by");
    groupBy.replaceChildren(make("option", { value: "", text: "\u2014" }),
      ...(model.get("columns") || []).map((c) => make("option", { value: c.name, text: c.name })));
    groupBy.value = chosen;
  }

  // ---- drawing a result
  let selected = -1; // the row selected on this page, by its place in it

  function drawHead(meta) {
    const cells = [make("th", { class: "kx-n", text: "#" })];
    const sortable = (name, extra = "") => {
      const key = HEADER_KEYS[name];
      return make("th", { class: `kx-h-${name} kx-sortable ${extra}`, "data-key": key, tabindex: "0", title: `Sort by ${key}`, "aria-label": `${name}: sort by ${key}`, text: name });
    };
    cells.push(sortable("doc"));
    for (const name of meta) cells.push(make("th", { class: "kx-h-meta", text: name }));
    cells.push(sortable("left", "kx-right-align"), sortable("match"), sortable("right"));
    head.replaceChildren(make("tr", {}, cells));
  }

  function drawSummary(result) {
    const request = result.request || {};
    summary.dataset.query = request.query ?? "";
    summary.dataset.page = String(request.page ?? 1);
    summary.dataset.sort = (request.sort || []).join(",");
    summary.dataset.total = String(result.total ?? 0);
    summary.dataset.where = JSON.stringify(request.where || {});
    summary.dataset.groupBy = request.group_by || "";
    if (result.error) {
      summary.dataset.state = "error";
      summary.textContent = "";
      return;
    }
    if (!(request.query || "").trim()) {
      summary.dataset.state = "idle";
      summary.textContent = "Type a query.";
      return;
    }
    summary.dataset.state = "ready";
    const rate = result.total ? ` (${result.per_million.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} per million tokens)` : "";
    const parts = [`${plural(result.total, "line")}${rate} for \u201c${request.query.trim()}\u201d in ${plural(result.docs, "document")}`];
    if ((result.sort_keys || []).length) parts.push(`sorted by ${result.sort_keys.map(keyName).join(", ")}`);
    parts.push(`window ${request.window}${request.case ? ", case" : ""}`);
    if (result.total) {
      parts.push(`lines ${(result.first + 1).toLocaleString("en")}\u2013${(result.first + result.rows.length).toLocaleString("en")}`);
    }
    if (result.pages > 1) parts.push(`page ${request.page} of ${result.pages.toLocaleString("en")}`);
    summary.textContent = parts.join(" \u00b7 ");
  }

  function drawError(result) {
    error.replaceChildren();
    query.removeAttribute("aria-invalid");
    near.removeAttribute("aria-invalid");
    const problem = result.error;
    error.hidden = !problem;
    if (!problem) return;
    if (problem.position !== null && problem.position !== undefined) {
      (problem.field === "near" ? near : query).setAttribute("aria-invalid", "true");
      const text = problem.query;
      const at = Math.min(problem.position, text.length);
      error.append(make("div", { class: "kx-error-where" }, [
        document.createTextNode(text.slice(0, at)),
        make("span", { class: "kx-error-at", text: text.slice(at, at + 1) || " " }),
        document.createTextNode(text.slice(at + 1)),
      ]));
      error.append(make("div", { class: "kx-error-caret", text: `${" ".repeat(at)}^` }));
    }
    error.append(make("div", { class: "kx-error-message", text: problem.message }));
  }

  function drawRows(result) {
    const meta = (model.get("columns") || []).map((c) => c.name);
    drawHead(meta);
    body.replaceChildren(...(result.rows || []).map((row, k) => {
      const keys = row.keys || { left: [], right: [], match: -1 };
      const mark = make("mark", { class: row.keys && keys.match >= 0 ? `kx-sortword kx-key${keys.match % 6}` : "", text: row.match });
      const tr = make("tr", { "data-n": String(row.n), "data-k": String(k), tabindex: "-1" }, [
        make("td", { class: "kx-n", text: String(row.n + 1) }),
        make("td", { class: "kx-doc", title: row.id }, [make("div", { class: "kx-clip", text: row.doc })]),
        ...row.meta.map((value) => make("td", { class: "kx-meta" }, [make("div", { class: "kx-clip", text: value })])),
        make("td", { class: "kx-left-cell" }, [make("div", { class: "kx-left" }, [make("span", {}, coloured(row.left, keys.left))])]),
        make("td", { class: "kx-match" }, [mark]),
        make("td", { class: "kx-right-cell" }, [make("div", { class: "kx-right" }, coloured(row.right, keys.right))]),
      ]);
      tr.addEventListener("click", () => { select(k); open(); });
      return tr;
    }));
    for (const th of head.querySelectorAll(".kx-sortable")) {
      th.addEventListener("click", (event) => sortBy(th.dataset.key, event.shiftKey));
      th.addEventListener("keydown", (event) => {
        if (event.key === "Enter") { sortBy(th.dataset.key, event.shiftKey); event.stopPropagation(); }
      });
    }
    lines.hidden = !(result.rows || []).length;
    selected = -1;
  }

  function drawSortBar(result) {
    const keys = (result.sort_keys || []).map((k) => k.toLowerCase());
    for (const button of sortButtons) {
      const level = keys.indexOf(button.dataset.key.toLowerCase());
      button.className = level >= 0 ? `kx-sortkey kx-active kx-key${level % 6}` : "kx-sortkey";
      button.setAttribute("aria-pressed", String(level >= 0));
      button.textContent = level >= 0 ? `${button.dataset.key} ${level + 1}` : button.dataset.key;
    }
    unsorted.setAttribute("aria-pressed", String(!keys.length));
  }

  function drawPager(result) {
    const request = result.request || {};
    pageBox.value = String(request.page ?? 1);
    pageBox.max = String(result.pages || 1);
    pagesText.textContent = ` of ${(result.pages || 1).toLocaleString("en")}`;
    const k = request.page ?? 1;
    first.disabled = prev.disabled = k <= 1;
    next.disabled = last.disabled = k >= (result.pages || 1);
    csv.disabled = frame.disabled = !result.total;
  }

  function drawGroups(result) {
    groups.replaceChildren();
    if (!result.groups) return;
    const rows = result.groups.map((g) => make("tr", {}, [
      make("td", { text: g.value === "" ? "(missing)" : g.value }),
      make("td", { class: "kx-num", text: g.lines.toLocaleString("en") }),
      make("td", { class: "kx-num", text: `${g.docs_with_lines.toLocaleString("en")} / ${g.docs.toLocaleString("en")}` }),
      make("td", { class: "kx-num", text: g.per_million.toFixed(2) }),
    ]));
    groups.append(make("table", { class: "kx-group-table" }, [
      make("thead", {}, [make("tr", {}, ["value", "lines", "documents", "per million"].map((t) => make("th", { text: t })))]),
      make("tbody", {}, rows),
    ]));
  }

  function drawResult() {
    const result = model.get("result") || {};
    drawSummary(result);
    drawError(result);
    drawSortBar(result);
    drawRows(result);
    drawPager(result);
    drawGroups(result);
  }

  // ---- passage
  function drawPassage() {
    const shown = model.get("passage") || {};
    passage.replaceChildren();
    passage.hidden = shown.line === undefined;
    if (passage.hidden) return;
    passage.dataset.line = String(shown.line);
    const close = make("button", { type: "button", class: "kx-close", text: "\u00d7", "aria-label": "Close passage" });
    close.addEventListener("click", () => ask({ passage_line: -1 }));
    passage.append(
      make("div", { class: "kx-passage-head" }, [
        make("span", { title: shown.id, text: `line ${shown.line + 1} \u00b7 ${shown.doc} \u00b7 characters ${shown.start.toLocaleString("en")}\u2013${shown.end.toLocaleString("en")}` }),
        close,
      ]),
      make("div", { class: "kx-passage-text" }, [
        document.createTextNode((shown.cut_before ? "\u2026" : "") + shown.before),
        make("mark", { text: shown.match }),
        document.createTextNode(shown.after + (shown.cut_after ? "\u2026" : "")),
      ]));
  }

  // ---- keyboard: arrows select, Enter opens, PageUp/PageDown turn pages
  function rows() { return body.querySelectorAll("tr"); }
  function select(k) {
    const all = rows();
    if (!all.length) return;
    selected = Math.min(Math.max(0, k), all.length - 1);
    all.forEach((tr, i) => tr.classList.toggle("kx-selected", i === selected));
    all[selected].setAttribute("aria-selected", "true");
    all[selected].scrollIntoView({ block: "nearest" });
  }
  function open() {
    const tr = rows()[selected];
    if (tr) ask({ passage_line: Number(tr.dataset.n) });
  }
  root.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing) { query.focus(); query.select(); }
    else if (typing) return;
    else if (event.key === "ArrowDown") select(selected + 1);
    else if (event.key === "ArrowUp") select(selected - 1);
    else if (event.key === "Enter" && selected >= 0) open();
    else if (event.key === "PageDown") goTo(model.get("page") + 1);
    else if (event.key === "PageUp") goTo(model.get("page") - 1);
    else if (event.key === "Escape") ask({ passage_line: -1 });
    else return;
    event.preventDefault();
    event.stopPropagation();
  });

  // ---- model to view
  function syncControls() {
    if (document.activeElement !== query) query.value = model.get("query");
    windowBox.value = String(model.get("window"));
    caseBox.checked = model.get("case");
    syntax.value = model.get("syntax");
    /* CQL says case in the query (%c). */
    caseBox.disabled = syntax.value === "cql";
    if (document.activeElement !== near) near.value = model.get("near");
    const size = String(model.get("page_size"));
    if (![...pageSize.options].some((o) => o.value === size)) pageSize.append(make("option", { value: size, text: size }));
    pageSize.value = size;
  }
  function showStatus() { status.textContent = model.get("status"); }
  model.on("change:result", drawResult);
  model.on("change:passage", drawPassage);
  model.on("change:status", showStatus);
  model.on("change:columns", drawFilters);
  model.on("change:where", drawFilters);
  model.on("change:query change:syntax change:window change:case change:near change:page_size", syncControls);

  syncControls();
  drawFilters();
  drawResult();
  drawPassage();
  showStatus();
  return () => { clearTimeout(typing); clearTimeout(nearTyping); };
}

export default { render };
