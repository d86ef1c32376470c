//! Published tables laid out for a page: caption, header cells with
//! scope, a row header per row, suppressed cells marked, a CSV link and the
//! chart that goes beside the table.

use timecredits_app::evaluation::eval::analytics::{PublishedTable, SUPPRESSED};

use super::charts;
use crate::pages::Layout;

/// One sub-page link (reach, engagement, outcomes, funder report).
pub(crate) struct ReportLink {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) current: bool,
}

pub(crate) struct CellView {
    pub(crate) text: String,
    pub(crate) suppressed: bool,
    pub(crate) numeric: bool,
}

pub(crate) struct RowView {
    pub(crate) head: CellView,
    pub(crate) cells: Vec<CellView>,
}

pub(crate) struct TableView {
    pub(crate) id: String,
    pub(crate) caption: String,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<RowView>,
    pub(crate) csv: String,
    pub(crate) chart: Option<String>,
    /// Said when rows were left out of a long table (the CSV keeps them).
    pub(crate) left_out: Option<String>,
}

/// A table longer than this shows only its rows with a figure in them: a
/// breakdown by group and band can run to hundreds of rows that say only
/// "suppressed", which would drown the page (and its 100 KB budget) and
/// the screen reader user reading it. The CSV download keeps every row.
const LONG_TABLE_ROWS: usize = 30;

fn cell(text: &str) -> CellView {
    CellView {
        text: text.to_owned(),
        suppressed: text == SUPPRESSED,
        numeric: text.parse::<f64>().is_ok() || is_hours(text),
    }
}

/// "12:30" as the tables write hours and minutes.
fn is_hours(text: &str) -> bool {
    text.trim_start_matches('-')
        .split_once(':')
        .is_some_and(|(h, m)| {
            !h.is_empty()
                && m.len() == 2
                && h.chars().all(|c| c.is_ascii_digit())
                && m.chars().all(|c| c.is_ascii_digit())
        })
}

/// The tables of one report; `query` is the checked filter, which each CSV
/// link carries on so the file has the same figures as the page.
pub(crate) fn tables(
    l: &Layout,
    tables: &[PublishedTable],
    csv_base: &str,
    query: &str,
    prefix: &str,
) -> Vec<TableView> {
    tables
        .iter()
        .enumerate()
        .map(|(index, table)| {
            let id = format!("{prefix}-table-{index}");
            let csv = if query.is_empty() {
                format!("{csv_base}?table={index}")
            } else {
                format!("{csv_base}?table={index}&{query}")
            };
            one(l, table, id, csv)
        })
        .collect()
}

pub(crate) fn one(l: &Layout, table: &PublishedTable, id: String, csv: String) -> TableView {
    let chart = charts::for_table(l, &format!("{id}-chart"), table);
    let rows: Vec<RowView> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells = row.iter().map(|c| cell(c));
            RowView {
                head: cells.next().unwrap_or_else(|| cell("")),
                cells: cells.collect(),
            }
        })
        .collect();
    let all = rows.len();
    let rows: Vec<RowView> = if all > LONG_TABLE_ROWS {
        rows.into_iter()
            .filter(|r| r.cells.iter().any(|c| c.numeric))
            .collect()
    } else {
        rows
    };
    let left_out = (rows.len() < all).then(|| {
        l.tn(
            "reports-rows-left-out",
            "n",
            &i64::try_from(all - rows.len()).unwrap_or(i64::MAX),
        )
    });
    TableView {
        caption: table.title.clone(),
        header: table.header.clone(),
        rows,
        id,
        csv,
        chart,
        left_out,
    }
}

pub(crate) fn tabs(l: &Layout, base: &str, query: &str, current: &str) -> Vec<ReportLink> {
    ["reach", "engagement", "outcomes", "funder"]
        .into_iter()
        .map(|name| ReportLink {
            href: if query.is_empty() {
                format!("{base}/{name}")
            } else {
                format!("{base}/{name}?{query}")
            },
            label: l.t(&format!("reports-{name}")),
            current: name == current,
        })
        .collect()
}

/// What "suppressed" means, with the programme's threshold.
/// When a report's figures were computed, in the programme's time.
pub(crate) fn computed_moment(
    l: &Layout,
    at: chrono::DateTime<chrono::Utc>,
    programme: &timecredits_app::Programme,
) -> String {
    l.lang
        .date_time(at, timecredits_app::rules::time_zone(programme))
}

/// The sentence saying when the figures were computed: a report may be
/// served again for a short while.
pub(crate) fn computed_note(
    l: &Layout,
    at: chrono::DateTime<chrono::Utc>,
    programme: &timecredits_app::Programme,
) -> String {
    l.lang.ta(
        "reports-computed-at",
        &[(
            "moment",
            crate::i18n::Arg::Text(computed_moment(l, at, programme)),
        )],
    )
}

pub(crate) fn disclosure_note(l: &Layout, threshold: u64) -> String {
    l.lang.ta(
        "reports-disclosure",
        &[
            ("marker", crate::i18n::Arg::Text(SUPPRESSED.to_owned())),
            (
                "threshold",
                crate::i18n::Arg::Int(i64::try_from(threshold).unwrap_or(i64::MAX)),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_know_numbers_hours_and_suppression() {
        assert!(cell("12").numeric);
        assert!(cell("-1:15").numeric);
        assert!(!cell("ucla3").numeric);
        assert!(cell(SUPPRESSED).suppressed);
        assert!(!cell("3").suppressed);
    }

    fn rows(n: usize, with_figures: usize) -> PublishedTable {
        PublishedTable {
            title: "t".into(),
            header: vec!["group".into(), "n".into()],
            rows: (0..n)
                .map(|i| {
                    let n = if i < with_figures { "12" } else { SUPPRESSED };
                    vec![format!("group {i}"), n.to_owned()]
                })
                .collect(),
        }
    }

    #[test]
    fn a_long_table_shows_only_its_rows_with_figures_and_says_so() {
        let l = Layout::new(&axum::http::HeaderMap::new(), None, "/");
        let short = one(&l, &rows(LONG_TABLE_ROWS, 1), "a".into(), "a.csv".into());
        assert_eq!(short.rows.len(), LONG_TABLE_ROWS);
        assert!(short.left_out.is_none());

        let long = one(&l, &rows(40, 3), "b".into(), "b.csv".into());
        assert_eq!(long.rows.len(), 3);
        let note = long.left_out.expect("a note");
        assert!(note.contains("37 rows"), "{note}");

        let empty = one(&l, &rows(40, 0), "c".into(), "c.csv".into());
        assert!(empty.rows.is_empty());
        assert!(empty.left_out.expect("a note").contains("40 rows"));
    }
}
