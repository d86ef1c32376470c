//! Amounts, dates and statements as people read them, and statements as CSV.

use chrono::{DateTime, SecondsFormat, Utc};
use timecredits_app::Statement;
use timecredits_ledger::{MINUTES_PER_CREDIT, StatementLine, TransferKind};

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Splits minutes into whole credits (hours) and the minutes left over,
/// with the sign kept apart so both parts read as positive numbers.
fn split(minutes: i64) -> (&'static str, i64, i64) {
    let sign = if minutes < 0 { "minus " } else { "" };
    let minutes = i64::try_from(minutes.unsigned_abs()).unwrap_or(i64::MAX);
    (
        sign,
        minutes / MINUTES_PER_CREDIT,
        minutes % MINUTES_PER_CREDIT,
    )
}

fn join(sign: &str, whole: Option<String>, rest: Option<String>) -> String {
    match (whole, rest) {
        (Some(w), Some(r)) => format!("{sign}{w} and {r}"),
        (Some(w), None) => format!("{sign}{w}"),
        (None, Some(r)) => format!("{sign}{r}"),
        (None, None) => String::new(),
    }
}

/// "7 Time Credits and 30 minutes", "1 Time Credit", "0 Time Credits".
pub(crate) fn credits(minutes: i64) -> String {
    let (sign, whole, rest) = split(minutes);
    let whole = (whole > 0 || rest == 0).then(|| plural(whole, "Time Credit", "Time Credits"));
    let rest = (rest > 0).then(|| plural(rest, "minute", "minutes"));
    join(sign, whole, rest)
}

/// "7 hours and 30 minutes", "1 hour", "0 hours".
pub(crate) fn hours(minutes: i64) -> String {
    let (sign, whole, rest) = split(minutes);
    let whole = (whole > 0 || rest == 0).then(|| plural(whole, "hour", "hours"));
    let rest = (rest > 0).then(|| plural(rest, "minute", "minutes"));
    join(sign, whole, rest)
}

/// A short amount for table cells: "2 credits", "1 credit 30 min", "45 min".
pub(crate) fn short(minutes: i64) -> String {
    let (sign, whole, rest) = split(minutes);
    let sign = if sign.is_empty() { "" } else { "−" };
    match (whole, rest) {
        (0, 0) => "0 credits".into(),
        (w, 0) => format!("{sign}{}", plural(w, "credit", "credits")),
        (0, r) => format!("{sign}{r} min"),
        (w, r) => format!("{sign}{} {r} min", plural(w, "credit", "credits")),
    }
}

/// "3 March 2025".
pub(crate) fn date(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// RFC 3339 in UTC, to the microsecond the stores keep.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// What a statement line was, in words, from the account holder's side.
pub(crate) fn line_label(line: &StatementLine) -> &'static str {
    let incoming = line.delta_minutes > 0;
    match line.transfer.kind {
        TransferKind::Issue => "Credits for time given",
        TransferKind::Redeem if incoming => "Credits spent here",
        TransferKind::Redeem => "Spent",
        TransferKind::Gift if incoming => "Gift received",
        TransferKind::Gift => "Gift given",
        TransferKind::Exchange if incoming => "Paid for your help",
        TransferKind::Exchange => "Paid for help",
        TransferKind::Retire => "Retired",
        TransferKind::Expire => "Expired",
        TransferKind::Reverse => "Correction",
    }
}

/// The statement as CSV (RFC 4180), one row per transfer.
pub(crate) fn statement_csv(statement: &Statement) -> String {
    let mut out = String::from("transfer_id,kind,at,reason,delta_minutes,balance_minutes\r\n");
    for line in &statement.lines {
        let t = &line.transfer;
        let row = [
            t.id.to_string(),
            t.kind.as_str().to_owned(),
            timestamp(t.at),
            csv_text(&t.reason),
            line.delta_minutes.to_string(),
            line.balance_minutes.to_string(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A free-text CSV field: quoted when needed, and never read as a formula
/// by a spreadsheet (a leading `=`, `+`, `-`, `@` gets a `'` before it).
fn csv_text(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_plain_words() {
        assert_eq!(credits(0), "0 Time Credits");
        assert_eq!(credits(60), "1 Time Credit");
        assert_eq!(credits(420), "7 Time Credits");
        assert_eq!(credits(450), "7 Time Credits and 30 minutes");
        assert_eq!(credits(1), "1 minute");
        assert_eq!(credits(-90), "minus 1 Time Credit and 30 minutes");
        assert_eq!(hours(450), "7 hours and 30 minutes");
        assert_eq!(hours(60), "1 hour");
        assert_eq!(short(90), "1 credit 30 min");
        assert_eq!(short(120), "2 credits");
        assert_eq!(short(45), "45 min");
        assert_eq!(short(-45), "−45 min");
    }

    #[test]
    fn csv_text_is_quoted_and_defused() {
        assert_eq!(csv_text("swim"), "swim");
        assert_eq!(csv_text("a, b"), "\"a, b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("=SUM(A1)"), "'=SUM(A1)");
    }
}
