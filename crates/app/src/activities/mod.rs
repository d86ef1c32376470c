//! Activities, sessions, sign-ups and the waiting list; contributions (register, claim, direct record) and their confirmation into credits.
//!
//! Who may do what: coordinators manage their own organisation's
//! activities and record or confirm its hours (where its policy lets them);
//! programme managers do all of that for their programme; members sign
//! themselves up and claim their own hours. Records of another programme
//! are answered as not found.
//!
//! Where the credits come from: new, from the programme's issuance account,
//! unless the rules in force on the contribution's date keep what partners
//! receive to issue again (`PartnerReceipts::KeepToReissue`). Then the
//! earning partner issues from its own holdings first: storage decides,
//! against the partner's balance inside the write, contribution by
//! contribution in the batch's order, taking one from the holdings only if
//! they cover it whole (a contribution stays one transfer). A correction's
//! reversal returns the credits to whichever account issued them.

mod model;
mod store;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sha2::{Digest, Sha256};
use timecredits_domain::activity::{self as rules_activity, ActivityDetails, SignUpStatus};
use timecredits_domain::contribution::{self as rules, ClaimStatus, ContributionOrigin};
use timecredits_domain::rules::{PartnerReceipts, ProgrammeRules};
use timecredits_domain::{Refusal, directory::EarnPolicy};
use timecredits_ledger::{
    AccountId, Cause, CauseKind, Minutes, Movement, PostingRequest, ProgrammeId, TransferId,
    TransferKind,
};
use uuid::Uuid;

pub use model::{
    Activity, ActivityFilter, ActivityId, Claim, ClaimFilter, ClaimId, Contribution,
    ContributionId, RegisterRecord, Session, SessionId, SignUp, SignUpCounts, SignUpId,
};
pub use store::{
    ActivityStore, BatchKind, Cancellation, ContributionBatch, DayMinutes, NewContribution,
    Recorded, pair_with_members,
};

use crate::{Actor, App, AppError, Member, MemberId, Organisation, OrganisationId, Programme};

/// Items in a page of a list when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most items one page may hold.
pub const MAX_PAGE_SIZE: u32 = 200;

/// One page of a list, and whether more follow.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// Checks a requested page size.
pub fn page_size(limit: Option<u32>) -> Result<u32, AppError> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(l) if (1..=MAX_PAGE_SIZE).contains(&l) => Ok(l),
        Some(_) => Err(AppError::invalid(
            "limit",
            "must be between 1 and 200 (50 if left out)",
        )),
    }
}

fn paged<T>(mut items: Vec<T>, limit: u32) -> Page<T> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    Page { items, more }
}

/// A filter on the list of activities, as a caller asks for it.
#[derive(Clone, Debug, Default)]
pub struct ActivityQuery {
    /// Needed only by someone who belongs to several programmes.
    pub programme: Option<ProgrammeId>,
    pub organisation: Option<OrganisationId>,
    pub level: Option<rules_activity::CoProductionLevel>,
    pub mode: Option<rules_activity::CoProductionMode>,
    /// Text found in the activity's place or postcode (any case).
    pub place: Option<String>,
    /// Only activities with a session on this day (in the programme's time zone).
    pub day: Option<NaiveDate>,
    pub after: Option<ActivityId>,
    pub limit: Option<u32>,
}

/// A new session of an activity.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i64,
}

/// A register as a coordinator opens it: who signed up, the minutes each
/// gets by default, and what was recorded if it was confirmed.
#[derive(Clone, Debug)]
pub struct RegisterSheet {
    pub session: Session,
    pub activity: Activity,
    pub date: NaiveDate,
    /// The programme's time zone, in which the session's times are shown.
    pub zone: chrono_tz::Tz,
    pub attendees: Vec<(SignUp, Member)>,
    pub default_minutes: i64,
    pub confirmed: Option<RegisterRecord>,
    pub contributions: Vec<Contribution>,
}

/// One line of a register being confirmed.
#[derive(Clone, Debug)]
pub struct RegisterEntry {
    pub member: MemberId,
    pub attended: bool,
    /// Minutes given; the session's length when left out.
    pub minutes: Option<i64>,
}

/// How full a session is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Places {
    pub capacity: i64,
    pub taken: i64,
    pub waiting: i64,
}

impl Places {
    fn of(session: &Session, counts: Option<&SignUpCounts>) -> Self {
        let counts = counts.copied().unwrap_or_default();
        Self {
            capacity: session.capacity,
            taken: counts.taken,
            waiting: counts.waiting,
        }
    }

    pub fn free(&self) -> i64 {
        (self.capacity - self.taken).max(0)
    }
}

/// Time a coordinator records directly.
#[derive(Clone, Debug)]
pub struct DirectRecord {
    pub member: MemberId,
    pub activity: ActivityId,
    pub session: Option<SessionId>,
    pub date: NaiveDate,
    pub minutes: i64,
    pub note: String,
}

/// A member's claim for time given.
#[derive(Clone, Debug)]
pub struct NewClaim {
    pub activity: ActivityId,
    pub date: NaiveDate,
    pub minutes: i64,
    pub note: String,
}

/// A deterministic id for one part of a request, so a retry with the same
/// idempotency key names the same records and postings.
fn derived_id(key: TransferId, part: &[u8]) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"timecredits/activities/");
    hash.update(key.0.as_bytes());
    hash.update(part);
    let digest = hash.finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

fn short(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl App {
    /// The programmes the actor belongs to: as a member, a manager, or staff
    /// of one of its organisations.
    async fn programmes_of(&self, actor: &Actor) -> Result<Vec<ProgrammeId>, AppError> {
        let mut out: Vec<ProgrammeId> = actor.managed_programmes().collect();
        if let Some(member) = actor.member
            && let Some(m) = self.store.member(member).await?
        {
            out.push(m.programme);
        }
        for grant in &actor.grants {
            if let crate::Scope::Organisation(o) = grant.scope
                && let Some(org) = self.store.organisation(o).await?
            {
                out.push(org.programme);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Whether `programme` is one of [`Self::programmes_of`] the actor,
    /// reading no more than it takes to find out.
    async fn sees(&self, actor: &Actor, programme: ProgrammeId) -> Result<bool, AppError> {
        Ok(actor.managed_programmes().any(|p| p == programme)
            || self.member_or_staff_in(actor, programme).await?)
    }

    fn manages_organisation(actor: &Actor, organisation: &Organisation) -> bool {
        actor.coordinates(organisation.id) || actor.manages(organisation.programme)
    }

    async fn organisation_for(
        &self,
        actor: &Actor,
        id: OrganisationId,
    ) -> Result<Organisation, AppError> {
        let organisation = self.store.organisation(id).await?;
        match organisation {
            Some(o) if self.sees(actor, o.programme).await? => Ok(o),
            _ => Err(AppError::NotFound("organisation")),
        }
    }

    async fn member_of(&self, id: MemberId, programme: ProgrammeId) -> Result<Member, AppError> {
        self.store
            .member(id)
            .await?
            .filter(|m| m.programme == programme)
            .ok_or(AppError::NotFound("member"))
    }

    /// An activity the actor may see (any activity of their programmes).
    pub async fn activity(&self, actor: &Actor, id: ActivityId) -> Result<Activity, AppError> {
        let activity = self.store.activity(id).await?;
        match activity {
            Some(a) if self.sees(actor, a.programme).await? => Ok(a),
            _ => Err(AppError::NotFound("activity")),
        }
    }

    /// A session the actor may see, with its activity.
    pub async fn activity_session(
        &self,
        actor: &Actor,
        id: SessionId,
    ) -> Result<(Session, Activity), AppError> {
        let session = self.store.activity_session(id).await?;
        let session = match session {
            Some(s) if self.sees(actor, s.programme).await? => s,
            _ => return Err(AppError::NotFound("session")),
        };
        let activity = self
            .store
            .activity(session.activity)
            .await?
            .ok_or(AppError::NotFound("activity"))?;
        Ok((session, activity))
    }

    /// An earn partner (its coordinators, or a programme manager) adds an activity.
    pub async fn create_activity(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        details: ActivityDetails,
    ) -> Result<Activity, AppError> {
        let organisation = self.organisation_for(actor, organisation).await?;
        if !Self::manages_organisation(actor, &organisation) {
            return Err(AppError::Forbidden);
        }
        self.check_organisation_may_earn(organisation.id).await?;
        let details = details.checked()?;
        let now = self.now();
        let activity = Activity {
            id: ActivityId(Uuid::now_v7()),
            programme: organisation.programme,
            organisation: organisation.id,
            details,
            created_by: actor.user,
            created_at: now,
            updated_at: now,
        };
        self.store.create_activity(&activity).await?;
        tracing::info!(activity.id = %activity.id, organisation.id = %organisation.id, "activity created");
        Ok(activity)
    }

    /// Replaces an activity's details.
    pub async fn update_activity(
        &self,
        actor: &Actor,
        id: ActivityId,
        details: ActivityDetails,
    ) -> Result<Activity, AppError> {
        let activity = self.activity(actor, id).await?;
        if !(actor.coordinates(activity.organisation) || actor.manages(activity.programme)) {
            return Err(AppError::Forbidden);
        }
        let updated = Activity {
            details: details.checked()?,
            updated_at: self.now(),
            ..activity
        };
        self.store.update_activity(&updated).await?;
        Ok(updated)
    }

    /// Activities of the actor's programme, filtered, in creation order.
    pub async fn list_activities(
        &self,
        actor: &Actor,
        query: ActivityQuery,
    ) -> Result<Page<Activity>, AppError> {
        let limit = page_size(query.limit)?;
        let programmes = self.programmes_of(actor).await?;
        let programme = match query.programme {
            Some(p) if programmes.contains(&p) => p,
            Some(_) => return Err(AppError::NotFound("programme")),
            None => match programmes.as_slice() {
                [only] => *only,
                [] => return Err(AppError::NotFound("programme")),
                _ => {
                    return Err(AppError::invalid(
                        "programme",
                        "is needed: you belong to several programmes, so say which one",
                    ));
                }
            },
        };
        let programme = self.programme(programme).await?;
        let sessions_between = query.day.map(|day| day_bounds(&programme, day));
        let filter = ActivityFilter {
            programme: programme.id,
            organisation: query.organisation,
            level: query.level,
            mode: query.mode,
            place: query
                .place
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
            sessions_between,
            after: query.after,
            limit: limit + 1,
        };
        Ok(paged(self.store.activities(&filter).await?, limit))
    }

    /// Schedules a session of an activity.
    pub async fn create_session(
        &self,
        actor: &Actor,
        activity: ActivityId,
        new: NewSession,
    ) -> Result<Session, AppError> {
        let activity = self.activity(actor, activity).await?;
        if !(actor.coordinates(activity.organisation) || actor.manages(activity.programme)) {
            return Err(AppError::Forbidden);
        }
        rules_activity::check_session(new.starts_at, new.ends_at, new.capacity)?;
        let session = Session {
            id: SessionId(Uuid::now_v7()),
            activity: activity.id,
            programme: activity.programme,
            organisation: activity.organisation,
            starts_at: new.starts_at,
            ends_at: new.ends_at,
            capacity: new.capacity,
            created_by: actor.user,
            created_at: self.now(),
        };
        self.store.create_activity_session(&session).await?;
        Ok(session)
    }

    /// An activity's sessions starting from `from` (now, if left out).
    pub async fn list_sessions(
        &self,
        actor: &Actor,
        activity: ActivityId,
        from: Option<DateTime<Utc>>,
        after: Option<(DateTime<Utc>, SessionId)>,
        limit: Option<u32>,
    ) -> Result<Page<Session>, AppError> {
        let limit = page_size(limit)?;
        let activity = self.activity(actor, activity).await?;
        let from = from.unwrap_or_else(|| self.now());
        let sessions = self
            .store
            .activity_sessions(activity.id, from, after, limit + 1)
            .await?;
        Ok(paged(sessions, limit))
    }

    /// Signs a member up to a session: themselves, or by a coordinator or
    /// manager. A full session puts them on the waiting list.
    pub async fn sign_up(
        &self,
        actor: &Actor,
        session: SessionId,
        member: Option<MemberId>,
    ) -> Result<SignUp, AppError> {
        let (session, _) = self.activity_session(actor, session).await?;
        let member = member
            .or(actor.member)
            .ok_or_else(|| AppError::invalid("member", "is needed: say which member to sign up"))?;
        let member = self.member_of(member, session.programme).await?;
        if !(actor.is_member(member.id)
            || actor.coordinates(session.organisation)
            || actor.manages(session.programme))
        {
            return Err(AppError::Forbidden);
        }
        self.check_member_may_take_part(member.id).await?;
        let now = self.now();
        rules_activity::check_not_started(session.starts_at, now)?;
        let sign_up = SignUp {
            id: SignUpId(Uuid::now_v7()),
            session: session.id,
            member: member.id,
            // Decided by storage inside the write, against the places taken.
            status: SignUpStatus::Waiting,
            signed_up_by: actor.user,
            signed_up_at: now,
            promoted_at: None,
            cancelled_by: None,
            cancelled_at: None,
        };
        let sign_up = self.store.sign_up(&sign_up).await?;
        self.log_if_done_for(actor, member.id, "sign_up").await?;
        Ok(sign_up)
    }

    /// Cancels a sign-up; the first on the waiting list gets the place.
    pub async fn cancel_sign_up(
        &self,
        actor: &Actor,
        session: SessionId,
        member: MemberId,
    ) -> Result<Cancellation, AppError> {
        let (session, _) = self.activity_session(actor, session).await?;
        let member = self.member_of(member, session.programme).await?;
        if !(actor.is_member(member.id)
            || actor.coordinates(session.organisation)
            || actor.manages(session.programme))
        {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        rules_activity::check_not_started(session.starts_at, now)?;
        let cancellation = self
            .store
            .cancel_sign_up(session.id, member.id, actor.user, now)
            .await?;
        self.log_if_done_for(actor, member.id, "cancel_sign_up")
            .await?;
        Ok(cancellation)
    }

    /// The places and waiting list of a session: for its organisation's
    /// coordinators and the programme's managers.
    pub async fn sign_ups(
        &self,
        actor: &Actor,
        session: SessionId,
    ) -> Result<Vec<SignUp>, AppError> {
        let (session, _) = self.activity_session(actor, session).await?;
        if !(actor.coordinates(session.organisation) || actor.manages(session.programme)) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.sign_ups(session.id).await?)
    }

    /// How full a session is, for anyone who may see it: its places, how
    /// many are taken, how many wait. No names.
    pub async fn session_places(
        &self,
        actor: &Actor,
        session: SessionId,
    ) -> Result<Places, AppError> {
        let (session, _) = self.activity_session(actor, session).await?;
        let counts = self.store.sign_up_counts(&[session.id]).await?;
        Ok(Places::of(&session, counts.get(&session.id)))
    }

    /// What [`Self::session_places`] answers, for each of these sessions
    /// (as the actor was given them by [`Self::list_sessions`]), in one
    /// read for the lot rather than two per session.
    pub async fn sessions_places(
        &self,
        actor: &Actor,
        sessions: &[Session],
    ) -> Result<HashMap<SessionId, Places>, AppError> {
        let mut programmes: Vec<ProgrammeId> = sessions.iter().map(|s| s.programme).collect();
        programmes.sort_unstable();
        programmes.dedup();
        for programme in programmes {
            if !self.sees(actor, programme).await? {
                return Err(AppError::NotFound("session"));
            }
        }
        let ids: Vec<SessionId> = sessions.iter().map(|s| s.id).collect();
        let counts = self.store.sign_up_counts(&ids).await?;
        Ok(sessions
            .iter()
            .map(|s| (s.id, Places::of(s, counts.get(&s.id))))
            .collect())
    }

    /// The actor's own coming sessions (places and waiting list), soonest
    /// first, each with its activity.
    pub async fn my_sign_ups(
        &self,
        actor: &Actor,
        limit: u32,
    ) -> Result<Vec<(SignUp, Session, Activity)>, AppError> {
        let member = actor.member.ok_or(AppError::Forbidden)?;
        let mut out = Vec::new();
        for sign_up in self
            .store
            .member_sign_ups(member, self.now(), limit.min(MAX_PAGE_SIZE))
            .await?
        {
            let (session, activity) = self.activity_session(actor, sign_up.session).await?;
            out.push((sign_up, session, activity));
        }
        Ok(out)
    }

    /// Opens a session's attendance register.
    pub async fn register_sheet(
        &self,
        actor: &Actor,
        session: SessionId,
    ) -> Result<RegisterSheet, AppError> {
        let (session, activity) = self.activity_session(actor, session).await?;
        if !(actor.coordinates(session.organisation) || actor.manages(session.programme)) {
            return Err(AppError::Forbidden);
        }
        let programme = self.programme(session.programme).await?;
        let attendees = self.store.attendees(session.id).await?;
        if attendees.iter().any(|(_, m)| m.programme != programme.id) {
            return Err(AppError::NotFound("member"));
        }
        Ok(RegisterSheet {
            date: crate::rules::local_date(&programme, session.starts_at),
            zone: crate::rules::time_zone(&programme),
            default_minutes: rules_activity::session_minutes(session.starts_at, session.ends_at),
            confirmed: self.store.register(session.id).await?,
            contributions: self.store.session_contributions(session.id).await?,
            attendees,
            session,
            activity,
        })
    }

    /// Whether the actor may confirm hours for the organisation, per its policy.
    async fn check_confirms_hours(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        programme: ProgrammeId,
    ) -> Result<EarnPolicy, AppError> {
        let policy = self.earn_policy(organisation).await?;
        if !rules::may_confirm_hours(
            &policy,
            actor.coordinates(organisation),
            actor.manages(programme),
        ) {
            return Err(AppError::Forbidden);
        }
        Ok(policy)
    }

    /// The account a contribution to `organisation` is issued from first:
    /// the partner's own, when the rules in force on the contribution's
    /// date keep what partners receive to issue again. Whether its holdings
    /// cover the contribution is decided by storage inside the write.
    async fn reissue_account(
        &self,
        organisation: OrganisationId,
        rules_in_force: &ProgrammeRules,
    ) -> Result<Option<AccountId>, AppError> {
        match rules_in_force.partner_receipts {
            PartnerReceipts::Retire => Ok(None),
            PartnerReceipts::KeepToReissue => Ok(Some(
                self.store
                    .organisation(organisation)
                    .await?
                    .ok_or(AppError::NotFound("organisation"))?
                    .account,
            )),
        }
    }

    /// A contribution and the posting that issues its credits.
    #[allow(clippy::too_many_arguments)]
    fn contribution_with_posting(
        actor: &Actor,
        programme: &Programme,
        activity: &Activity,
        member: &Member,
        id: Uuid,
        key: TransferId,
        at: DateTime<Utc>,
        shape: ContributionShape,
    ) -> Result<(Contribution, PostingRequest), AppError> {
        let amount = Minutes::for_transfer(shape.minutes)?;
        let contribution = Contribution {
            id: ContributionId(id),
            programme: programme.id,
            organisation: activity.organisation,
            activity: activity.id,
            session: shape.session,
            member: member.id,
            date: shape.date,
            minutes: shape.minutes,
            origin: shape.origin,
            claim: shape.claim,
            corrects: shape.corrects,
            superseded_by: None,
            note: shape.note,
            transfer: TransferId(id),
            key,
            recorded_by: actor.user,
            recorded_at: at,
        };
        let posting = PostingRequest {
            id: TransferId(id),
            movement: Movement::Move {
                kind: TransferKind::Issue,
                debit: programme.issuance_account,
                credit: member.account,
                amount,
            },
            actor: actor.ledger_id(),
            reason: format!(
                "Time given: {} on {}",
                short(&activity.details.title, 200),
                shape.date
            ),
            cause: Some(Cause {
                kind: CauseKind::Contribution,
                id,
            }),
        };
        Ok((contribution, posting))
    }

    /// Confirms a session's register: one contribution per attendee and
    /// their credits, in one atomic step. A retry with the same key answers
    /// with what was recorded.
    pub async fn confirm_register(
        &self,
        actor: &Actor,
        session: SessionId,
        key: TransferId,
        entries: Vec<RegisterEntry>,
    ) -> Result<Recorded, AppError> {
        let (session, activity) = self.activity_session(actor, session).await?;
        self.check_confirms_hours(actor, session.organisation, session.programme)
            .await?;
        // A suspended partner, or one that is not an earn partner, issues nothing.
        self.check_organisation_may_earn(session.organisation)
            .await?;
        // "No future dates" at the resolution a register has: the session
        // itself must have begun, not merely fall on today's date.
        if session.starts_at > self.now() {
            return Err(Refusal::conflict(
                "session_not_started",
                "this session has not started yet; take its register once it has begun",
            )
            .into());
        }
        let programme = self.programme(session.programme).await?;
        let date = crate::rules::local_date(&programme, session.starts_at);
        let rules_in_force = self.rules_in_force(programme.id, date).await?;
        let today = self.programme_today(&programme);
        let signed_up: HashMap<MemberId, Member> = self
            .store
            .attendees(session.id)
            .await?
            .into_iter()
            .map(|(_, m)| (m.id, m))
            .collect();
        let default_minutes = rules_activity::session_minutes(session.starts_at, session.ends_at);
        let reissue_from = self
            .reissue_account(session.organisation, &rules_in_force)
            .await?;
        let mut seen = Vec::new();
        let mut contributions = Vec::new();
        let mut postings = Vec::new();
        let at = self.now();
        for entry in entries {
            if seen.contains(&entry.member) {
                return Err(Refusal::invalid(
                    "duplicate_entry",
                    "a member appears twice in the register; list each attendee once",
                )
                .into());
            }
            seen.push(entry.member);
            let Some(member) = signed_up.get(&entry.member) else {
                return Err(Refusal::invalid(
                    "not_on_register",
                    format!(
                        "member {} is not signed up to this session; sign them up first, or record their time directly",
                        entry.member
                    ),
                )
                .into());
            };
            if !entry.attended {
                continue;
            }
            let minutes = entry.minutes.unwrap_or(default_minutes);
            rules::check_contribution(
                date,
                today,
                minutes,
                activity.details.earns_credits,
                &rules_in_force,
            )?;
            if member.programme != programme.id {
                return Err(AppError::NotFound("member"));
            }
            let (contribution, posting) = Self::contribution_with_posting(
                actor,
                &programme,
                &activity,
                member,
                // From the card number, not the member's id, so the same
                // register in a reseeded demo gets the same transfer ids.
                derived_id(key, &member.number.value().to_be_bytes()),
                key,
                at,
                ContributionShape {
                    session: Some(session.id),
                    date,
                    minutes,
                    origin: ContributionOrigin::Register,
                    claim: None,
                    corrects: None,
                    note: String::new(),
                },
            )?;
            contributions.push(NewContribution {
                record: contribution,
                daily_cap_minutes: rules_in_force.daily_cap_minutes,
                reissue_from,
            });
            postings.push(posting);
        }
        let recorded = self
            .store
            .record_contributions(ContributionBatch {
                key,
                programme: programme.id,
                kind: BatchKind::Register {
                    session: session.id,
                    confirmed_by: actor.user,
                },
                contributions,
                postings,
                at,
            })
            .await?;
        tracing::info!(session.id = %session.id, contributions = recorded.contributions.len(), replayed = recorded.replayed, "register confirmed");
        Ok(recorded)
    }

    /// A coordinator records a member's time directly; credits are issued at once.
    pub async fn record_contribution(
        &self,
        actor: &Actor,
        key: TransferId,
        record: DirectRecord,
    ) -> Result<Recorded, AppError> {
        let activity = self.activity(actor, record.activity).await?;
        self.check_confirms_hours(actor, activity.organisation, activity.programme)
            .await?;
        let programme = self.programme(activity.programme).await?;
        let member = self.member_of(record.member, programme.id).await?;
        self.check_organisation_may_earn(activity.organisation)
            .await?;
        self.check_member_may_take_part(member.id).await?;
        if let Some(session) = record.session {
            let session = self.store.activity_session(session).await?;
            if session.is_none_or(|s| s.activity != activity.id) {
                return Err(Refusal::invalid(
                    "session_not_of_activity",
                    "that session is not one of this activity's sessions; check the session id",
                )
                .into());
            }
        }
        let note = rules::check_note(&record.note, false, "note")?;
        let rules_in_force = self.rules_in_force(programme.id, record.date).await?;
        rules::check_contribution(
            record.date,
            self.programme_today(&programme),
            record.minutes,
            activity.details.earns_credits,
            &rules_in_force,
        )?;
        let at = self.now();
        let (contribution, posting) = Self::contribution_with_posting(
            actor,
            &programme,
            &activity,
            &member,
            key.0,
            key,
            at,
            ContributionShape {
                session: record.session,
                date: record.date,
                minutes: record.minutes,
                origin: ContributionOrigin::Direct,
                claim: None,
                corrects: None,
                note,
            },
        )?;
        Ok(self
            .store
            .record_contributions(ContributionBatch {
                key,
                programme: programme.id,
                kind: BatchKind::Direct,
                contributions: vec![NewContribution {
                    record: contribution,
                    daily_cap_minutes: rules_in_force.daily_cap_minutes,
                    reissue_from: self
                        .reissue_account(activity.organisation, &rules_in_force)
                        .await?,
                }],
                postings: vec![posting],
                at,
            })
            .await?)
    }

    /// A contribution: for its member, its organisation's coordinators and the programme's managers.
    pub async fn contribution(
        &self,
        actor: &Actor,
        id: ContributionId,
    ) -> Result<Contribution, AppError> {
        let contribution = self.store.contribution(id).await?;
        match contribution {
            Some(c)
                if actor.is_member(c.member)
                    || actor.coordinates(c.organisation)
                    || actor.manages(c.programme) =>
            {
                Ok(c)
            }
            _ => Err(AppError::NotFound("contribution")),
        }
    }

    /// A member claims time they gave, for a coordinator to confirm.
    pub async fn create_claim(&self, actor: &Actor, new: NewClaim) -> Result<Claim, AppError> {
        let member = actor.member.ok_or(AppError::Forbidden)?;
        let member = self
            .store
            .member(member)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let activity = self
            .store
            .activity(new.activity)
            .await?
            .filter(|a| a.programme == member.programme)
            .ok_or(AppError::NotFound("activity"))?;
        let programme = self.programme(member.programme).await?;
        let rules_in_force = self.rules_in_force(programme.id, new.date).await?;
        self.check_organisation_may_earn(activity.organisation)
            .await?;
        self.check_member_may_take_part(member.id).await?;
        let policy = self.earn_policy(activity.organisation).await?;
        rules::check_claims_allowed(&rules_in_force, &policy)?;
        rules::check_contribution(
            new.date,
            self.programme_today(&programme),
            new.minutes,
            activity.details.earns_credits,
            &rules_in_force,
        )?;
        // Checked again, inside the write, when a coordinator confirms; here
        // the member learns at once that the day is already full, counting
        // their other claims still waiting.
        let day = self.store.minutes_on_day(member.id, new.date).await?;
        rules::check_claim_fits_the_day(
            new.minutes,
            day.credited,
            day.pending_claims,
            &rules_in_force,
        )?;
        let note = rules::check_note(&new.note, false, "note")?;
        let claim = Claim {
            id: ClaimId(Uuid::now_v7()),
            programme: programme.id,
            organisation: activity.organisation,
            activity: activity.id,
            member: member.id,
            date: new.date,
            minutes: new.minutes,
            note,
            claimed_by: actor.user,
            claimed_at: self.now(),
            status: ClaimStatus::Pending,
            decided_by: None,
            decided_at: None,
            rejection_reason: None,
            contribution: None,
        };
        self.store.create_claim(&claim).await?;
        self.log_if_done_for(actor, member.id, "claim_hours")
            .await?;
        Ok(claim)
    }

    /// The actor's own claims, newest first, with their status and any reason.
    pub async fn my_claims(
        &self,
        actor: &Actor,
        before: Option<ClaimId>,
        limit: Option<u32>,
    ) -> Result<Page<Claim>, AppError> {
        let limit = page_size(limit)?;
        let member = actor.member.ok_or(AppError::Forbidden)?;
        let claims = self
            .store
            .claims(&ClaimFilter {
                member: Some(member),
                organisation: None,
                status: None,
                before,
                limit: limit + 1,
            })
            .await?;
        Ok(paged(claims, limit))
    }

    /// Claims waiting for a decision at an organisation.
    pub async fn pending_claims(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        before: Option<ClaimId>,
        limit: Option<u32>,
    ) -> Result<Page<Claim>, AppError> {
        let limit = page_size(limit)?;
        let organisation = self.organisation_for(actor, organisation).await?;
        if !Self::manages_organisation(actor, &organisation) {
            return Err(AppError::Forbidden);
        }
        let claims = self
            .store
            .claims(&ClaimFilter {
                member: None,
                organisation: Some(organisation.id),
                status: Some(ClaimStatus::Pending),
                before,
                limit: limit + 1,
            })
            .await?;
        Ok(paged(claims, limit))
    }

    /// A claim: for its member, and whoever may decide it.
    pub async fn claim(&self, actor: &Actor, id: ClaimId) -> Result<Claim, AppError> {
        let claim = self.store.claim(id).await?;
        match claim {
            Some(c)
                if actor.is_member(c.member)
                    || actor.coordinates(c.organisation)
                    || actor.manages(c.programme) =>
            {
                Ok(c)
            }
            _ => Err(AppError::NotFound("claim")),
        }
    }

    async fn claim_to_decide(&self, actor: &Actor, id: ClaimId) -> Result<Claim, AppError> {
        let claim = self.store.claim(id).await?;
        let claim = match claim {
            Some(c) if self.sees(actor, c.programme).await? => c,
            _ => return Err(AppError::NotFound("claim")),
        };
        if actor.is_member(claim.member) && !actor.manages(claim.programme) {
            // Nobody confirms their own hours.
            return Err(AppError::Forbidden);
        }
        self.check_confirms_hours(actor, claim.organisation, claim.programme)
            .await?;
        Ok(claim)
    }

    /// Confirms a claim: the contribution and its credits, in one step.
    pub async fn confirm_claim(
        &self,
        actor: &Actor,
        id: ClaimId,
        key: TransferId,
    ) -> Result<Recorded, AppError> {
        let claim = self.claim_to_decide(actor, id).await?;
        let activity = self
            .store
            .activity(claim.activity)
            .await?
            .ok_or(AppError::NotFound("activity"))?;
        self.check_organisation_may_earn(activity.organisation)
            .await?;
        let programme = self.programme(claim.programme).await?;
        let member = self.member_of(claim.member, programme.id).await?;
        let rules_in_force = self.rules_in_force(programme.id, claim.date).await?;
        let at = self.now();
        let (contribution, posting) = Self::contribution_with_posting(
            actor,
            &programme,
            &activity,
            &member,
            key.0,
            key,
            at,
            ContributionShape {
                session: None,
                date: claim.date,
                minutes: claim.minutes,
                origin: ContributionOrigin::Claim,
                claim: Some(claim.id),
                corrects: None,
                note: claim.note.clone(),
            },
        )?;
        let batch = ContributionBatch {
            key,
            programme: programme.id,
            kind: BatchKind::ConfirmClaim {
                claim: claim.id,
                decided_by: actor.user,
            },
            contributions: vec![NewContribution {
                record: contribution,
                daily_cap_minutes: rules_in_force.daily_cap_minutes,
                reissue_from: self
                    .reissue_account(activity.organisation, &rules_in_force)
                    .await?,
            }],
            postings: vec![posting],
            at,
        };
        // A retry of a confirmation already made needs no new checks.
        if claim.status == ClaimStatus::Pending {
            rules::check_contribution(
                claim.date,
                self.programme_today(&programme),
                claim.minutes,
                activity.details.earns_credits,
                &rules_in_force,
            )?;
        }
        Ok(self.store.record_contributions(batch).await?)
    }

    /// Rejects a claim with a reason the member sees.
    pub async fn reject_claim(
        &self,
        actor: &Actor,
        id: ClaimId,
        reason: &str,
    ) -> Result<Claim, AppError> {
        let claim = self.claim_to_decide(actor, id).await?;
        let reason = rules::check_note(reason, true, "reason")?;
        rules::check_claim_pending(claim.status)?;
        Ok(self
            .store
            .reject_claim(claim.id, actor.user, self.now(), &reason)
            .await?)
    }

    /// Corrects a confirmed contribution: a new contribution with its
    /// issuance, and the reversal of the old issuance, in one batch. The
    /// old contribution is never edited; the new one supersedes it.
    pub async fn correct_contribution(
        &self,
        actor: &Actor,
        id: ContributionId,
        key: TransferId,
        minutes: i64,
        reason: &str,
    ) -> Result<Recorded, AppError> {
        let original = self.store.contribution(id).await?;
        let original = match original {
            Some(c) if self.sees(actor, c.programme).await? => c,
            _ => return Err(AppError::NotFound("contribution")),
        };
        self.check_confirms_hours(actor, original.organisation, original.programme)
            .await?;
        let reason = rules::check_note(reason, true, "reason")?;
        let replay = self
            .store
            .contribution(ContributionId(key.0))
            .await?
            .is_some();
        if !replay {
            rules::check_correction(original.superseded_by.is_some(), original.minutes, minutes)?;
        }
        let activity = self
            .store
            .activity(original.activity)
            .await?
            .ok_or(AppError::NotFound("activity"))?;
        let programme = self.programme(original.programme).await?;
        let member = self.member_of(original.member, programme.id).await?;
        let rules_in_force = self.rules_in_force(programme.id, original.date).await?;
        rules::check_steps(minutes, &rules_in_force)?;
        let at = self.now();
        let (contribution, issue) = Self::contribution_with_posting(
            actor,
            &programme,
            &activity,
            &member,
            key.0,
            key,
            at,
            ContributionShape {
                session: original.session,
                date: original.date,
                minutes,
                origin: ContributionOrigin::Correction,
                claim: original.claim,
                corrects: Some(original.id),
                note: reason.clone(),
            },
        )?;
        let reversal = PostingRequest {
            id: TransferId(derived_id(key, b"reversal")),
            movement: Movement::Reverse {
                original: original.transfer,
            },
            actor: actor.ledger_id(),
            reason: format!("Corrected: {}", short(&reason, 200)),
            cause: Some(Cause {
                kind: CauseKind::Correction,
                id: contribution.id.0,
            }),
        };
        Ok(self
            .store
            .record_contributions(ContributionBatch {
                key,
                programme: programme.id,
                kind: BatchKind::Correction {
                    original: original.id,
                },
                contributions: vec![NewContribution {
                    record: contribution,
                    daily_cap_minutes: rules_in_force.daily_cap_minutes,
                    reissue_from: self
                        .reissue_account(activity.organisation, &rules_in_force)
                        .await?,
                }],
                // New issuance first, so the member's balance covers the reversal.
                postings: vec![issue, reversal],
                at,
            })
            .await?)
    }
}

/// What differs between the ways a contribution is recorded.
struct ContributionShape {
    session: Option<SessionId>,
    date: NaiveDate,
    minutes: i64,
    origin: ContributionOrigin,
    claim: Option<ClaimId>,
    corrects: Option<ContributionId>,
    note: String,
}

/// The UTC instants a programme's calendar day starts and ends.
fn day_bounds(programme: &Programme, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz = crate::rules::time_zone(programme);
    let start = |d: NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        tz.from_local_datetime(&midnight)
            .earliest()
            .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
    };
    let next = day.succ_opt().unwrap_or(day);
    (start(day), start(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let key = TransferId(Uuid::from_u128(42));
        assert_eq!(derived_id(key, b"a"), derived_id(key, b"a"));
        assert_ne!(derived_id(key, b"a"), derived_id(key, b"b"));
        assert_ne!(
            derived_id(key, b"a"),
            derived_id(TransferId(Uuid::from_u128(43)), b"a")
        );
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(None).expect("default"), 50);
        assert_eq!(page_size(Some(200)).expect("max"), 200);
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(201)).is_err());
    }
}
