//! The small HTML pages the browser sees at the end of a sign-in.

/// Shown at `/success` once auth.json has been written.
pub(crate) fn success_page(plan_type: Option<&str>) -> String {
    let plan = plan_type
        .filter(|p| !p.is_empty())
        .map(|p| format!(" (plan: {})", escape(p)))
        .unwrap_or_default();
    page(
        "Signed in to Codex",
        &format!(
            "<p>You are signed in with ChatGPT{plan}.</p>\
             <p>You can close this tab and return to your terminal.</p>"
        ),
    )
}

/// Shown when the issuer sent an error back, or the code exchange failed.
pub(crate) fn error_page(message: &str) -> String {
    page(
        "Sign-in failed",
        &format!(
            "<p>{}</p><p>Return to your terminal for details, then run <code>codex login</code> \
             again.</p>",
            escape(message)
        ),
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;\
         margin:4rem auto;padding:0 1rem;line-height:1.5}}</style></head>\
         <body><h1>{title}</h1>{body}</body></html>\n"
    )
}

/// Text from query parameters goes into HTML: escape it.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_is_escaped() {
        let html = error_page("<script>x</script>");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(success_page(Some("pro")).contains("plan: pro"));
    }
}
