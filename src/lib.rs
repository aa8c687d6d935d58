//! scholia turns an annotated edition into a static website.
//!
//! The pipeline runs in five stages, one module each:
//! [`load`] reads `book.toml` and every file under the content folder;
//! [`parse`] splits each text into typed front-matter and rendered Markdown;
//! [`resolve`] assembles the [`model::Edition`] (sections, slugs, order) and
//! checks what spans texts; [`render`] hands small view types to the theme's
//! Tera templates; [`write`] puts the pages into a staging folder and swaps it
//! in only when the whole build succeeded. Every stage returns its problems as
//! [`diagnostic::Diagnostic`]s instead of stopping, so one build reports them all.
//! [`incremental`] builds again only the pages an edit of some texts affects,
//! for the preview server. [`import`] is the side door: plain-text sources in, Markdown texts out.

// A Diagnostic is a few strings and is returned only on the cold path of a
// bad input; boxing it everywhere would cost clarity and measure nothing.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod edit;
pub mod import;
pub mod incremental;
pub mod load;
pub mod model;
pub mod parse;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod write;
