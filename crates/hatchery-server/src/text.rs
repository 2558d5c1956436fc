//! User text on its way to a name or a log line.

use std::fmt;

use hatchery_core::text::is_unsafe_in_name;

/// The longest piece of user text written to the log, in characters.
const LOG_CHARS: usize = 120;

/// Whether `name` is fit to show as a name: no control or bidirectional
/// formatting characters (see [`hatchery_core::text`]).
pub fn is_safe_name(name: &str) -> bool {
    !name.chars().any(is_unsafe_in_name)
}

/// User text as it may appear in a log line: unsafe characters escaped
/// (`\n`, `\u{202e}`), at most 120 characters, and `…` when cut — so no
/// client can forge a line or fill the log with one field.
#[derive(Debug, Clone, Copy)]
pub struct Logged<'a>(pub &'a str);

impl fmt::Display for Logged<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (at, c) in self.0.chars().enumerate() {
            if at == LOG_CHARS {
                return f.write_str("…");
            }
            if is_unsafe_in_name(c) || c == '\\' {
                write!(f, "{}", c.escape_unicode())?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_is_one_bounded_line() {
        let forged = "x\n2025-01-01T00:00:00Z INFO signed in account=1";
        let shown = Logged(forged).to_string();
        assert!(!shown.contains('\n'), "{shown}");
        assert!(shown.starts_with("x\\u{a}2025"), "{shown}");
        let long = Logged(&"a".repeat(1_000_000)).to_string();
        assert_eq!(long.chars().count(), LOG_CHARS + 1);
        assert_eq!(Logged("发票.pdf").to_string(), "发票.pdf");
        assert!(!is_safe_name("invoice\u{202E}fdp.exe"));
        assert!(is_safe_name("部管理员"));
    }
}
