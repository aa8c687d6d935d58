//! `scholia note`: add an editorial note to a text, or list the notes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::build::read_edition;
use crate::config::{display_path, Config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::edit::{add_note, note_id_from, today, EditError};
use crate::model::{Edition, Text};
use crate::parse::notes::{NoteType, RawAnchor, RawNote};

/// Add an editorial note to a text, or list the notes of the edition.
#[derive(Debug, clap::Args)]
pub struct NoteArgs {
    #[command(subcommand)]
    pub command: NoteCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum NoteCommand {
    Add(Box<AddArgs>),
    List(ListArgs),
}

/// Add a note anchored to a quoted passage (or a whole paragraph) of a text.
///
/// The anchor is checked exactly as the build checks it; then the note is
/// added to the `notes:` list of the text's front-matter, changing nothing
/// else in the file, which is replaced atomically.
///
/// Example: `scholia note add united-front --quote "West Wall" --type context --body "The *Westwall*, ..."`
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The text: its slug, or the path of its file.
    pub text: String,
    /// The passage, quoted exactly as it reads.
    #[arg(long, required_unless_present = "paragraph")]
    pub quote: Option<String>,
    /// Words just before the passage, when the quote occurs more than once.
    #[arg(long, requires = "quote")]
    pub prefix: Option<String>,
    /// Words just after the passage, when the quote occurs more than once.
    #[arg(long, requires = "quote")]
    pub suffix: Option<String>,
    /// Anchor the note to a whole paragraph instead of a quote.
    #[arg(long, conflicts_with = "quote")]
    pub paragraph: Option<u32>,
    /// context, dispute, correction, source-check or translation.
    #[arg(long = "type", value_parser = parse_type)]
    pub kind: NoteType,
    /// The note, in Markdown. Without --body or --body-file, $EDITOR opens.
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the note's Markdown from a file (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// A work the note relies on; repeat for several.
    #[arg(long = "source")]
    pub sources: Vec<String>,
    /// Who wrote the note.
    #[arg(long)]
    pub editor: Option<String>,
    /// The note's id [default: from the first words of the quote].
    #[arg(long)]
    pub id: Option<String>,
    /// The edition folder, holding book.toml.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// List the notes with their anchors: `file:line  id  [label] type  paragraph  “passage”`.
///
/// Example: `scholia note list united-front`
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only this text (slug or path).
    pub text: Option<String>,
    /// The edition folder, holding book.toml.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

fn parse_type(name: &str) -> Result<NoteType, String> {
    NoteType::parse(name).ok_or_else(|| {
        let names: Vec<&str> = NoteType::ALL.iter().map(|t| t.name()).collect();
        format!("expected one of {}", names.join(", "))
    })
}

pub fn run(args: &NoteArgs) -> ExitCode {
    match &args.command {
        NoteCommand::Add(add) => run_add(add),
        NoteCommand::List(list) => run_list(list),
    }
}

fn open(root: &Path) -> Result<(Config, Edition, Diagnostics), ExitCode> {
    let config = Config::load(root).map_err(|errors| {
        errors.iter().for_each(|d| eprintln!("{d}"));
        ExitCode::from(2)
    })?;
    let mut sink = Diagnostics::new();
    let (edition, _) = read_edition(&config, &mut sink);
    Ok((config, edition, sink))
}

/// A text by slug, or by the path of its file.
fn find_text<'a>(edition: &'a Edition, wanted: &str) -> Option<&'a Text> {
    let as_path = display_path(Path::new(wanted));
    edition
        .texts
        .iter()
        .find(|t| t.id.0 == wanted || t.source_path == as_path)
}

fn run_add(args: &AddArgs) -> ExitCode {
    let (_, edition, sink) = match open(&args.root) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let Some(text) = find_text(&edition, &args.text) else {
        let problems: Vec<&Diagnostic> = sink.iter().filter(|d| d.is_error()).collect();
        problems.iter().for_each(|d| eprintln!("{d}"));
        eprintln!(
            "error: no text `{}` in this edition; give its slug or the path of its file",
            args.text
        );
        return ExitCode::from(2);
    };
    let body = match read_body(args) {
        Ok(body) => body,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let taken = crate::edit::note_ids_of_other_texts(&edition, &text.id);
    let own: Vec<String> = text.notes.iter().map(|n| n.note.id.clone()).collect();
    let note = RawNote {
        id: args
            .id
            .clone()
            .unwrap_or_else(|| default_id(args, &taken, &own)),
        anchor: RawAnchor {
            exact: args.quote.clone(),
            prefix: args.prefix.clone(),
            suffix: args.suffix.clone(),
            paragraph: args.paragraph,
        },
        kind: args.kind,
        body,
        sources: args.sources.clone(),
        editor: args.editor.clone(),
        date: Some(today()),
    };
    let path = args.root.join(&text.source_path);
    let path = if path.is_file() {
        path
    } else {
        text.source_path.clone()
    };
    match add_note(&path, &text.source_path, &note, &taken) {
        Ok(_) => {
            println!("Added note `{}` to {}", note.id, text.source_path.display());
            ExitCode::SUCCESS
        }
        Err(EditError::Invalid(problems)) => {
            problems.iter().for_each(|d| eprintln!("{d}"));
            eprintln!(
                "No note was added; {} is unchanged.",
                text.source_path.display()
            );
            ExitCode::from(1)
        }
        Err(EditError::Io(path, e)) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::from(1)
        }
    }
}

fn read_body(args: &AddArgs) -> Result<String, String> {
    let body = match (&args.body, &args.body_file) {
        (Some(body), _) => body.clone(),
        (None, Some(file)) if file == Path::new("-") => {
            std::io::read_to_string(std::io::stdin())
                .map_err(|e| format!("cannot read standard input: {e}"))?
        }
        (None, Some(file)) => std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
        (None, None) => body_from_editor()?,
    };
    if body.trim().is_empty() {
        return Err("the note's body is empty; nothing was added".into());
    }
    Ok(body.trim_end().to_string())
}

/// Opens $EDITOR (or $VISUAL) on a temporary file and returns what was written, without `#` lines.
fn body_from_editor() -> Result<String, String> {
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .map_err(|_| {
            "give the note's body with --body or --body-file, or set $EDITOR".to_string()
        })?;
    let file = std::env::temp_dir().join(format!("scholia-note-{}.md", std::process::id()));
    std::fs::write(
        &file,
        "\n# Write the note in Markdown above. Lines starting with # are ignored.\n",
    )
    .map_err(|e| format!("cannot create {}: {e}", file.display()))?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .map_err(|e| format!("cannot start {editor}: {e}"))?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    if !status.success() {
        return Err(format!("{editor} exited with {status}; nothing was added"));
    }
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The note's id when `--id` is not given: from the quote's first words, unique in the edition.
fn default_id(args: &AddArgs, taken: &[String], own: &[String]) -> String {
    let used: Vec<String> = taken.iter().chain(own).cloned().collect();
    note_id_from(args.quote.as_deref(), args.paragraph, &used)
}

fn run_list(args: &ListArgs) -> ExitCode {
    let (_, edition, sink) = match open(&args.root) {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let texts: Vec<&Text> = match &args.text {
        Some(wanted) => match find_text(&edition, wanted) {
            Some(t) => vec![t],
            None => {
                eprintln!("error: no text `{wanted}` in this edition; give its slug or the path of its file");
                return ExitCode::from(2);
            }
        },
        None => edition.texts.iter().collect(),
    };
    let mut count = 0;
    for text in texts {
        for n in &text.notes {
            count += 1;
            println!(
                "{}:{}  {}  [{}] {}  paragraph {}  “{}”",
                text.source_path.display(),
                n.note.line,
                n.note.id,
                n.label,
                n.note.kind.name(),
                n.paragraph,
                n.exact
            );
        }
    }
    let errors: Vec<&Diagnostic> = sink.iter().filter(|d| d.is_error()).collect();
    errors.iter().for_each(|d| eprintln!("{d}"));
    println!("{count} notes anchored");
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} errors: notes of texts with errors are not listed",
            errors.len()
        );
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_date() {
        let today = crate::edit::today();
        assert_eq!(today.len(), 10);
        assert!(crate::model::PartialDate::parse(&today).is_some_and(|d| d.year >= 2024));
    }
}
