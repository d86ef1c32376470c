//! What the bulk-data use cases need from storage. Each backend implements
//! this trait in its own `bulk` module.
//!
//! An import writes a whole file in one transaction: every record of it or
//! none. Exports read a programme's records a page at a time, in id order
//! (the ledger's transfers in posting order), so a large programme is
//! never held in memory whole.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use timecredits_domain::directory::MemberStatus;
use timecredits_ledger::{Account, ProgrammeId, Transfer, TransferId};
use uuid::Uuid;

use crate::directory::{NewMemberRecord, OrganisationDetails};
use crate::{Member, MemberId, MemberNumber, Organisation, StoreResult};

/// An organisation to import, with its accounts and details.
#[derive(Clone, Debug)]
pub struct NewPartnerRecord {
    pub organisation: Organisation,
    pub accounts: Vec<Account>,
    pub details: OrganisationDetails,
}

/// The records an export pages through by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportTable {
    Members,
    Contributions,
    Redemptions,
}

#[async_trait]
pub trait BulkStore: Send + Sync {
    /// Writes every member with everything that comes with them (account,
    /// registration, profile, and sign-in, roles and link when given) in
    /// one transaction: all of them or none. Fails with
    /// `Duplicate("member number")` when a number is taken, and with
    /// `Duplicate(..)` when a record with one of the ids exists.
    async fn import_members(&self, records: Vec<NewMemberRecord>) -> StoreResult<()>;
    /// Writes every organisation with its accounts and details in one
    /// transaction: all of them or none.
    async fn import_partners(&self, records: Vec<NewPartnerRecord>) -> StoreResult<()>;
    /// Minutes credited to the member on the day by contributions that are
    /// not superseded (what the daily cap counts).
    async fn credited_minutes(&self, member: MemberId, date: NaiveDate) -> StoreResult<i64>;
    /// The members with these numbers, in any programme, each with the
    /// status of their registration when they have one: what
    /// `member_by_number` and `registration` answer, for a whole file's
    /// numbers in a few queries. A number no member has is left out.
    async fn members_by_numbers(
        &self,
        numbers: &[MemberNumber],
    ) -> StoreResult<Vec<(Member, Option<MemberStatus>)>>;
    /// What `credited_minutes` answers for each of these (member, day)
    /// pairs, in a few queries. A pair with nothing credited is left out
    /// (it counts as 0). Pairs, not members times a range of days: a file
    /// spread over years would otherwise read each member's whole history.
    async fn credited_minutes_on(
        &self,
        days: &[(MemberId, NaiveDate)],
    ) -> StoreResult<HashMap<(MemberId, NaiveDate), i64>>;
    /// Ids of the programme's records of `table` after `after`, in id
    /// order, at most `limit`.
    async fn export_ids(
        &self,
        table: ExportTable,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Uuid>>;
    /// The programme's transfers posted after the transfer `after`, in
    /// posting order, at most `limit`.
    async fn export_transfers(
        &self,
        programme: ProgrammeId,
        after: Option<TransferId>,
        limit: u32,
    ) -> StoreResult<Vec<Transfer>>;
}
