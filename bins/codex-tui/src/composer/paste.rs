//! Large pastes shown as a placeholder in the composer and expanded when the message is sent.

/// Pastes longer than this many characters are collapsed.
pub(crate) const COLLAPSE_CHARS: usize = 1000;

/// One collapsed paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingPaste {
    /// What the composer shows.
    pub(crate) placeholder: String,
    /// What is sent in its place.
    pub(crate) text: String,
}

/// A placeholder for `text` that does not occur in `existing` (nor in earlier placeholders).
pub(crate) fn placeholder_for(text: &str, taken: &[PendingPaste]) -> String {
    let lines = text.lines().count();
    let base = if lines > 1 {
        format!("[Pasted {lines} lines, {} chars]", text.chars().count())
    } else {
        format!("[Pasted {} chars]", text.chars().count())
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.iter().any(|p| p.placeholder == candidate) {
        candidate = format!("{} #{n}]", base.trim_end_matches(']'));
        n += 1;
    }
    candidate
}

/// The text with every placeholder still present replaced by its paste. A placeholder the user
/// edited no longer matches and stays as typed.
pub(crate) fn expand(text: &str, pastes: &[PendingPaste]) -> String {
    let mut out = text.to_owned();
    for paste in pastes {
        if let Some(at) = out.find(&paste.placeholder) {
            out.replace_range(at..at + paste.placeholder.len(), &paste.text);
        }
    }
    out
}

/// A paste with CR and CRLF line ends (terminals send CR) as LF.
pub(crate) fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}
