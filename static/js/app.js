/*
 * Small behaviours shared by the pages: auto-submitting selects, copy buttons, the upload drop
 * zone, and the citation viewer (field <-> box highlighting). Content swapped in by HTMX is
 * initialised through htmx.onLoad.
 */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  // --- Copy buttons ---------------------------------------------------------------------------

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (ignored) { ok = false; }
      area.remove();
      return ok;
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy-target]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copyTarget);
    if (!source) return;
    const ok = await copyText(source.value !== undefined && source.tagName !== "PRE" && source.tagName !== "CODE" ? source.value : source.textContent);
    const label = button.textContent;
    button.textContent = ok ? "Copied ✓" : "Select and copy";
    setTimeout(() => { button.textContent = label; }, 1600);
  });

  // --- Auto-submitting selects (the project switcher) -----------------------------------------

  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") form.requestSubmit();
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm || "Are you sure?")) event.preventDefault();
  });

  // --- Upload drop zone ------------------------------------------------------------------------

  function initDropzone(zone) {
    const input = zone.querySelector("input[type=file]");
    const form = zone.closest("form");
    const list = form.querySelector("[data-file-list]");
    const errorEl = form.querySelector("[data-upload-error]");
    const storedInput = form.querySelector("[data-file-ids]");
    const maxBytes = Number(input.dataset.maxBytes) * 1024 * 1024;
    const stored = [];

    function setFiles(files) {
      const transfer = new DataTransfer();
      for (const file of files) transfer.items.add(file);
      input.files = transfer.files;
      render();
    }

    function render() {
      list.replaceChildren();
      for (const item of stored) {
        const li = document.createElement("li");
        li.className = "file-item";
        li.innerHTML = '<span class="file-name"></span><span class="muted small"></span>';
        li.querySelector(".file-name").textContent = item.name;
        li.querySelector(".small").textContent = "stored · " + formatBytes(item.size);
        list.appendChild(li);
      }
      Array.from(input.files).forEach((file, index) => {
        const li = document.createElement("li");
        li.className = "file-item" + (file.size > maxBytes ? " too-large" : "");
        li.innerHTML = '<span class="file-name"></span><span class="muted small"></span><button type="button" class="icon-btn" aria-label="Remove file">✕</button>';
        li.querySelector(".file-name").textContent = file.name;
        li.querySelector(".small").textContent = formatBytes(file.size) + (file.size > maxBytes ? " — over the limit" : "");
        li.querySelector("button").addEventListener("click", () => {
          setFiles(Array.from(input.files).filter((_, i) => i !== index));
          input.focus();
        });
        list.appendChild(li);
      });
      const tooLarge = Array.from(input.files).filter((file) => file.size > maxBytes);
      errorEl.textContent = tooLarge.length ? `${tooLarge.map((f) => f.name).join(", ")} ${tooLarge.length > 1 ? "are" : "is"} larger than the ${input.dataset.maxBytes} MB limit.` : "";
      zone.classList.toggle("has-files", input.files.length + stored.length > 0);
    }

    input.addEventListener("change", render);
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("dragging")));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      setFiles(Array.from(input.files).concat(Array.from(event.dataTransfer.files)));
    });
    document.addEventListener("oe:file-stored", (event) => {
      const { file, fileId } = event.detail;
      stored.push({ name: file.name, size: file.size, id: fileId });
      storedInput.value = stored.map((item) => item.id).join(",");
      setFiles(Array.from(input.files).filter((candidate) => candidate !== file));
    });
    form.addEventListener("submit", (event) => {
      if (Array.from(input.files).some((file) => file.size > maxBytes)) {
        event.preventDefault();
        errorEl.focus();
        return;
      }
      setTimeout(() => {
        if (event.defaultPrevented) return;
        form.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = true; button.setAttribute("aria-busy", "true"); });
      }, 0);
    });
    render();
  }

  // --- Citation viewer -------------------------------------------------------------------------

  function cssPath(path) {
    return window.CSS && CSS.escape ? CSS.escape(path) : path.replace(/"/g, '\\"');
  }

  function activate(scope, path, from) {
    scope.querySelectorAll(".is-active").forEach((node) => node.classList.remove("is-active"));
    const fields = scope.querySelectorAll(`[data-testid=result-field][data-path="${cssPath(path)}"]`);
    const boxes = scope.querySelectorAll(`[data-testid=citation-box][data-path="${cssPath(path)}"]`);
    fields.forEach((node) => node.classList.add("is-active"));
    boxes.forEach((node) => node.classList.add("is-active"));
    const note = scope.querySelector("[data-citation-note]");
    if (note) {
      note.textContent = boxes.length ? "" : fields.length && fields[0].dataset.unsupported === "true"
        ? "This value was not found in the document."
        : "No highlighted location for this value.";
    }
    const target = from === "field" ? boxes[0] : fields[0];
    if (target) target.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function initViewer(scope) {
    scope.addEventListener("click", (event) => {
      const field = event.target.closest("[data-testid=result-field]");
      if (field) return activate(scope, field.dataset.path, "field");
      const box = event.target.closest("[data-testid=citation-box]");
      if (box) return activate(scope, box.dataset.path, "box");
    });
    // Text highlights are <mark>s, not buttons: give them the keyboard a button has.
    scope.addEventListener("keydown", (event) => {
      const box = event.target.closest("mark[data-testid=citation-box]");
      if (!box || (event.key !== "Enter" && event.key !== " ")) return;
      event.preventDefault();
      activate(scope, box.dataset.path, "box");
    });
  }

  // --- Simple tabs (results: fields / raw JSON) ------------------------------------------------

  function initTabs(group) {
    const tabs = Array.from(group.querySelectorAll("[role=tab]"));
    function select(tab) {
      tabs.forEach((other) => {
        const selected = other === tab;
        other.setAttribute("aria-selected", String(selected));
        other.tabIndex = selected ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      });
    }
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab));
      tab.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
        const next = tabs[(index + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
        select(next);
        next.focus();
      });
    });
  }

  function within(root, selector) {
    const found = Array.from(root.querySelectorAll(selector));
    return root.matches && root.matches(selector) ? [root].concat(found) : found;
  }

  function init(root) {
    within(root, "[data-dropzone]").forEach(initDropzone);
    within(root, "[data-citation-viewer]").forEach(initViewer);
    within(root, "[data-tabs]").forEach(initTabs);
    refocus(root);
  }

  // A swapped fragment can take the focused button with it (cancel, re-run, revoke): put the
  // focus back somewhere sensible instead of letting it fall to <body>. The request is noted
  // when it starts, as the element that sent it may be gone by the time the swap is done.
  let restoreFocus = false;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "post") restoreFocus = true;
  });

  function refocus(root) {
    if (!restoreFocus || (document.activeElement && document.activeElement !== document.body)) return;
    const focusable = within(root, "#job-actions button, [data-testid=api-key-value], h2")[0];
    if (!focusable) return;
    if (!focusable.hasAttribute("tabindex") && !/INPUT|BUTTON|A/.test(focusable.tagName)) focusable.tabIndex = -1;
    focusable.focus({ preventScroll: true });
    restoreFocus = false;
  }

  function start() {
    if (window.htmx) window.htmx.onLoad(init);
    else init(document);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
