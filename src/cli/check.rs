//! `scholia check`: everything `build` does except writing.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::build::{build, BuildOptions};

/// Check the edition without writing anything.
///
/// Runs every stage of `build` — front-matter, Markdown, templates — and
/// reports the same diagnostics with the same exit code.
///
/// Example: `scholia check my-edition`
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The edition folder, holding book.toml.
    #[arg(default_value = ".")]
    pub root: PathBuf,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        write: false,
        ..BuildOptions::default()
    };
    super::report(&build(&options))
}
