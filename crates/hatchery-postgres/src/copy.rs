//! Bulk writes with `COPY … FROM STDIN (FORMAT binary)`: rows encoded here in
//! PostgreSQL's binary wire format, streamed in large chunks. Binary, not
//! text, because it needs no escaping on either side and the server does not
//! parse numbers, dates or arrays; it does mean every field must be encoded
//! exactly as its column's type, which the helpers below name.

use hatchery_store::StoreError;
use jiff::civil::Date;
use sqlx::PgConnection;

use crate::database;

/// The binary format's 11-byte signature, then flags and the length of the
/// header extension (both zero, four bytes each).
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// Bytes buffered before they are sent: large enough that the per-message
/// cost vanishes, small enough not to matter in memory.
const CHUNK: usize = 1 << 20;

/// The `oid` of `text`, which binary arrays name as their element type.
const TEXT_OID: u32 = 25;

/// PostgreSQL counts days from 2000-01-01.
const EPOCH: Date = Date::constant(2000, 1, 1);

/// One `COPY … FROM STDIN (FORMAT binary)` in progress.
pub(crate) struct Copy<'c> {
    copy: sqlx::postgres::PgCopyIn<&'c mut PgConnection>,
    buffer: Vec<u8>,
    rows: u64,
}

impl std::fmt::Debug for Copy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copy").field("rows", &self.rows).finish()
    }
}

impl<'c> Copy<'c> {
    /// Starts `COPY table (columns) FROM STDIN (FORMAT binary)`.
    pub async fn start(
        conn: &'c mut PgConnection,
        table: &str,
        columns: &str,
    ) -> Result<Self, StoreError> {
        let statement = format!("COPY {table} ({columns}) FROM STDIN (FORMAT binary)");
        let copy = conn.copy_in_raw(&statement).await.map_err(database)?;
        let mut buffer = Vec::with_capacity(CHUNK + 4096);
        buffer.extend_from_slice(HEADER);
        Ok(Self {
            copy,
            buffer,
            rows: 0,
        })
    }

    /// Begins a row of `fields` fields; the caller then writes exactly that many.
    pub async fn row(&mut self, fields: i16) -> Result<Row<'_>, StoreError> {
        if self.buffer.len() >= CHUNK {
            self.flush().await?;
        }
        self.rows += 1;
        self.buffer.extend_from_slice(&fields.to_be_bytes());
        Ok(Row(&mut self.buffer))
    }

    async fn flush(&mut self) -> Result<(), StoreError> {
        self.copy
            .send(self.buffer.as_slice())
            .await
            .map_err(database)?;
        self.buffer.clear();
        Ok(())
    }

    /// Ends the data and waits for the server to take it; returns the rows written.
    pub async fn finish(mut self) -> Result<u64, StoreError> {
        self.buffer.extend_from_slice(&(-1i16).to_be_bytes());
        self.flush().await?;
        let written = self.copy.finish().await.map_err(database)?;
        if written != self.rows {
            return Err(StoreError::Corrupt(format!(
                "COPY took {written} rows of the {} sent",
                self.rows
            )));
        }
        Ok(written)
    }
}

/// The fields of one row, written in column order.
pub(crate) struct Row<'b>(&'b mut Vec<u8>);

impl Row<'_> {
    fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0
            .extend_from_slice(&field_length(bytes.len()).to_be_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    fn null(&mut self) -> &mut Self {
        self.0.extend_from_slice(&(-1i32).to_be_bytes());
        self
    }

    /// A `bigint`.
    pub fn int8(&mut self, value: i64) -> &mut Self {
        self.field(&value.to_be_bytes())
    }

    /// An `integer`.
    pub fn int4(&mut self, value: i32) -> &mut Self {
        self.field(&value.to_be_bytes())
    }

    /// A `smallint`.
    pub fn int2(&mut self, value: i16) -> &mut Self {
        self.field(&value.to_be_bytes())
    }

    /// A nullable `bigint`.
    pub fn opt_int8(&mut self, value: Option<i64>) -> &mut Self {
        match value {
            Some(value) => self.int8(value),
            None => self.null(),
        }
    }

    /// A `text`. The plan has rejected text holding NUL, which PostgreSQL
    /// refuses.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.field(value.as_bytes())
    }

    /// A nullable `text`.
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => self.null(),
        }
    }

    /// A `bytea`.
    pub fn bytea(&mut self, value: &[u8]) -> &mut Self {
        self.field(value)
    }

    /// A `date`.
    pub fn date(&mut self, value: Date) -> &mut Self {
        self.int4(days_since_epoch(value))
    }

    /// A `text[]`: one dimension, or none when empty (as PostgreSQL writes `'{}'`).
    pub fn text_array(&mut self, items: &[String]) -> &mut Self {
        // Dimensions, NULL flag and element type; then size and lower bound
        // of the one dimension, if there is one.
        let header = if items.is_empty() { 12 } else { 20 };
        let length = header + items.iter().map(|s| 4 + s.len()).sum::<usize>();
        let buffer = &mut *self.0;
        buffer.extend_from_slice(&field_length(length).to_be_bytes());
        buffer.extend_from_slice(&i32::from(!items.is_empty()).to_be_bytes());
        buffer.extend_from_slice(&0i32.to_be_bytes()); // no NULL elements
        buffer.extend_from_slice(&TEXT_OID.to_be_bytes());
        if !items.is_empty() {
            buffer.extend_from_slice(&field_length(items.len()).to_be_bytes());
            buffer.extend_from_slice(&1i32.to_be_bytes()); // lower bound
        }
        for item in items {
            buffer.extend_from_slice(&field_length(item.len()).to_be_bytes());
            buffer.extend_from_slice(item.as_bytes());
        }
        self
    }

    /// A nullable `jsonb`, from its JSON text.
    pub fn opt_jsonb(&mut self, json: Option<&str>) -> &mut Self {
        let Some(json) = json else {
            return self.null();
        };
        // Version 1 of the binary jsonb format: the text after one byte.
        self.0
            .extend_from_slice(&field_length(json.len() + 1).to_be_bytes());
        self.0.push(1);
        self.0.extend_from_slice(json.as_bytes());
        self
    }
}

/// A field's length as the format writes it. PostgreSQL refuses any value
/// over 1 GiB, so a longer one (which would not fit) fails the `COPY` with
/// the server's own message rather than being cut short here.
fn field_length(length: usize) -> i32 {
    i32::try_from(length).unwrap_or(i32::MAX)
}

/// The days from PostgreSQL's epoch (2000-01-01) to `date`, as its `date`
/// type stores them: Howard Hinnant's `days_from_civil`, exact for every
/// proleptic Gregorian date.
pub(crate) fn days_since_epoch(date: Date) -> i32 {
    let (month, day) = (i32::from(date.month()), i32::from(date.day()));
    let year = i32::from(date.year()) - i32::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days from 0000-03-01 to 1970-01-01, 10 957 more to 2000-01-01.
    era * 146_097 + day_of_era - 719_468 - 10_957
}

/// The date `days` after PostgreSQL's epoch, or `None` beyond jiff's range.
pub(crate) fn date_from_days(days: i32) -> Option<Date> {
    EPOCH
        .checked_add(jiff::Span::new().try_days(days).ok()?)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_count_from_2000() {
        assert_eq!(days_since_epoch(date(2000, 1, 1)), 0);
        assert_eq!(days_since_epoch(date(2000, 3, 1)), 60);
        assert_eq!(days_since_epoch(date(1999, 12, 31)), -1);
        // Every day of the years the format can write, against jiff's count.
        let mut day = date(0, 1, 1);
        while day < date(9999, 12, 31) {
            let days = days_since_epoch(day);
            assert_eq!(
                i64::from(days),
                i64::from(EPOCH.until(day).unwrap().get_days())
            );
            assert_eq!(date_from_days(days), Some(day));
            day = day.tomorrow().unwrap();
        }
        assert_eq!(date_from_days(i32::MAX), None);
    }

    #[test]
    fn arrays_carry_their_own_length() {
        let mut buffer = Vec::new();
        Row(&mut buffer).text_array(&["ai".to_owned(), "云".to_owned()]);
        let length = i32::from_be_bytes(buffer[0..4].try_into().unwrap());
        assert_eq!(length as usize, buffer.len() - 4);

        let mut empty = Vec::new();
        Row(&mut empty).text_array(&[]);
        let length = i32::from_be_bytes(empty[0..4].try_into().unwrap());
        assert_eq!(length as usize, empty.len() - 4);
        assert_eq!(&empty[4..8], &0i32.to_be_bytes(), "no dimensions");
    }
}
