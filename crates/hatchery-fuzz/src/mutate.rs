//! Damage done to a valid text file (CSV, TOML, JSON) the ways real files
//! go wrong: cut short, lines lost or repeated, a separator missing or one
//! too many, bytes that are not UTF-8, a byte-order mark, other line ends,
//! a cell replaced by an odd value.

use proptest::prelude::*;
use proptest::sample::Index;

use crate::odd::odd_text;

/// One way a file goes wrong.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Cut off at a byte, as a download that stopped.
    Truncate(Index),
    /// A line lost.
    DropLine(Index),
    /// A line repeated just after itself.
    RepeatLine(Index),
    /// Two lines swapped (the header, sometimes).
    SwapLines(Index, Index),
    /// A separator lost: a row one cell short, or two cells run together.
    DropSeparator(Index),
    /// A separator more: a row one cell long.
    AddSeparator(Index),
    /// Bytes slipped in anywhere: invalid UTF-8, a lone quote, a line break.
    Insert(Index, Vec<u8>),
    /// One cell (text between separators on a line) replaced by odd text,
    /// in double quotes or not.
    ReplaceCell {
        line: Index,
        cell: Index,
        text: String,
        quoted: bool,
    },
    /// A cell of the first line (the header) repeated.
    RepeatHeaderCell(Index),
    /// A UTF-8 byte-order mark in front.
    Bom,
    /// Every `\n` as `\r\n`.
    Crlf,
    /// Every `\n` as a lone `\r`.
    LoneCr,
    /// Nothing left.
    Empty,
    /// One byte changed.
    FlipByte(Index, u8),
}

/// Up to `max` mutations, to be applied in order.
pub fn mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 0..=max)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<Index>().prop_map(Mutation::Truncate),
        2 => any::<Index>().prop_map(Mutation::DropLine),
        1 => any::<Index>().prop_map(Mutation::RepeatLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        2 => any::<Index>().prop_map(Mutation::DropSeparator),
        2 => any::<Index>().prop_map(Mutation::AddSeparator),
        2 => (any::<Index>(), inserted_bytes()).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        6 => (any::<Index>(), any::<Index>(), odd_text(), any::<bool>()).prop_map(
            |(line, cell, text, quoted)| Mutation::ReplaceCell {
                line,
                cell,
                text,
                quoted,
            }
        ),
        1 => any::<Index>().prop_map(Mutation::RepeatHeaderCell),
        1 => Just(Mutation::Bom),
        1 => Just(Mutation::Crlf),
        1 => Just(Mutation::LoneCr),
        1 => Just(Mutation::Empty),
        1 => (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Mutation::FlipByte(at, mask)),
    ]
}

fn inserted_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![0xFF]),
        // A lead byte without its continuation, and a cut three-byte character.
        Just(vec![0xC3]),
        Just(vec![0xE5, 0xAD]),
        // A UTF-16 surrogate encoded as if it were a character.
        Just(vec![0xED, 0xA0, 0x80]),
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(vec![0]),
        Just(b"\xEF\xBB\xBF".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ]
}

/// `bytes` with each mutation applied in turn; `separator` is the file's
/// cell separator (`,` for CSV and JSON, `=` for TOML).
pub fn mutate(bytes: &[u8], mutations: &[Mutation], separator: u8) -> Vec<u8> {
    mutations
        .iter()
        .fold(bytes.to_vec(), |bytes, m| apply(bytes, m, separator))
}

fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// The positions of `byte` in `bytes`.
fn positions(bytes: &[u8], byte: u8) -> Vec<usize> {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, &b)| (b == byte).then_some(i))
        .collect()
}

/// An index into a collection of `len` items, when there is one.
fn pick(index: &Index, len: usize) -> Option<usize> {
    (len > 0).then(|| index.index(len))
}

fn apply(mut bytes: Vec<u8>, mutation: &Mutation, separator: u8) -> Vec<u8> {
    match mutation {
        Mutation::Truncate(at) => {
            if let Some(at) = pick(at, bytes.len()) {
                bytes.truncate(at);
            }
            bytes
        }
        Mutation::DropLine(at) => {
            let mut lines = lines(&bytes);
            if let Some(at) = pick(at, lines.len()) {
                lines.remove(at);
            }
            lines.concat()
        }
        Mutation::RepeatLine(at) => {
            let mut lines = lines(&bytes);
            if let Some(at) = pick(at, lines.len()) {
                let line = lines[at].clone();
                lines.insert(at, line);
            }
            lines.concat()
        }
        Mutation::SwapLines(a, b) => {
            let mut lines = lines(&bytes);
            if let (Some(a), Some(b)) = (pick(a, lines.len()), pick(b, lines.len())) {
                lines.swap(a, b);
            }
            lines.concat()
        }
        Mutation::DropSeparator(at) => {
            let found = positions(&bytes, separator);
            if let Some(at) = pick(at, found.len()) {
                bytes.remove(found[at]);
            }
            bytes
        }
        Mutation::AddSeparator(at) => {
            let found = positions(&bytes, separator);
            if let Some(at) = pick(at, found.len()) {
                bytes.insert(found[at], separator);
            }
            bytes
        }
        Mutation::Insert(at, inserted) => {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, inserted.iter().copied());
            bytes
        }
        Mutation::ReplaceCell {
            line,
            cell,
            text,
            quoted,
        } => {
            let mut lines = lines(&bytes);
            if let Some(line) = pick(line, lines.len()) {
                let text = if *quoted {
                    format!("\"{}\"", text.replace('"', "\"\""))
                } else {
                    text.clone()
                };
                lines[line] = replace_cell(&lines[line], cell, text.as_bytes(), separator);
            }
            lines.concat()
        }
        Mutation::RepeatHeaderCell(at) => {
            let mut lines = lines(&bytes);
            if let Some(first) = lines.first_mut() {
                let (body, end) = split_ending(first);
                let mut cells: Vec<Vec<u8>> = body
                    .split(|&b| b == separator)
                    .map(<[u8]>::to_vec)
                    .collect();
                if let Some(at) = pick(at, cells.len()) {
                    cells.push(cells[at].clone());
                }
                *first = [cells.join(&separator), end.to_vec()].concat();
            }
            lines.concat()
        }
        Mutation::Bom => [b"\xEF\xBB\xBF".as_slice(), &bytes].concat(),
        Mutation::Crlf => line_ends(&bytes, b"\r\n"),
        Mutation::LoneCr => line_ends(&bytes, b"\r"),
        Mutation::Empty => Vec::new(),
        Mutation::FlipByte(at, mask) => {
            if let Some(at) = pick(at, bytes.len()) {
                bytes[at] ^= mask;
            }
            bytes
        }
    }
}

/// A line without its line break, and the break.
fn split_ending(line: &[u8]) -> (&[u8], &[u8]) {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    line.split_at(body.len())
}

fn replace_cell(line: &[u8], cell: &Index, text: &[u8], separator: u8) -> Vec<u8> {
    let (body, end) = split_ending(line);
    let mut cells: Vec<&[u8]> = body.split(|&b| b == separator).collect();
    let at = cell.index(cells.len());
    cells[at] = text;
    [cells.join(&separator), end.to_vec()].concat()
}

/// Every `\n` (and `\r\n`) written as `ending`.
fn line_ends(bytes: &[u8], ending: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    for line in lines(bytes) {
        let (body, end) = split_ending(&line);
        out.extend_from_slice(body);
        if !end.is_empty() {
            out.extend_from_slice(ending);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    fn index(at: usize, len: usize) -> Index {
        // An Index picks `at` out of `len` when it holds at/len of the range.
        let mut runner = TestRunner::deterministic();
        loop {
            let candidate = any::<Index>().new_tree(&mut runner).unwrap().current();
            if candidate.index(len) == at {
                return candidate;
            }
        }
    }

    #[test]
    fn mutations_change_what_they_say() {
        let csv = b"id,name\na,Alpha\nb,Beta\n";
        assert_eq!(
            mutate(csv, &[Mutation::Crlf], b','),
            b"id,name\r\na,Alpha\r\nb,Beta\r\n"
        );
        assert_eq!(
            mutate(csv, &[Mutation::DropLine(index(1, 3))], b','),
            b"id,name\nb,Beta\n"
        );
        assert_eq!(
            mutate(csv, &[Mutation::RepeatHeaderCell(index(0, 2))], b','),
            b"id,name,id\na,Alpha\nb,Beta\n"
        );
        let replaced = Mutation::ReplaceCell {
            line: index(2, 3),
            cell: index(1, 2),
            text: "say \"hi\"".to_owned(),
            quoted: true,
        };
        assert_eq!(
            mutate(csv, &[replaced], b','),
            b"id,name\na,Alpha\nb,\"say \"\"hi\"\"\"\n".as_slice()
        );
        assert_eq!(
            mutate(
                csv,
                &[Mutation::Empty, Mutation::DropLine(index(0, 1))],
                b','
            ),
            b""
        );
    }
}
