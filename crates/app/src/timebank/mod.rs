//! Time banking: members' offers and requests, and exchanges proposed, accepted or declined.
//!
//! Members post listings to their programme's directory and propose
//! exchanges to each other. Nothing is paid until the other party accepts;
//! the acceptance and the Exchange transfer are written in one transaction.
//! Programme managers can see their programme's listings and proposals,
//! and close listings, but never answer a proposal for a member.

mod model;
mod store;

use timecredits_domain::timebank::{
    self as timebank_rules, Answer, ExchangeDirection, ListingDetails, ListingKind, ListingStatus,
    MAX_DECLINE_REASON_CHARS, MAX_NOTE_CHARS, ProposalStatus,
};
use timecredits_ledger::{
    Cause, CauseKind, Minutes, Movement, Outcome, PostingRequest, ProgrammeId, TransferId,
    TransferKind,
};
use uuid::Uuid;

pub use model::{
    DEFAULT_PAGE_SIZE, Listing, ListingId, MAX_PAGE_SIZE, Page, Proposal, ProposalId, page_size,
};
pub use store::{Acceptance, ListingQuery, Mailbox, ProposalQuery, Refusing, TimebankStore};

use crate::{Actor, App, AppError, Member, MemberId};

/// A listing as its author types it.
#[derive(Clone, Debug)]
pub struct NewListing {
    pub kind: ListingKind,
    pub category: String,
    pub title: String,
    /// Optional detail; may be empty.
    pub description: String,
    pub place: String,
}

/// Filters for the directory.
#[derive(Clone, Debug, Default)]
pub struct ListingSearch {
    /// Needed only by staff who manage more than one programme (members
    /// always search their own).
    pub programme: Option<ProgrammeId>,
    pub kind: Option<ListingKind>,
    pub category: Option<String>,
    /// Part of a place name, in any case.
    pub place: Option<String>,
    /// Members see open listings only; managers may ask for closed ones.
    pub status: Option<ListingStatus>,
    pub cursor: Option<ListingId>,
    pub limit: Option<u32>,
}

/// A proposed exchange, as the proposer makes it.
#[derive(Clone, Debug)]
pub struct NewProposal {
    /// The other member: the one helped (when the proposer bills) or the
    /// helper (when the proposer pays).
    pub counterparty: MemberId,
    pub direction: ExchangeDirection,
    pub minutes: i64,
    pub note: String,
    pub listing: Option<ListingId>,
    /// Days the proposal waits for an answer (default 14).
    pub expires_in_days: Option<i64>,
}

/// Which proposals to list.
#[derive(Clone, Debug)]
pub struct ProposalSearch {
    /// Staff view: the programme's proposals (members see only their own).
    pub programme: Option<ProgrammeId>,
    /// Staff view: only this member's proposals.
    pub member: Option<MemberId>,
    pub mailbox: Mailbox,
    pub status: Option<ProposalStatus>,
    pub cursor: Option<ProposalId>,
    pub limit: Option<u32>,
}

impl Default for ProposalSearch {
    fn default() -> Self {
        Self {
            programme: None,
            member: None,
            mailbox: Mailbox::Both,
            status: None,
            cursor: None,
            limit: None,
        }
    }
}

/// An accepted proposal and the transfer that paid it.
#[derive(Clone, Debug)]
pub struct AcceptedExchange {
    pub proposal: Proposal,
    /// `Posted` the first time, `Existing` for a retry with the same key.
    pub outcome: Outcome,
}

/// The reason written on the Exchange transfer.
fn exchange_reason(proposal: &Proposal) -> String {
    if proposal.note.is_empty() {
        "Time bank exchange".to_owned()
    } else {
        format!("Time bank exchange: {}", proposal.note)
    }
}

impl App {
    /// The member record of the person acting, or Forbidden for staff
    /// without one.
    async fn timebank_member(&self, actor: &Actor) -> Result<Member, AppError> {
        let id = actor.member.ok_or(AppError::Forbidden)?;
        self.store
            .member(id)
            .await?
            .ok_or(AppError::NotFound("member"))
    }

    /// The programme a directory or proposal list is read in, and whether
    /// the actor reads it as its manager.
    async fn timebank_programme(
        &self,
        actor: &Actor,
        requested: Option<ProgrammeId>,
    ) -> Result<(ProgrammeId, bool), AppError> {
        if let Some(p) = requested {
            if actor.manages(p) {
                return Ok((p, true));
            }
            if let Some(m) = actor.member {
                let member = self.store.member(m).await?;
                if member.is_some_and(|m| m.programme == p) {
                    return Ok((p, false));
                }
            }
            return Err(AppError::NotFound("programme"));
        }
        if actor.member.is_some() {
            let member = self.timebank_member(actor).await?;
            return Ok((member.programme, false));
        }
        let mut managed = actor.managed_programmes();
        match (managed.next(), managed.next()) {
            (Some(p), None) => Ok((p, true)),
            (Some(_), Some(_)) => Err(AppError::invalid(
                "programme",
                "is needed: you manage more than one programme, so say which one",
            )),
            (None, _) => Err(AppError::Forbidden),
        }
    }

    // -----------------------------------------------------------------------
    // Listings

    /// A member posts an offer or a request to their programme's directory.
    pub async fn create_timebank_listing(
        &self,
        actor: &Actor,
        new: NewListing,
    ) -> Result<Listing, AppError> {
        let member = self.timebank_member(actor).await?;
        let details = ListingDetails::parse(
            new.kind,
            &new.category,
            &new.title,
            &new.description,
            &new.place,
        )?;
        let listing = Listing {
            id: ListingId(Uuid::now_v7()),
            programme: member.programme,
            author: member.id,
            author_name: member.display_name,
            kind: details.kind,
            category: details.category,
            title: details.title,
            description: details.description,
            place: details.place,
            status: ListingStatus::Open,
            created_at: self.now(),
            closed_by: None,
            closed_at: None,
        };
        self.store.create_timebank_listing(&listing).await?;
        self.log_if_done_for(actor, member.id, "post_listing")
            .await?;
        tracing::info!(listing.id = %listing.id, listing.kind = listing.kind.as_str(), "time-bank listing posted");
        Ok(listing)
    }

    /// A listing its reader may see: an open one of their programme, their
    /// own, or any of a programme they manage. Anything else is not found.
    pub async fn timebank_listing(
        &self,
        actor: &Actor,
        id: ListingId,
    ) -> Result<Listing, AppError> {
        let listing = self
            .store
            .timebank_listing(id)
            .await?
            .ok_or(AppError::NotFound("listing"))?;
        if actor.manages(listing.programme) || actor.is_member(listing.author) {
            return Ok(listing);
        }
        if listing.status == ListingStatus::Open
            && let Some(m) = actor.member
            && self
                .store
                .member(m)
                .await?
                .is_some_and(|m| m.programme == listing.programme)
        {
            return Ok(listing);
        }
        Err(AppError::NotFound("listing"))
    }

    /// Its author or a programme manager closes a listing: it leaves the
    /// directory but is kept, with who closed it and when.
    pub async fn close_timebank_listing(
        &self,
        actor: &Actor,
        id: ListingId,
    ) -> Result<Listing, AppError> {
        let listing = self.timebank_listing(actor, id).await?;
        if !(actor.is_member(listing.author) || actor.manages(listing.programme)) {
            return Err(AppError::Forbidden);
        }
        if !self
            .store
            .close_timebank_listing(id, actor.user, self.now())
            .await?
        {
            return Err(timecredits_domain::Refusal::conflict(
                "listing_already_closed",
                "this listing is already closed; post a new one if you want it listed again",
            )
            .into());
        }
        if actor.is_member(listing.author) {
            self.log_if_done_for(actor, listing.author, "close_listing")
                .await?;
        }
        tracing::info!(listing.id = %id, "time-bank listing closed");
        self.store
            .timebank_listing(id)
            .await?
            .ok_or(AppError::NotFound("listing"))
    }

    /// The programme's directory: open listings (managers may also ask for
    /// closed ones), filtered by kind, category and place, newest first.
    pub async fn search_timebank_listings(
        &self,
        actor: &Actor,
        search: ListingSearch,
    ) -> Result<Page<Listing>, AppError> {
        let limit = page_size(search.limit)?;
        let (programme, as_manager) = self.timebank_programme(actor, search.programme).await?;
        let status = match search.status {
            None if as_manager => None,
            None | Some(ListingStatus::Open) => Some(ListingStatus::Open),
            Some(ListingStatus::Closed) if as_manager => Some(ListingStatus::Closed),
            Some(ListingStatus::Closed) => {
                return Err(AppError::invalid(
                    "status",
                    "can only be open in the directory; your own closed listings are under your listings",
                ));
            }
        };
        if let Some(category) = &search.category
            && !timecredits_domain::directory::is_skill_category(category)
        {
            return Err(AppError::invalid(
                "category",
                "is not one of the skill categories",
            ));
        }
        let query = ListingQuery {
            programme,
            author: None,
            kind: search.kind,
            category: search.category,
            place_key: search
                .place
                .map(|p| timebank_rules::place_key(&p))
                .filter(|p| !p.is_empty()),
            status,
            before: search.cursor,
            limit: limit + 1,
        };
        let items = self.store.search_timebank_listings(&query).await?;
        Ok(model::page(items, limit, |l| l.id.0))
    }

    /// The acting member's own listings, open and closed, newest first.
    pub async fn my_timebank_listings(
        &self,
        actor: &Actor,
        status: Option<ListingStatus>,
        cursor: Option<ListingId>,
        limit: Option<u32>,
    ) -> Result<Page<Listing>, AppError> {
        let limit = page_size(limit)?;
        let member = self.timebank_member(actor).await?;
        let query = ListingQuery {
            programme: member.programme,
            author: Some(member.id),
            kind: None,
            category: None,
            place_key: None,
            status,
            before: cursor,
            limit: limit + 1,
        };
        let items = self.store.search_timebank_listings(&query).await?;
        Ok(model::page(items, limit, |l| l.id.0))
    }

    // -----------------------------------------------------------------------
    // Proposals

    /// A member proposes an exchange to another member of their programme.
    /// Nothing is paid until the other party accepts.
    pub async fn propose_exchange(
        &self,
        actor: &Actor,
        new: NewProposal,
    ) -> Result<Proposal, AppError> {
        let me = self.timebank_member(actor).await?;
        timebank_rules::check_parties(me.id.0, new.counterparty.0)?;
        let other = self
            .store
            .member(new.counterparty)
            .await?
            .filter(|m| m.programme == me.programme)
            .ok_or(AppError::NotFound("member"))?;
        // Both must be approved members before time is traded between them.
        self.check_member_may_take_part(me.id).await?;
        self.check_member_may_take_part(other.id).await?;
        let programme = self.programme(me.programme).await?;
        let in_force = self
            .rules_in_force(programme.id, self.programme_today(&programme))
            .await?;
        timebank_rules::check_exchange_minutes(new.minutes, &in_force)?;
        let note = timebank_rules::check_text("note_too_long", "note", &new.note, MAX_NOTE_CHARS)?;
        if let Some(listing) = new.listing {
            // A listing closed since the proposer saw it is named as closed,
            // not hidden: it is of their own programme.
            let listing = self
                .store
                .timebank_listing(listing)
                .await?
                .filter(|l| l.programme == me.programme)
                .ok_or(AppError::NotFound("listing"))?;
            if listing.status != ListingStatus::Open {
                return Err(timecredits_domain::Refusal::conflict(
                    "listing_closed",
                    "that listing is closed; propose the exchange without it",
                )
                .into());
            }
            let parties = new.direction.parties(me.id.0, other.id.0);
            timebank_rules::check_listing_fits(listing.kind, listing.author.0, parties)?;
        }
        let now = self.now();
        let proposal = Proposal {
            id: ProposalId(Uuid::now_v7()),
            programme: programme.id,
            proposer: me.id,
            counterparty: other.id,
            direction: new.direction,
            minutes: new.minutes,
            note,
            listing: new.listing,
            created_at: now,
            expires_at: timebank_rules::proposal_expiry(now, new.expires_in_days)?,
            status: ProposalStatus::Open,
            answered_by: None,
            answered_at: None,
            decline_reason: None,
            transfer: None,
        };
        self.store.create_exchange_proposal(&proposal).await?;
        self.log_if_done_for(actor, me.id, "propose_exchange")
            .await?;
        tracing::info!(proposal.id = %proposal.id, "time-bank exchange proposed");
        Ok(proposal)
    }

    /// A proposal its reader may see: one of its two members, or a manager
    /// of its programme. Anyone else is told it does not exist.
    pub async fn exchange_proposal(
        &self,
        actor: &Actor,
        id: ProposalId,
    ) -> Result<Proposal, AppError> {
        let proposal = self
            .store
            .exchange_proposal(id)
            .await?
            .ok_or(AppError::NotFound("proposal"))?;
        let party = actor.is_member(proposal.proposer) || actor.is_member(proposal.counterparty);
        if party || actor.manages(proposal.programme) {
            Ok(proposal)
        } else {
            Err(AppError::NotFound("proposal"))
        }
    }

    /// The member answering: one of the two parties. A manager who can see
    /// the proposal may not answer it for them.
    async fn exchange_party(
        &self,
        actor: &Actor,
        id: ProposalId,
    ) -> Result<(Proposal, MemberId), AppError> {
        let proposal = self.exchange_proposal(actor, id).await?;
        match actor.member {
            Some(m) if m == proposal.proposer || m == proposal.counterparty => Ok((proposal, m)),
            _ => Err(AppError::Forbidden),
        }
    }

    /// The other party accepts: in one transaction the proposal is marked
    /// accepted and the one helped pays the helper. `key` (the request's
    /// idempotency key) is the transfer's id: a retry returns the same.
    pub async fn accept_exchange(
        &self,
        actor: &Actor,
        id: ProposalId,
        key: TransferId,
    ) -> Result<AcceptedExchange, AppError> {
        let (proposal, me) = self.exchange_party(actor, id).await?;
        let now = self.now();
        let retry = proposal.transfer == Some(key);
        if !retry {
            // Answered early for a clear message; checked again under lock.
            timebank_rules::check_answer(&proposal.state(), Answer::Accept, me.0, now)?;
        }
        let helper = self.store.member(proposal.helper()).await?;
        let helped = self.store.member(proposal.helped()).await?;
        let (Some(helper), Some(helped)) = (helper, helped) else {
            return Err(AppError::NotFound("member"));
        };
        let programme = self.programme(proposal.programme).await?;
        let overdraft = self
            .rules_in_force(programme.id, self.programme_today(&programme))
            .await?
            .exchange_overdraft_minutes;
        let payer = self
            .store
            .account(helped.account)
            .await?
            .ok_or(AppError::NotFound("account"))?;
        if payer.account.exchange_overdraft_minutes != overdraft {
            self.store
                .set_exchange_overdraft(helped.account, overdraft)
                .await?;
        }
        let posting = PostingRequest {
            id: key,
            movement: Movement::Move {
                kind: TransferKind::Exchange,
                debit: helped.account,
                credit: helper.account,
                amount: Minutes::for_transfer(proposal.minutes)?,
            },
            actor: actor.ledger_id(),
            reason: exchange_reason(&proposal),
            cause: Some(Cause {
                kind: CauseKind::Exchange,
                id: proposal.id.0,
            }),
        };
        let (proposal, outcome) = self
            .store
            .accept_exchange_proposal(Acceptance {
                proposal: id,
                by: me,
                user: actor.user,
                posting,
                at: now,
            })
            .await?;
        if outcome.is_new() {
            self.log_if_done_for(actor, me, "accept_exchange").await?;
            tracing::info!(proposal.id = %id, transfer.id = %key, "time-bank exchange accepted and paid");
        }
        Ok(AcceptedExchange { proposal, outcome })
    }

    /// The other party declines, optionally saying why. Kept, with who and when.
    pub async fn decline_exchange(
        &self,
        actor: &Actor,
        id: ProposalId,
        reason: Option<String>,
    ) -> Result<Proposal, AppError> {
        let reason = reason
            .map(|r| {
                timebank_rules::check_text(
                    "reason_too_long",
                    "reason",
                    &r,
                    MAX_DECLINE_REASON_CHARS,
                )
            })
            .transpose()?
            .filter(|r| !r.is_empty());
        self.refuse_exchange(actor, id, Answer::Decline, reason)
            .await
    }

    /// The proposer takes a proposal back before it is answered.
    pub async fn withdraw_exchange(
        &self,
        actor: &Actor,
        id: ProposalId,
    ) -> Result<Proposal, AppError> {
        self.refuse_exchange(actor, id, Answer::Withdraw, None)
            .await
    }

    async fn refuse_exchange(
        &self,
        actor: &Actor,
        id: ProposalId,
        answer: Answer,
        reason: Option<String>,
    ) -> Result<Proposal, AppError> {
        let (proposal, me) = self.exchange_party(actor, id).await?;
        let now = self.now();
        timebank_rules::check_answer(&proposal.state(), answer, me.0, now)?;
        let proposal = self
            .store
            .refuse_exchange_proposal(Refusing {
                proposal: id,
                answer,
                by: me,
                user: actor.user,
                reason,
                at: now,
            })
            .await?;
        let action = match answer {
            Answer::Accept => "accept_exchange",
            Answer::Decline => "decline_exchange",
            Answer::Withdraw => "withdraw_exchange",
        };
        self.log_if_done_for(actor, me, action).await?;
        tracing::info!(proposal.id = %id, proposal.status = proposal.status.as_str(), "time-bank proposal answered");
        Ok(proposal)
    }

    /// Proposals, newest first: a member's own (incoming, outgoing or
    /// both), or for a manager their programme's, optionally one member's.
    pub async fn exchange_proposals(
        &self,
        actor: &Actor,
        search: ProposalSearch,
    ) -> Result<Page<Proposal>, AppError> {
        let limit = page_size(search.limit)?;
        let (programme, as_manager) = self.timebank_programme(actor, search.programme).await?;
        let member = if as_manager {
            match search.member {
                Some(m) => {
                    let found = self.store.member(m).await?;
                    let m = found
                        .filter(|m| m.programme == programme)
                        .ok_or(AppError::NotFound("member"))?;
                    Some((m.id, search.mailbox))
                }
                None => None,
            }
        } else {
            let me = self.timebank_member(actor).await?;
            if search.member.is_some_and(|m| m != me.id) {
                return Err(AppError::Forbidden);
            }
            Some((me.id, search.mailbox))
        };
        let query = ProposalQuery {
            programme,
            member,
            status: search.status,
            now: self.now(),
            before: search.cursor,
            limit: limit + 1,
        };
        let items = self.store.search_exchange_proposals(&query).await?;
        Ok(model::page(items, limit, |p| p.id.0))
    }
}
