//! Use cases that move credits or read the ledger.

use chrono::{DateTime, Utc};
use timecredits_ledger::circulation::{self, Circulation, ProgrammeAccounts};
use timecredits_ledger::{
    AccountId, AccountKind, Cause, CauseKind, Minutes, Movement, Outcome, PostingRequest,
    ProgrammeId, StatementLine, TransferId, TransferKind, VerifyReport, running_statement,
};

use timecredits_domain::Refusal;

use crate::{Actor, App, AppError, MemberId, OrganisationId};

/// Transfers written together with a record of their own (a contribution, a
/// redemption, an expiry run…) are undone through that record, so the record
/// and the ledger never disagree. Returns what to do instead, or `None` when
/// a plain reversal is the right correction (gifts, exchanges, notes).
fn corrected_through_its_record(kind: CauseKind) -> Option<&'static str> {
    match kind {
        CauseKind::Contribution | CauseKind::Import => Some(
            "this transfer issued credits for a contribution; correct the contribution instead (POST /contributions/{id}/correction)",
        ),
        CauseKind::Redemption => Some(
            "this transfer paid for a redemption; refund the redemption instead (POST /redemptions/{id}/refund)",
        ),
        CauseKind::Expiry | CauseKind::Retirement | CauseKind::Correction => Some(
            "this transfer was made by the programme's own rules or is itself a correction; it cannot be reversed by hand",
        ),
        CauseKind::Gift | CauseKind::Exchange | CauseKind::Note => None,
    }
}

/// A member gives some of their credits to another member.
#[derive(Clone, Debug)]
pub struct GiftRequest {
    pub id: TransferId,
    pub to: MemberId,
    pub minutes: i64,
    pub reason: String,
}

/// A programme manager corrects a mistake by reversing a transfer.
#[derive(Clone, Debug)]
pub struct ReverseRequest {
    pub id: TransferId,
    pub original: TransferId,
    pub reason: String,
}

/// An account's statement for a period, with a running balance.
#[derive(Clone, Debug)]
pub struct Statement {
    pub account: AccountId,
    pub opening_balance_minutes: i64,
    pub lines: Vec<StatementLine>,
    pub closing_balance_minutes: i64,
}

pub const MAX_STATEMENT_LINES: u32 = 10_000;

impl App {
    async fn post_one(&self, request: PostingRequest) -> Result<Outcome, AppError> {
        let mut plan = self.store.post(vec![request], self.now()).await?;
        Ok(plan.outcomes.remove(0))
    }

    pub async fn give_gift(&self, actor: &Actor, req: GiftRequest) -> Result<Outcome, AppError> {
        let from = actor.member.ok_or(AppError::Forbidden)?;
        let amount = Minutes::for_transfer(req.minutes)?;
        let from = self
            .store
            .member(from)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let to = self
            .store
            .member(req.to)
            .await?
            .filter(|m| m.programme == from.programme);
        let to = to.ok_or(AppError::NotFound("member"))?;
        let outcome = self
            .post_one(PostingRequest {
                id: req.id,
                movement: Movement::Move {
                    kind: TransferKind::Gift,
                    debit: from.account,
                    credit: to.account,
                    amount,
                },
                actor: actor.ledger_id(),
                reason: req.reason,
                cause: Some(Cause {
                    kind: CauseKind::Gift,
                    id: req.id.0,
                }),
            })
            .await?;
        if matches!(outcome, Outcome::Posted(_)) {
            self.log_if_done_for(actor, from.id, "give_gift").await?;
        }
        Ok(outcome)
    }

    pub async fn reverse_transfer(
        &self,
        actor: &Actor,
        req: ReverseRequest,
    ) -> Result<Outcome, AppError> {
        let original = self
            .store
            .transfer(req.original)
            .await?
            .ok_or(AppError::NotFound("transfer"))?;
        if !actor.manages(original.programme) {
            return Err(self.refusal_in(actor, original.programme).await);
        }
        if req.reason.trim().is_empty() {
            return Err(AppError::invalid(
                "reason",
                "is empty; say why the transfer is being reversed",
            ));
        }
        if let Some(how) = original
            .cause
            .and_then(|c| corrected_through_its_record(c.kind))
        {
            return Err(Refusal::conflict("transfer_has_its_own_correction", how).into());
        }
        self.post_one(PostingRequest {
            id: req.id,
            movement: Movement::Reverse {
                original: req.original,
            },
            actor: actor.ledger_id(),
            reason: req.reason,
            cause: Some(Cause {
                kind: CauseKind::Correction,
                id: req.original.0,
            }),
        })
        .await
    }

    /// Whether `actor` may read this account: its member; the staff of the
    /// organisation that owns it; or a manager of its programme.
    async fn may_read_account(&self, actor: &Actor, account: AccountId) -> Result<(), AppError> {
        let state = self
            .store
            .account(account)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        let own = match actor.member {
            Some(m) => self
                .store
                .member(m)
                .await?
                .is_some_and(|m| m.account == account),
            None => false,
        };
        let organisation_staff = matches!(
            state.account.kind,
            AccountKind::Organisation | AccountKind::OrganisationPot
        ) && state
            .account
            .owner
            .map(OrganisationId)
            .is_some_and(|o| actor.coordinates(o) || actor.serves_desk(o));
        if own || organisation_staff || actor.manages(state.account.programme) {
            Ok(())
        } else {
            Err(AppError::NotFound("account"))
        }
    }

    pub async fn balance(
        &self,
        actor: &Actor,
        account: AccountId,
        as_of: Option<DateTime<Utc>>,
    ) -> Result<i64, AppError> {
        self.may_read_account(actor, account).await?;
        let as_of = as_of.unwrap_or_else(|| self.now());
        Ok(self.store.balance_as_of(account, as_of).await?)
    }

    pub async fn statement(
        &self,
        actor: &Actor,
        account: AccountId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<Statement, AppError> {
        self.may_read_account(actor, account).await?;
        let (opening, transfers) = self
            .store
            .account_transfers(account, from, to, MAX_STATEMENT_LINES)
            .await?;
        let lines = running_statement(account, opening, transfers);
        let closing = lines.last().map_or(opening, |l| l.balance_minutes);
        Ok(Statement {
            account,
            opening_balance_minutes: opening,
            lines,
            closing_balance_minutes: closing,
        })
    }

    /// Recomputes the whole ledger. Run from the CLI by the operator.
    pub async fn verify_ledger(&self) -> Result<VerifyReport, AppError> {
        Ok(self.store.verify().await?)
    }
}

impl App {
    /// What happened to a programme's credits over `[from, to)` (to defaults
    /// to now), reconciled with the ledger. For its managers and evaluators:
    /// totals only, no person in it.
    pub async fn circulation(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<CirculationReport, AppError> {
        if !(actor.manages(programme) || actor.evaluates(programme)) {
            return Err(AppError::NotFound("programme"));
        }
        let programme = self.programme(programme).await?;
        let to_given = to;
        let to = to.unwrap_or_else(|| self.now());
        if from.is_some_and(|f| f > to) {
            return Err(AppError::invalid(
                "from",
                "is after `to`; the period must start before it ends",
            ));
        }
        let key = CirculationKey {
            programme: programme.id,
            from,
            to: to_given,
        };
        // Owned: a refresh runs after this request is answered, and then
        // an open-ended period runs up to the refresh's own now.
        let app = self.clone();
        self.reports
            .circulation
            .get_or_compute(&key, move || async move {
                let to = to_given.unwrap_or_else(|| app.now());
                app.compute_circulation(&programme, from, to).await
            })
            .await
    }

    async fn compute_circulation(
        &self,
        programme: &crate::Programme,
        from: Option<DateTime<Utc>>,
        to: DateTime<Utc>,
    ) -> Result<CirculationReport, AppError> {
        let computed_at = self.now();
        let accounts = ProgrammeAccounts {
            issuance: programme.issuance_account,
            retired: programme.retired_account,
            expired: programme.expired_account,
        };
        let groups = self
            .store
            .circulation_groups(programme.id, accounts, from, to)
            .await?;
        let summary = circulation::summarise_groups(&groups);
        if !summary.reconciles() {
            // Never show figures that do not add up.
            tracing::error!(programme.id = %programme.id, "circulation summary does not reconcile with the ledger");
            return Err(AppError::Store(crate::StoreError::Corrupt(
                "the circulation summary does not reconcile; run `timecredits verify`".into(),
            )));
        }
        Ok(CirculationReport {
            summary,
            computed_at,
        })
    }
}

/// A circulation summary and when it was computed: a summary may be
/// served again for a short while (`App::with_report_max_age`).
#[derive(Clone, Debug)]
pub struct CirculationReport {
    pub summary: Circulation,
    pub computed_at: DateTime<Utc>,
}

/// A circulation summary's programme and period as asked (`to` omitted:
/// up to the moment it was computed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CirculationKey {
    programme: ProgrammeId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}
