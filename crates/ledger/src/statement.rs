//! Statements: an account's transfers with a running balance.

use crate::{AccountId, Transfer};

/// One line of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementLine {
    pub transfer: Transfer,
    /// The change to this account: positive in, negative out.
    pub delta_minutes: i64,
    /// The balance after this transfer.
    pub balance_minutes: i64,
}

/// Builds statement lines for `account` from its transfers in posting
/// order, starting from the balance before the first of them.
pub fn running_statement(
    account: AccountId,
    opening_balance_minutes: i64,
    transfers: impl IntoIterator<Item = Transfer>,
) -> Vec<StatementLine> {
    let mut balance = opening_balance_minutes;
    transfers
        .into_iter()
        .filter(|t| t.debit == account || t.credit == account)
        .map(|transfer| {
            let delta = transfer.delta_for(account);
            balance += delta;
            StatementLine {
                transfer,
                delta_minutes: delta,
                balance_minutes: balance,
            }
        })
        .collect()
}
