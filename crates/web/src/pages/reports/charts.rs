//! Server-rendered SVG charts of published report tables.
//!
//! **Why hand-written and not `plotters`:** the charts are three simple
//! shapes (grouped bars, bars, dots with whiskers), and we need exact
//! control of the markup for accessibility (`role="img"`, `<title>`,
//! `<desc>`), for the page budget (a few KB each) and for the CSP (styling
//! by classes from app.css, no inline styles). A small builder does that in
//! fewer lines than adapting a plotting crate's output, and adds no
//! dependency.
//!
//! **Disclosure control:** charts read only `PublishedTable`s, whose cells
//! have already been through disclosure control. A suppressed cell draws no
//! bar; its place is marked, and the table beside the chart says why.

use std::fmt::Write as _;

use timecredits_app::evaluation::eval::analytics::{PublishedTable, SUPPRESSED};

use crate::pages::Layout;

const WIDTH: f64 = 640.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;

/// Text made safe for SVG markup (element content and attribute values).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a column of the table is, by its header.
fn column(table: &PublishedTable, name: &str) -> Option<usize> {
    table.header.iter().position(|h| h == name)
}

/// A published number, or `None` for a suppressed or empty cell.
fn number(cell: &str) -> Option<f64> {
    if cell == SUPPRESSED {
        return None;
    }
    cell.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// One chart being drawn: shapes in a `viewBox`, then framed by
/// [`Svg::finish`] with its accessible name and description.
struct Svg {
    height: f64,
    body: String,
}

impl Svg {
    fn new(height: f64) -> Self {
        Self {
            height,
            body: String::new(),
        }
    }

    fn rect(&mut self, class: &str, x: f64, y: f64, w: f64, h: f64) {
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}"/>"#
        );
    }

    fn line(&mut self, class: &str, (x1, y1): (f64, f64), (x2, y2): (f64, f64)) {
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
        );
    }

    fn circle(&mut self, class: &str, x: f64, y: f64) {
        let _ = write!(
            self.body,
            r#"<circle class="{class}" cx="{x:.1}" cy="{y:.1}" r="4"/>"#
        );
    }

    fn text(&mut self, class: &str, x: f64, y: f64, anchor: &str, text: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
            escape(text)
        );
    }

    /// The whole `<svg>`: decorative shapes are hidden from screen readers
    /// by `role="img"`; the title and description name it, and the table
    /// beside it carries the numbers.
    fn finish(self, id: &str, title: &str, desc: &str) -> String {
        format!(
            r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH:.0} {h:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{t}</title><desc id="{id}-desc">{d}</desc>{body}</svg>"#,
            h = self.height,
            t = escape(title),
            d = escape(desc),
            body = self.body,
        )
    }
}

/// A legend entry: a swatch and its words.
fn legend(svg: &mut Svg, x: f64, y: f64, class: &str, label: &str) {
    svg.rect(class, x, y - 10.0, 12.0, 12.0);
    svg.text("chart-text", x + 18.0, y, "start", label);
}

/// Bars, in groups of one or two series, over labelled categories; values
/// are percentages or counts from 0 up.
fn bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[(String, Vec<Option<f64>>)],
    series: &[(&str, &str)],
) -> String {
    let plot_height = 200.0;
    let mut svg = Svg::new(TOP + plot_height + 64.0);
    let max = categories
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .fold(0.0_f64, |a, b| a.max(*b))
        .max(1.0);
    let base = TOP + plot_height;
    let span = WIDTH - LEFT - RIGHT;
    let slot = span / categories.len().max(1) as f64;
    let bar = (slot * 0.8) / series.len().max(1) as f64;
    svg.line("chart-axis", (LEFT, TOP), (LEFT, base));
    svg.line("chart-axis", (LEFT, base), (WIDTH - RIGHT, base));
    svg.text(
        "chart-text",
        LEFT - 4.0,
        TOP + 10.0,
        "end",
        &format_value(max),
    );
    svg.text("chart-text", LEFT - 4.0, base, "end", "0");
    for (i, (label, values)) in categories.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + slot * 0.1;
        for (s, value) in values.iter().enumerate() {
            let x = x0 + bar * s as f64;
            match value {
                Some(v) => {
                    let h = plot_height * v / max;
                    svg.rect(series[s].1, x, base - h, bar, h);
                }
                // Nothing to draw: a mark says a figure was withheld.
                None => svg.text("chart-text", x + bar / 2.0, base - 4.0, "middle", "×"),
            }
        }
        svg.text("chart-text", x0 + slot * 0.4, base + 16.0, "middle", label);
    }
    let mut x = LEFT;
    for (name, class) in series {
        legend(&mut svg, x, base + 44.0, class, name);
        x += 18.0 + 8.0 * name.chars().count() as f64 + 24.0;
    }
    svg.finish(id, title, desc)
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Participants against the area's LSOAs, by IMD decile (both as percent).
pub(crate) fn reach_by_decile(l: &Layout, id: &str, table: &PublishedTable) -> Option<String> {
    let decile = column(table, "decile")?;
    let people = column(table, "percent of participants with a decile")?;
    let area = column(table, "percent of area LSOAs")?;
    let categories: Vec<(String, Vec<Option<f64>>)> = table
        .rows
        .iter()
        .filter(|r| r[decile].parse::<u8>().is_ok())
        .map(|r| {
            (
                r[decile].clone(),
                vec![number(&r[people]), number(&r[area])],
            )
        })
        .collect();
    if categories.is_empty() {
        return None;
    }
    Some(bars(
        id,
        &l.t("reports-chart-reach-title"),
        &l.t("reports-chart-reach-desc"),
        &categories,
        &[
            (&l.t("reports-chart-participants"), "chart-bar-a"),
            (&l.t("reports-chart-area"), "chart-bar-b"),
        ],
    ))
}

/// Active members per month.
pub(crate) fn active_by_month(l: &Layout, id: &str, table: &PublishedTable) -> Option<String> {
    let month = column(table, "month")?;
    let active = column(table, "active")?;
    let categories: Vec<(String, Vec<Option<f64>>)> = table
        .rows
        .iter()
        // "2025-03" reads as "03/25" under its bar, short enough for 24 months.
        .map(|r| (short_month(&r[month]), vec![number(&r[active])]))
        .collect();
    if categories.is_empty() {
        return None;
    }
    Some(bars(
        id,
        &l.t("reports-chart-active-title"),
        &l.t("reports-chart-active-desc"),
        &categories,
        &[(&l.t("reports-chart-active"), "chart-bar-a")],
    ))
}

fn short_month(month: &str) -> String {
    match month.split_once('-') {
        Some((year, m)) if year.len() == 4 => format!("{m}/{}", &year[2..]),
        _ => month.to_owned(),
    }
}

/// A mean with the low and high ends of its confidence interval.
type Interval = (f64, f64, f64);

/// Mean change from baseline with its 95% confidence interval, one line per
/// measure and group.
pub(crate) fn outcome_change(l: &Layout, id: &str, table: &PublishedTable) -> Option<String> {
    let mean = column(table, "mean change")?;
    let low = column(table, "95% CI low")?;
    let high = column(table, "95% CI high")?;
    let names: Vec<usize> = ["instrument", "measure", "group"]
        .iter()
        .filter_map(|n| column(table, n))
        .collect();
    let rows: Vec<(String, Option<Interval>)> = table
        .rows
        .iter()
        .map(|r| {
            let label = names
                .iter()
                .map(|i| r[*i].as_str())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            let values = match (number(&r[mean]), number(&r[low]), number(&r[high])) {
                (Some(m), Some(lo), Some(hi)) => Some((m, lo, hi)),
                _ => None,
            };
            (label, values)
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let row_height = 28.0;
    let label_width = 220.0;
    let mut svg = Svg::new(TOP + row_height * rows.len() as f64 + 32.0);
    let reach = rows
        .iter()
        .filter_map(|(_, v)| *v)
        .flat_map(|(m, lo, hi)| [m.abs(), lo.abs(), hi.abs()])
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let left = LEFT + label_width;
    let span = WIDTH - left - RIGHT;
    let x_of = |v: f64| left + span * (v + reach) / (2.0 * reach);
    let bottom = TOP + row_height * rows.len() as f64;
    svg.line("chart-zero", (x_of(0.0), TOP), (x_of(0.0), bottom));
    svg.line("chart-axis", (left, bottom), (WIDTH - RIGHT, bottom));
    svg.text(
        "chart-text",
        left,
        bottom + 18.0,
        "start",
        &format!("-{reach:.1}"),
    );
    svg.text("chart-text", x_of(0.0), bottom + 18.0, "middle", "0");
    svg.text(
        "chart-text",
        WIDTH - RIGHT,
        bottom + 18.0,
        "end",
        &format!("+{reach:.1}"),
    );
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = TOP + row_height * (i as f64 + 0.5);
        let short: String = label.chars().take(34).collect();
        svg.text("chart-text", left - 8.0, y + 4.0, "end", &short);
        match values {
            Some((m, lo, hi)) => {
                svg.line("chart-whisker", (x_of(*lo), y), (x_of(*hi), y));
                svg.line("chart-whisker", (x_of(*lo), y - 6.0), (x_of(*lo), y + 6.0));
                svg.line("chart-whisker", (x_of(*hi), y - 6.0), (x_of(*hi), y + 6.0));
                svg.circle("chart-dot", x_of(*m), y);
            }
            None => svg.text("chart-text", x_of(0.0) + 6.0, y + 4.0, "start", "×"),
        }
    }
    Some(svg.finish(
        id,
        &l.t("reports-chart-outcomes-title"),
        &l.t("reports-chart-outcomes-desc"),
    ))
}

/// The chart that goes beside a table, if its kind has one.
pub(crate) fn for_table(l: &Layout, id: &str, table: &PublishedTable) -> Option<String> {
    if column(table, "percent of area LSOAs").is_some() && column(table, "decile").is_some() {
        reach_by_decile(l, id, table)
    } else if column(table, "active").is_some() && column(table, "month").is_some() {
        active_by_month(l, id, table)
    } else if column(table, "mean change").is_some() {
        outcome_change(l, id, table)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]]) -> PublishedTable {
        PublishedTable {
            title: "t".into(),
            header: header.iter().map(|s| (*s).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn suppressed_cells_draw_no_bar_and_text_is_escaped() {
        let l = Layout::new(&axum::http::HeaderMap::new(), None, "/");
        let t = table(
            &["month", "active", "new", "returning"],
            &[
                &["2025-03", "12", "12", "0"],
                &["2025-04", SUPPRESSED, "", ""],
            ],
        );
        let svg = active_by_month(&l, "c1", &t).expect("chart");
        assert_eq!(svg.matches("<rect class=\"chart-bar-a\"").count(), 2); // 1 bar + legend
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"c1-title\">"));
        assert!(svg.contains("03/25"));
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn whiskers_span_the_interval() {
        let l = Layout::new(&axum::http::HeaderMap::new(), None, "/");
        let t = table(
            &[
                "instrument",
                "measure",
                "group",
                "mean change",
                "95% CI low",
                "95% CI high",
            ],
            &[&["ucla3", "total", "", "-1.3", "-1.9", "-0.6"]],
        );
        let svg = outcome_change(&l, "c2", &t).expect("chart");
        assert_eq!(svg.matches("chart-whisker").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 1);
    }
}
