//! The plain theme, built into the binary: `theme = "plain"` in book.toml.
//! No JavaScript, system fonts and colours, notes boxed where the text puts
//! them; it renders every kind of page the default theme does, which shows
//! that a theme is only templates and assets.

/// Path inside the theme folder, and contents; a test below keeps this list
/// equal to `themes/plain/`.
pub const FILES: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/plain/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/plain/templates/index.html"),
    ),
    (
        "templates/text.html",
        include_str!("../../themes/plain/templates/text.html"),
    ),
    (
        "templates/entity.html",
        include_str!("../../themes/plain/templates/entity.html"),
    ),
    (
        "templates/entities.html",
        include_str!("../../themes/plain/templates/entities.html"),
    ),
    (
        "templates/notes.html",
        include_str!("../../themes/plain/templates/notes.html"),
    ),
    (
        "templates/compare.html",
        include_str!("../../themes/plain/templates/compare.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/plain/templates/404.html"),
    ),
    (
        "static/plain.css",
        include_str!("../../themes/plain/static/plain.css"),
    ),
];

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn embedded_theme_matches_the_theme_folder() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/plain");
        let mut on_disk: Vec<String> = walkdir::WalkDir::new(&folder)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| crate::parse::path_to_slashes(e.path().strip_prefix(&folder).unwrap()))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = super::FILES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "update FILES in src/render/plain_theme.rs"
        );
    }
}
