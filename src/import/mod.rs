//! Import: plain-text sources in, Markdown texts with YAML front-matter out.
//! (Being written; see issue 3.)
