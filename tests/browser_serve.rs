//! The preview in a real browser (headless Chromium): a page open on
//! `scholia serve` shows an edit saved on disk without a manual reload, and a
//! passage selected on the page gets a note through the form — on the page
//! and in the text's file.

mod support;

use std::fs;
use std::time::Duration;

use support::preview::Preview;
use support::{edition_of_texts, Chromium};

const A: &str = "---\ntitle: First text\n---\n\nThe comradely coherence of the antifascist workers became stronger.\n\nA second paragraph.\n";

#[test]
fn a_saved_edit_appears_in_the_open_page_by_itself() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let dir = edition_of_texts(&[("a.md", A)]);
    let preview = Preview::start(dir.path(), &[]);
    let file = dir.path().join("content/a.md");
    let seen = chromium.watch(
        &format!("{}a/", preview.url),
        "document.body.innerText.includes('became stronger')",
        || {
            // Let the page's event stream connect before the edit.
            std::thread::sleep(Duration::from_millis(300));
            fs::write(&file, A.replace("became stronger", "grew firmer at last")).unwrap();
        },
        "document.body.innerText.includes('grew firmer at last')",
        "performance.getEntriesByType('navigation')[0].type",
    );
    assert_eq!(seen["value"], true, "the page first shows the old words");
    assert_eq!(seen["then"], "reload", "the page reloaded itself: {seen}");
    eprintln!(
        "the edit showed in the browser after {} ms",
        seen["waitedMs"]
    );
    assert!(seen["exceptions"].as_array().unwrap().is_empty(), "{seen}");
}

/// Selects "comradely coherence", presses "Add note", fills in the form and sends it.
const ADD_NOTE: &str = r#"
(async () => {
  const quote = 'comradely coherence';
  const walker = document.createTreeWalker(document.querySelector('.text-body'), NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.data.includes(quote)) {}
  const at = node.data.indexOf(quote);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + quote.length);
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  document.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const button = document.getElementById('scholia-add-note');
  const buttonShown = !button.hidden;
  button.click();
  const dialog = document.getElementById('scholia-note-form');
  const seen = {
    buttonShown,
    formOpen: dialog.open,
    focused: document.activeElement.id,
    labels: [...dialog.querySelectorAll('label')].map((l) => l.textContent),
    quote: document.getElementById('scholia-note-quote').textContent,
  };
  document.getElementById('scholia-note-type').value = 'dispute';
  document.getElementById('scholia-note-body').value = 'Added *from the browser*.';
  document.getElementById('scholia-note-sources').value = 'A source\nAnother source';
  document.getElementById('scholia-note-submit').click();
  return seen;
})()
"#;

#[test]
fn a_note_added_through_the_form_is_on_the_page_and_in_the_file() {
    let Some(chromium) = Chromium::find_or_skip() else {
        return;
    };
    let dir = edition_of_texts(&[("a.md", A)]);
    let preview = Preview::start(dir.path(), &[]);
    let seen = chromium.watch(
        &format!("{}a/", preview.url),
        ADD_NOTE,
        || {},
        "document.readyState === 'complete' && document.querySelector('.endnotes') && document.body.innerText.includes('from the browser') && !document.getElementById('scholia-note-form').open",
        "document.querySelector('.endnotes').innerText",
    );
    let form = &seen["value"];
    assert_eq!(form["buttonShown"], true, "{seen}");
    assert_eq!(form["formOpen"], true, "{seen}");
    assert_eq!(
        form["focused"], "scholia-note-type",
        "focus moves into the form"
    );
    assert_eq!(
        form["labels"],
        serde_json::json!(["Type", "Note (Markdown)", "Sources, one per line"])
    );
    assert_eq!(form["quote"], "comradely coherence");
    let endnotes = seen["then"].as_str().unwrap();
    assert!(endnotes.contains("comradely coherence"), "{endnotes}");
    assert!(endnotes.contains("Added from the browser."), "{endnotes}");
    let file = fs::read_to_string(dir.path().join("content/a.md")).unwrap();
    assert!(
        file.contains("  - id: comradely-coherence\n    anchor:\n      exact: comradely coherence\n    type: dispute\n    body: Added *from the browser*.\n    sources:\n    - A source\n    - Another source\n"),
        "{file}"
    );
    assert!(seen["exceptions"].as_array().unwrap().is_empty(), "{seen}");
}
