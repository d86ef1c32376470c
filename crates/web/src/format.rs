//! Timestamps for machines, statement line labels (as message keys), and
//! statements as CSV. Words for people come from `i18n`.

use chrono::{DateTime, SecondsFormat, Utc};
use timecredits_app::Statement;
use timecredits_ledger::{StatementLine, TransferKind};

/// RFC 3339 in UTC, to the microsecond the stores keep.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// What a statement line was, in words, from the account holder's side.
pub(crate) fn line_label(line: &StatementLine) -> &'static str {
    let incoming = line.delta_minutes > 0;
    match line.transfer.kind {
        TransferKind::Issue => "kind-issue",
        TransferKind::Redeem if incoming => "kind-redeem-in",
        TransferKind::Redeem => "kind-redeem",
        TransferKind::Gift if incoming => "kind-gift-in",
        TransferKind::Gift => "kind-gift-out",
        TransferKind::Exchange if incoming => "kind-exchange-in",
        TransferKind::Exchange => "kind-exchange-out",
        TransferKind::Retire => "kind-retire",
        TransferKind::Expire => "kind-expire",
        TransferKind::Reverse => "kind-reversal",
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
    fn csv_text_is_quoted_and_defused() {
        assert_eq!(csv_text("swim"), "swim");
        assert_eq!(csv_text("a, b"), "\"a, b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("=SUM(A1)"), "'=SUM(A1)");
    }
}
