//! Identifiers. The core never creates one: they are parsed or passed in.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::LedgerError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = LedgerError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::try_parse(s.trim())
                    .map(Self)
                    .map_err(|_| LedgerError::MalformedId { what: $what, value: s.chars().take(64).collect() })
            }
        }
    };
}

uuid_id!(
    /// A transfer's id, chosen by the client. It is also the idempotency key.
    TransferId, "transfer id"
);
uuid_id!(
    /// An account in the ledger.
    AccountId, "account id"
);
uuid_id!(
    /// A programme: one locality's scheme. Its ledger is separate from others.
    ProgrammeId, "programme id"
);
uuid_id!(
    /// The user on whose authority a transfer was made.
    ActorId, "actor id"
);
