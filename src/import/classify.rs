//! Line classification: one line of plain text in, what it looks like out.
//!
//! Each rule is a small pure function over a single trimmed line, with a
//! table test beside it. The rules only say what a line *looks like*; whether
//! it really is, say, a heading also depends on its neighbours, which
//! [`super::structure`] decides. Rules are deliberately conservative: a line
//! that matches none stays an ordinary paragraph, which is always faithful.

/// Superscript digits as used for footnote markers (¹ ² ³ ... ⁰).
pub fn superscript_value(c: char) -> Option<u32> {
    Some(match c {
        '⁰' => 0,
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '⁴' => 4,
        '⁵' => 5,
        '⁶' => 6,
        '⁷' => 7,
        '⁸' => 8,
        '⁹' => 9,
        _ => return None,
    })
}

/// Opening quotation marks that may start a quoted passage.
pub fn is_opening_quote(c: char) -> bool {
    matches!(c, '“' | '"' | '„' | '«' | '‘')
}

fn ends_with_final_punctuation(s: &str) -> bool {
    matches!(s.chars().last(), Some('.' | ',' | ';' | ':' | '!'))
}

/// Brackets and double quotes are balanced (headings never leave one open).
pub fn balanced(s: &str) -> bool {
    let count = |c: char| s.chars().filter(|&x| x == c).count();
    count('(') == count(')')
        && count('[') == count(']')
        && count('“') == count('”')
        && count('"') % 2 == 0
}

/// A line that could be a heading: short, starts with a capital or digit, no
/// final punctuation (a question mark is allowed), nothing left open, not a
/// speaker turn, caption or source note.
pub fn heading_like(line: &str) -> bool {
    let len = line.chars().count();
    let first = match line.chars().next() {
        Some(c) => c,
        None => return false,
    };
    (2..=110).contains(&len)
        && (first.is_uppercase() || first.is_ascii_digit())
        && !ends_with_final_punctuation(line)
        && balanced(line)
        && speaker(line).is_none()
        && !caption(line)
        && !line.starts_with("Source:")
        && !line.chars().any(|c| superscript_value(c).is_some())
        && !two_sentences(line)
}

/// A question or exclamation ends inside the line (`What happened? How did
/// it end?`). Full stops are left alone: `Bolshevism vs. Stalinism`.
fn two_sentences(line: &str) -> bool {
    let chars: Vec<char> = line.chars().collect();
    chars
        .windows(3)
        .any(|w| matches!(w[0], '?' | '!') && w[1] == ' ' && w[2].is_uppercase())
}

/// `1. text` or `1) text`: the number, its delimiter and the rest.
pub fn numbered(line: &str) -> Option<(u32, char, &str)> {
    let digits = line.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let delim = line[digits..].chars().next()?;
    if delim != '.' && delim != ')' {
        return None;
    }
    let rest = &line[digits + 1..];
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    Some((line[..digits].parse().ok()?, delim, rest.trim()))
}

/// `• item`: the item's text.
pub fn bullet(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('•')?;
    let rest = rest.trim();
    (!rest.is_empty()).then_some(rest)
}

/// `Ulbricht: text`, `STALIN: [interrupts] text`: the speaker and the rest.
///
/// Looks only at the shape (one or two words before `: `, capitalised, no
/// digits); [`super::structure`] accepts a label as a speaker when it is in
/// capitals, or is one word that turns up at least twice in the text.
pub fn speaker(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(": ")?;
    let label = &line[..colon];
    let words = label.split(' ').count();
    let first = label.chars().next()?;
    // `NAME : text` (a space before the colon) would lose that space in `**NAME:**`.
    if words > 2
        || label.ends_with(' ')
        || label.chars().count() > 24
        || !first.is_uppercase()
        || label
            .chars()
            .any(|c| !(c.is_alphabetic() || c == ' ' || c == '-' || c == '.'))
        || matches!(
            label,
            "Source" | "Note" | "Sources" | "Notes" | "Update" | "Edit"
        )
    {
        return None;
    }
    Some((label, line[colon + 2..].trim()))
}

/// The label is written in capitals (`YEZHOV`), the usual transcript style.
pub fn capital_label(label: &str) -> bool {
    label.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && label.chars().all(|c| !c.is_lowercase())
}

/// The caption of an image the transcription does not have
/// (`Gustav Klutsis, Public domain`, `Red Guard in Petrograd, 1917. Public domain`).
pub fn caption(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.chars().count() <= 200
        && (lower.ends_with("public domain")
            || lower.ends_with("wikimedia commons")
            || lower.contains("cc by-sa")
            || lower.starts_with("image:")
            || lower.starts_with("photo:"))
}

/// Web-page residue: share buttons, subscription prompts, navigation links.
pub fn residue(line: &str) -> bool {
    let lower = line.to_lowercase();
    matches!(
        lower.as_str(),
        "share" | "tweet" | "share this" | "print" | "front page of this issue" | "read more"
    ) || (lower.contains("subscribe") && lower.chars().count() <= 200)
}

/// A footnote line: superscript number at the start, then the note.
pub fn footnote_definition(line: &str) -> Option<(u32, &str)> {
    let digits: String = line
        .chars()
        .take_while(|&c| superscript_value(c).is_some())
        .collect();
    if digits.is_empty() {
        return None;
    }
    let value = digits.chars().try_fold(0u32, |acc, c| {
        acc.checked_mul(10)?.checked_add(superscript_value(c)?)
    })?;
    let rest = line[digits.len()..].trim();
    (!rest.is_empty()).then_some((value, rest))
}

/// A sign-off that ends a post (`Thanks to The Red Path!`, `Thank you.`).
pub fn sign_off(line: &str) -> bool {
    (line.starts_with("Thanks to ") && line.ends_with('!') && line.chars().count() <= 60)
        || line == "Thank you."
        || line == "Thank you!"
}

/// A title line with its byline: `“Title” by Name (Date)` or `“Title” by Name, (Date)`.
/// Gives the title (without its quotes), the author and the date as written.
pub fn byline_title(line: &str) -> Option<(String, String, String)> {
    let mut chars = line.chars();
    if !is_opening_quote(chars.next()?) {
        return None;
    }
    let by = line.find(" by ")?;
    let title = line[..by].trim();
    let title = title.trim_start_matches(is_opening_quote);
    let title = title.trim_end_matches(['”', '“', '"']);
    let rest = &line[by + 4..];
    let open = rest.find('(')?;
    if !rest.ends_with(')') {
        return None;
    }
    let author = rest[..open].trim().trim_end_matches(',').trim();
    let date = &rest[open + 1..rest.len() - 1];
    if author.is_empty()
        || author.split(' ').count() > 4
        || !date.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((
        title.to_string(),
        author.to_string(),
        date.trim().to_string(),
    ))
}

/// The attribution of a quoted passage: `~Joseph E. Davies`, `–Kaganovich (`,
/// `(Marx, Ibid.)`, or a citation closing a bracket opened on an earlier line
/// (`Getty and Manning, Stalinist Terror)`).
pub fn attribution(line: &str) -> bool {
    let len = line.chars().count();
    if len > 160 {
        return false;
    }
    let mut chars = line.chars();
    let first = chars.next();
    let second = chars.find(|c| *c != ' ');
    if matches!(first, Some('~' | '–' | '—'))
        && second.is_some_and(|c| c.is_uppercase() || is_opening_quote(c))
    {
        return true;
    }
    if line.starts_with('(') && line.ends_with(')') && balanced(line) && len >= 4 {
        return true;
    }
    let opens = line.matches('(').count();
    let closes = line.matches(')').count();
    line.ends_with(')') && closes > opens && line.chars().next().is_some_and(|c| c.is_uppercase())
}

/// `Year 1937 1938 1939` / `Total number 144300 179000 282300`: a row of a
/// whitespace-aligned table. Gives the label and the numeric cells.
pub fn table_row(line: &str) -> Option<(String, Vec<String>)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let numeric = |w: &&str| {
        let w = w.trim_end_matches('%');
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
            && w.chars().any(|c| c.is_ascii_digit())
    };
    let cells = words.iter().rev().take_while(|w| numeric(w)).count();
    if cells < 2 || cells == words.len() {
        return None;
    }
    let label = words[..words.len() - cells].join(" ");
    Some((
        label,
        words[words.len() - cells..]
            .iter()
            .map(|w| w.to_string())
            .collect(),
    ))
}

/// A dateline such as `Los Angeles, USA, Nov. 7`: a short line ending with
/// a month name and a day (and maybe a year).
pub fn dateline(line: &str) -> bool {
    line.chars().count() <= 60 && line.contains(", ") && parse_month_day(line).is_some()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| {
            w == *m || (w.len() >= 3 && full.iter().any(|f| f.starts_with(&w) && f.starts_with(m)))
        })
        .map(|i| i as u32 + 1)
}

fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if let Some(m) = month_number(pair[0]) {
            let d: u32 = pair[1].trim_end_matches('.').parse().ok()?;
            if (1..=31).contains(&d) {
                return Some((m, d));
            }
        }
    }
    None
}

/// A date as ISO 8601 (`1939-08-26`, or `1944-02`/`1944` when that is all
/// the text gives) from the ways the seeds write dates: `Aug 26. 1939`,
/// `Feb 2 1944`, `Fri, Jan 19, 2024`. `None` when there is no year.
pub fn parse_date(s: &str) -> Option<String> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let year = words.iter().rev().find_map(|w| {
        let w = w.trim_end_matches('.');
        (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit())).then(|| w.to_string())
    })?;
    match parse_month_day(s) {
        Some((m, d)) => Some(format!("{year}-{m:02}-{d:02}")),
        None => match words.iter().find_map(|w| month_number(w)) {
            Some(m) => Some(format!("{year}-{m:02}")),
            None => Some(year),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        let table = [
            ("Tsarist Russia", true),
            ("What about Stalin?", true),
            ("Moscow Trials (Part 3 – THE GREAT PURGE)", true),
            ("The Ezhovshchina – “Ezhov-terror”", true),
            ("1. The Profit Motive", true),
            ("Lack of oversight. This allowed Ezhov to function.", false),
            ("Main counter arguments:", false),
            ("Thanks to The Red Path!", false),
            ("“Ezhov interrogation 04.30.39", false),
            ("Scott, John. Behind the Urals)", false),
            ("Gustav Klutsis, Public domain", false),
            (
                "Source: Walter Ulbricht “Zur Geschichte”, Dietz Verlag, Berlin, 1968",
                false,
            ),
            ("GOLDMAN: Have you read the testimony?", false),
            ("the lower case start", false),
            (
                "So if it was so great, what happened? How did it end up in Stalinism?",
                false,
            ),
            ("Bolshevism vs. Stalinism", true),
        ];
        for (line, expected) in table {
            assert_eq!(heading_like(line), expected, "{line}");
        }
    }

    #[test]
    fn numbered_lines() {
        assert_eq!(
            numbered("1. The Profit Motive"),
            Some((1, '.', "The Profit Motive"))
        );
        assert_eq!(numbered("2) The claim"), Some((2, ')', "The claim")));
        assert_eq!(numbered("1937 was a year"), None);
        assert_eq!(numbered("3.6 billion"), None);
        assert_eq!(numbered("1."), None);
    }

    #[test]
    fn speakers() {
        let table = [
            (
                "Ulbricht: So, Mr. priest, can you remember?",
                Some(("Ulbricht", "So, Mr. priest, can you remember?")),
            ),
            (
                "STALIN: [interrupts] Very many.",
                Some(("STALIN", "[interrupts] Very many.")),
            ),
            (
                "Lead-in: Dear listeners!",
                Some(("Lead-in", "Dear listeners!")),
            ),
            ("Source: Deutsche Volkszeitung", None),
            (
                "In Critique of the Gotha Programme Marx says: a thing",
                None,
            ),
            ("“GOLDMAN: Did you ever", None),
            // Regression (tests/properties.rs): the space was dropped from the Markdown.
            ("ÄÖÜ : the", None),
        ];
        for (line, expected) in table {
            assert_eq!(speaker(line), expected, "{line}");
        }
        assert!(capital_label("YEZHOV"));
        assert!(!capital_label("Kayser"));
    }

    #[test]
    fn captions_residue_sign_offs() {
        assert!(caption("Gustav Klutsis, Public domain"));
        assert!(caption("Red Guard in Petrograd, 1917. Public domain"));
        assert!(caption("Public domain"));
        assert!(!caption("The public domain is large."));
        assert!(residue("Share"));
        assert!(residue("Front page of this issue"));
        assert!(residue("This article was featured in Issue #1 of Communist Revolution. You can subscribe to Communist Revolution here."));
        assert!(!residue("Shared ownership"));
        assert!(sign_off("Thanks to The Red Path!"));
        assert!(sign_off("Thanks to RedPath!"));
        assert!(sign_off("Thank you."));
        assert!(!sign_off("Thanks to the workers, the revolution won."));
    }

    #[test]
    fn footnotes() {
        assert_eq!(
            footnote_definition("¹ also known as Siegfried Line"),
            Some((1, "also known as Siegfried Line"))
        );
        assert_eq!(
            footnote_definition("¹⁶ “Ständesozialismus“"),
            Some((16, "“Ständesozialismus“"))
        );
        assert_eq!(
            footnote_definition("¹Deutsche Arbeitsfront"),
            Some((1, "Deutsche Arbeitsfront"))
        );
        assert_eq!(footnote_definition("Text¹"), None);
        assert_eq!(footnote_definition("¹"), None);
    }

    #[test]
    fn bylines_and_dates() {
        assert_eq!(
            byline_title(
                "“Questions of the United Front in Germany“ by Walter Ulbricht (Aug 26. 1939)"
            ),
            Some((
                "Questions of the United Front in Germany".into(),
                "Walter Ulbricht".into(),
                "Aug 26. 1939".into()
            ))
        );
        assert_eq!(
            byline_title(
                "“How is the unity for the fall of Hitler?” by Walter Ulbricht, (Aug 27 1939)"
            ),
            Some((
                "How is the unity for the fall of Hitler?".into(),
                "Walter Ulbricht".into(),
                "Aug 27 1939".into()
            ))
        );
        assert_eq!(
            byline_title("“What is democracy?” a comrade asked (really)"),
            None
        );
        assert_eq!(parse_date("Aug 26. 1939").as_deref(), Some("1939-08-26"));
        assert_eq!(
            parse_date("Fri, Jan 19, 2024").as_deref(),
            Some("2024-01-19")
        );
        assert_eq!(
            parse_date("Talk, Feb 2 1944").as_deref(),
            Some("1944-02-02")
        );
        assert_eq!(parse_date("published in 1968").as_deref(), Some("1968"));
        assert_eq!(parse_date("Nov. 7"), None);
        assert!(dateline("Los Angeles, USA, Nov. 7"));
        assert!(!dateline("Tsarist Russia"));
    }

    #[test]
    fn attributions() {
        let table = [
            ("(Marx, Ibid.)", true),
            (
                "~ Za Rossiyu, Nov. 1, 1934 (Organ of the fascist Russian National League)",
                true,
            ),
            ("~Joseph E. Davies", true),
            ("–Kaganovich (", true),
            ("–Bruce Franklin (in The Essential Stalin p. 26)", true),
            ("Getty and Manning, Stalinist Terror)", true),
            ("(p. 288)", true),
            ("Getty, Stalinist Terror", false),
            ("– and then he left", false),
        ];
        for (line, expected) in table {
            assert_eq!(attribution(line), expected, "{line}");
        }
    }

    #[test]
    fn table_rows() {
        assert_eq!(
            table_row("Year 1937 1938 1939"),
            Some((
                "Year".into(),
                vec!["1937".into(), "1938".into(), "1939".into()]
            ))
        );
        assert_eq!(
            table_row("Leaders removed (%) 7.7% 3.7% 0.08%").map(|r| r.0),
            Some("Leaders removed (%)".into())
        );
        assert_eq!(table_row("In 1937 and 1938"), None);
        assert_eq!(table_row("1937 1938"), None);
    }
}
