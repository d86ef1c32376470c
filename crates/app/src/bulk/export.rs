//! CSV export of what a programme manager can see, a page at a time.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, SecondsFormat, Utc};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

use super::cell;
use super::store::ExportTable;
use crate::activities::{ActivityFilter, ActivityId, ContributionId};
use crate::spending::RedemptionId;
use crate::{Actor, App, AppError, Member, MemberId, OrganisationId};

/// Rows in a page when the caller does not say.
pub const DEFAULT_EXPORT_PAGE: u32 = 1_000;
/// The most rows one page may hold.
pub const MAX_EXPORT_PAGE: u32 = 5_000;

/// What to export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportKind {
    Members,
    Organisations,
    Activities,
    Contributions,
    Redemptions,
    /// The programme's ledger: every transfer, in posting order.
    Transfers,
}

impl ExportKind {
    pub const ALL: [Self; 6] = [
        Self::Members,
        Self::Organisations,
        Self::Activities,
        Self::Contributions,
        Self::Redemptions,
        Self::Transfers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Organisations => "organisations",
            Self::Activities => "activities",
            Self::Contributions => "contributions",
            Self::Redemptions => "redemptions",
            Self::Transfers => "transfers",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The header row.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Members => &[
                "id",
                "member_number",
                "display_name",
                "status",
                "language",
                "email",
                "phone",
                "balance_minutes",
                "created_at",
            ],
            Self::Organisations => &[
                "id",
                "name",
                "kind",
                "roles",
                "status",
                "postcode",
                "contact_name",
                "contact_email",
                "contact_phone",
                "created_at",
            ],
            Self::Activities => &[
                "id",
                "organisation_id",
                "organisation",
                "title",
                "level",
                "mode",
                "place",
                "usual_duration_minutes",
                "earns_credits",
                "created_at",
            ],
            Self::Contributions => &[
                "id",
                "date",
                "member_number",
                "organisation",
                "activity",
                "minutes",
                "origin",
                "session_id",
                "corrects",
                "superseded_by",
                "note",
                "transfer_id",
                "recorded_at",
            ],
            Self::Redemptions => &[
                "id",
                "local_date",
                "member_number",
                "organisation",
                "offer_id",
                "price_minutes",
                "redeem_transfer",
                "retire_transfer",
                "redeemed_at",
                "refunded_at",
                "refund_reason",
            ],
            Self::Transfers => &[
                "id",
                "at",
                "kind",
                "debit_account",
                "credit_account",
                "amount_minutes",
                "reason",
                "cause_kind",
                "cause_id",
                "reverses",
            ],
        }
    }
}

/// One page of an export: its rows, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportPage {
    pub kind: ExportKind,
    pub rows: Vec<Vec<String>>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<String>,
}

impl ExportPage {
    /// The page as CSV (RFC 4180, CRLF line ends), with the header row
    /// when `header` is set.
    pub fn to_csv(&self, header: bool) -> Result<Vec<u8>, AppError> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let fail = |e: csv::Error| AppError::Store(crate::StoreError::Internal(e.to_string()));
        if header {
            writer.write_record(self.kind.columns()).map_err(fail)?;
        }
        for row in &self.rows {
            writer.write_record(row).map_err(fail)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::Store(crate::StoreError::Internal(e.to_string())))
    }
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn cursor(after: Option<&str>) -> Result<Option<Uuid>, AppError> {
    after
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            Uuid::try_parse(a)
                .map_err(|_| AppError::invalid("after", "is not a cursor from an earlier page"))
        })
        .transpose()
}

/// Keeps `limit` items; the cursor is the id of the last one if more follow.
fn finish(mut rows: Vec<(Uuid, Vec<String>)>, limit: u32, kind: ExportKind) -> ExportPage {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|(id, _)| id.to_string())
    } else {
        None
    };
    ExportPage {
        kind,
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        next,
    }
}

impl App {
    /// One page of a CSV export of the programme. Managers only. `after` is
    /// the cursor from the previous page (`None` for the first); `limit`
    /// is 1 to [`MAX_EXPORT_PAGE`] rows ([`DEFAULT_EXPORT_PAGE`] if `None`).
    pub async fn export_page(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        kind: ExportKind,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> Result<ExportPage, AppError> {
        self.check_bulk_access(actor, programme).await?;
        let limit = match limit {
            None => DEFAULT_EXPORT_PAGE,
            Some(l) if (1..=MAX_EXPORT_PAGE).contains(&l) => l,
            Some(_) => {
                return Err(AppError::invalid(
                    "limit",
                    format!("must be between 1 and {MAX_EXPORT_PAGE}"),
                ));
            }
        };
        let after = cursor(after)?;
        let rows = match kind {
            ExportKind::Members => self.export_members(programme, after, limit).await?,
            ExportKind::Organisations => self.export_partners(programme, after, limit).await?,
            ExportKind::Activities => self.export_activities(programme, after, limit).await?,
            ExportKind::Contributions => self.export_contributions(programme, after, limit).await?,
            ExportKind::Redemptions => self.export_redemptions(programme, after, limit).await?,
            ExportKind::Transfers => self.export_ledger(programme, after, limit).await?,
        };
        Ok(finish(rows, limit, kind))
    }

    async fn export_members(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        let ids = self
            .store
            .export_ids(ExportTable::Members, programme, after, limit + 1)
            .await?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(m) = self.store.member(MemberId(id)).await? else {
                continue;
            };
            let status = self.member_status(m.id).await?;
            let profile = self.store.member_profile(m.id).await?;
            let balance = self
                .store
                .account(m.account)
                .await?
                .and_then(|a| a.balance_minutes)
                .unwrap_or_default();
            rows.push((
                id,
                vec![
                    m.id.to_string(),
                    m.number.value().to_string(),
                    cell(&m.display_name),
                    status.as_str().to_owned(),
                    profile
                        .as_ref()
                        .map(|p| p.language.as_str().to_owned())
                        .unwrap_or_default(),
                    cell(&opt(profile.as_ref().and_then(|p| p.email.clone()))),
                    cell(&opt(profile.as_ref().and_then(|p| p.phone.clone()))),
                    balance.to_string(),
                    time(m.created_at),
                ],
            ));
        }
        Ok(rows)
    }

    async fn export_partners(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        // A programme has tens or hundreds of partners, not millions.
        let mut all = self.store.partners(programme).await?;
        all.sort_by_key(|(o, _)| o.id);
        Ok(all
            .into_iter()
            .filter(|(o, _)| after.is_none_or(|a| o.id.0 > a))
            .take(limit as usize + 1)
            .map(|(o, d)| {
                let d = d.unwrap_or_default();
                let join = |f: &dyn Fn(&timecredits_domain::directory::Contact) -> String| {
                    d.contacts.iter().map(f).collect::<Vec<_>>().join("; ")
                };
                (
                    o.id.0,
                    vec![
                        o.id.to_string(),
                        cell(&o.name),
                        d.kind.as_str().to_owned(),
                        d.roles.as_str().to_owned(),
                        d.status.as_str().to_owned(),
                        opt(d.postcode.as_ref().map(|p| p.as_str().to_owned())),
                        cell(&join(&|c| c.name.clone())),
                        cell(&join(&|c| c.email.clone().unwrap_or_default())),
                        cell(&join(&|c| c.phone.clone().unwrap_or_default())),
                        time(o.created_at),
                    ],
                )
            })
            .collect())
    }

    async fn organisation_names(
        &self,
        programme: ProgrammeId,
    ) -> Result<HashMap<OrganisationId, String>, AppError> {
        Ok(self
            .store
            .organisations(programme)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    async fn export_activities(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        let names = self.organisation_names(programme).await?;
        let activities = self
            .store
            .activities(&ActivityFilter {
                programme,
                organisation: None,
                level: None,
                mode: None,
                place: None,
                sessions_between: None,
                after: after.map(ActivityId),
                limit: limit + 1,
            })
            .await?;
        Ok(activities
            .into_iter()
            .map(|a| {
                (
                    a.id.0,
                    vec![
                        a.id.to_string(),
                        a.organisation.to_string(),
                        cell(names.get(&a.organisation).map_or("", String::as_str)),
                        cell(&a.details.title),
                        a.details.level.as_str().to_owned(),
                        a.details.mode.as_str().to_owned(),
                        cell(&a.details.place),
                        a.details.usual_duration_minutes.to_string(),
                        a.details.earns_credits.to_string(),
                        time(a.created_at),
                    ],
                )
            })
            .collect())
    }

    /// A member's card number, looked up once per export page.
    async fn number_of(
        &self,
        cache: &mut HashMap<MemberId, Option<Member>>,
        id: MemberId,
    ) -> Result<String, AppError> {
        if let Entry::Vacant(slot) = cache.entry(id) {
            slot.insert(self.store.member(id).await?);
        }
        Ok(cache
            .get(&id)
            .and_then(Option::as_ref)
            .map(|m| m.number.value().to_string())
            .unwrap_or_default())
    }

    async fn export_contributions(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        let names = self.organisation_names(programme).await?;
        let ids = self
            .store
            .export_ids(ExportTable::Contributions, programme, after, limit + 1)
            .await?;
        let mut members = HashMap::new();
        let mut titles: HashMap<ActivityId, String> = HashMap::new();
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(c) = self.store.contribution(ContributionId(id)).await? else {
                continue;
            };
            if let Entry::Vacant(slot) = titles.entry(c.activity) {
                let title = self
                    .store
                    .activity(c.activity)
                    .await?
                    .map(|a| a.details.title)
                    .unwrap_or_default();
                slot.insert(title);
            }
            let number = self.number_of(&mut members, c.member).await?;
            rows.push((
                id,
                vec![
                    c.id.to_string(),
                    c.date.to_string(),
                    number,
                    cell(names.get(&c.organisation).map_or("", String::as_str)),
                    cell(titles.get(&c.activity).map_or("", String::as_str)),
                    c.minutes.to_string(),
                    c.origin.as_str().to_owned(),
                    opt(c.session),
                    opt(c.corrects),
                    opt(c.superseded_by),
                    cell(&c.note),
                    c.transfer.0.to_string(),
                    time(c.recorded_at),
                ],
            ));
        }
        Ok(rows)
    }

    async fn export_redemptions(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        let names = self.organisation_names(programme).await?;
        let ids = self
            .store
            .export_ids(ExportTable::Redemptions, programme, after, limit + 1)
            .await?;
        let mut members = HashMap::new();
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(r) = self.store.spend_redemption(RedemptionId(id)).await? else {
                continue;
            };
            let number = self.number_of(&mut members, r.member).await?;
            rows.push((
                id,
                vec![
                    r.id.to_string(),
                    r.local_date.to_string(),
                    number,
                    cell(names.get(&r.organisation).map_or("", String::as_str)),
                    r.offer.to_string(),
                    r.price_minutes.to_string(),
                    r.redeem_transfer.0.to_string(),
                    opt(r.retire_transfer.map(|t| t.0)),
                    time(r.redeemed_at),
                    opt(r.refund.as_ref().map(|f| time(f.refunded_at))),
                    cell(&opt(r.refund.as_ref().map(|f| f.reason.clone()))),
                ],
            ));
        }
        Ok(rows)
    }

    async fn export_ledger(
        &self,
        programme: ProgrammeId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<(Uuid, Vec<String>)>, AppError> {
        let transfers = self
            .store
            .export_transfers(programme, after.map(TransferId), limit + 1)
            .await?;
        Ok(transfers
            .into_iter()
            .map(|t| {
                (
                    t.id.0,
                    vec![
                        t.id.0.to_string(),
                        time(t.at),
                        t.kind.as_str().to_owned(),
                        t.debit.0.to_string(),
                        t.credit.0.to_string(),
                        t.amount.get().to_string(),
                        cell(&t.reason),
                        opt(t.cause.map(|c| c.kind.as_str())),
                        opt(t.cause.map(|c| c.id)),
                        opt(t.reverses.map(|r| r.0)),
                    ],
                )
            })
            .collect())
    }
}
