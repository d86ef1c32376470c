//! The funder report as a PDF: the same sections and tables as the
//! printable page, laid out as text on A4 landscape pages.
//!
//! The font is DejaVu Sans, vendored under `crates/web/fonts/` with its
//! licence, because PDF's built-in fonts cannot write Polish letters.
//! Without printpdf's layout feature there is no text measuring, so columns
//! are sized by characters at DejaVu Sans' widest common advance: generous,
//! never overlapping.

use std::sync::LazyLock;

use printpdf::{
    FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};

use super::funder::Section;
use super::view::TableView;

const FONT_BYTES: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");

/// Parsed once: the font does not change while the server runs.
static FONT: LazyLock<Option<ParsedFont>> =
    LazyLock::new(|| ParsedFont::from_bytes(FONT_BYTES, 0, &mut Vec::new()));

const PAGE_WIDTH: f32 = 297.0;
const PAGE_HEIGHT: f32 = 210.0;
const MARGIN: f32 = 15.0;
const MM_PER_PT: f32 = 0.3528;
/// An upper bound on a character's advance, as a share of the font size.
const CHAR_WIDTH: f32 = 0.6;
const COLUMN_GAP: f32 = 3.0;

/// What the PDF says, in the reader's language.
pub(crate) struct FunderPdf<'a> {
    pub(crate) title: String,
    pub(crate) programme: String,
    /// Label and value: the period and the data editions.
    pub(crate) facts: Vec<(String, String)>,
    pub(crate) disclosure: String,
    pub(crate) sections: &'a [Section],
    pub(crate) no_tables: String,
}

/// How many characters fit in `width` mm at `size` pt.
fn fits(width: f32, size: f32) -> usize {
    ((width / (size * CHAR_WIDTH * MM_PER_PT)).floor() as usize).max(1)
}

/// Words broken into lines of at most `width` characters (a longer word is
/// cut, so nothing runs into the next column).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

struct Writer {
    font: FontId,
    pages: Vec<PdfPage>,
    ops: Vec<Op>,
    /// Where the next line's top is, in mm from the bottom of the page.
    y: f32,
}

impl Writer {
    fn new(font: FontId) -> Self {
        Self {
            font,
            pages: Vec::new(),
            ops: Vec::new(),
            y: PAGE_HEIGHT - MARGIN,
        }
    }

    fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.pages
            .push(PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops));
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Starts a new page unless `height` mm still fit on this one.
    fn room_for(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, baseline: f32, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(baseline)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn line_height(size: f32) -> f32 {
        size * 1.35 * MM_PER_PT
    }

    /// A paragraph across the page, wrapped.
    fn paragraph(&mut self, size: f32, text: &str) {
        let height = Self::line_height(size);
        for line in wrap(text, fits(PAGE_WIDTH - 2.0 * MARGIN, size)) {
            self.room_for(height);
            self.text_at(MARGIN, self.y - height * 0.8, size, &line);
            self.y -= height;
        }
        self.y -= height * 0.4;
    }

    /// One row of cells, each wrapped to its column; returns nothing, moves
    /// down by the tallest cell.
    fn row(&mut self, size: f32, widths: &[usize], cells: &[String]) {
        let height = Self::line_height(size);
        let wrapped: Vec<Vec<String>> =
            cells.iter().zip(widths).map(|(c, w)| wrap(c, *w)).collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        self.room_for(height * lines as f32);
        let mut x = MARGIN;
        let char_mm = size * CHAR_WIDTH * MM_PER_PT;
        for (cell, width) in wrapped.iter().zip(widths) {
            for (i, line) in cell.iter().enumerate() {
                let baseline = self.y - height * (i as f32 + 0.8);
                self.text_at(x, baseline, size, line);
            }
            x += *width as f32 * char_mm + COLUMN_GAP;
        }
        self.y -= height * lines as f32;
    }

    fn table(&mut self, table: &TableView) {
        let mut size = 8.0;
        let available = PAGE_WIDTH - 2.0 * MARGIN;
        let columns = table.header.len().max(1);
        let rows: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|r| {
                std::iter::once(r.head.text.clone())
                    .chain(r.cells.iter().map(|c| c.text.clone()))
                    .collect()
            })
            .collect();
        // Widest cell per column, capped so wide tables still fit.
        let natural: Vec<usize> = (0..columns)
            .map(|i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .chain(
                        table.header[i]
                            .split_whitespace()
                            .map(|w| w.chars().count()),
                    )
                    .max()
                    .unwrap_or(1)
                    .max(1)
            })
            .collect();
        let mut cap = 40;
        let widths = loop {
            let widths: Vec<usize> = natural.iter().map(|n| (*n).min(cap)).collect();
            let total: f32 = widths.iter().sum::<usize>() as f32 * size * CHAR_WIDTH * MM_PER_PT
                + COLUMN_GAP * (columns as f32 - 1.0);
            if total <= available || (cap <= 6 && size <= 6.0) {
                break widths;
            }
            if cap > 6 {
                cap -= 2;
            } else {
                size -= 0.5;
            }
        };
        self.room_for(Self::line_height(10.0) * 3.0);
        self.paragraph(10.0, &table.caption);
        self.row(size, &widths, &table.header);
        for r in &rows {
            self.row(size, &widths, r);
        }
        self.y -= Self::line_height(size);
    }
}

/// The report's bytes, or `None` if the vendored font cannot be read.
pub(crate) fn write(report: &FunderPdf<'_>) -> Option<Vec<u8>> {
    let font = FONT.as_ref()?;
    let mut doc = PdfDocument::new(&format!("{}: {}", report.title, report.programme));
    let mut w = Writer::new(doc.add_font(font));
    w.paragraph(18.0, &report.title);
    w.paragraph(14.0, &report.programme);
    for (label, value) in &report.facts {
        w.paragraph(10.0, &format!("{label}: {value}"));
    }
    w.paragraph(10.0, &report.disclosure);
    for section in report.sections {
        w.room_for(Writer::line_height(14.0) * 4.0);
        w.paragraph(14.0, &section.heading);
        if section.tables.is_empty() {
            w.paragraph(10.0, &report.no_tables);
        }
        for table in &section.tables {
            w.table(table);
        }
    }
    w.new_page();
    let pages = std::mem::take(&mut w.pages);
    Some(
        doc.with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_within_the_width() {
        assert_eq!(
            wrap("percent of area LSOAs", 10),
            ["percent of", "area LSOAs"]
        );
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn the_font_writes_polish() {
        let report = FunderPdf {
            title: "Raport dla grantodawcy".into(),
            programme: "Zażółć gęślą jaźń".into(),
            facts: vec![("Okres".into(), "Cały czas".into())],
            disclosure: "Kontrola ujawniania".into(),
            sections: &[],
            no_tables: String::new(),
        };
        let bytes = write(&report).expect("the vendored font parses");
        assert!(bytes.starts_with(b"%PDF"));
    }
}
