//! The default theme, built into the binary: editions that choose
//! `theme = "default"` without a `themes/default/` folder of their own get
//! this one, and `scholia init` writes it out for editors who want to change it.

/// Path inside the theme folder, and contents. A test in `cli::init` checks
/// this list against `themes/default/`, so a new theme file cannot be forgotten.
pub const FILES: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "templates/text.html",
        include_str!("../../themes/default/templates/text.html"),
    ),
    (
        "templates/entity.html",
        include_str!("../../themes/default/templates/entity.html"),
    ),
    (
        "templates/entities.html",
        include_str!("../../themes/default/templates/entities.html"),
    ),
    (
        "templates/notes.html",
        include_str!("../../themes/default/templates/notes.html"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "templates/compare.html",
        include_str!("../../themes/default/templates/compare.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "static/cite.js",
        include_str!("../../themes/default/static/cite.js"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "static/compare.js",
        include_str!("../../themes/default/static/compare.js"),
    ),
];
