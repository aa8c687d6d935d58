//! The Web Annotation export passes the W3C test suite's MUST assertions.
//!
//! The suite (`../shared/schemas/web-annotation`, see its README) is a set of
//! JSON Schema (draft-04) "assertions", listed by JSONtest `.test` files. Each
//! assertion is written so that a conforming document *validates*
//! (`"expectedResult": "valid"` on every one of them); the "must not" checks
//! (`3.2.5-notBodyBodyValue`, the `...NoItems`, `...NoSource`, `...NoValue`,
//! `...NoPurpose` ones, `3.2.4-targNoTypeTextualBody`) carry their negation
//! inside the schema (`not`). So: every assertion must validate, and a broken
//! annotation must fail at least one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::{Resource, Validator};
use scholia::build::read_edition;
use scholia::config::Config;
use scholia::diagnostic::Diagnostics;
use scholia::render::annotations::annotation_page;
use serde_json::{json, Value};

/// Where the relative ids of the suite's schemas resolve; nothing is fetched.
const BASE: &str = "file:///web-annotation/";

/// Page assertions that look inside an *embedded* collection under `partOf`;
/// the suite's README says to skip them when `partOf` is an IRI string.
const NEED_EMBEDDED_PART_OF: &[&str] = &[
    "5.2-pageTotalValidated.json",
    "5.2-pageLabelValidated.json",
    "5.2-pageFirstValidated.json",
    "5.2-pageLastValidated.json",
    "3.3.1-pageCreatedValidated.json",
    "3.3.1-pageModifiedValidated.json",
    "3.3.6-pageRightsValidated.json",
];

fn suite_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/web-annotation");
    assert!(
        dir.join("definitions").is_dir(),
        "the W3C test schemas are missing: {}",
        dir.display()
    );
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The compiled assertions of one `.test` file, by file name.
struct Assertions {
    list: Vec<(String, Validator)>,
}

impl Assertions {
    fn load(test_file: &str) -> Assertions {
        let dir = suite_dir();
        let definitions: Vec<(String, Value)> = std::fs::read_dir(dir.join("definitions"))
            .expect("definitions folder")
            .map(|entry| entry.expect("definition file").path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, read_json(&path))
            })
            .collect();
        assert_eq!(definitions.len(), 7, "the suite has 7 definition files");
        let test = read_json(&dir.join(test_file));
        let list = test["assertions"]
            .as_array()
            .expect("a .test file lists its assertions")
            .iter()
            .map(|rel| {
                let rel = rel.as_str().expect("an assertion is a path");
                let schema = read_json(&dir.join(rel));
                assert_eq!(schema["expectedResult"], "valid", "{rel}");
                let mut options = jsonschema::draft4::options()
                    .with_base_uri(BASE)
                    .should_validate_formats(true);
                for (name, contents) in &definitions {
                    let resource = Resource::from_contents(contents.clone())
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                    options = options.with_resource(format!("{BASE}{name}"), resource);
                }
                let validator = options
                    .build(&schema)
                    .unwrap_or_else(|e| panic!("{rel} does not compile: {e}"));
                let name = rel.rsplit('/').next().unwrap().to_string();
                (name, validator)
            })
            .collect();
        Assertions { list }
    }

    /// The assertions `instance` fails, with the validator's reasons.
    fn failures(&self, instance: &Value, skip: &[&str]) -> BTreeMap<String, Vec<String>> {
        self.list
            .iter()
            .filter(|(name, _)| !skip.contains(&name.as_str()))
            .filter_map(|(name, validator)| {
                let errors: Vec<String> = validator
                    .iter_errors(instance)
                    .map(|e| format!("{e} at {}", e.instance_path))
                    .collect();
                (!errors.is_empty()).then(|| (name.clone(), errors))
            })
            .collect()
    }
}

fn fixture_config() -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/annotations");
    Config::load(&root).unwrap_or_else(|e| panic!("the fixture's book.toml: {e:?}"))
}

/// Every text's annotation page, built through the library as `scholia build` reads an edition.
fn fixture_pages(config: &Config) -> Vec<Value> {
    let mut sink = Diagnostics::new();
    let (edition, _assets) = read_edition(config, &mut sink);
    assert!(
        !sink.has_errors(),
        "the fixture edition has errors: {:?}",
        sink.iter().collect::<Vec<_>>()
    );
    assert!(!edition.texts.is_empty());
    edition
        .texts
        .iter()
        .map(|text| annotation_page(text, config))
        .collect()
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().expect("a page has items")
}

/// The page assertions to skip for `page`: those the README names, only when `partOf` is a string.
fn page_skips(page: &Value) -> &'static [&'static str] {
    if page["partOf"].is_string() {
        NEED_EMBEDDED_PART_OF
    } else {
        // Absent or embedded: the assertions apply (absent, they pass trivially).
        &[]
    }
}

#[test]
fn every_annotation_and_page_passes_every_must_assertion() {
    let annotation_musts = Assertions::load("annotations/annotationMusts.test");
    let page_musts = Assertions::load("collections/pages/pageMusts.test");
    assert_eq!(annotation_musts.list.len(), 54);
    assert_eq!(page_musts.list.len(), 15);

    let config = fixture_config();
    let pages = fixture_pages(&config);
    let total: usize = pages.iter().map(|p| items(p).len()).sum();
    assert_eq!(total, 3, "the fixture has three notes");

    let mut problems = Vec::new();
    for page in &pages {
        for (name, errors) in page_musts.failures(page, page_skips(page)) {
            problems.push(format!("page {}: {name}: {errors:?}", page["id"]));
        }
        for annotation in items(page) {
            for (name, errors) in annotation_musts.failures(annotation, &[]) {
                problems.push(format!("{}: {name}: {errors:?}", annotation["id"]));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the export fails W3C assertions:\n{}\n{}",
        problems.join("\n"),
        serde_json::to_string_pretty(&pages).unwrap()
    );
}

#[test]
fn the_fixture_exercises_every_kind_of_anchor() {
    let config = fixture_config();
    let pages = fixture_pages(&config);
    let page = &pages[0];
    assert_eq!(
        page["id"],
        "https://example.org/ed/a-text/annotations.jsonld"
    );
    let by_id = |id: &str| {
        items(page)
            .iter()
            .find(|a| a["id"] == format!("https://example.org/ed/a-text/#note-{id}"))
            .unwrap_or_else(|| panic!("no annotation for note {id}"))
    };
    let quote = &by_id("west-wall")["target"]["selector"]["refinedBy"][0];
    assert_eq!(quote["exact"], "West Wall");
    let disputed = &by_id("second-front")["target"]["selector"];
    assert_eq!(disputed["value"], "p-2");
    assert_eq!(disputed["refinedBy"][0]["exact"], "the front");
    assert_eq!(disputed["refinedBy"][0]["prefix"], "The front and ");
    assert_eq!(
        disputed["refinedBy"][1],
        json!({ "type": "TextPositionSelector", "start": 14, "end": 23 })
    );
    let whole = &by_id("whole-paragraph")["target"]["selector"];
    assert_eq!(whole["value"], "p-3");
    assert!(whole.get("refinedBy").is_none());
    assert_eq!(by_id("whole-paragraph")["creator"]["name"], "B. Editor");
}

#[test]
fn broken_annotations_fail_the_assertions() {
    let annotation_musts = Assertions::load("annotations/annotationMusts.test");
    let page_musts = Assertions::load("collections/pages/pageMusts.test");
    let config = fixture_config();
    let page = fixture_pages(&config).remove(0);
    let good = items(&page)[0].clone();
    assert!(annotation_musts.failures(&good, &[]).is_empty());

    // Each breakage, and the assertion that must catch it.
    let mut breakages: Vec<(&str, Value, &str)> = Vec::new();
    let mut no_target = good.clone();
    no_target.as_object_mut().unwrap().remove("target");
    breakages.push(("no target", no_target, "3.1-targetKeyFound.json"));
    let mut note_type = good.clone();
    note_type["type"] = json!("Note");
    breakages.push(("type Note", note_type, "3.1-annotationTypeValidated.json"));
    let mut body_and_value = good.clone();
    body_and_value["bodyValue"] = json!("plain text");
    breakages.push((
        "body and bodyValue",
        body_and_value,
        "3.2.5-notBodyBodyValue.json",
    ));
    let mut relative_id = good.clone();
    relative_id["id"] = json!("#note-west-wall");
    breakages.push(("relative id", relative_id, "3.1-annotationIdValidated.json"));
    let mut bad_created = good.clone();
    bad_created["created"] = json!("2026-11-22");
    breakages.push((
        "date without time",
        bad_created,
        "3.3.1-annotationCreatedValidated.json",
    ));
    let mut bad_quote = good.clone();
    bad_quote["target"]["selector"]["refinedBy"][0]
        .as_object_mut()
        .unwrap()
        .remove("exact");
    breakages.push((
        "quote without exact",
        bad_quote,
        "4.3.3-refinedByValidated.json",
    ));
    for (what, broken, assertion) in &breakages {
        let failed = annotation_musts.failures(broken, &[]);
        assert!(
            failed.contains_key(*assertion),
            "an annotation with {what} does not fail {assertion}: {:?}",
            failed.keys().collect::<Vec<_>>()
        );
    }

    let mut no_items = page.clone();
    no_items.as_object_mut().unwrap().remove("items");
    assert!(!page_musts.failures(&no_items, &[]).is_empty());
    let mut wrong_type = page.clone();
    wrong_type["type"] = json!("AnnotationCollection");
    assert!(!page_musts.failures(&wrong_type, &[]).is_empty());
}

/// Without `base_url` ids are `urn:` IRIs and pass; the text page can only be
/// named relatively, which the suite (absolute URIs only) rejects: exactly
/// the target assertions fail, nothing else.
#[test]
fn without_base_url_only_the_relative_target_fails() {
    let annotation_musts = Assertions::load("annotations/annotationMusts.test");
    let page_musts = Assertions::load("collections/pages/pageMusts.test");
    let mut config = fixture_config();
    config.edition.base_url = None;
    let page = fixture_pages(&config).remove(0);
    assert_eq!(page["id"], "urn:scholia:a-text:annotations");
    assert!(page_musts.failures(&page, page_skips(&page)).is_empty());
    for annotation in items(&page) {
        assert_eq!(annotation["target"]["source"], "../a-text/");
        let failed: Vec<String> = annotation_musts
            .failures(annotation, &[])
            .into_keys()
            .collect();
        // The target assertions all need the target's source to be absolute.
        assert!(
            failed.contains(&"3.2-targetObjectsRecognized.json".to_string())
                && failed.iter().all(|name| name.contains("targ")),
            "{failed:?} for {annotation}"
        );
    }
}
