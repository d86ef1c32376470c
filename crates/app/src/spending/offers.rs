//! Publishing, changing, withdrawing and reading offers.

use chrono::NaiveDate;
use timecredits_domain::spending::{Audience, OfferStatus, OfferTerms, check_not_withdrawn};
use timecredits_ledger::ProgrammeId;
use uuid::Uuid;

use super::model::{Offer, OfferFilter, OfferId, Page};
use super::{bad_cursor, page, page_limit};
use crate::{Actor, App, AppError, OrganisationId, Scope};

/// A new offer of an organisation.
#[derive(Clone, Debug)]
pub struct NewOffer {
    pub organisation: OrganisationId,
    pub terms: OfferTerms,
}

/// Which offers have which status to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    Active,
    Withdrawn,
    All,
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "withdrawn" => Some(Self::Withdrawn),
            "all" => Some(Self::All),
            _ => None,
        }
    }
}

/// A request for a page of offers. Without an organisation or programme,
/// the caller's own programme.
#[derive(Clone, Debug, Default)]
pub struct OfferQuery {
    pub programme: Option<ProgrammeId>,
    pub organisation: Option<OrganisationId>,
    pub audience: Option<Audience>,
    /// Members and staff of other organisations only ever see active offers.
    pub status: StatusFilter,
    pub available_on: Option<NaiveDate>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl App {
    /// Spend-partner staff (of that organisation) or the programme's
    /// managers publish an offer.
    pub async fn publish_spend_offer(
        &self,
        actor: &Actor,
        new: NewOffer,
    ) -> Result<Offer, AppError> {
        let organisation = self.spending_organisation_record(new.organisation).await?;
        self.spending_check_desk(actor, &organisation, "organisation")
            .await?;
        self.check_organisation_may_spend(organisation.id).await?;
        let terms = new.terms.checked()?;
        let now = self.now();
        let offer = Offer {
            id: OfferId(Uuid::now_v7()),
            programme: organisation.programme,
            organisation: organisation.id,
            terms,
            status: OfferStatus::Active,
            created_by: actor.user,
            created_at: now,
            updated_by: actor.user,
            updated_at: now,
            withdrawn_by: None,
            withdrawn_at: None,
        };
        self.store.create_spend_offer(&offer).await?;
        tracing::info!(offer.id = %offer.id, organisation.id = %organisation.id, "offer published");
        Ok(offer)
    }

    /// The offer, if the actor may manage it.
    async fn spending_managed_offer(&self, actor: &Actor, id: OfferId) -> Result<Offer, AppError> {
        let offer = self
            .store
            .spend_offer(id)
            .await?
            .ok_or(AppError::NotFound("offer"))?;
        let organisation = self
            .spending_organisation_record(offer.organisation)
            .await?;
        self.spending_check_desk(actor, &organisation, "offer")
            .await?;
        Ok(offer)
    }

    /// Changes what an active offer says; redemptions already made keep the
    /// price they were made at.
    pub async fn update_spend_offer(
        &self,
        actor: &Actor,
        id: OfferId,
        terms: OfferTerms,
    ) -> Result<Offer, AppError> {
        let offer = self.spending_managed_offer(actor, id).await?;
        check_not_withdrawn(offer.status)?;
        let terms = terms.checked()?;
        Ok(self
            .store
            .update_spend_offer_terms(id, &terms, actor.user, self.now())
            .await?)
    }

    /// Takes an offer down. It stays on record with who withdrew it and when.
    pub async fn withdraw_spend_offer(
        &self,
        actor: &Actor,
        id: OfferId,
    ) -> Result<Offer, AppError> {
        let offer = self.spending_managed_offer(actor, id).await?;
        check_not_withdrawn(offer.status)?;
        let offer = self
            .store
            .withdraw_spend_offer(id, actor.user, self.now())
            .await?;
        tracing::info!(offer.id = %offer.id, "offer withdrawn");
        Ok(offer)
    }

    /// Whether the actor sees withdrawn offers of this organisation too.
    fn spending_staff_of(
        actor: &Actor,
        programme: ProgrammeId,
        organisation: OrganisationId,
    ) -> bool {
        actor.manages(programme)
            || actor.serves_desk(organisation)
            || actor.coordinates(organisation)
    }

    /// One offer: active ones for anyone in the programme, withdrawn ones
    /// for the organisation's staff and the managers.
    pub async fn spend_offer(&self, actor: &Actor, id: OfferId) -> Result<Offer, AppError> {
        let offer = self
            .store
            .spend_offer(id)
            .await?
            .ok_or(AppError::NotFound("offer"))?;
        let visible = if Self::spending_staff_of(actor, offer.programme, offer.organisation) {
            true
        } else {
            offer.status == OfferStatus::Active
                && self.spending_takes_part_in(actor, offer.programme).await?
        };
        if visible {
            Ok(offer)
        } else {
            Err(AppError::NotFound("offer"))
        }
    }

    /// The programme whose offers a query lists, when it names none.
    async fn spending_own_programme(&self, actor: &Actor) -> Result<Option<ProgrammeId>, AppError> {
        if let Some(m) = actor.member
            && let Some(member) = self.store.member(m).await?
        {
            return Ok(Some(member.programme));
        }
        if let Some(p) = actor.managed_programmes().next() {
            return Ok(Some(p));
        }
        for grant in &actor.grants {
            if let Scope::Organisation(o) = grant.scope
                && let Some(org) = self.store.organisation(o).await?
            {
                return Ok(Some(org.programme));
            }
        }
        Ok(None)
    }

    /// A page of offers, in the order they were published.
    pub async fn spend_offers(
        &self,
        actor: &Actor,
        query: OfferQuery,
    ) -> Result<Page<Offer>, AppError> {
        let limit = page_limit(query.limit)?;
        let after = query
            .cursor
            .as_deref()
            .map(|c| c.parse::<OfferId>().map_err(|_| bad_cursor()))
            .transpose()?;
        let (programme, staff) = match query.organisation {
            Some(o) => {
                let org = self
                    .store
                    .organisation(o)
                    .await?
                    .filter(|org| query.programme.is_none_or(|p| p == org.programme))
                    .ok_or(AppError::NotFound("organisation"))?;
                (
                    org.programme,
                    Self::spending_staff_of(actor, org.programme, org.id),
                )
            }
            None => {
                let programme = match query.programme {
                    Some(p) => p,
                    None => self.spending_own_programme(actor).await?.ok_or_else(|| {
                        AppError::invalid(
                            "programme",
                            "is missing; name the programme or organisation whose offers to list",
                        )
                    })?,
                };
                (programme, actor.manages(programme))
            }
        };
        if !self.spending_takes_part_in(actor, programme).await? {
            return Err(AppError::NotFound(if query.organisation.is_some() {
                "organisation"
            } else {
                "programme"
            }));
        }
        let status = match (staff, query.status) {
            (false, _) | (true, StatusFilter::Active) => Some(OfferStatus::Active),
            (true, StatusFilter::Withdrawn) => Some(OfferStatus::Withdrawn),
            (true, StatusFilter::All) => None,
        };
        let filter = OfferFilter {
            programme,
            organisation: query.organisation,
            audience: query.audience,
            status,
            available_on: query.available_on,
            after,
            limit: limit + 1,
        };
        let offers = self.store.spend_offers(&filter).await?;
        Ok(page(offers, limit, |o: &Offer| o.id.to_string()))
    }
}
