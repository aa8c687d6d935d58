//! `scholia build`: render the edition into its output folder.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::build::{build, BuildOptions};

/// Build the edition into a static site.
///
/// The site is built beside the output folder and swapped in only when the
/// whole build succeeded: a failed build leaves the previous site as it was.
///
/// Example: `scholia build my-edition --output public --base-path /edition/`
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The edition folder, holding book.toml.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: `[build] output` of book.toml, or book/].
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// The URL path the site is served under, e.g. /edition/ (used by the 404 page).
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,
}

pub fn run(args: &BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        output: args.output.clone(),
        base_path: args.base_path.clone(),
        write: true,
    };
    super::report(&build(&options))
}
