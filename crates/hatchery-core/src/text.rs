//! Names people read — of files, of accounts — must show what they are.
//! Control characters forge log lines and break layouts; bidirectional
//! formatting characters make `invoice\u{202E}fdp.exe` read as
//! `invoiceexe.pdf`. Neither belongs in a name.

/// Whether `c` must not appear in a name: a control character, a line or
/// paragraph separator, or a bidirectional formatting character (marks,
/// embeddings, overrides and isolates).
pub fn is_unsafe_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_isolates_and_controls_are_unsafe_letters_are_not() {
        for c in [
            '\u{202E}', '\u{202A}', '\u{2066}', '\u{2069}', '\u{200F}', '\u{061C}', '\n', '\u{7}',
            '\u{2028}',
        ] {
            assert!(is_unsafe_in_name(c), "{:?}", c);
        }
        for c in "Invoice 发票 فاتورة-2025_v1.pdf".chars() {
            assert!(!is_unsafe_in_name(c), "{:?}", c);
        }
    }
}
