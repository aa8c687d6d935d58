//! `scholia serve`: build the edition into memory and preview it with live reload.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::serve::{serve, ServeError, ServeOptions};

/// Preview the edition: build it, serve it over HTTP, rebuild and reload on every change.
///
/// Pages reload when a file under content/, the theme or book.toml changes;
/// while the edition has errors the last good site stays up and the pages
/// show the errors. Select a passage on a text page to add a note to the
/// text's file. Serves on loopback only, unless --bind says otherwise.
///
/// Example: `scholia serve --open`
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The edition folder, holding book.toml.
    #[arg(default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on (0 picks a free one).
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,
    /// The address to listen on; anything but loopback exposes the preview to the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// The URL path to serve the site under, e.g. /edition/ [default: from base_url in book.toml].
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,
    /// Open the preview in the desktop's browser.
    #[arg(long)]
    pub open: bool,
    /// Keep the note form on when --bind is not a loopback address.
    #[arg(long)]
    pub allow_remote_edit: bool,
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let options = ServeOptions {
        root: args.root.clone(),
        port: args.port,
        bind: args.bind,
        base_path: args.base_path.clone(),
        open: args.open,
        allow_remote_edit: args.allow_remote_edit,
    };
    match serve(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::Config(_)) => ExitCode::from(2),
        Err(ServeError::Start(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
