/*
 * Schema editor: a form of fields (name, type, description, required; enum options, nested
 * objects and arrays) kept in sync with a raw JSON Schema tab, a live preview and the hidden
 * `data_schema` input the form submits. Keywords the form has no control for are kept as they
 * are, so a schema survives a round trip through the form.
 */
(function () {
  "use strict";

  const TYPES = ["string", "number", "integer", "boolean", "date", "enum", "object", "array"];
  const ITEM_TYPES = ["string", "number", "integer", "boolean", "date", "object"];
  const HANDLED = ["type", "description", "enum", "format", "properties", "required", "items"];
  let nextId = 1;

  // --- Model <-> JSON Schema ------------------------------------------------------------------

  function splitType(schema) {
    let type = schema.type;
    let nullable = false;
    if (Array.isArray(type)) {
      nullable = type.includes("null");
      type = type.find((t) => t !== "null") || "string";
    }
    if (!type) {
      if (schema.properties) type = "object";
      else if (schema.items) type = "array";
      else type = "string";
    }
    return { type, nullable };
  }

  function extraOf(schema, handled) {
    const extra = {};
    for (const key of Object.keys(schema)) {
      if (!handled.includes(key)) extra[key] = schema[key];
    }
    return extra;
  }

  function kindOf(schema) {
    const { type, nullable } = splitType(schema);
    if (Array.isArray(schema.enum)) return { kind: "enum", nullable };
    if (type === "string" && schema.format === "date") return { kind: "date", nullable };
    return { kind: TYPES.includes(type) ? type : "string", nullable };
  }

  function childrenOf(schema) {
    const required = Array.isArray(schema.required) ? schema.required : [];
    const props = schema.properties && typeof schema.properties === "object" ? schema.properties : {};
    return Object.keys(props).map((name) => nodeFromSchema(name, props[name] || {}, required.includes(name)));
  }

  function nodeFromSchema(name, schema, required) {
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) schema = {};
    const { kind, nullable } = kindOf(schema);
    const handled = kind === "date" || kind === "string" || kind === "enum" ? HANDLED : HANDLED.filter((k) => k !== "format");
    const node = {
      id: nextId++,
      name,
      type: kind,
      description: typeof schema.description === "string" ? schema.description : "",
      required: !!required,
      nullable,
      options: kind === "enum" ? schema.enum.filter((v) => v !== null).map(String) : [],
      enumNull: kind === "enum" && schema.enum.includes(null),
      itemType: "string",
      itemsExtra: {},
      children: [],
      extra: extraOf(schema, handled),
    };
    if (kind === "object") node.children = childrenOf(schema);
    if (kind === "array") {
      const items = schema.items && typeof schema.items === "object" ? schema.items : {};
      const itemKind = kindOf(items).kind;
      node.itemType = ITEM_TYPES.includes(itemKind) ? itemKind : "string";
      if (node.itemType === "object") node.children = childrenOf(items);
      node.itemsExtra = extraOf(items, node.itemType === "date" ? HANDLED : HANDLED.filter((k) => k !== "format"));
    }
    return node;
  }

  function baseType(kind) {
    return kind === "date" || kind === "enum" ? "string" : kind;
  }

  function objectSchema(children, extra, description) {
    const out = { type: "object" };
    if (description) out.description = description;
    out.properties = {};
    out.required = [];
    for (const child of children) {
      out.properties[child.name] = schemaFromNode(child);
      if (child.required) out.required.push(child.name);
    }
    return Object.assign(out, extra || {});
  }

  function leafSchema(kind, description) {
    const out = { type: baseType(kind) };
    if (kind === "date") out.format = "date";
    if (description) out.description = description;
    return out;
  }

  function schemaFromNode(node) {
    let out;
    if (node.type === "object") {
      out = objectSchema(node.children, null, node.description);
    } else if (node.type === "array") {
      const items = node.itemType === "object" ? objectSchema(node.children) : leafSchema(node.itemType, "");
      out = { type: "array" };
      if (node.description) out.description = node.description;
      out.items = Object.assign(items, node.itemsExtra);
    } else {
      out = leafSchema(node.type, node.description);
      if (node.type === "enum") {
        out.enum = node.options.slice();
        if (node.nullable && node.enumNull) out.enum.push(null);
      }
    }
    if (node.nullable) out.type = [out.type, "null"];
    return Object.assign(out, node.extra);
  }

  // --- Locating JSON syntax errors (browsers disagree on their messages) ---------------------

  function jsonErrorPosition(text, error) {
    const match = /position (\d+)/.exec(error.message || "");
    if (match) return Number(match[1]);
    let i = 0;
    const ws = () => { while (i < text.length && " \t\n\r".includes(text[i])) i++; };
    const fail = () => { throw i; };
    function value() {
      ws();
      const c = text[i];
      if (c === "{") {
        i++; ws();
        if (text[i] === "}") { i++; return; }
        for (;;) {
          ws(); if (text[i] !== '"') fail(); string(); ws();
          if (text[i] !== ":") fail(); i++; value(); ws();
          if (text[i] === ",") { i++; continue; }
          if (text[i] === "}") { i++; return; }
          fail();
        }
      } else if (c === "[") {
        i++; ws();
        if (text[i] === "]") { i++; return; }
        for (;;) {
          value(); ws();
          if (text[i] === ",") { i++; continue; }
          if (text[i] === "]") { i++; return; }
          fail();
        }
      } else if (c === '"') string();
      else if (/[-0-9]/.test(c || "")) { const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i)); if (!m) fail(); i += m[0].length; }
      else { const m = /^(true|false|null)/.exec(text.slice(i)); if (!m) fail(); i += m[0].length; }
    }
    function string() {
      i++;
      while (i < text.length && text[i] !== '"') { if (text[i] === "\\") i++; if (text[i] === "\n") fail(); i++; }
      if (i >= text.length) fail();
      i++;
    }
    try { value(); ws(); if (i < text.length) fail(); } catch (pos) { if (typeof pos === "number") return pos; }
    return text.length;
  }

  function lineAndColumn(text, position) {
    const before = text.slice(0, position).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }

  // --- The editor ------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (key === "text") node.textContent = value;
      else if (key === "value") node.value = value;
      else if (key === "checked") node.checked = !!value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  function typeSelect(value, testid, label, choices) {
    const select = el("select", { "data-testid": testid, "aria-label": label, "data-role": testid });
    for (const type of choices) {
      const labelText = type === "enum" ? "enum (choice)" : type === "object" ? "object (group)" : type === "array" ? "array (list)" : type;
      select.appendChild(el("option", { value: type, text: labelText }));
    }
    select.value = value;
    return select;
  }

  function Editor(root) {
    this.root = root;
    this.form = root.closest("form");
    this.rowsEl = root.querySelector("[data-schema-rows]");
    this.previewEl = root.querySelector("[data-schema-preview]");
    this.inputEl = root.querySelector("[data-schema-input]");
    this.jsonEl = root.querySelector("[data-testid=schema-json]");
    this.jsonErrorEl = root.querySelector("[data-testid=schema-json-error]");
    this.messageEl = root.querySelector("[data-schema-message]");
    this.rootProblemsEl = root.querySelector("[data-root-problems]");
    this.emptyHint = root.querySelector("[data-empty-hint]");
    this.validateUrl = root.dataset.validateUrl;
    this.suggestUrl = root.dataset.suggestUrl;
    this.starters = JSON.parse(document.getElementById("starter-schemas").textContent);
    this.serverProblems = JSON.parse(document.getElementById("schema-problems").textContent);
    this.tab = "form";
    this.jsonValid = true;
    this.load(JSON.parse(document.getElementById("initial-schema").textContent));
    this.bind();
    this.render();
    if (this.serverProblems.length) this.showProblems(this.serverProblems);
  }

  Editor.prototype.load = function (schema) {
    if (!schema || typeof schema !== "object" || Array.isArray(schema)) schema = {};
    this.fields = childrenOf(schema);
    this.rootExtra = extraOf(schema, ["type", "properties", "required"]);
  };

  Editor.prototype.schema = function () {
    return objectSchema(this.fields, this.rootExtra);
  };

  Editor.prototype.csrf = function () {
    const input = this.form && this.form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  Editor.prototype.message = function (text, isError) {
    this.messageEl.textContent = text;
    this.messageEl.classList.toggle("error", !!isError);
  };

  Editor.prototype.find = function (id, list, parent) {
    list = list || this.fields;
    for (let i = 0; i < list.length; i++) {
      if (list[i].id === id) return { node: list[i], list, index: i, parent };
      const found = this.find(id, list[i].children, list[i]);
      if (found) return found;
    }
    return null;
  };

  Editor.prototype.rowFor = function (node, pointer) {
    const row = el("div", { class: "field-row", "data-testid": "field-row", "data-id": node.id, "data-pointer": pointer });
    const name = el("input", { value: node.name, "data-testid": "field-name", "data-role": "name", "aria-label": "Field name", placeholder: "field_name", autocomplete: "off", spellcheck: "false" });
    const description = el("input", { value: node.description, "data-testid": "field-description", "data-role": "description", "aria-label": "Description", placeholder: "What this field holds (helps the extraction)" });
    const required = el("label", { class: "check required-check" }, [
      el("input", { type: "checkbox", checked: node.required, "data-testid": "field-required", "data-role": "required", "aria-label": "Required" }),
      el("span", { class: "visually-hidden", text: "Required" }),
    ]);
    const actions = el("div", { class: "row-actions" }, [
      el("button", { type: "button", class: "icon-btn", "data-action": "up", "aria-label": "Move field up", title: "Move up", text: "↑" }),
      el("button", { type: "button", class: "icon-btn", "data-action": "down", "aria-label": "Move field down", title: "Move down", text: "↓" }),
      el("button", { type: "button", class: "icon-btn danger", "data-action": "remove", "data-testid": "field-remove", "aria-label": "Remove field", title: "Remove", text: "✕" }),
    ]);
    row.appendChild(el("div", { class: "field-main" }, [name, typeSelect(node.type, "field-type", "Type", TYPES), description, required, actions]));
    if (node.type === "enum") {
      row.appendChild(el("div", { class: "field-extra" }, [
        el("input", { value: node.options.join(", "), "data-testid": "field-options", "data-role": "options", "aria-label": "Options, separated by commas", placeholder: "Options, separated by commas: paid, unpaid, overdue" }),
      ]));
    }
    if (node.type === "array") {
      row.appendChild(el("div", { class: "field-extra" }, [
        el("span", { class: "muted small", text: "List of" }),
        typeSelect(node.itemType, "field-item-type", "Type of the list's items", ITEM_TYPES),
      ]));
    }
    row.appendChild(el("p", { class: "error field-error", "data-testid": "field-error", role: "alert" }));
    if (node.type === "object" || (node.type === "array" && node.itemType === "object")) {
      const childBase = pointer + (node.type === "array" ? "/items" : "");
      const sub = el("div", { class: "subfields" });
      node.children.forEach((child) => sub.appendChild(this.rowFor(child, childBase + "/properties/" + escapePointer(child.name))));
      sub.appendChild(el("button", { type: "button", class: "btn btn-small", "data-action": "add-child", "data-testid": "add-subfield", text: "+ Add sub-field" }));
      row.appendChild(sub);
    }
    return row;
  };

  function escapePointer(name) {
    return String(name).replace(/~/g, "~0").replace(/\//g, "~1");
  }

  Editor.prototype.render = function (focusId, focusRole) {
    this.rowsEl.replaceChildren(...this.fields.map((node) => this.rowFor(node, "/properties/" + escapePointer(node.name))));
    this.emptyHint.hidden = this.fields.length > 0;
    this.root.querySelector(".schema-rows-head").hidden = this.fields.length === 0;
    this.sync();
    if (focusId) {
      const target = this.rowsEl.querySelector(`[data-id="${focusId}"] [data-role="${focusRole || "name"}"]`);
      if (target) target.focus();
    }
  };

  Editor.prototype.sync = function (skipJson) {
    const schema = this.schema();
    const text = JSON.stringify(schema, null, 2);
    this.previewEl.textContent = text;
    this.inputEl.value = JSON.stringify(schema);
    // Kept current even while hidden, so the JSON tab always opens on the latest schema.
    if (!skipJson) this.jsonEl.value = text;
    this.validateSoon();
  };

  // Problems the browser can see at once; the server's validation adds the rest.
  Editor.prototype.localProblems = function () {
    const problems = [];
    const walk = (list, base) => {
      const seen = new Set();
      for (const node of list) {
        const pointer = base + "/properties/" + escapePointer(node.name);
        if (!node.name.trim()) problems.push({ pointer, id: node.id, message: "Give this field a name." });
        else if (seen.has(node.name)) problems.push({ pointer, id: node.id, message: `Another field here is already named “${node.name}”.` });
        seen.add(node.name);
        if (node.type === "enum" && !node.options.length) problems.push({ pointer, id: node.id, message: "List at least one option." });
        if ((node.type === "object" || (node.type === "array" && node.itemType === "object")) && !node.children.length) {
          problems.push({ pointer, id: node.id, message: "Add at least one sub-field." });
        }
        walk(node.children, pointer + (node.type === "array" ? "/items" : ""));
      }
    };
    walk(this.fields, "");
    return problems;
  };

  // Row pointers follow the names as they are typed, without re-rendering (focus stays put).
  Editor.prototype.refreshPointers = function () {
    const walk = (list, base) => {
      for (const node of list) {
        const pointer = base + "/properties/" + escapePointer(node.name);
        const row = this.rowsEl.querySelector(`.field-row[data-id="${node.id}"]`);
        if (row) row.dataset.pointer = pointer;
        walk(node.children, pointer + (node.type === "array" ? "/items" : ""));
      }
    };
    walk(this.fields, "");
  };

  Editor.prototype.showProblems = function (problems) {
    this.refreshPointers();
    this.rowsEl.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
    this.rowsEl.querySelectorAll(".field-row").forEach((r) => r.classList.remove("has-error"));
    const rootMessages = [];
    const rows = Array.from(this.rowsEl.querySelectorAll(".field-row"));
    for (const problem of problems) {
      let row = problem.id ? this.rowsEl.querySelector(`.field-row[data-id="${problem.id}"]`) : null;
      if (!row) {
        // The row whose pointer is the longest prefix of the problem's pointer.
        let best = null;
        for (const candidate of rows) {
          const p = candidate.dataset.pointer;
          if ((problem.pointer === p || problem.pointer.startsWith(p + "/")) && (!best || p.length > best.dataset.pointer.length)) best = candidate;
        }
        row = best;
      }
      if (row) {
        const target = row.querySelector(":scope > .field-error");
        target.textContent = (target.textContent ? target.textContent + " " : "") + problem.message;
        row.classList.add("has-error");
      } else {
        rootMessages.push(problem.message);
      }
    }
    this.rootProblemsEl.textContent = rootMessages.join(" ");
  };

  Editor.prototype.validateSoon = function () {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), 350);
  };

  Editor.prototype.validate = async function () {
    const local = this.localProblems();
    let remote = [];
    if (!local.length && this.fields.length) {
      try {
        const response = await fetch(this.validateUrl, {
          method: "POST",
          headers: { "X-CSRFToken": this.csrf(), "Content-Type": "application/json" },
          body: this.inputEl.value,
          credentials: "same-origin",
        });
        if (response.ok) remote = (await response.json()).problems || [];
      } catch (error) {
        remote = [];
      }
    }
    this.showProblems(local.concat(remote));
    return local.length + remote.length === 0;
  };

  Editor.prototype.switchTab = function (tab) {
    if (tab === this.tab) return;
    if (tab === "form" && !this.jsonValid) {
      this.jsonEl.focus();
      this.message("Fix the JSON before going back to the form.", true);
      return;
    }
    this.tab = tab;
    this.root.querySelectorAll("[role=tab]").forEach((button) => {
      const selected = button.dataset.tab === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    });
    this.root.querySelectorAll("[data-panel]").forEach((panel) => { panel.hidden = panel.dataset.panel !== tab; });
    if (tab === "json") {
      this.jsonEl.value = JSON.stringify(this.schema(), null, 2);
      this.jsonErrorEl.textContent = "";
    } else {
      this.render();
    }
    this.message("");
  };

  Editor.prototype.onJsonInput = function () {
    const text = this.jsonEl.value;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const position = jsonErrorPosition(text, error);
      const where = lineAndColumn(text, position);
      this.jsonValid = false;
      this.jsonEl.setAttribute("aria-invalid", "true");
      this.jsonErrorEl.textContent = `Invalid JSON at line ${where.line}, column ${where.column}: ${error.message} `;
      this.jsonErrorEl.dataset.line = String(where.line);
      const show = el("button", { type: "button", class: "link", "data-testid": "schema-json-goto", text: "Go to the error" });
      show.addEventListener("click", () => {
        this.jsonEl.focus();
        this.jsonEl.setSelectionRange(position, Math.min(position + 1, text.length));
      });
      this.jsonErrorEl.appendChild(show);
      return;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      this.jsonValid = false;
      this.jsonEl.setAttribute("aria-invalid", "true");
      this.jsonErrorEl.textContent = "The schema must be a JSON object, like {\"type\": \"object\", \"properties\": {…}}.";
      return;
    }
    this.jsonValid = true;
    this.jsonEl.removeAttribute("aria-invalid");
    this.jsonErrorEl.textContent = "";
    delete this.jsonErrorEl.dataset.line;
    this.load(parsed);
    this.sync(true);
  };

  Editor.prototype.replaceSchema = function (schema, label) {
    const previous = this.schema();
    this.load(schema);
    this.jsonValid = true;
    this.jsonErrorEl.textContent = "";
    this.render();
    if (this.tab === "json") this.jsonEl.value = JSON.stringify(this.schema(), null, 2);
    this.message(label);
    const undo = el("button", { type: "button", class: "link", text: "Undo" });
    undo.addEventListener("click", () => { this.load(previous); this.render(); if (this.tab === "json") this.jsonEl.value = JSON.stringify(previous, null, 2); this.message("Restored the previous fields."); });
    this.messageEl.append(" ", undo);
  };

  Editor.prototype.addField = function (list) {
    const node = nodeFromSchema("", { type: "string" }, false);
    list.push(node);
    this.render(node.id);
  };

  Editor.prototype.onClick = function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button || !this.root.contains(button)) return;
    const action = button.dataset.action;
    if (action === "add-field") return this.addField(this.fields);
    if (action === "export") return this.exportSchema();
    if (action === "suggest") return this.suggest(button);
    const row = button.closest(".field-row");
    if (!row) return;
    const found = this.find(Number(row.dataset.id));
    if (!found) return;
    if (action === "add-child") return this.addField(found.node.children);
    if (action === "remove") {
      found.list.splice(found.index, 1);
      const neighbour = found.list[Math.min(found.index, found.list.length - 1)];
      this.render(neighbour ? neighbour.id : null);
      if (!neighbour) this.root.querySelector("[data-testid=add-field]").focus();
      return;
    }
    if (action === "up" || action === "down") {
      const to = found.index + (action === "up" ? -1 : 1);
      if (to < 0 || to >= found.list.length) return;
      found.list.splice(to, 0, found.list.splice(found.index, 1)[0]);
      this.render(found.node.id, null);
      const again = this.rowsEl.querySelector(`[data-id="${found.node.id}"] [data-action="${action}"]`);
      if (again) again.focus();
    }
  };

  Editor.prototype.onInput = function (event) {
    const target = event.target;
    const role = target.dataset.role;
    const row = target.closest(".field-row");
    if (!row || !role) return;
    const found = this.find(Number(row.dataset.id));
    if (!found) return;
    const node = found.node;
    if (role === "name") {
      node.name = target.value;
    } else if (role === "description") node.description = target.value;
    else if (role === "required") node.required = target.checked;
    else if (role === "options") node.options = target.value.split(",").map((s) => s.trim()).filter(Boolean);
    else if (role === "field-type" || role === "field-item-type") {
      if (event.type !== "change") return;
      if (role === "field-type") {
        node.type = target.value;
        // A type's own keywords (format, pattern...) rarely fit another type.
        node.extra = {};
      } else {
        node.itemType = target.value;
        node.itemsExtra = {};
      }
      if (node.type === "object" || (node.type === "array" && node.itemType === "object")) {
        if (!node.children.length) node.children.push(nodeFromSchema("", { type: "string" }, false));
      } else node.children = [];
      this.render(node.id, role);
      return;
    }
    this.sync();
  };

  Editor.prototype.exportSchema = function () {
    const blob = new Blob([JSON.stringify(this.schema(), null, 2) + "\n"], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "schema.json" });
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  };

  Editor.prototype.importFile = async function (input) {
    const file = input.files[0];
    if (!file) return;
    try {
      const parsed = JSON.parse(await file.text());
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a JSON object");
      this.replaceSchema(parsed, `Imported ${file.name}.`);
    } catch (error) {
      this.message(`${file.name} is not a JSON Schema: ${error.message}`, true);
    }
    input.value = "";
  };

  Editor.prototype.suggest = async function (button) {
    const upload = this.form.querySelector("[data-testid=upload-input]");
    const text = this.form.querySelector("textarea[name=text]");
    const data = new FormData();
    const file = upload && upload.files[0];
    if (file) data.append("file", file);
    else if (text && text.value.trim()) data.append("text", text.value);
    else return this.message("Choose a file or paste text first, then ask for a suggestion.", true);
    button.disabled = true;
    this.message("Reading the document…");
    try {
      const response = await fetch(this.suggestUrl, { method: "POST", body: data, headers: { "X-CSRFToken": this.csrf() }, credentials: "same-origin" });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || "The suggestion failed.");
      this.replaceSchema(body.data_schema, `Suggested ${Object.keys(body.data_schema.properties || {}).length} fields from ${file ? file.name : "the text"}.`);
      if (body.file_id) document.dispatchEvent(new CustomEvent("oe:file-stored", { detail: { file, fileId: body.file_id } }));
    } catch (error) {
      this.message(error.message, true);
    } finally {
      button.disabled = false;
    }
  };

  Editor.prototype.bind = function () {
    this.root.addEventListener("click", (event) => this.onClick(event));
    this.rowsEl.addEventListener("input", (event) => this.onInput(event));
    this.rowsEl.addEventListener("change", (event) => this.onInput(event));
    this.jsonEl.addEventListener("input", () => this.onJsonInput());
    this.root.querySelectorAll("[role=tab]").forEach((tab) => {
      tab.addEventListener("click", () => this.switchTab(tab.dataset.tab));
      tab.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
        const next = tab.dataset.tab === "form" ? "json" : "form";
        this.switchTab(next);
        this.root.querySelector(`[role=tab][data-tab="${next}"]`).focus();
      });
    });
    const starter = this.root.querySelector("[data-testid=starter-template]");
    starter.addEventListener("change", () => {
      const key = starter.value;
      if (!key) return;
      this.replaceSchema(this.starters[key], `Loaded the ${starter.selectedOptions[0].textContent} template.`);
      starter.value = "";
    });
    this.root.querySelector("[data-action=import]").addEventListener("change", (event) => this.importFile(event.target));
    if (this.form) {
      this.form.addEventListener("submit", (event) => {
        if (this.tab === "json" && !this.jsonValid) {
          event.preventDefault();
          this.jsonEl.focus();
          return;
        }
        this.inputEl.value = JSON.stringify(this.schema());
        const local = this.localProblems();
        if (local.length) {
          event.preventDefault();
          if (this.tab !== "form") this.switchTab("form");
          this.showProblems(local);
          const first = this.rowsEl.querySelector(".has-error input");
          if (first) first.focus();
        }
      });
    }
  };

  function start() {
    document.querySelectorAll("[data-schema-editor]").forEach((root) => { root.editor = new Editor(root); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
