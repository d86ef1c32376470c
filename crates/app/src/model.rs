//! The records the application keeps beside the ledger: programmes,
//! organisations, members, users, roles, sessions and tokens.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use timecredits_ledger::{Account, AccountId, AccountKind, ProgrammeId};
use uuid::Uuid;

use crate::AppError;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
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
                Uuid::try_parse(s.trim()).map(Self).map_err(|_| AppError::invalid("id", "is not a valid id"))
            }
        }
    };
}

entity_id!(
    /// An organisation (partner) in a programme.
    OrganisationId
);
entity_id!(
    /// A member of a programme.
    MemberId
);
entity_id!(
    /// A person who can sign in.
    UserId
);

/// One locality's Time Credits scheme, with its programme-owned accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub locality: String,
    pub time_zone: String,
    pub language: String,
    pub issuance_account: AccountId,
    pub retired_account: AccountId,
    pub expired_account: AccountId,
    pub community_pot_account: AccountId,
    /// How far below zero an exchange may take a member (0: no overdraft).
    pub exchange_overdraft_minutes: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub programme: ProgrammeId,
    pub name: String,
    pub account: AccountId,
    pub pot_account: AccountId,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub programme: ProgrammeId,
    pub number: MemberNumber,
    pub display_name: String,
    pub account: AccountId,
    /// The sign-in of this member, if they have one.
    pub user: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// A member number: six digits and a Luhn check digit, printed on the
/// member's card as `123 456 7` so a typing slip is caught at the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemberNumber(u32);

impl MemberNumber {
    /// Builds the number for a six-digit base (100000..=999999).
    pub fn from_base(base: u32) -> Option<Self> {
        (100_000..=999_999)
            .contains(&base)
            .then(|| Self(base * 10 + luhn_digit(base)))
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

fn luhn_digit(base: u32) -> u32 {
    let mut sum = 0;
    let mut n = base;
    let mut double = true;
    while n > 0 {
        let mut d = n % 10;
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
        n /= 10;
    }
    (10 - sum % 10) % 10
}

impl FromStr for MemberNumber {
    type Err = AppError;
    fn from_str(s: &str) -> Result<Self, AppError> {
        let digits: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != 7 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::invalid(
                "member_number",
                "must be the 7 digits printed on the member's card",
            ));
        }
        let value: u32 = digits
            .parse()
            .map_err(|_| AppError::invalid("member_number", "must be 7 digits"))?;
        match Self::from_base(value / 10) {
            Some(n) if n.0 == value => Ok(n),
            _ => Err(AppError::invalid(
                "member_number",
                "does not check out; look again at the number on the card",
            )),
        }
    }
}

impl fmt::Display for MemberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.to_string();
        write!(f, "{} {} {}", &s[0..3], &s[3..6], &s[6..7])
    }
}

/// What a person may do, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Member,
    Coordinator,
    SpendStaff,
    ProgrammeManager,
    Evaluator,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Self::Member,
        Self::Coordinator,
        Self::SpendStaff,
        Self::ProgrammeManager,
        Self::Evaluator,
        Self::Administrator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Coordinator => "coordinator",
            Self::SpendStaff => "spend_staff",
            Self::ProgrammeManager => "programme_manager",
            Self::Evaluator => "evaluator",
            Self::Administrator => "administrator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a role applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Platform,
    Programme(ProgrammeId),
    Organisation(OrganisationId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RoleGrant {
    pub user: UserId,
    pub role: Role,
    pub scope: Scope,
}

#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Option<String>,
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: Option<String>,
    /// argon2id PHC string of the member's PIN.
    pub pin_hash: Option<String>,
    pub member: Option<MemberId>,
    pub created_at: DateTime<Utc>,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("member", &self.member)
            .field("has_password", &self.password_hash.is_some())
            .field("has_pin", &self.pin_hash.is_some())
            .finish_non_exhaustive()
    }
}

/// A signed-in browser session. Only the hash of its secret is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A bearer token for the API. Only the hash of its secret is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub token_hash: String,
    pub user: UserId,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An API token with what a request made with it needs to know of its
/// holder, read together so that each bearer request costs one read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenHolder {
    pub token: ApiTokenRecord,
    pub member: Option<MemberId>,
    /// In the order of [`CoreStore::roles`](crate::CoreStore::roles).
    pub grants: Vec<RoleGrant>,
}

/// Building records together with the accounts they own, so every caller
/// (use cases, workloads, fixtures) opens them the same way. Ids and times
/// are the caller's to choose.
impl Programme {
    /// The programme and its four programme-owned accounts: issuance,
    /// retired, expired and community pot, with ids taken in that order.
    pub fn open(
        id: ProgrammeId,
        details: &crate::NewProgramme,
        account_ids: [AccountId; 4],
        created_at: DateTime<Utc>,
    ) -> (Programme, Vec<Account>) {
        use AccountKind as K;
        let kinds = [K::Issuance, K::Retired, K::Expired, K::CommunityPot];
        let accounts: Vec<Account> = account_ids
            .iter()
            .zip(kinds)
            .map(|(&a, kind)| Account::new(a, id, kind, None))
            .collect();
        let programme = Programme {
            id,
            name: details.name.clone(),
            locality: details.locality.clone(),
            time_zone: details.time_zone.clone(),
            language: details.language.clone(),
            issuance_account: account_ids[0],
            retired_account: account_ids[1],
            expired_account: account_ids[2],
            community_pot_account: account_ids[3],
            exchange_overdraft_minutes: details.exchange_overdraft_minutes,
            created_at,
        };
        (programme, accounts)
    }
}

impl Organisation {
    /// The organisation with its holdings account and its community pot.
    pub fn open(
        id: OrganisationId,
        programme: ProgrammeId,
        name: String,
        account_ids: [AccountId; 2],
        created_at: DateTime<Utc>,
    ) -> (Organisation, Vec<Account>) {
        let accounts = vec![
            Account::new(
                account_ids[0],
                programme,
                AccountKind::Organisation,
                Some(id.0),
            ),
            Account::new(
                account_ids[1],
                programme,
                AccountKind::OrganisationPot,
                Some(id.0),
            ),
        ];
        let organisation = Organisation {
            id,
            programme,
            name,
            account: account_ids[0],
            pot_account: account_ids[1],
            created_at,
        };
        (organisation, accounts)
    }
}

impl Member {
    /// The member with their account, which gets the programme's exchange overdraft.
    pub fn open(
        id: MemberId,
        programme: &Programme,
        number: MemberNumber,
        display_name: String,
        account_id: AccountId,
        created_at: DateTime<Utc>,
    ) -> (Member, Account) {
        let mut account = Account::new(account_id, programme.id, AccountKind::Member, Some(id.0));
        account.exchange_overdraft_minutes = programme.exchange_overdraft_minutes;
        let member = Member {
            id,
            programme: programme.id,
            number,
            display_name,
            account: account_id,
            user: None,
            created_at,
        };
        (member, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_numbers_carry_a_check_digit() {
        let n = MemberNumber::from_base(123_456).expect("in range");
        assert_eq!(
            n.to_string().parse::<MemberNumber>().expect("round trip"),
            n
        );
        // Every single-digit slip is caught.
        let s = n.value().to_string();
        for pos in 0..7 {
            for d in b'0'..=b'9' {
                let mut bytes = s.clone().into_bytes();
                if bytes[pos] == d {
                    continue;
                }
                bytes[pos] = d;
                let typo = String::from_utf8(bytes).expect("ascii");
                assert!(
                    typo.parse::<MemberNumber>().is_err(),
                    "{typo} should not check out"
                );
            }
        }
        assert!(MemberNumber::from_base(99_999).is_none());
        assert!("12a4567".parse::<MemberNumber>().is_err());
    }
}
