/*
 * Small behaviours shared by the pages: auto-submitting selects, copy buttons, the upload drop
 * zone, the collapsible navigation, the citation viewer (field <-> box highlighting, opened at a
 * field from the workspace) and the page viewer (zoom, page jump, thumbnails). Content swapped
 * in by HTMX is initialised through htmx.onLoad.
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
    const storedInput = form.querySelector("[data-file-ids]") || document.createElement("input");
    const maxBytes = Number(input.dataset.maxBytes) * 1024 * 1024;
    const stored = [];

    function forgetStored(fileId) {
      const template = zone.dataset.fileDeleteUrl;
      const token = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (!template || !token) return;
      fetch(template.replace("00000000-0000-0000-0000-000000000000", fileId), {
        method: "POST",
        headers: { "X-CSRFToken": token.value, "HX-Request": "true" },
        credentials: "same-origin",
      });
    }

    function setFiles(files) {
      const transfer = new DataTransfer();
      for (const file of files) transfer.items.add(file);
      input.files = transfer.files;
      render();
    }

    function render() {
      list.replaceChildren();
      stored.forEach((item, index) => {
        const li = document.createElement("li");
        li.className = "file-item";
        li.innerHTML = '<span class="file-name"></span><span class="muted small"></span><button type="button" class="icon-btn" aria-label="Remove file">✕</button>';
        li.querySelector(".file-name").textContent = item.name;
        li.querySelector(".small").textContent = "stored · " + formatBytes(item.size);
        li.querySelector("button").addEventListener("click", () => {
          // Stored only for the suggestion: removing it here deletes it, so no stray copy stays.
          stored.splice(index, 1);
          storedInput.value = stored.map((entry) => entry.id).join(",");
          forgetStored(item.id);
          render();
          input.focus();
        });
        list.appendChild(li);
      });
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
      note.textContent = boxes.length ? "" : fields.length && fields[0].dataset.notFound === "true"
        ? "This field was not found, so there is nothing to show in the document."
        : fields.length && fields[0].dataset.unsupported === "true"
          ? "This value was not found in the document."
          : "No highlighted location for this value.";
    }
    if (from === "review" && fields[0]) fields[0].scrollIntoView({ block: "center" });
    const target = from === "box" ? fields[0] : boxes[0];
    if (target) scrollWithin(target, from === "box");
    else if (from !== "box" && fields[0] && fields[0].dataset.page) {
      const viewer = scope.querySelector("[data-page-viewer]");
      if (viewer && viewer.goToPage) viewer.goToPage(Number(fields[0].dataset.page));
    }
  }

  // Scroll a box into view inside its own scrolling viewer first, so the page itself moves as
  // little as possible (a value at the top of the list stays where the reader is looking).
  function scrollWithin(target, pageToo) {
    const viewer = target.closest("[data-doc-viewer], .result-tree");
    if (viewer) {
      const box = target.getBoundingClientRect();
      const frame = viewer.getBoundingClientRect();
      viewer.scrollBy({
        top: box.top - frame.top - frame.height / 2 + box.height / 2,
        left: box.left - frame.left - frame.width / 2 + box.width / 2,
        behavior: "smooth",
      });
      const rect = viewer.getBoundingClientRect();
      if (pageToo || rect.bottom < 0 || rect.top > window.innerHeight) {
        viewer.scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    } else {
      target.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  function initViewer(scope) {
    scope.addEventListener("click", (event) => {
      const review = event.target.closest("[data-review-path]");
      if (review) return activate(scope, review.dataset.reviewPath, "review");
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
    // Opened from the workspace at one field: show it at its citation.
    const params = new URLSearchParams(window.location.search);
    const wanted = params.get("field");
    if (wanted) {
      const show = () => {
        activate(scope, wanted, "field");
        const field = scope.querySelector(`[data-testid=result-field][data-path="${cssPath(wanted)}"]`);
        if (field) {
          field.focus({ preventScroll: true });
          field.scrollIntoView({ block: "nearest" });
        }
      };
      if (document.readyState === "complete") show();
      else window.addEventListener("load", show, { once: true });
    }
  }

  // --- Page viewer: zoom, fit to width, page indicator and jump, thumbnails --------------------

  const ZOOMS = [50, 75, 100, 125, 150, 200, 300];

  function initPageViewer(root) {
    const pages = root.querySelector("[data-doc-viewer]");
    const figures = Array.from(pages.querySelectorAll("figure[data-page]"));
    const level = root.querySelector("[data-zoom-level]");
    const current = root.querySelector("[data-page-current]");
    const thumbs = root.querySelector(".thumbs");
    const thumbsToggle = root.querySelector("[data-thumbs-toggle]");
    let zoom = 100;

    function pageShown() {
      const line = pages.scrollTop + pages.clientHeight / 3;
      let shown = figures[0];
      for (const figure of figures) {
        if (figure.offsetTop <= line) shown = figure;
      }
      return shown;
    }

    function markPage() {
      const shown = pageShown();
      if (!shown) return;
      if (document.activeElement !== current) current.value = shown.dataset.page;
      thumbs.querySelectorAll(".thumb").forEach((thumb) => {
        thumb.setAttribute("aria-current", String(thumb.dataset.gotoPage === shown.dataset.page));
      });
    }

    function goToPage(number) {
      const figure = figures.find((f) => Number(f.dataset.page) >= number) || figures[figures.length - 1];
      if (!figure) return;
      pages.scrollTo({ top: figure.offsetTop - 8, behavior: "auto" });
      current.value = figure.dataset.page;
      markPage();
    }
    root.goToPage = goToPage;

    function setZoom(value) {
      const anchor = pageShown();
      zoom = value;
      pages.style.setProperty("--page-width", zoom + "%");
      level.textContent = zoom + "%";
      if (anchor) pages.scrollTop = anchor.offsetTop - 8;
    }

    root.querySelectorAll("[data-zoom]").forEach((button) => button.addEventListener("click", () => {
      const step = button.dataset.zoom;
      if (step === "fit") return setZoom(100);
      const index = ZOOMS.indexOf(zoom);
      const next = step === "in" ? ZOOMS[Math.min(index + 1, ZOOMS.length - 1)] : ZOOMS[Math.max(index - 1, 0)];
      setZoom(next);
    }));
    root.querySelector("[data-page-jump]").addEventListener("submit", (event) => {
      event.preventDefault();
      goToPage(Number(current.value) || 1);
    });
    current.addEventListener("change", () => goToPage(Number(current.value) || 1));
    thumbsToggle.addEventListener("click", () => {
      thumbs.hidden = !thumbs.hidden;
      thumbsToggle.setAttribute("aria-expanded", String(!thumbs.hidden));
      root.classList.toggle("with-thumbs", !thumbs.hidden);
      markPage();
    });
    thumbs.addEventListener("click", (event) => {
      const thumb = event.target.closest("[data-goto-page]");
      if (thumb) goToPage(Number(thumb.dataset.gotoPage));
    });
    let pending = false;
    pages.addEventListener("scroll", () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; markPage(); });
    });
    markPage();
  }

  // --- Collapsible navigation (narrow screens) -------------------------------------------------

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    const bar = toggle.closest("[data-topbar]");
    const open = !bar.classList.contains("nav-open");
    bar.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", String(open));
  });

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
    within(root, "[data-page-viewer]").forEach(initPageViewer);
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
