// scholia serve: live reload, the build-error overlay and the "Add note" form.
// Added to pages by `scholia serve` only; `scholia build` output never has it.
(() => {
  "use strict";
  const meta = document.querySelector('meta[name="scholia-preview"]');
  if (!meta) return;
  const shownSite = Number(meta.dataset.site);
  const token = meta.dataset.token;
  const page = meta.dataset.page || "";

  // Live reload and the error overlay.
  let overlay = null;
  function showErrors(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) return;
    overlay = document.createElement("div");
    overlay.id = "scholia-errors";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#fff4f4;color:#5a0000;border-top:3px solid #b00020;padding:1em;font:14px/1.4 ui-monospace,monospace;box-shadow:0 -2px 8px rgba(0,0,0,.3)";
    const title = document.createElement("p");
    title.style.cssText = "margin:0 0 .5em;font-weight:bold";
    title.textContent = `The edition has ${errors.length} error${errors.length === 1 ? "" : "s"}; this is the last good version of the page.`;
    overlay.append(title);
    for (const e of errors) {
      const line = document.createElement("pre");
      line.style.cssText = "margin:.25em 0;white-space:pre-wrap";
      line.textContent = `${e.location}: ${e.message}${e.help ? `\n  help: ${e.help}` : ""}`;
      overlay.append(line);
    }
    document.body.append(overlay);
  }
  const events = new EventSource("/__scholia/events");
  events.onmessage = (message) => {
    const status = JSON.parse(message.data);
    if (status.site > shownSite && !status.errors.length) {
      location.reload();
      return;
    }
    showErrors(status.errors);
  };

  // Adding a note: select a passage of the text, press "Add note", fill the form.
  const body = document.querySelector(".text-body");
  if (!token || !body || !document.body.classList.contains("page-text")) return;
  const slug = page.split("/")[0];
  const button = document.createElement("button");
  button.type = "button";
  button.id = "scholia-add-note";
  button.textContent = "Add note";
  button.hidden = true;
  button.style.cssText = "position:absolute;z-index:2147483646;font:inherit;padding:.25em .75em";
  document.body.append(button);

  const dialog = document.createElement("dialog");
  dialog.id = "scholia-note-form";
  dialog.setAttribute("aria-labelledby", "scholia-note-title");
  dialog.innerHTML = `<form method="dialog">
<h2 id="scholia-note-title" style="margin-top:0">Add a note</h2>
<p>On “<q id="scholia-note-quote"></q>”</p>
<p><label for="scholia-note-type">Type</label><br>
<select id="scholia-note-type" name="type">
<option value="context">Context</option><option value="dispute">Dispute</option>
<option value="correction">Correction</option><option value="source-check">Source check</option>
<option value="translation">Translation</option></select></p>
<p><label for="scholia-note-body">Note (Markdown)</label><br>
<textarea id="scholia-note-body" name="body" rows="6" cols="50" required></textarea></p>
<p><label for="scholia-note-sources">Sources, one per line</label><br>
<textarea id="scholia-note-sources" name="sources" rows="3" cols="50"></textarea></p>
<p id="scholia-note-problem" role="alert" style="color:#b00020;white-space:pre-wrap"></p>
<p><button type="submit" id="scholia-note-submit">Add note</button> <button type="button" id="scholia-note-cancel">Cancel</button></p>
</form>`;
  document.body.append(dialog);
  const form = dialog.querySelector("form");
  const problem = dialog.querySelector("#scholia-note-problem");
  let selected = null;
  let opener = null;

  function contextOf(range) {
    let block = range.commonAncestorContainer;
    if (block.nodeType !== Node.ELEMENT_NODE) block = block.parentElement;
    block = block.closest("p, li, blockquote, h1, h2, h3, h4, h5, h6, td, th, dd, dt") || body;
    const before = document.createRange();
    before.selectNodeContents(block);
    before.setEnd(range.startContainer, range.startOffset);
    const after = document.createRange();
    after.selectNodeContents(block);
    after.setStart(range.endContainer, range.endOffset);
    return { prefix: before.toString().slice(-200), suffix: after.toString().slice(0, 200) };
  }

  function onSelection() {
    const selection = getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { button.hidden = true; return; }
    const range = selection.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) { button.hidden = true; return; }
    const quote = selection.toString().trim();
    if (!quote) { button.hidden = true; return; }
    selected = { quote, ...contextOf(range) };
    const rect = range.getBoundingClientRect();
    button.style.top = `${rect.bottom + scrollY + 6}px`;
    button.style.left = `${Math.max(0, rect.left + scrollX)}px`;
    button.hidden = false;
  }
  document.addEventListener("mouseup", () => setTimeout(onSelection, 0));
  document.addEventListener("keyup", (e) => { if (e.shiftKey || e.key === "Shift") onSelection(); });

  button.addEventListener("click", () => {
    if (!selected) return;
    opener = button;
    dialog.querySelector("#scholia-note-quote").textContent = selected.quote;
    problem.textContent = "";
    dialog.showModal();
    dialog.querySelector("#scholia-note-type").focus();
  });
  dialog.querySelector("#scholia-note-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (opener) opener.focus(); });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const note = {
      text: slug,
      quote: selected.quote,
      prefix: selected.prefix,
      suffix: selected.suffix,
      type: data.get("type"),
      body: data.get("body"),
      sources: String(data.get("sources") || "").split("\n").map((s) => s.trim()).filter(Boolean),
    };
    problem.textContent = "Adding…";
    try {
      const response = await fetch("/__scholia/notes", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Scholia-Token": token },
        body: JSON.stringify(note),
      });
      const answer = await response.json();
      if (response.ok) {
        // The server rebuilt before answering: the live-reload event brings the
        // new page. Reload by hand only if that event does not come.
        problem.textContent = `Added note ${answer.id} to ${answer.file}; reloading…`;
        setTimeout(() => location.reload(), 3000);
      } else {
        problem.textContent = answer.errors.map((e) => (e.location ? `${e.location}: ` : "") + e.message + (e.help ? `\nhelp: ${e.help}` : "")).join("\n");
      }
    } catch (e) {
      problem.textContent = `The preview server did not answer: ${e}`;
    }
  });
})();
