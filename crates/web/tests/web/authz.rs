//! The authorisation table: for every API operation and every kind of
//! caller, whether the call is allowed. One test walks the whole table
//! against the running app, checks that every documented operation has a
//! row, and keeps `docs/authorization.md` (the same table, for people)
//! in step with it.
//!
//! "Allowed" means the answer is not 401, 403 or 404: the call got past
//! the checks of who may do what (it may still be refused for its content
//! or the state of things, with 409 or 422). "Denied" means 401, 403 or
//! 404: data the caller may not see is not even admitted to exist.
//!
//! So that "allowed" is not won by a request nobody could make, every
//! row's request must succeed (2xx) for at least one allowed caller, no
//! caller may get 400 (a malformed request) or a server error, and an
//! anonymous caller who is refused must be told 401. The
//! walk calls the callers of a row in the order of [`EVERYONE`], and the
//! rows in table order: a row whose success changes state (an approval, a
//! withdrawal, a suspension) acts on a resource of its own, so that a
//! later caller is refused or allowed for who they are (a second approval
//! answers 409, which counts as allowed), never because an earlier row
//! hid the resource.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use timecredits_app::activities::{SessionId, SignUp, SignUpId};
use timecredits_app::evaluation::CONSENT_WORDING;
use timecredits_app::{MemberId, NewOrganisation, NewProgramme, Role, Scope, fixtures};
use timecredits_domain::activity::SignUpStatus;
use uuid::Uuid;

use crate::support::{MANAGER_EMAIL, MANAGER_PASSWORD, PIN, TestApp, TestResponse, bearer};

/// Every kind of caller the table has a column for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Anonymous,
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
}

use Who::*;

const EVERYONE: &[Who] = &[
    Anonymous,
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
];
const SIGNED_IN: &[Who] = &[
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    OtherManager,
    Evaluator,
    Admin,
];

impl Who {
    fn heading(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            Member => "member (self)",
            CoordinatorHere => "coordinator of this organisation",
            CoordinatorElsewhere => "coordinator of another organisation",
            SpendStaff => "spend staff",
            Manager => "programme manager",
            OtherManager => "manager of another programme",
            Evaluator => "evaluator",
            Admin => "administrator",
        }
    }
}

/// The programme's participants: its members and staff (not evaluators,
/// who see aggregated data only, nor administrators).
const PARTICIPANTS: &[Who] = &[
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
];
/// Everyone in the programme, and the platform's administrators.
const IN_PROGRAMME_AND_ADMIN: &[Who] = &[
    Member,
    CoordinatorHere,
    CoordinatorElsewhere,
    SpendStaff,
    Manager,
    Evaluator,
    Admin,
];
/// The organisation's coordinators and the programme's managers.
const ORGANISATION_TEAM: &[Who] = &[CoordinatorHere, Manager];
/// The organisation's spend desk and the programme's managers.
const DESK: &[Who] = &[SpendStaff, Manager];
/// The member themself, the coordinators of an organisation they belong
/// to, and the programme's managers.
const MEMBER_AND_TEAM: &[Who] = &[Member, CoordinatorHere, Manager];
const MEMBER_AND_MANAGER: &[Who] = &[Member, Manager];
const MEMBER_ONLY: &[Who] = &[Member];
const MANAGER_ONLY: &[Who] = &[Manager];

/// The ids a row's path and body may name, all in programme A: its
/// organisation "here" (earn and spend partner) is the coordinator's, the
/// desk's and Alice's (the member); "elsewhere" is the other coordinator's.
pub struct World {
    pub app: TestApp,
    pub tokens: BTreeMap<Who, String>,
    /// `{name}` in a row's path is replaced by `ids[name]`.
    pub ids: BTreeMap<&'static str, String>,
}

impl World {
    /// An id of the world, by its placeholder name.
    pub fn id(&self, name: &str) -> &str {
        self.ids
            .get(name)
            .unwrap_or_else(|| panic!("the world has no {{{name}}}"))
    }
}

/// One row of the table.
pub struct Row {
    pub operation_id: &'static str,
    pub method: &'static str,
    /// With `{name}` replaced by the world's id of that name (see `World::ids`).
    pub path: &'static str,
    /// A JSON body; a JSON string is sent as a `text/csv` file instead.
    pub body: fn(&World) -> Option<Value>,
    pub allowed: &'static [Who],
}

fn no_body(_: &World) -> Option<Value> {
    None
}

/// A day `days_ago` days before today (UTC), as `YYYY-MM-DD`. Two days or
/// more back is in the past in the programme's time zone too.
fn day(days_ago: i64) -> String {
    (Utc::now().date_naive() - Duration::days(days_ago))
        .format("%Y-%m-%d")
        .to_string()
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The table. Keep one row per API operation.
pub fn table() -> Vec<Row> {
    vec![
        // ------------------------------------------------------------------
        // Identity and the ledger
        Row {
            operation_id: "create_token",
            method: "POST",
            path: "/api/v1/tokens",
            body: |w| Some(json!({ "login": w.id("alice_number"), "secret": PIN })),
            allowed: EVERYONE,
        },
        Row {
            operation_id: "get_me",
            method: "GET",
            path: "/api/v1/me",
            body: no_body,
            allowed: SIGNED_IN,
        },
        Row {
            operation_id: "get_account_statement",
            method: "GET",
            path: "/api/v1/accounts/{account}/statement",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "give_gift",
            method: "POST",
            path: "/api/v1/gifts",
            body: |w| Some(json!({ "to_member": w.id("bob"), "minutes": 1 })),
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "reverse_transfer",
            method: "POST",
            path: "/api/v1/transfers/{transfer}/reversal",
            body: |_| Some(json!({ "reason": "entered twice" })),
            allowed: MANAGER_ONLY,
        },
        // ------------------------------------------------------------------
        // Programmes: administrators open them and name their managers
        Row {
            operation_id: "create_programme",
            method: "POST",
            path: "/api/v1/programmes",
            body: |_| {
                Some(json!({
                    "name": "Marshfield Time Credits", "locality": "Marshfield",
                    "time_zone": "Europe/London", "language": "en"
                }))
            },
            allowed: &[Admin],
        },
        // Each caller sees the programmes they take part in (the manager of
        // another programme sees theirs, not this one).
        Row {
            operation_id: "list_programmes",
            method: "GET",
            path: "/api/v1/programmes",
            body: no_body,
            allowed: SIGNED_IN,
        },
        Row {
            operation_id: "get_programme",
            method: "GET",
            path: "/api/v1/programmes/{programme}",
            body: no_body,
            allowed: IN_PROGRAMME_AND_ADMIN,
        },
        // An evaluator's sign-in: by the programme's manager or an
        // administrator (the second gets 409, the email being taken).
        Row {
            operation_id: "add_programme_staff",
            method: "POST",
            path: "/api/v1/programmes/{programme}/staff",
            body: |_| {
                Some(json!({
                    "email": "new-evaluator@example.org", "display_name": "Eve Evaluator",
                    "password": "a long evaluator password", "role": "evaluator"
                }))
            },
            allowed: &[Manager, Admin],
        },
        // ------------------------------------------------------------------
        // Rules and reports
        Row {
            operation_id: "list_programme_rules",
            method: "GET",
            path: "/api/v1/programmes/{programme}/rules",
            body: no_body,
            // Administrators open programmes and may read their rules.
            allowed: &[
                Member,
                CoordinatorHere,
                CoordinatorElsewhere,
                SpendStaff,
                Manager,
                Evaluator,
                Admin,
            ],
        },
        Row {
            operation_id: "change_programme_rules",
            method: "POST",
            path: "/api/v1/programmes/{programme}/rules",
            body: |_| {
                let day = (Utc::now().date_naive() + Duration::days(400))
                    .format("%Y-%m-%d")
                    .to_string();
                Some(json!({
                    "effective_from": day, "granularity_minutes": 15, "daily_cap_minutes": 720,
                    "members_may_claim": true, "exchange_overdraft_minutes": 0, "expiry_months": null,
                    "partner_receipts": "retire"
                }))
            },
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "programme_circulation",
            method: "GET",
            path: "/api/v1/programmes/{programme}/circulation",
            body: no_body,
            allowed: &[Manager, Evaluator],
        },
        Row {
            operation_id: "get_analytics_report",
            method: "GET",
            path: "/api/v1/programmes/{programme}/reports/reach",
            body: no_body,
            allowed: &[Manager, Evaluator],
        },
        Row {
            operation_id: "run_credit_expiry",
            method: "POST",
            path: "/api/v1/programmes/{programme}/expiry-runs",
            body: no_body,
            allowed: MANAGER_ONLY,
        },
        // ------------------------------------------------------------------
        // Directory: organisations
        Row {
            operation_id: "create_organisation",
            method: "POST",
            path: "/api/v1/programmes/{programme}/organisations",
            body: |_| {
                Some(
                    json!({ "name": "Riverside Lunch Club", "kind": "community_group", "roles": "both" }),
                )
            },
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "list_organisations",
            method: "GET",
            path: "/api/v1/programmes/{programme}/organisations",
            body: no_body,
            allowed: IN_PROGRAMME_AND_ADMIN,
        },
        Row {
            operation_id: "get_organisation",
            method: "GET",
            path: "/api/v1/organisations/{organisation}",
            body: no_body,
            allowed: IN_PROGRAMME_AND_ADMIN,
        },
        Row {
            operation_id: "update_organisation",
            method: "PATCH",
            path: "/api/v1/organisations/{organisation}",
            body: |_| Some(json!({ "name": "Here Hall", "postcode": "PE15 8AA" })),
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "get_earn_policy",
            method: "GET",
            path: "/api/v1/organisations/{organisation}/earn-policy",
            body: no_body,
            allowed: IN_PROGRAMME_AND_ADMIN,
        },
        Row {
            operation_id: "set_earn_policy",
            method: "PUT",
            path: "/api/v1/organisations/{organisation}/earn-policy",
            body: |_| {
                Some(json!({ "members_may_claim": true, "hours_confirmed_by": "coordinators" }))
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "list_staff",
            method: "GET",
            path: "/api/v1/organisations/{organisation}/staff",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "add_staff",
            method: "POST",
            path: "/api/v1/organisations/{organisation}/staff",
            body: |_| {
                Some(json!({
                    "email": "added@example.org", "display_name": "Added Staff",
                    "password": "a long staff password", "role": "spend_staff"
                }))
            },
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "remove_staff",
            method: "DELETE",
            path: "/api/v1/organisations/{organisation}/staff/{spare_staff}/spend_staff",
            body: no_body,
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "list_organisation_members",
            method: "GET",
            path: "/api/v1/organisations/{organisation}/members",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        // ------------------------------------------------------------------
        // Directory: members and registrations
        Row {
            operation_id: "set_self_registration",
            method: "PUT",
            path: "/api/v1/programmes/{programme}/self-registration",
            body: |_| Some(json!({ "self_registration": "needs_approval" })),
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "register_member",
            method: "POST",
            path: "/api/v1/programmes/{programme}/members",
            body: |w| {
                Some(
                    json!({ "display_name": "Rowan Registered", "organisation": w.id("organisation") }),
                )
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "self_register",
            method: "POST",
            path: "/api/v1/programmes/{programme}/registrations",
            body: |_| Some(json!({ "display_name": "Dana Doe", "pin": "4071" })),
            allowed: EVERYONE,
        },
        Row {
            operation_id: "list_pending_registrations",
            method: "GET",
            path: "/api/v1/programmes/{programme}/registrations?organisation={organisation}",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "approve_registration",
            method: "POST",
            path: "/api/v1/members/{pending_to_approve}/registration/approval",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "decline_registration",
            method: "POST",
            path: "/api/v1/members/{pending_to_decline}/registration/decline",
            body: |_| Some(json!({ "reason": "registered twice" })),
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "get_member_profile",
            method: "GET",
            path: "/api/v1/members/{member}/profile",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "update_member_profile",
            method: "PATCH",
            path: "/api/v1/members/{member}/profile",
            body: |_| {
                Some(json!({ "skills": ["cooking_and_food"], "skills_text": "Polish cooking" }))
            },
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "list_member_organisations",
            method: "GET",
            path: "/api/v1/members/{member}/organisations",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // Bob joins "here" (the first allowed caller links him; the next
        // gets already_a_member), then leaves it again.
        Row {
            operation_id: "join_organisation",
            method: "PUT",
            path: "/api/v1/members/{bob}/organisations/{organisation}",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "leave_organisation",
            method: "DELETE",
            path: "/api/v1/members/{bob}/organisations/{organisation}",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "list_proxy_actions",
            method: "GET",
            path: "/api/v1/members/{member}/proxy-actions",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "list_skill_categories",
            method: "GET",
            path: "/api/v1/skill-categories",
            body: no_body,
            allowed: EVERYONE,
        },
        // ------------------------------------------------------------------
        // Activities, sessions and sign-ups
        Row {
            operation_id: "create_activity",
            method: "POST",
            path: "/api/v1/activities",
            body: |w| {
                Some(json!({
                    "organisation": w.id("organisation"), "title": "Residents' panel",
                    "level": "group", "mode": "co_governance", "usual_duration_minutes": 90
                }))
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "list_activities",
            method: "GET",
            path: "/api/v1/activities?programme={programme}",
            body: no_body,
            allowed: PARTICIPANTS,
        },
        Row {
            operation_id: "get_activity",
            method: "GET",
            path: "/api/v1/activities/{activity}",
            body: no_body,
            allowed: PARTICIPANTS,
        },
        Row {
            operation_id: "update_activity",
            method: "PUT",
            path: "/api/v1/activities/{activity}",
            body: |_| {
                Some(json!({
                    "title": "Lunch club", "level": "group", "mode": "co_delivery",
                    "usual_duration_minutes": 60
                }))
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "create_activity_session",
            method: "POST",
            path: "/api/v1/activities/{activity}/sessions",
            body: |_| {
                let start = Utc::now() + Duration::days(10);
                Some(json!({
                    "starts_at": rfc3339(start), "ends_at": rfc3339(start + Duration::hours(2)),
                    "capacity": 8
                }))
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "list_activity_sessions",
            method: "GET",
            path: "/api/v1/activities/{activity}/sessions",
            body: no_body,
            allowed: PARTICIPANTS,
        },
        // Alice signs herself up; staff naming her then get already_signed_up.
        Row {
            operation_id: "sign_up_to_session",
            method: "POST",
            path: "/api/v1/sessions/{open_session}/sign-ups",
            body: |w| Some(json!({ "member": w.id("member") })),
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "list_session_sign_ups",
            method: "GET",
            path: "/api/v1/sessions/{session_to_cancel}/sign-ups",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        // Alice cancels her own place; staff then get not_signed_up.
        Row {
            operation_id: "cancel_session_sign_up",
            method: "DELETE",
            path: "/api/v1/sessions/{session_to_cancel}/sign-ups/{member}",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // ------------------------------------------------------------------
        // Registers, contributions and claims
        Row {
            operation_id: "get_session_register",
            method: "GET",
            path: "/api/v1/sessions/{past_session}/register",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "confirm_session_register",
            method: "POST",
            path: "/api/v1/sessions/{past_session}/register/confirmation",
            body: |w| Some(json!({ "entries": [{ "member": w.id("member"), "attended": true }] })),
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "record_contribution",
            method: "POST",
            path: "/api/v1/contributions",
            body: |w| {
                Some(json!({
                    "member": w.id("member"), "activity": w.id("activity"),
                    "date": day(2), "minutes": 30, "note": "Set up the room"
                }))
            },
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "get_contribution",
            method: "GET",
            path: "/api/v1/contributions/{contribution}",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "correct_contribution",
            method: "POST",
            path: "/api/v1/contributions/{contribution}/correction",
            body: |_| Some(json!({ "minutes": 30, "reason": "Left an hour early" })),
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "create_claim",
            method: "POST",
            path: "/api/v1/claims",
            body: |w| {
                Some(json!({
                    "activity": w.id("activity"), "date": day(6), "minutes": 30, "note": "Washing up"
                }))
            },
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "list_my_claims",
            method: "GET",
            path: "/api/v1/claims/mine",
            body: no_body,
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "list_pending_claims",
            method: "GET",
            path: "/api/v1/claims/pending?organisation={organisation}",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "get_claim",
            method: "GET",
            path: "/api/v1/claims/{claim}",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // Nobody confirms their own hours: the member may not.
        Row {
            operation_id: "confirm_claim",
            method: "POST",
            path: "/api/v1/claims/{claim_to_confirm}/confirmation",
            body: no_body,
            allowed: ORGANISATION_TEAM,
        },
        Row {
            operation_id: "reject_claim",
            method: "POST",
            path: "/api/v1/claims/{claim_to_reject}/rejection",
            body: |_| Some(json!({ "reason": "The club was closed that day" })),
            allowed: ORGANISATION_TEAM,
        },
        // ------------------------------------------------------------------
        // Spending: offers, the desk and community pots
        Row {
            operation_id: "create_offer",
            method: "POST",
            path: "/api/v1/offers",
            body: |w| {
                Some(json!({
                    "organisation": w.id("organisation"), "title": "A cup of tea",
                    "price_minutes": 30, "audience": "adult", "valid_from": day(2)
                }))
            },
            allowed: DESK,
        },
        Row {
            operation_id: "list_offers",
            method: "GET",
            path: "/api/v1/offers?programme={programme}",
            body: no_body,
            allowed: PARTICIPANTS,
        },
        Row {
            operation_id: "get_offer",
            method: "GET",
            path: "/api/v1/offers/{offer}",
            body: no_body,
            allowed: PARTICIPANTS,
        },
        Row {
            operation_id: "update_offer",
            method: "PUT",
            path: "/api/v1/offers/{offer}",
            body: |_| {
                Some(json!({
                    "title": "One swim", "price_minutes": 60, "audience": "adult", "valid_from": day(2)
                }))
            },
            allowed: DESK,
        },
        Row {
            operation_id: "withdraw_offer",
            method: "POST",
            path: "/api/v1/offers/{offer_to_withdraw}/withdrawal",
            body: no_body,
            allowed: DESK,
        },
        Row {
            operation_id: "redeem_offer",
            method: "POST",
            path: "/api/v1/offers/{offer}/redemptions",
            body: |w| Some(json!({ "member": w.id("alice_number") })),
            allowed: DESK,
        },
        Row {
            operation_id: "get_redemption",
            method: "GET",
            path: "/api/v1/redemptions/{redemption}",
            body: no_body,
            allowed: DESK,
        },
        Row {
            operation_id: "refund_redemption",
            method: "POST",
            path: "/api/v1/redemptions/{redemption}/refund",
            body: |_| Some(json!({ "reason": "The pool was closed" })),
            allowed: DESK,
        },
        Row {
            operation_id: "find_member_at_desk",
            method: "GET",
            path: "/api/v1/desk/members?organisation={organisation}&q={alice_number}",
            body: no_body,
            allowed: DESK,
        },
        Row {
            operation_id: "todays_redemptions",
            method: "GET",
            path: "/api/v1/desk/redemptions?organisation={organisation}",
            body: no_body,
            allowed: DESK,
        },
        Row {
            operation_id: "give_to_pot",
            method: "POST",
            path: "/api/v1/pots/{organisation}/gifts",
            body: |_| Some(json!({ "minutes": 15, "reason": "For the breakfast club" })),
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "give_from_pot",
            method: "POST",
            path: "/api/v1/pots/{organisation}/gifts-to-members",
            body: |w| Some(json!({ "to_member": w.id("alice_number"), "minutes": 1 })),
            allowed: ORGANISATION_TEAM,
        },
        // ------------------------------------------------------------------
        // Time bank (between members; managers may look and close listings)
        Row {
            operation_id: "create_timebank_listing",
            method: "POST",
            path: "/api/v1/timebank/listings",
            body: |_| {
                Some(json!({
                    "kind": "offer", "category": "gardening_and_outdoors", "title": "Help with a garden"
                }))
            },
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "search_timebank_listings",
            method: "GET",
            path: "/api/v1/timebank/listings?programme={programme}",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "list_my_timebank_listings",
            method: "GET",
            path: "/api/v1/timebank/listings/mine",
            body: no_body,
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "get_timebank_listing",
            method: "GET",
            path: "/api/v1/timebank/listings/{listing}",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "close_timebank_listing",
            method: "POST",
            path: "/api/v1/timebank/listings/{listing_to_close}/close",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "propose_timebank_exchange",
            method: "POST",
            path: "/api/v1/timebank/proposals",
            body: |w| {
                Some(json!({
                    "member": w.id("bob"), "direction": "helper_bills", "minutes": 60,
                    "note": "Mowed the lawn"
                }))
            },
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "list_timebank_proposals",
            method: "GET",
            path: "/api/v1/timebank/proposals?programme={programme}",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        Row {
            operation_id: "get_timebank_proposal",
            method: "GET",
            path: "/api/v1/timebank/proposals/{proposal}",
            body: no_body,
            allowed: MEMBER_AND_MANAGER,
        },
        // A manager who may see a proposal may not answer it for a member.
        Row {
            operation_id: "accept_timebank_proposal",
            method: "POST",
            path: "/api/v1/timebank/proposals/{proposal_to_accept}/accept",
            body: no_body,
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "decline_timebank_proposal",
            method: "POST",
            path: "/api/v1/timebank/proposals/{proposal_to_decline}/decline",
            body: |_| Some(json!({ "reason": "Not this week" })),
            allowed: MEMBER_ONLY,
        },
        Row {
            operation_id: "withdraw_timebank_proposal",
            method: "POST",
            path: "/api/v1/timebank/proposals/{proposal_to_withdraw}/withdraw",
            body: no_body,
            allowed: MEMBER_ONLY,
        },
        // ------------------------------------------------------------------
        // Evaluation: a member's consent, profile and surveys are theirs and
        // their team's (staff act as proxy); evaluators never see one person.
        Row {
            operation_id: "get_evaluation_consent_wording",
            method: "GET",
            path: "/api/v1/evaluation/consent-wording",
            body: no_body,
            allowed: EVERYONE,
        },
        Row {
            operation_id: "list_evaluation_profile_options",
            method: "GET",
            path: "/api/v1/evaluation/profile-options",
            body: no_body,
            allowed: EVERYONE,
        },
        Row {
            operation_id: "get_evaluation_consent",
            method: "GET",
            path: "/api/v1/members/{member}/evaluation-consent",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // Alice consents; staff then get evaluation_consent_already_given.
        Row {
            operation_id: "give_evaluation_consent",
            method: "POST",
            path: "/api/v1/members/{member}/evaluation-consent",
            body: |_| Some(json!({ "wording_version": CONSENT_WORDING.version })),
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "get_evaluation_profile",
            method: "GET",
            path: "/api/v1/members/{member}/evaluation-profile",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "update_evaluation_profile",
            method: "PUT",
            path: "/api/v1/members/{member}/evaluation-profile",
            body: |_| Some(json!({ "gender": "woman", "postcode": "PE13 2AB" })),
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "get_member_area",
            method: "GET",
            path: "/api/v1/members/{member}/area",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "get_organisation_area",
            method: "GET",
            path: "/api/v1/organisations/{organisation}/area",
            body: no_body,
            allowed: &[CoordinatorHere, Manager, Evaluator],
        },
        Row {
            operation_id: "get_activity_area",
            method: "GET",
            path: "/api/v1/activities/{activity}/area",
            body: no_body,
            allowed: &[CoordinatorHere, Manager, Evaluator],
        },
        Row {
            operation_id: "get_evaluation_settings",
            method: "GET",
            path: "/api/v1/programmes/{programme}/evaluation-settings",
            body: no_body,
            allowed: &[Manager, Evaluator],
        },
        Row {
            operation_id: "update_evaluation_settings",
            method: "PUT",
            path: "/api/v1/programmes/{programme}/evaluation-settings",
            body: |_| {
                Some(json!({
                    "swemwbs_licence": false, "instruments": ["ucla3", "ons_loneliness", "ons4"],
                    "baseline": "joining", "follow_up_months": [6, 12]
                }))
            },
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "set_programme_survey_questions",
            method: "PUT",
            path: "/api/v1/programmes/{programme}/survey-questions",
            body: |_| {
                Some(json!({
                    "title": "About Time Credits",
                    "questions": [{ "id": "do_again", "wording": "Would you give time again?", "kind": "yes_no" }]
                }))
            },
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "list_survey_instruments",
            method: "GET",
            path: "/api/v1/programmes/{programme}/survey-instruments",
            body: no_body,
            allowed: IN_PROGRAMME_AND_ADMIN,
        },
        // Alice answers; staff entering the same wave get survey_already_answered.
        Row {
            operation_id: "submit_survey_response",
            method: "POST",
            path: "/api/v1/members/{member}/survey-responses",
            body: |_| {
                Some(json!({
                    "wave_months": 0, "instrument": "ucla3",
                    "answers": [{ "item": "ucla3_1", "score": 2 }, { "item": "ucla3_2", "score": 1 }]
                }))
            },
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "list_survey_responses",
            method: "GET",
            path: "/api/v1/members/{member}/survey-responses",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        Row {
            operation_id: "list_due_surveys",
            method: "GET",
            path: "/api/v1/members/{member}/due-surveys",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // Alice withdraws; staff then get evaluation_consent_not_given.
        Row {
            operation_id: "withdraw_evaluation_consent",
            method: "POST",
            path: "/api/v1/members/{member}/evaluation-consent/withdrawal",
            body: no_body,
            allowed: MEMBER_AND_TEAM,
        },
        // ------------------------------------------------------------------
        // Bulk data (managers only: exports hold members' personal data)
        Row {
            operation_id: "import_csv",
            method: "POST",
            path: "/api/v1/programmes/{programme}/imports/members",
            body: |_| Some(Value::String("display_name\r\nImogen Imported\r\n".into())),
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "export_csv",
            method: "GET",
            path: "/api/v1/programmes/{programme}/exports/members.csv",
            body: no_body,
            allowed: MANAGER_ONLY,
        },
        // ------------------------------------------------------------------
        // Last, because a suspended organisation can do little: "here" is
        // suspended by the manager, then reactivated.
        Row {
            operation_id: "suspend_organisation",
            method: "POST",
            path: "/api/v1/organisations/{organisation}/suspension",
            body: |_| Some(json!({ "reason": "safeguarding review" })),
            allowed: MANAGER_ONLY,
        },
        Row {
            operation_id: "reactivate_organisation",
            method: "POST",
            path: "/api/v1/organisations/{organisation}/reactivation",
            body: no_body,
            allowed: MANAGER_ONLY,
        },
    ]
}

/// Sends `method path` with an optional bearer token and JSON body.
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> TestResponse {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("idempotency-key", Uuid::now_v7().to_string());
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, token);
    }
    let body = match body {
        Some(Value::String(csv)) => {
            request = request.header(header::CONTENT_TYPE, "text/csv");
            Body::from(csv.clone())
        }
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    app.send(request.body(body).expect("request")).await
}

/// A set-up call that must succeed; its JSON answer.
async fn must(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let r = send(app, method, path, Some(token), body.as_ref()).await;
    assert!(
        r.status.is_success(),
        "set-up call {method} {path} failed: {} {}",
        r.status,
        r.body
    );
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {v}"))
        .to_owned()
}

async fn token(app: &TestApp, login: &str, secret: &str) -> String {
    bearer(&app.token(login, secret).await)
}

pub async fn world() -> World {
    let app = TestApp::new().await;
    let admin = app
        .app
        .store()
        .user_by_email("admin@example.org")
        .await
        .expect("read")
        .expect("admin");
    let admin = app.app.actor(admin.id).await.expect("admin actor");
    let new_org = |name: &str| NewOrganisation {
        programme: app.programme.id,
        name: name.into(),
    };
    let here = app
        .app
        .create_organisation(&app.manager, new_org("Here Hall"))
        .await
        .expect("org");
    let elsewhere = app
        .app
        .create_organisation(&app.manager, new_org("Elsewhere Hub"))
        .await
        .expect("org");
    let password = "a long staff password";
    let staff = |email: &'static str, role: Role, scope: Scope| {
        let app = &app;
        async move {
            app.app
                .create_staff(&app.manager, email, "Staff", password, role, scope)
                .await
                .expect("staff")
        }
    };
    staff(
        "here@example.org",
        Role::Coordinator,
        Scope::Organisation(here.id),
    )
    .await;
    staff(
        "elsewhere@example.org",
        Role::Coordinator,
        Scope::Organisation(elsewhere.id),
    )
    .await;
    staff(
        "desk@example.org",
        Role::SpendStaff,
        Scope::Organisation(here.id),
    )
    .await;
    // A second desk, for the manager to remove.
    let spare = staff(
        "spare@example.org",
        Role::SpendStaff,
        Scope::Organisation(here.id),
    )
    .await;
    staff(
        "evaluator@example.org",
        Role::Evaluator,
        Scope::Programme(app.programme.id),
    )
    .await;
    let other = app
        .app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Elsewhere Time Credits".into(),
                locality: "Elsewhere".into(),
                time_zone: "Europe/London".into(),
                language: "en".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("other programme");
    app.app
        .create_staff(
            &admin,
            "other@example.org",
            "Other",
            password,
            Role::ProgrammeManager,
            Scope::Programme(other.id),
        )
        .await
        .expect("other manager");
    // A transfer a manager may reverse by hand: set-up credits, not a contribution's.
    let transfer = fixtures::seed_credits(&app.app, app.bob.id, 60)
        .await
        .expect("seed")
        .transfer()
        .id;
    let alice_number = app.alice.number.value().to_string();
    let mut tokens = BTreeMap::new();
    tokens.insert(Member, token(&app, &alice_number, PIN).await);
    tokens.insert(
        CoordinatorHere,
        token(&app, "here@example.org", password).await,
    );
    tokens.insert(
        CoordinatorElsewhere,
        token(&app, "elsewhere@example.org", password).await,
    );
    tokens.insert(SpendStaff, token(&app, "desk@example.org", password).await);
    tokens.insert(Manager, token(&app, MANAGER_EMAIL, MANAGER_PASSWORD).await);
    tokens.insert(
        OtherManager,
        token(&app, "other@example.org", password).await,
    );
    tokens.insert(
        Evaluator,
        token(&app, "evaluator@example.org", password).await,
    );
    tokens.insert(
        Admin,
        token(&app, "admin@example.org", "a long admin password").await,
    );
    let bob_token = token(&app, &app.bob.number.value().to_string(), PIN).await;
    let alice = tokens[&Member].clone();
    let manager = tokens[&Manager].clone();

    let programme = app.programme.id.to_string();
    let org = here.id.to_string();
    let member = app.alice.id.to_string();
    let bob = app.bob.id.to_string();
    let mut ids: BTreeMap<&'static str, String> = BTreeMap::new();

    // Alice belongs to "here" and has given to its community pot.
    must(
        &app,
        "PUT",
        &format!("/api/v1/members/{member}/organisations/{org}"),
        &manager,
        None,
    )
    .await;
    must(
        &app,
        "POST",
        &format!("/api/v1/pots/{org}/gifts"),
        &alice,
        Some(json!({ "minutes": 60 })),
    )
    .await;

    // Two people who registered themselves through "here", waiting.
    for (name, key) in [
        ("Pat Pending", "pending_to_approve"),
        ("Sam Pending", "pending_to_decline"),
    ] {
        let r = must(
            &app,
            "POST",
            &format!("/api/v1/programmes/{programme}/registrations"),
            &manager,
            Some(json!({ "display_name": name, "pin": "4071", "organisation": org })),
        )
        .await;
        assert_eq!(r["status"], "pending", "{r}");
        ids.insert(key, text(&r, "/member_id"));
    }

    // An activity of "here", with sessions.
    let activity = text(
        &must(
            &app,
            "POST",
            "/api/v1/activities",
            &manager,
            Some(json!({
                "organisation": org, "title": "Lunch club", "level": "group",
                "mode": "co_delivery", "usual_duration_minutes": 60
            })),
        )
        .await,
        "/id",
    );
    let session = |starts: chrono::DateTime<Utc>| {
        let (app, manager, activity) = (&app, &manager, &activity);
        async move {
            text(
                &must(
                    app,
                    "POST",
                    &format!("/api/v1/activities/{activity}/sessions"),
                    manager,
                    Some(json!({
                        "starts_at": rfc3339(starts),
                        "ends_at": rfc3339(starts + Duration::hours(1)),
                        "capacity": 10
                    })),
                )
                .await,
                "/id",
            )
        }
    };
    let open_session = session(Utc::now() + Duration::days(3)).await;
    let session_to_cancel = session(Utc::now() + Duration::days(4)).await;
    must(
        &app,
        "POST",
        &format!("/api/v1/sessions/{session_to_cancel}/sign-ups"),
        &alice,
        Some(json!({})),
    )
    .await;
    // A session two days ago that Alice had signed up to, its register
    // still open. Sign-ups close when a session starts, so hers is written
    // straight to the store.
    let past_session = session(Utc::now() - Duration::days(2)).await;
    app.app
        .store()
        .sign_up(&SignUp {
            id: SignUpId(Uuid::now_v7()),
            session: SessionId(Uuid::parse_str(&past_session).expect("session id")),
            member: MemberId(app.alice.id.0),
            status: SignUpStatus::Waiting,
            signed_up_by: app.manager.user,
            signed_up_at: Utc::now() - Duration::days(3),
            promoted_at: None,
            cancelled_by: None,
            cancelled_at: None,
        })
        .await
        .expect("sign-up");

    // A contribution recorded for Alice, and three claims of hers.
    let recorded = must(
        &app,
        "POST",
        "/api/v1/contributions",
        &manager,
        Some(json!({ "member": member, "activity": activity, "date": day(3), "minutes": 60 })),
    )
    .await;
    ids.insert("contribution", text(&recorded, "/contributions/0/id"));
    for (days_ago, key) in [
        (4, "claim"),
        (4, "claim_to_confirm"),
        (5, "claim_to_reject"),
    ] {
        let claim = must(
            &app,
            "POST",
            "/api/v1/claims",
            &alice,
            Some(json!({ "activity": activity, "date": day(days_ago), "minutes": 30 })),
        )
        .await;
        ids.insert(key, text(&claim, "/id"));
    }

    // Offers of "here", and a redemption of one by Alice.
    for (title, key) in [("One swim", "offer"), ("One sauna", "offer_to_withdraw")] {
        let offer = must(
            &app,
            "POST",
            "/api/v1/offers",
            &manager,
            Some(json!({
                "organisation": org, "title": title, "price_minutes": 60,
                "audience": "adult", "valid_from": day(2)
            })),
        )
        .await;
        ids.insert(key, text(&offer, "/id"));
    }
    let redemption = must(
        &app,
        "POST",
        &format!("/api/v1/offers/{}/redemptions", ids["offer"]),
        &manager,
        Some(json!({ "member": alice_number })),
    )
    .await;
    ids.insert("redemption", text(&redemption, "/id"));

    // Alice's time-bank listings, and proposals between Alice and Bob.
    for (title, key) in [
        ("Help with a garden", "listing"),
        ("Lifts to the shops", "listing_to_close"),
    ] {
        let listing = must(
            &app,
            "POST",
            "/api/v1/timebank/listings",
            &alice,
            Some(json!({ "kind": "offer", "category": "gardening_and_outdoors", "title": title })),
        )
        .await;
        ids.insert(key, text(&listing, "/id"));
    }
    for (from, to, key) in [
        (&alice, &bob, "proposal"),
        (&alice, &bob, "proposal_to_withdraw"),
        (&bob_token, &member, "proposal_to_accept"),
        (&bob_token, &member, "proposal_to_decline"),
    ] {
        let proposal = must(
            &app,
            "POST",
            "/api/v1/timebank/proposals",
            from,
            Some(json!({ "member": to, "direction": "helper_bills", "minutes": 60 })),
        )
        .await;
        ids.insert(key, text(&proposal, "/id"));
    }

    ids.insert("programme", programme);
    ids.insert("organisation", org);
    ids.insert("account", app.alice.account.to_string());
    ids.insert("member", member);
    ids.insert("alice_number", alice_number);
    ids.insert("bob", bob);
    ids.insert("transfer", transfer.to_string());
    ids.insert("spare_staff", spare.id.to_string());
    ids.insert("activity", activity);
    ids.insert("open_session", open_session);
    ids.insert("session_to_cancel", session_to_cancel);
    ids.insert("past_session", past_session);
    World { app, tokens, ids }
}

fn fill(path: &str, w: &World) -> String {
    let mut out = path.to_owned();
    for (name, value) in &w.ids {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    assert!(
        !out.contains('{'),
        "{path} names something the world does not have"
    );
    out
}

/// The table as Markdown, for `docs/authorization.md`.
fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "# Who may call what\n\nGenerated from the authorisation table in `crates/web/tests/web/authz.rs`, which a \
         test walks against the running app. ✓ allowed, — refused (401, 403, or 404 where the caller may not know \
         the thing exists). \"This organisation\" is the one the row's resource belongs to; every resource is in \
         the caller's programme unless the column says otherwise.\n\n| operation |",
    );
    for who in EVERYONE {
        out.push_str(&format!(" {} |", who.heading()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(EVERYONE.len()));
    out.push('\n');
    for row in rows {
        out.push_str(&format!(
            "| `{}` {} `{}` |",
            row.operation_id,
            row.method,
            row.path.trim_start_matches("/api/v1")
        ));
        for who in EVERYONE {
            out.push_str(if row.allowed.contains(who) {
                " ✓ |"
            } else {
                " — |"
            });
        }
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn every_operation_is_allowed_exactly_for_the_callers_in_the_table() {
    let w = world().await;
    let rows = table();

    // AUTHZ_TRACE=1 (with --nocapture) prints every answer.
    let trace = std::env::var_os("AUTHZ_TRACE").is_some();
    let mut wrong = Vec::new();
    for row in &rows {
        let path = fill(row.path, &w);
        let mut succeeded = false;
        for &who in EVERYONE {
            let body = match row.method {
                "GET" | "DELETE" => None,
                _ => Some((row.body)(&w).unwrap_or(json!({}))),
            };
            let token = w.tokens.get(&who).map(String::as_str);
            let response = send(&w.app, row.method, &path, token, body.as_ref()).await;
            let refused = matches!(
                response.status,
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
            );
            let expected = row.allowed.contains(&who);
            if trace {
                eprintln!(
                    "{:<28} {:<22} {} {}",
                    row.operation_id,
                    format!("{who:?}"),
                    response.status.as_u16(),
                    response.body.chars().take(90).collect::<String>()
                );
            }
            let problem = if response.status == StatusCode::BAD_REQUEST
                || response.status.is_server_error()
            {
                Some("a well-formed request")
            } else if refused == expected {
                Some(if expected { "allowed" } else { "refused" })
            } else if who == Anonymous && refused && response.status != StatusCode::UNAUTHORIZED {
                Some("refused with 401")
            } else {
                None
            };
            if let Some(expected) = problem {
                wrong.push(format!(
                    "{} {} ({}) as {:?}: expected {}, got {} {}",
                    row.method,
                    path,
                    row.operation_id,
                    who,
                    expected,
                    response.status,
                    response.body.chars().take(200).collect::<String>()
                ));
            }
            succeeded |= expected && response.status.is_success();
        }
        if !row.allowed.is_empty() && !succeeded {
            wrong.push(format!(
                "{} {} ({}): no allowed caller succeeded, so the row proves nothing; fix its request",
                row.method, path, row.operation_id
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the app does not match the table ({} mismatches):\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    // Every documented operation has a row, and every row is documented.
    let doc = w.app.get("/api/openapi.json", &[]).await.json();
    let mut documented = Vec::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("operations").values() {
            documented.push(op["operationId"].as_str().expect("operation id").to_owned());
        }
    }
    documented.sort();
    let mut in_table: Vec<String> = rows.iter().map(|r| r.operation_id.to_owned()).collect();
    in_table.sort();
    assert_eq!(
        in_table, documented,
        "the authorisation table must have exactly one row per API operation"
    );

    // The human-readable table is generated from this one.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/authorization.md");
    let expected = markdown(&rows);
    if std::env::var_os("UPDATE_AUTHZ_DOC").is_some() {
        std::fs::write(&path, &expected).expect("write docs/authorization.md");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "docs/authorization.md is out of date; regenerate it with UPDATE_AUTHZ_DOC=1 cargo test -p timecredits-web --test web authz"
    );
}
