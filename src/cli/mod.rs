//! The command line: arguments in, a call into the library and an exit code out.
//!
//! One small file per command. Exit codes: 0 success (warnings allowed),
//! 1 the edition has errors, 2 usage or configuration errors.

mod build;
mod check;
pub mod import;
mod init;
mod note;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{BuildReport, Outcome};

#[derive(Debug, Parser)]
#[command(
    name = "scholia",
    version,
    about = "Build annotated editions: faithful texts, editorial notes, cross-references."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Build(build::BuildArgs),
    Check(check::CheckArgs),
    Init(init::InitArgs),
    Import(import::ImportArgs),
    Note(note::NoteArgs),
    Serve(serve::ServeArgs),
}

pub fn run(cli: Cli) -> ExitCode {
    match &cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Import(args) => import::run(args),
        Command::Note(args) => note::run(args),
        Command::Serve(args) => serve::run(args),
    }
}

/// Prints every diagnostic, then the summary; maps the outcome to the exit code.
fn report(report: &BuildReport) -> ExitCode {
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
    match report.outcome {
        Outcome::Built | Outcome::Checked => {
            println!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Outcome::EditionErrors => {
            eprintln!("{}", report.summary());
            ExitCode::from(1)
        }
        Outcome::ConfigErrors => {
            eprintln!("{}", report.summary());
            ExitCode::from(2)
        }
    }
}
