//! Time banking: members' offers and requests, and exchange proposals between members.
