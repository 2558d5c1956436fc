//! Rows of a CSV file (RFC 4180, `\n` or `\r\n`, a leading BOM skipped).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use csv::ByteRecord;

use super::source::{RawRow, Rows, trim};
use crate::problem::Problem;

/// Streams the records of one CSV file. Cells are decoded one by one, so a
/// cell that is not UTF-8 is reported with its column rather than failing
/// the whole row.
pub(crate) struct CsvRows {
    name: String,
    reader: csv::Reader<Tail<File>>,
    record: ByteRecord,
}

impl CsvRows {
    pub(crate) fn open(path: &Path, name: &str) -> Result<Self, Problem> {
        let file = File::open(path)
            .map_err(|e| Problem::file(name, format!("cannot open the file: {e}")))?;
        // Row widths are checked against the header by the caller, with the
        // line number, so the reader accepts any width.
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Tail::new(file));
        Ok(Self {
            name: name.to_owned(),
            reader,
            record: ByteRecord::new(),
        })
    }

    /// The physical line the record just read starts on.
    ///
    /// The parser counts every `\n` it consumes, but it consumes the blank
    /// lines before a record, and the `\n` of a `\r\n` ending, only when it
    /// reads the next record, so its own record positions can point above
    /// the record. The count after the record is exact, though: step back
    /// over the record's own `\n` ending and the line breaks inside it.
    fn first_line(&self) -> u64 {
        let after = self.reader.position();
        let tail = self.reader.get_ref();
        let byte_before = |back: u64| {
            after
                .byte()
                .checked_sub(back)
                .and_then(|offset| tail.byte_at(offset))
        };
        let data = self.record.as_slice();
        // A record that ends in a line break of its own data is one whose
        // quote was never closed, cut off by the end of the file; a line break
        // inside quotes that were closed is followed by the closing quote.
        let open_quote_at_end = data.last() == Some(&b'\n') && byte_before(2) != Some(b'"');
        let ended_by_newline = byte_before(1) == Some(b'\n') && !open_quote_at_end;
        let inside = data.iter().filter(|&&b| b == b'\n').count() as u64;
        after
            .line()
            .saturating_sub(u64::from(ended_by_newline) + inside)
            .max(1)
    }
}

impl Rows for CsvRows {
    fn next_row(&mut self) -> Result<Option<RawRow>, Problem> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| {
                let message = format!("cannot read the file: {e}");
                match e.position() {
                    Some(at) => Problem::line(&self.name, at.line(), message),
                    None => Problem::file(&self.name, message),
                }
            })?;
        if !more {
            return Ok(None);
        }
        let line = self.first_line();
        let cells = self.record.iter().map(decode).collect();
        Ok(Some(RawRow { line, cells }))
    }

    fn position(&self) -> u64 {
        self.reader.position().byte()
    }
}

fn decode(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(trim(text).to_owned()),
        Err(e) => {
            // `valid_up_to` is the index of the first bad byte, so it exists.
            let at = e.valid_up_to();
            let byte = bytes.get(at).copied().unwrap_or_default();
            Err(format!(
                "not valid UTF-8: byte 0x{byte:02X} at byte {} of the cell",
                at + 1
            ))
        }
    }
}

/// A reader that remembers the bytes of its latest read and the two bytes
/// before them. The CSV reader buffers through `fill_buf`, refilling only
/// once it has consumed everything, so the bytes just before its position
/// are always among these (a bounded amount of memory, however long the
/// line).
struct Tail<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    chunk: Vec<u8>,
    chunk_start: u64,
    /// Up to two bytes just before `chunk`, oldest first.
    before_chunk: Vec<u8>,
}

impl<R> Tail<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            chunk: Vec::new(),
            chunk_start: 0,
            before_chunk: Vec::with_capacity(2),
        }
    }

    /// The byte at `offset` in the stream, if it is still remembered.
    fn byte_at(&self, offset: u64) -> Option<u8> {
        match offset.checked_sub(self.chunk_start) {
            Some(index) => self.chunk.get(usize::try_from(index).ok()?).copied(),
            None => {
                let back = usize::try_from(self.chunk_start - offset).ok()?;
                let index = self.before_chunk.len().checked_sub(back)?;
                self.before_chunk.get(index).copied()
            }
        }
    }
}

impl<R: Read> Read for Tail<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            // Keep the last two bytes of everything read before this chunk.
            let last_two = self.chunk.len().saturating_sub(2);
            self.before_chunk.extend_from_slice(&self.chunk[last_two..]);
            let excess = self.before_chunk.len().saturating_sub(2);
            self.before_chunk.drain(..excess);
            self.chunk.clear();
            self.chunk.extend_from_slice(&buf[..n]);
            self.chunk_start = self.offset;
            self.offset += n as u64;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tail_remembers_the_latest_read_and_the_byte_before() {
        let mut tail = Tail::new(&b"abcdef"[..]);
        let mut buf = [0; 4];
        assert_eq!(tail.read(&mut buf).unwrap(), 4);
        assert_eq!(tail.byte_at(0), Some(b'a'));
        assert_eq!(tail.read(&mut buf).unwrap(), 2);
        assert_eq!(tail.byte_at(1), None);
        assert_eq!(tail.byte_at(2), Some(b'c'));
        assert_eq!(tail.byte_at(3), Some(b'd'));
        assert_eq!(tail.byte_at(5), Some(b'f'));
        assert_eq!(tail.byte_at(6), None);
    }
}
