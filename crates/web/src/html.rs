//! The one HTML escaper outside minijinja's own: the public site's templates use it as
//! their auto-escape, and the few places that build markup in code (SVG charts, chat
//! bubbles, sitemaps) call it too. Like minijinja's HTML escaping, except that `/`
//! stays as it is: it needs no escaping in text or quoted attributes, so URLs read
//! normally. The output is also valid XML.

/// Appends `c`, escaped.
pub fn escape_char(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#x27;"),
        c => out.push(c),
    }
}

/// Appends `s`, escaped.
pub fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        escape_char(out, c);
    }
}

/// `s`, escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_but_not_slashes() {
        assert_eq!(
            super::escape(r#"<a href="/x?a=1&b='2'">"#),
            "&lt;a href=&quot;/x?a=1&amp;b=&#x27;2&#x27;&quot;&gt;"
        );
    }
}
