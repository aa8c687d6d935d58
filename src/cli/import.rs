//! `scholia import`: placeholder until the importer lands.
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Plain-text source files to convert.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
}

pub fn run(_args: &ImportArgs) -> ExitCode {
    eprintln!("error: import is not implemented yet");
    ExitCode::from(2)
}
