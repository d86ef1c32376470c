//! The records of the spending area: offers, redemptions and refunds.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use timecredits_domain::spending::{Audience, OfferStatus, OfferTerms};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

use crate::{AppError, MemberId, MemberNumber, OrganisationId, UserId};

macro_rules! spending_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
        impl FromStr for $name {
            type Err = AppError;
            fn from_str(s: &str) -> Result<Self, AppError> {
                Uuid::try_parse(s.trim())
                    .map(Self)
                    .map_err(|_| AppError::invalid($what, "is not a valid id"))
            }
        }
    };
}

spending_id!(
    /// A spend partner's offer.
    OfferId,
    "offer id"
);
spending_id!(
    /// A redemption. It is the id of its redeem posting, which is the
    /// idempotency key the desk sent.
    RedemptionId,
    "redemption id"
);

/// What a spend partner gives for credits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub id: OfferId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub terms: OfferTerms,
    pub status: OfferStatus,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_by: UserId,
    pub updated_at: DateTime<Utc>,
    pub withdrawn_by: Option<UserId>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Which offers to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferFilter {
    pub programme: ProgrammeId,
    pub organisation: Option<OrganisationId>,
    pub audience: Option<Audience>,
    /// `None`: any status.
    pub status: Option<OfferStatus>,
    /// Only offers that run on this day.
    pub available_on: Option<NaiveDate>,
    pub after: Option<OfferId>,
    pub limit: u32,
}

/// A member spending credits on an offer, confirmed at the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redemption {
    pub id: RedemptionId,
    pub programme: ProgrammeId,
    pub organisation: OrganisationId,
    pub offer: OfferId,
    pub member: MemberId,
    pub price_minutes: i64,
    /// The redeem posting (member → organisation): the same id as the redemption.
    pub redeem_transfer: TransferId,
    /// The retire posting (organisation → retired) when the programme
    /// retires what partners receive.
    pub retire_transfer: Option<TransferId>,
    /// The programme-local day it was made on.
    pub local_date: NaiveDate,
    pub redeemed_by: UserId,
    pub redeemed_at: DateTime<Utc>,
    pub refund: Option<Refund>,
}

/// The undoing of a redemption, by reversing its postings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    /// The reversal of the redeem posting; its id is the refund's idempotency key.
    pub redeem_reversal: TransferId,
    pub retire_reversal: Option<TransferId>,
    pub refunded_by: UserId,
    pub refunded_at: DateTime<Utc>,
    pub reason: String,
}

/// What the redemption use case asks storage to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedemptionDraft {
    pub redemption: Redemption,
    /// The programme-local moment, for validity, off-peak and capacity.
    pub local_at: NaiveDateTime,
}

/// What the refund use case asks storage to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundDraft {
    pub redemption: RedemptionId,
    pub refund: Refund,
}

/// A redemption, and whether this request made it (`false`: a retry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedemptionOutcome {
    pub redemption: Redemption,
    pub new: bool,
}

/// A line of the desk's list: the redemption with what the desk shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedemptionLine {
    pub redemption: Redemption,
    pub member_name: String,
    pub member_number: MemberNumber,
    pub offer_title: String,
}

/// What desk staff see of a member they look up: nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeskMember {
    pub display_name: String,
    pub number: MemberNumber,
    pub balance_minutes: i64,
}

/// One page of a list, and the cursor for the next (`None`: the last page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}
