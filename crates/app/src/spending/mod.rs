//! Spend partners' offers, redemptions at the desk, refunds, and gifts to and from community pots.
//!
//! Who may do what: spend-partner staff manage their own organisation's
//! offers, look members up, redeem and refund at its desk and see its
//! redemptions; programme managers may do all of that in their programme;
//! members see the active offers of their programme. A caller who may not
//! even know a record exists (another programme's) gets `not_found`.

mod gifts;
mod model;
mod offers;
mod redemptions;
mod store;

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use timecredits_domain::spending::{is_card_payload, parse_card_payload};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

pub use gifts::{PotGiftRequest, PotPayoutRequest};
pub use model::{
    DeskMember, Offer, OfferFilter, OfferId, Page, Redemption, RedemptionDraft, RedemptionId,
    RedemptionLine, RedemptionOutcome, Refund, RefundDraft,
};
pub use offers::{NewOffer, OfferQuery, StatusFilter};
pub use redemptions::{RedeemOfferRequest, RefundRequest};
pub use store::SpendingStore;

use crate::{Actor, App, AppError, Member, MemberId, MemberNumber, Organisation, Programme, Scope};

/// Lists answer 50 items unless asked for fewer or more, and never more than 200.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// How desk staff name a member: the id, the 7-digit number on the card,
/// or the QR payload on the card or phone (`TC1:<7 digits>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberLookup {
    Id(MemberId),
    Number(MemberNumber),
}

impl MemberLookup {
    pub fn parse(input: &str) -> Result<Self, AppError> {
        if is_card_payload(input) {
            let digits = parse_card_payload(input)?;
            return Ok(Self::Number(format!("{digits:07}").parse()?));
        }
        if let Ok(id) = Uuid::try_parse(input.trim()) {
            return Ok(Self::Id(MemberId(id)));
        }
        Ok(Self::Number(input.parse()?))
    }
}

/// The id of a second posting made with the one whose id the client chose
/// (the retire beside a redeem, and its reversal beside a refund): derived
/// from the key, so a retried request names the same postings.
pub fn derived_transfer_id(key: TransferId, purpose: &str) -> TransferId {
    let mut hash = Sha256::new();
    hash.update(b"timecredits.spending.");
    hash.update(purpose.as_bytes());
    hash.update(key.0.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // A version-8 (custom) UUID with the RFC 9562 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    TransferId(Uuid::from_bytes(bytes))
}

/// Reads `?limit=`: 50 when absent, 1 to 200 otherwise.
pub fn page_limit(limit: Option<u32>) -> Result<u32, AppError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        )),
    }
}

fn bad_cursor() -> AppError {
    AppError::invalid(
        "cursor",
        "is not a cursor this list gave out; start again without it",
    )
}

/// Cuts a page fetched with one item more than `limit` and names the cursor.
fn page<T>(mut items: Vec<T>, limit: u32, cursor: impl Fn(&T) -> String) -> Page<T> {
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(cursor) } else { None };
    Page { items, next_cursor }
}

impl App {
    /// The programme-local date and time now.
    fn spending_programme_local_now(&self, programme: &Programme) -> NaiveDateTime {
        self.now()
            .with_timezone(&crate::rules::time_zone(programme))
            .naive_local()
    }

    /// Whether the actor has any part in the programme: they manage it, are
    /// a member of it, or are staff of one of its organisations.
    async fn spending_takes_part_in(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<bool, AppError> {
        if actor.manages(programme) {
            return Ok(true);
        }
        if let Some(m) = actor.member
            && self
                .store
                .member(m)
                .await?
                .is_some_and(|m| m.programme == programme)
        {
            return Ok(true);
        }
        for grant in &actor.grants {
            if let Scope::Organisation(o) = grant.scope
                && self
                    .store
                    .organisation(o)
                    .await?
                    .is_some_and(|o| o.programme == programme)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Refuses an actor who may not work at this organisation's desk:
    /// `forbidden` within the programme, `not_found` from outside it.
    async fn spending_check_desk(
        &self,
        actor: &Actor,
        organisation: &Organisation,
        what: &'static str,
    ) -> Result<(), AppError> {
        if actor.serves_desk(organisation.id) || actor.manages(organisation.programme) {
            return Ok(());
        }
        if self
            .spending_takes_part_in(actor, organisation.programme)
            .await?
        {
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound(what))
        }
    }

    async fn spending_organisation_record(
        &self,
        id: crate::OrganisationId,
    ) -> Result<Organisation, AppError> {
        self.store
            .organisation(id)
            .await?
            .ok_or(AppError::NotFound("organisation"))
    }

    /// The member named at the desk, if they belong to `programme`.
    async fn spending_member_in(
        &self,
        lookup: MemberLookup,
        programme: ProgrammeId,
    ) -> Result<Member, AppError> {
        let member = match lookup {
            MemberLookup::Id(id) => self.store.member(id).await?,
            MemberLookup::Number(n) => self.store.member_by_number(n).await?,
        };
        member
            .filter(|m| m.programme == programme)
            .ok_or(AppError::NotFound("member"))
    }

    /// Desk staff look a member up by number or QR payload: name, number
    /// and balance, nothing more.
    pub async fn find_member_at_desk(
        &self,
        actor: &Actor,
        organisation: crate::OrganisationId,
        lookup: MemberLookup,
    ) -> Result<DeskMember, AppError> {
        let organisation = self.spending_organisation_record(organisation).await?;
        self.spending_check_desk(actor, &organisation, "organisation")
            .await?;
        let member = self
            .spending_member_in(lookup, organisation.programme)
            .await?;
        let balance = self
            .store
            .account(member.account)
            .await?
            .and_then(|a| a.balance_minutes)
            .unwrap_or(0);
        Ok(DeskMember {
            display_name: member.display_name,
            number: member.number,
            balance_minutes: balance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_distinct() {
        let key = TransferId(Uuid::from_u128(42));
        let a = derived_transfer_id(key, "retire");
        assert_eq!(a, derived_transfer_id(key, "retire"));
        assert_ne!(a, derived_transfer_id(key, "retire-reversal"));
        assert_ne!(a, key);
        assert_eq!(a.0.get_version_num(), 8);
    }

    #[test]
    fn members_are_named_by_id_number_or_card_payload() {
        let n = MemberNumber::from_base(123_456).expect("in range");
        let digits = n.value().to_string();
        assert_eq!(
            MemberLookup::parse(&digits).expect("number"),
            MemberLookup::Number(n)
        );
        assert_eq!(
            MemberLookup::parse(&format!("TC1:{digits}")).expect("payload"),
            MemberLookup::Number(n)
        );
        let id = Uuid::from_u128(7);
        assert_eq!(
            MemberLookup::parse(&id.to_string()).expect("id"),
            MemberLookup::Id(MemberId(id))
        );
        assert_eq!(
            MemberLookup::parse("TC1:12").expect_err("bad").code(),
            "bad_card_payload"
        );
        assert_eq!(
            MemberLookup::parse("hello").expect_err("bad").code(),
            "invalid_input"
        );
    }

    #[test]
    fn pages_carry_a_cursor_only_when_more_remain() {
        let p = page(vec![1, 2, 3], 2, |n: &i32| n.to_string());
        assert_eq!((p.items, p.next_cursor), (vec![1, 2], Some("2".into())));
        let p = page(vec![1, 2], 2, |n: &i32| n.to_string());
        assert_eq!(p.next_cursor, None);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(201)).is_err());
        assert_eq!(page_limit(None).expect("default"), 50);
    }
}
