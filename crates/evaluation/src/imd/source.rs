//! A CSV source with true line numbers.
//!
//! csv 1.4 reports a record's line one too low in files with CRLF line ends (the published IoD
//! File 1 has them): its position points at the `\n` left over from the previous record. So
//! lines are counted here from the bytes read: a record's line is one more than the number of
//! `\n` bytes at or before the byte where csv says it starts. That holds for LF and CRLF files,
//! blank lines and quoted fields that span lines.

use std::collections::VecDeque;
use std::io::{self, Read};

use super::{ImportError, Problem};

/// Remembers where the newlines are, only as far back as csv's read-ahead needs.
struct Lines<R> {
    inner: R,
    offset: u64,
    ahead: VecDeque<u64>,
    passed: u64,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' {
                self.ahead.push_back(self.offset + i as u64);
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> Lines<R> {
    /// Positions must be asked in increasing order, as records are read.
    fn line_at(&mut self, byte: u64) -> u64 {
        while self.ahead.front().is_some_and(|nl| *nl <= byte) {
            self.ahead.pop_front();
            self.passed += 1;
        }
        1 + self.passed
    }
}

pub(super) struct Source<R> {
    csv: csv::Reader<Lines<R>>,
    /// Header names without a UTF-8 byte order mark or surrounding spaces.
    pub names: Vec<String>,
    pub record: csv::StringRecord,
    last_line: u64,
}

impl<R: Read> Source<R> {
    pub fn open(reader: R) -> Result<Self, ImportError> {
        let lines = Lines {
            inner: reader,
            offset: 0,
            ahead: VecDeque::new(),
            passed: 0,
        };
        let mut csv = csv::ReaderBuilder::new().from_reader(lines);
        let names = match csv.headers() {
            Ok(h) => h
                .iter()
                .map(|n| n.trim_start_matches('\u{feff}').trim().to_owned())
                .collect(),
            Err(e) => return Err(error_at(1, &e)),
        };
        Ok(Source {
            csv,
            names,
            record: csv::StringRecord::new(),
            last_line: 1,
        })
    }

    /// Read the next record; its line, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<u64>, ImportError> {
        match self.csv.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let byte = self.record.position().map(csv::Position::byte);
                Ok(Some(self.line_of(byte)))
            }
            Err(e) => {
                let byte = e.position().map(csv::Position::byte);
                let line = self.line_of(byte);
                Err(error_at(line, &e))
            }
        }
    }

    fn line_of(&mut self, byte: Option<u64>) -> u64 {
        self.last_line = match byte {
            Some(b) => self.csv.get_mut().line_at(b),
            None => self.last_line + 1,
        };
        self.last_line
    }

    /// A field, trimmed; empty when the record is short.
    pub fn field(&self, i: usize) -> &str {
        self.record.get(i).unwrap_or("").trim()
    }
}

/// csv's own messages carry its miscounted line, so the common cases are worded here.
fn error_at(line: u64, e: &csv::Error) -> ImportError {
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("the row has {len} fields where the header has {expected_len}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not valid UTF-8 text", err.field() + 1)
        }
        csv::ErrorKind::Io(io) => format!("reading failed: {io}"),
        _ => e.to_string(),
    };
    ImportError {
        line,
        column: None,
        problem: Problem::Csv(message),
    }
}
