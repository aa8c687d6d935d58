//! `scholia import`: convert plain-text sources into texts of the edition.
use std::path::PathBuf;
use std::process::ExitCode;

/// Convert plain-text sources into Markdown texts with YAML front-matter.
///
/// Splits each file into the texts it holds, writes one `SLUG.md` per text
/// into the content folder and a copy of the source into `sources/`, and
/// reports what it found. Importing again updates the body and provenance of
/// texts imported before (wherever they were moved) and keeps everything
/// editors wrote in their front-matter.
///
/// Example: `scholia import seeds/*.txt --into content --dry-run`
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Plain-text source files to convert.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The edition's content folder to write into.
    #[arg(long, value_name = "DIR", default_value = "content")]
    pub into: PathBuf,
    /// Report what would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: &ImportArgs) -> ExitCode {
    let options = crate::import::Options {
        files: args.files.clone(),
        into: args.into.clone(),
        dry_run: args.dry_run,
    };
    let report = crate::import::run(&options);
    print!("{}", report.out);
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
