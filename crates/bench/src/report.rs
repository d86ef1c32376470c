//! The one table: a header block describing the machine and settings, then
//! a row per measured figure.

use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Met {
    Yes,
    No,
    /// A figure with no target of its own (e.g. a latency at 25 %).
    Info,
}

impl Met {
    pub fn of(ok: bool) -> Self {
        if ok { Self::Yes } else { Self::No }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "**NO**",
            Self::Info => "–",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Row {
    pub scenario: String,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    pub met: Met,
}

impl Row {
    pub fn new(scenario: impl Into<String>, ours: impl Into<String>) -> Self {
        Self {
            scenario: scenario.into(),
            ours: ours.into(),
            baseline: "–".into(),
            ratio: "–".into(),
            target: "–".into(),
            met: Met::Info,
        }
    }

    pub fn baseline(mut self, name: &str, ours: f64, theirs: f64, unit: &str) -> Self {
        self.baseline = format!("{name}: {} {unit}", fmt_num(theirs));
        self.ratio = if theirs > 0.0 {
            format!("{:.1}×", ours / theirs)
        } else {
            "–".into()
        };
        self
    }

    pub fn target(mut self, target: impl Into<String>, met: bool) -> Self {
        self.target = target.into();
        self.met = Met::of(met);
        self
    }
}

/// 12345.6 → "12,346"; small values keep one decimal.
pub fn fmt_num(v: f64) -> String {
    if v < 100.0 {
        return format!("{v:.1}");
    }
    let whole = v.round() as u64;
    let s = whole.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn render(title: &str, header: &[(String, String)], rows: &[Row], notes: &[String]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## {title}\n");
    for (k, v) in header {
        let _ = writeln!(s, "- **{k}:** {v}");
    }
    let _ = writeln!(
        s,
        "\n| scenario | ours | baseline | ratio | target | met |\n|---|---|---|---|---|---|"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.ours,
            r.baseline,
            r.ratio,
            r.target,
            r.met.as_str()
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(s);
        for n in notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(fmt_num(1_234_567.4), "1,234,567");
        assert_eq!(fmt_num(999.0), "999");
        assert_eq!(fmt_num(12.34), "12.3");
    }

    #[test]
    fn a_missed_target_is_loud() {
        let r = Row::new("x", "1").target("≥ 2", false);
        let table = render("t", &[], &[r], &[]);
        assert!(table.contains("**NO**"), "{table}");
    }
}
