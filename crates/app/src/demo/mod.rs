//! Deterministic demo data: a fictional Fenland programme with a year of
//! co-production, created through the application's own use cases.
//!
//! Everything is drawn from one `ChaCha8Rng` seeded by the caller, and time
//! comes from fixed clocks moved through the year, so the same seed and the
//! same `today` give the same names, member numbers, amounts, dates,
//! idempotency keys and balances every time. Record ids chosen by the use
//! cases themselves (members, activities, sessions, claims…) differ between
//! runs; every id written with postings is derived from an idempotency key
//! drawn from the generator.
//!
//! The year exercises every area: programme rules and a rule change;
//! partners with their kinds, postcodes, contacts, roles and policies (one
//! suspended); members registered by staff or by themselves (approved, and
//! one still pending), with skills, interests and preferred languages;
//! activities at every co-production level and mode, with sessions,
//! sign-ups and waiting lists; credits issued only for time given, through
//! confirmed registers, claims (confirmed, rejected, pending) and direct
//! records, and one correction; offers with capacity, off-peak hours and
//! validity, redeemed at the desk, and a refund; gifts between members and
//! to and from a community pot; the time bank's listings and proposals
//! (accepted, declined, withdrawn, expired and open); and proxy actions by
//! staff for members without a sign-in of their own.
//!
//! The plan is made first, in memory, against a shadow of every balance,
//! pot and offer capacity (anything unaffordable is left out); then it is
//! played through the use cases. Events that touch different members (and
//! different full sessions, limited offers and pots) run together so the
//! SQLite group commit batches them: their outcomes cannot depend on the
//! order in which they land, so the result is that of playing them one by
//! one in time order.

use std::collections::{HashMap, HashSet};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_domain::directory::{
    EarnPolicy, HoursConfirmedBy, Language, MemberStatus, Postcode, SKILL_CATEGORIES,
    SelfRegistration,
};
use timecredits_domain::rules::{CreditExpiry, PartnerReceipts, ProgrammeRules, RuleVersion};
use timecredits_domain::spending::{Audience, Capacity, CapacityPeriod, OffPeakWindow, OfferTerms};
use timecredits_domain::timebank::{ExchangeDirection, ListingKind};
use timecredits_ledger::{AccountId, AccountStatus, TransferId};
use uuid::Uuid;

use crate::activities::{
    ActivityId, ClaimId, DirectRecord, NewClaim, NewSession, RegisterEntry, SessionId,
};
use crate::directory::{
    ContactInput, MemberProfile, NewMemberRecord, NewPartner, OnBehalfRegistration, ProfileUpdate,
    Registration, RegistrationChannel,
};
use crate::spending::{
    MemberLookup, NewOffer, OfferId, PotGiftRequest, PotPayoutRequest, RedeemOfferRequest,
    RedemptionId, RefundRequest,
};
use crate::timebank::{ListingId, NewListing, NewProposal, ProposalId};
use crate::{
    Actor, App, AppError, FixedClock, GiftRequest, Member, MemberId, MemberNumber, NewProgramme,
    Organisation, Programme, Role, RoleGrant, Scope, Store, User, UserId,
};

// Consent, profiles, places and surveys: a file of its own beside this one.
mod evaluation;
pub use evaluation::{EvaluationSummary, PLACES_NOTE};

/// The seed the CLI uses; [`sign_ins`] does not depend on it.
pub const DEFAULT_SEED: u64 = 2026;
/// The name by which [`is_seeded`] recognises the demo programme.
pub const PROGRAMME_NAME: &str = "Marshfield and Villages Time Credits";
const LOCALITY: &str = "Marshfield, Fenland";
const ADMIN_EMAIL: &str = "admin@demo.timecredits.org";
const ADMIN_PASSWORD: &str = "fen-admin-demo";
const MEMBER_COUNT: usize = 150;
const DAYS: i64 = 365;
/// Sessions are scheduled this many days beyond today, so some are still to come.
const AHEAD: i64 = 14;
/// Most use-case calls in flight at once.
const LANES: usize = 32;
/// How far ahead of the earliest pending event a round looks for others.
const LOOK_AHEAD: usize = 256;
/// The day the programme manager announces a change of rules, and the day it applies from.
const RULES_ANNOUNCED: i64 = 168;
const RULES_CHANGE: i64 = 182;
/// The daily cap before and after the change.
const DAILY_CAP: i64 = 12 * 60;
const DAILY_CAP_AFTER: i64 = 8 * 60;
/// The day the bowls club is suspended.
const SUSPENSION: i64 = 250;
/// People who registered online: all but the last were approved.
const SELF_REGISTERED: std::ops::Range<usize> = 3..7;
/// The PIN the online registrants chose (one hash, shared: argon2 is slow on purpose).
const SELF_REGISTERED_PIN: &str = "2580";

/// A sign-in the CLI prints for people trying the demo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSignIn {
    pub role: &'static str,
    pub login: String,
    pub secret: String,
}

/// What [`seed`] created.
#[derive(Clone, Debug)]
pub struct DemoSummary {
    pub programme: Programme,
    pub organisations: usize,
    pub members: usize,
    pub transfers: u64,
    pub sign_ins: Vec<DemoSignIn>,
    /// Consent, profiles, places and surveys (see `demo::evaluation`).
    pub evaluation: EvaluationSummary,
}

/// True when the store already holds the demo programme (so `timecredits demo` reuses the file).
pub async fn is_seeded(store: &dyn Store) -> Result<bool, AppError> {
    Ok(store
        .programmes()
        .await?
        .iter()
        .any(|p| p.name == PROGRAMME_NAME))
}

/// The demo's sign-ins. They are fixed (whatever the seed), so a reused
/// demo file can print them again.
pub fn sign_ins() -> Vec<DemoSignIn> {
    let mut all = vec![DemoSignIn {
        role: Role::Administrator.as_str(),
        login: ADMIN_EMAIL.into(),
        secret: ADMIN_PASSWORD.into(),
    }];
    all.extend(STAFF.iter().map(|s| DemoSignIn {
        role: s.role.as_str(),
        login: s.email.into(),
        secret: s.password.into(),
    }));
    all.extend(SIGN_IN_MEMBERS.iter().map(|m| DemoSignIn {
        role: Role::Member.as_str(),
        login: member_number(m.base).to_string(),
        secret: m.pin.into(),
    }));
    all
}

/// Seeds a realistic fictional programme. Same seed => same names, numbers, amounts, dates, balances every time.
/// `today` is the end of the year of activity (pass a fixed date from tests; the CLI passes the real today).
pub async fn seed(
    store: Arc<dyn Store>,
    seed: u64,
    today: DateTime<Utc>,
) -> Result<DemoSummary, AppError> {
    if is_seeded(store.as_ref()).await? {
        return Err(AppError::Conflict(format!(
            "this database already holds {PROGRAMME_NAME}"
        )));
    }
    let start = today.date_naive() - Duration::days(DAYS);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let people = plan_members(&mut rng, start);
    let plan = plan_year(&mut rng, &people, start, today);

    let lanes: Vec<Lane> = (0..LANES)
        .map(|_| {
            let clock = Arc::new(FixedClock::new(today));
            Lane {
                app: App::new(store.clone(), clock.clone()),
                clock,
            }
        })
        .collect();
    let mut ctx = set_up(&lanes[0], start, &plan).await?;

    // Events still to play, in time order. Each round takes up to LANES of
    // them that touch nothing an earlier pending event touches, and whose
    // records exist: they commute with everything before them, so the
    // outcome is that of playing every event one by one in time order.
    let mut pending: Vec<&Event> = plan.events.iter().collect();
    while !pending.is_empty() {
        let mut blocked: HashSet<Key> = HashSet::new();
        let mut chosen = Vec::new();
        let mut left = Vec::with_capacity(pending.len());
        for (i, event) in pending.iter().enumerate() {
            if chosen.len() == LANES || i >= LOOK_AHEAD || blocked.contains(&Key::All) {
                left.extend_from_slice(&pending[i..]);
                break;
            }
            let keys = event.action.keys(&plan);
            let free =
                !keys.iter().any(|k| blocked.contains(k)) && (!keys.contains(&Key::All) || i == 0);
            if free && ctx.ready(&event.action, &plan) {
                chosen.push(*event);
            } else {
                left.push(*event);
            }
            if keys.contains(&Key::All) {
                blocked.insert(Key::All);
            }
            blocked.extend(keys);
        }
        if chosen.is_empty() {
            // The first event is not ready: the plan is out of order.
            return Err(AppError::Conflict(format!(
                "demo plan out of order at {:?}",
                pending[0]
            )));
        }
        let results = join_all(
            chosen
                .iter()
                .zip(&lanes)
                .map(|(event, lane)| execute(lane, &ctx, &plan, &people, event))
                .collect(),
        )
        .await;
        for (result, event) in results.into_iter().zip(&chosen) {
            match result {
                Ok(done) => ctx.apply(done),
                Err(e) => {
                    tracing::error!(error = %e, event = ?event, "demo event refused");
                    return Err(e);
                }
            }
        }
        pending = left;
    }
    let evaluation = evaluation::seed(&lanes, &ctx, &people, seed, start, today).await?;
    Ok(DemoSummary {
        organisations: ctx.organisations.len(),
        members: ctx.members.iter().flatten().count(),
        transfers: store.transfer_count().await?,
        programme: ctx.programme,
        sign_ins: sign_ins(),
        evaluation,
    })
}

// ---------------------------------------------------------------------------
// The cast: partners, staff, activities and offers.

struct OrgDef {
    name: &'static str,
    short: &'static str,
    kind: &'static str,
    postcode: &'static str,
    /// `earn`, `spend` or `both`.
    roles: &'static str,
    /// Contact name, email, phone.
    contacts: &'static [(&'static str, Option<&'static str>, Option<&'static str>)],
    /// Its own earn policy, where it set one.
    policy: Option<EarnPolicy>,
}

const ORGS: [OrgDef; 10] = [
    OrgDef {
        name: "Marshfield Community Larder",
        short: "Community Larder",
        kind: "community_group",
        postcode: "PE15 8AJ",
        roles: "earn",
        contacts: &[
            (
                "Sam Bellamy",
                Some("larder@demo.timecredits.org"),
                Some("01354 900101"),
            ),
            ("Rev. Ann Toller", None, Some("01354 900102")),
        ],
        policy: None,
    },
    OrgDef {
        name: "St Guthlac's Primary School",
        short: "St Guthlac's School",
        kind: "school",
        postcode: "PE15 9QT",
        roles: "earn",
        contacts: &[("School office", Some("office@stguthlacs.example.org"), None)],
        // Volunteers in school are always signed in and out by staff.
        policy: Some(EarnPolicy {
            members_may_claim: false,
            hours_confirmed_by: HoursConfirmedBy::Coordinators,
        }),
    },
    OrgDef {
        name: "Riverside House Residents' Panel",
        short: "Riverside House",
        kind: "housing",
        postcode: "PE15 8DR",
        roles: "earn",
        contacts: &[(
            "Agnieszka Nowak",
            Some("riverside@demo.timecredits.org"),
            Some("07700 900311"),
        )],
        policy: None,
    },
    OrgDef {
        name: "Marshfield Wellbeing Hub",
        short: "Wellbeing Hub",
        kind: "health",
        postcode: "PE15 0BX",
        roles: "earn",
        contacts: &[(
            "Hub reception",
            Some("hub@wellbeing.example.org"),
            Some("01354 900400"),
        )],
        // The hub has no coordinator of its own: the programme team confirms its hours.
        policy: Some(EarnPolicy {
            members_may_claim: true,
            hours_confirmed_by: HoursConfirmedBy::ProgrammeTeam,
        }),
    },
    OrgDef {
        name: "Marshfield Library",
        short: "Library",
        kind: "library",
        postcode: "PE15 8NQ",
        roles: "earn",
        contacts: &[("Library desk", Some("marshfield.library@example.org"), None)],
        policy: None,
    },
    OrgDef {
        name: "Friends of Marshfield Riverbank",
        short: "Friends of the Riverbank",
        kind: "community_group",
        postcode: "PE15 8EY",
        roles: "earn",
        contacts: &[("Malcolm Dring", None, Some("07700 900562"))],
        policy: None,
    },
    OrgDef {
        name: "Marshfield Leisure Centre",
        short: "Leisure Centre",
        kind: "sports_and_leisure",
        postcode: "PE15 9RB",
        roles: "spend",
        contacts: &[(
            "Jade Cornwell",
            Some("leisure@demo.timecredits.org"),
            Some("01354 900600"),
        )],
        policy: None,
    },
    OrgDef {
        name: "The Regal Cinema, Marshfield",
        short: "Regal Cinema",
        kind: "arts_and_culture",
        postcode: "PE15 8AS",
        roles: "spend",
        contacts: &[("Marcus Lindley", Some("cinema@demo.timecredits.org"), None)],
        policy: None,
    },
    OrgDef {
        name: "Fenland Adult Learning",
        short: "Fenland Adult Learning",
        kind: "other",
        postcode: "PE13 1DT",
        roles: "both",
        contacts: &[(
            "Course enquiries",
            Some("courses@fal.example.org"),
            Some("01945 900800"),
        )],
        policy: None,
    },
    OrgDef {
        name: "Saltney Fen Bowls Club",
        short: "Bowls Club",
        kind: "sports_and_leisure",
        postcode: "PE14 9LS",
        roles: "spend",
        contacts: &[("Club secretary", None, Some("01945 900901"))],
        policy: None,
    },
];
const LARDER: usize = 0;
const LEISURE: usize = 6;
const CINEMA: usize = 7;
const ADULT_LEARNING: usize = 8;
const BOWLS: usize = 9;

#[derive(Clone, Copy)]
enum Post {
    Programme,
    Organisation(usize),
}

struct StaffDef {
    email: &'static str,
    name: &'static str,
    password: &'static str,
    role: Role,
    post: Post,
}

/// Created in this order: the first two by the administrator, the rest by
/// the programme manager once their organisation exists.
const STAFF: [StaffDef; 7] = [
    StaffDef {
        email: "manager@demo.timecredits.org",
        name: "Claire Whitmore",
        password: "fen-manager-demo",
        role: Role::ProgrammeManager,
        post: Post::Programme,
    },
    StaffDef {
        email: "evaluator@demo.timecredits.org",
        name: "Dr Priya Nair",
        password: "fen-evaluator-demo",
        role: Role::Evaluator,
        post: Post::Programme,
    },
    StaffDef {
        email: "larder@demo.timecredits.org",
        name: "Sam Bellamy",
        password: "fen-larder-demo",
        role: Role::Coordinator,
        post: Post::Organisation(0),
    },
    StaffDef {
        email: "school@demo.timecredits.org",
        name: "Tom Fairweather",
        password: "fen-school-demo",
        role: Role::Coordinator,
        post: Post::Organisation(1),
    },
    StaffDef {
        email: "riverside@demo.timecredits.org",
        name: "Agnieszka Nowak",
        password: "fen-riverside-demo",
        role: Role::Coordinator,
        post: Post::Organisation(2),
    },
    StaffDef {
        email: "leisure@demo.timecredits.org",
        name: "Jade Cornwell",
        password: "fen-leisure-demo",
        role: Role::SpendStaff,
        post: Post::Organisation(LEISURE),
    },
    StaffDef {
        email: "cinema@demo.timecredits.org",
        name: "Marcus Lindley",
        password: "fen-cinema-demo",
        role: Role::SpendStaff,
        post: Post::Organisation(CINEMA),
    },
];

/// Whether the organisation has a coordinator among the demo staff.
fn has_coordinator(org: usize) -> bool {
    STAFF
        .iter()
        .any(|s| s.role == Role::Coordinator && matches!(s.post, Post::Organisation(o) if o == org))
}

/// Whether the organisation's own coordinator confirms its hours (else the programme team).
fn coordinator_confirms(org: usize) -> bool {
    has_coordinator(org)
        && ORGS[org]
            .policy
            .is_none_or(|p| p.hours_confirmed_by == HoursConfirmedBy::Coordinators)
}

fn takes_claims(org: usize) -> bool {
    ORGS[org].policy.is_none_or(|p| p.members_may_claim)
}

/// Whether hours given to the activity are recorded one by one (not by
/// register) at an organisation that takes claims from members.
fn claimable(activity: usize) -> bool {
    let a = &ACTIVITIES[activity];
    a.places.is_none() && takes_claims(a.org)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Persona {
    /// Several sessions a week.
    VeryActive,
    /// One or two activities, a few times a month.
    Regular,
    /// Now and then.
    Occasional,
    /// Came once.
    OneOff,
}

struct SignInMember {
    base: u32,
    pin: &'static str,
    persona: Persona,
}

/// The members with a PIN of their own (argon2 is slow on purpose: few hashes).
const SIGN_IN_MEMBERS: [SignInMember; 3] = [
    SignInMember {
        base: 318_204,
        pin: "7315",
        persona: Persona::VeryActive,
    },
    SignInMember {
        base: 527_961,
        pin: "4826",
        persona: Persona::Regular,
    },
    SignInMember {
        base: 604_385,
        pin: "9052",
        persona: Persona::Regular,
    },
];

fn member_number(base: u32) -> MemberNumber {
    MemberNumber::from_base(base).expect("demo member numbers are six digits")
}

#[derive(Clone, Copy)]
enum Cadence {
    Weekly,
    /// On the nth such weekday of the month.
    Monthly(u32),
}

struct ActivityDef {
    org: usize,
    name: &'static str,
    level: CoProductionLevel,
    mode: CoProductionMode,
    place: &'static str,
    days: &'static [Weekday],
    cadence: Cadence,
    /// Local start time, minutes after midnight.
    start: u32,
    minutes: (i64, i64),
    term_time: bool,
    /// Months it runs in; empty for all year.
    months: &'static [u32],
    popularity: u32,
    /// Places per session, for activities people sign up to (their hours
    /// are confirmed by register); `None` for time recorded one by one.
    places: Option<i64>,
    /// Its own postcode, when it happens away from its organisation.
    postcode: Option<&'static str>,
}

use CoProductionLevel::{Collective, Group, Individual};
use CoProductionMode::{CoDelivery, CoDesign, CoGovernance, CommunityAction, PeerSupport};
use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};

#[allow(clippy::too_many_arguments)]
const fn activity(
    org: usize,
    name: &'static str,
    (level, mode): (CoProductionLevel, CoProductionMode),
    place: &'static str,
    days: &'static [Weekday],
    cadence: Cadence,
    start: u32,
    minutes: (i64, i64),
    popularity: u32,
    places: Option<i64>,
) -> ActivityDef {
    ActivityDef {
        org,
        name,
        level,
        mode,
        place,
        days,
        cadence,
        start,
        minutes,
        term_time: false,
        months: &[],
        popularity,
        places,
        postcode: None,
    }
}

const LARDER_HALL: &str = "Methodist church hall, Bridge Street, Marshfield";
const SCHOOL: &str = "St Guthlac's Primary School, Church Lane";
const RIVERSIDE: &str = "Riverside House common room, Nene Parade";
const HUB: &str = "Marshfield Wellbeing Hub, Station Road";
const LIBRARY: &str = "Marshfield Library, High Street";

const ACTIVITIES: [ActivityDef; 18] = [
    activity(
        0,
        "Sorting donations",
        (Group, CoDelivery),
        LARDER_HALL,
        &[Tue, Thu],
        Cadence::Weekly,
        600,
        (120, 180),
        10,
        Some(8),
    ),
    activity(
        0,
        "Delivery round",
        (Individual, CoDelivery),
        "Around Marshfield and the villages",
        &[Fri],
        Cadence::Weekly,
        780,
        (90, 150),
        5,
        None,
    ),
    activity(
        0,
        "Saturday welcome desk",
        (Group, CoDelivery),
        LARDER_HALL,
        &[Sat],
        Cadence::Weekly,
        570,
        (120, 180),
        6,
        Some(4),
    ),
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "Reading buddies",
            (Individual, CoDelivery),
            SCHOOL,
            &[Mon, Wed],
            Cadence::Weekly,
            840,
            (60, 60),
            6,
            Some(6),
        )
    },
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "School garden club",
            (Group, CommunityAction),
            SCHOOL,
            &[Thu],
            Cadence::Weekly,
            915,
            (60, 90),
            4,
            Some(6),
        )
    },
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "Parents' forum",
            (Group, CoDesign),
            SCHOOL,
            &[Tue],
            Cadence::Monthly(1),
            1110,
            (90, 90),
            3,
            Some(20),
        )
    },
    activity(
        2,
        "Residents' panel meeting",
        (Group, CoGovernance),
        RIVERSIDE,
        &[Wed],
        Cadence::Monthly(2),
        1080,
        (90, 120),
        4,
        Some(12),
    ),
    activity(
        2,
        "Cook-together night",
        (Group, PeerSupport),
        RIVERSIDE,
        &[Wed],
        Cadence::Weekly,
        1020,
        (120, 150),
        5,
        // A small kitchen: this one fills up and keeps a waiting list.
        Some(4),
    ),
    activity(
        2,
        "Welcoming new residents",
        (Individual, PeerSupport),
        RIVERSIDE,
        &[Mon],
        Cadence::Weekly,
        660,
        (60, 90),
        3,
        None,
    ),
    activity(
        3,
        "Carers' café host",
        (Group, PeerSupport),
        HUB,
        &[Fri],
        Cadence::Weekly,
        600,
        (120, 120),
        5,
        Some(4),
    ),
    activity(
        3,
        "Walking for health leader",
        (Group, PeerSupport),
        "From the Hub, along the river",
        &[Mon, Thu],
        Cadence::Weekly,
        630,
        (60, 90),
        6,
        None,
    ),
    activity(
        3,
        "Patient participation group",
        (Collective, CoGovernance),
        HUB,
        &[Thu],
        Cadence::Monthly(3),
        1080,
        (90, 90),
        2,
        Some(12),
    ),
    activity(
        4,
        "Digital buddies",
        (Individual, CoDelivery),
        LIBRARY,
        &[Tue],
        Cadence::Weekly,
        840,
        (60, 120),
        5,
        None,
    ),
    activity(
        4,
        "Knit and natter",
        (Group, PeerSupport),
        LIBRARY,
        &[Thu],
        Cadence::Weekly,
        600,
        (120, 120),
        5,
        Some(10),
    ),
    activity(
        4,
        "Rhyme time helper",
        (Group, CoDelivery),
        LIBRARY,
        &[Sat],
        Cadence::Weekly,
        630,
        (60, 60),
        3,
        None,
    ),
    activity(
        5,
        "Riverbank litter pick",
        (Collective, CommunityAction),
        "Meet at the Town Bridge, Marshfield",
        &[Sun],
        Cadence::Monthly(1),
        600,
        (120, 180),
        6,
        Some(30),
    ),
    ActivityDef {
        postcode: Some("PE14 0RX"),
        ..activity(
            5,
            "Lunch club, Saltney Fen village hall",
            (Group, CoDelivery),
            "Saltney Fen village hall",
            &[Wed],
            Cadence::Weekly,
            690,
            (150, 180),
            6,
            Some(8),
        )
    },
    ActivityDef {
        months: &[3, 10, 11],
        postcode: Some("PE13 4TB"),
        ..activity(
            5,
            "Planting day at Drayton Washes",
            (Collective, CommunityAction),
            "Drayton Washes car park",
            &[Sat],
            Cadence::Monthly(1),
            570,
            (240, 300),
            3,
            Some(25),
        )
    },
];

/// Days of the week and local hours `[from, to)`, in whole hours and minutes.
type Window = (&'static [Weekday], u32, u32);

const WEEKDAYS: &[Weekday] = &[Mon, Tue, Wed, Thu, Fri];
const WEEKEND: &[Weekday] = &[Sat, Sun];

/// When an offer can be used.
#[derive(Clone, Copy)]
enum Validity {
    Always,
    /// Valid between these days of the demo year.
    Days(i64, i64),
    /// Every year between these (month, day) dates.
    Season((u32, u32), (u32, u32)),
}

struct OfferDef {
    org: usize,
    name: &'static str,
    minutes: i64,
    audience: Audience,
    capacity: Option<(u32, CapacityPeriod)>,
    /// Off-peak windows; none for any time.
    off_peak: &'static [Window],
    /// Opening hours, for offers without off-peak windows.
    hours: Window,
    validity: Validity,
    popularity: u32,
}

const OFFERS: [OfferDef; 10] = [
    OfferDef {
        org: LEISURE,
        name: "Swim",
        minutes: 60,
        audience: Audience::Adult,
        capacity: None,
        off_peak: &[(WEEKDAYS, 9 * 60, 16 * 60), (WEEKEND, 14 * 60, 17 * 60)],
        hours: (WEEKDAYS, 0, 0),
        validity: Validity::Always,
        popularity: 30,
    },
    OfferDef {
        org: LEISURE,
        name: "Gym session",
        minutes: 60,
        audience: Audience::Adult,
        capacity: None,
        off_peak: &[(WEEKDAYS, 10 * 60, 16 * 60)],
        hours: (WEEKDAYS, 0, 0),
        validity: Validity::Always,
        popularity: 15,
    },
    OfferDef {
        org: LEISURE,
        name: "Family swim (two people)",
        minutes: 120,
        audience: Audience::Family,
        capacity: None,
        off_peak: &[(WEEKEND, 10 * 60, 16 * 60)],
        hours: (WEEKEND, 0, 0),
        validity: Validity::Always,
        popularity: 12,
    },
    OfferDef {
        org: LEISURE,
        name: "Summer holiday kids' swim",
        minutes: 30,
        audience: Audience::Child,
        capacity: Some((8, CapacityPeriod::Day)),
        off_peak: &[],
        hours: (&[Mon, Tue, Wed, Thu, Fri, Sat, Sun], 10 * 60, 15 * 60),
        validity: Validity::Season((7, 20), (9, 3)),
        popularity: 6,
    },
    OfferDef {
        org: CINEMA,
        name: "Cinema ticket",
        minutes: 120,
        audience: Audience::Adult,
        capacity: Some((6, CapacityPeriod::Week)),
        off_peak: &[
            (&[Tue], 13 * 60, 14 * 60),
            (&[Fri, Sat], 17 * 60 + 30, 20 * 60 + 30),
            (&[Sun], 14 * 60, 18 * 60),
        ],
        hours: (WEEKEND, 0, 0),
        validity: Validity::Always,
        popularity: 25,
    },
    OfferDef {
        org: CINEMA,
        name: "Saturday morning kids' film",
        minutes: 60,
        audience: Audience::Child,
        capacity: Some((20, CapacityPeriod::Week)),
        off_peak: &[(&[Sat], 10 * 60, 12 * 60)],
        hours: (WEEKEND, 0, 0),
        validity: Validity::Always,
        popularity: 8,
    },
    OfferDef {
        org: ADULT_LEARNING,
        name: "Taster class",
        minutes: 120,
        audience: Audience::Adult,
        capacity: None,
        off_peak: &[],
        hours: (WEEKDAYS, 10 * 60, 16 * 60),
        validity: Validity::Always,
        popularity: 6,
    },
    OfferDef {
        org: ADULT_LEARNING,
        name: "Six-week course place (autumn term)",
        minutes: 360,
        audience: Audience::Adult,
        capacity: Some((12, CapacityPeriod::Week)),
        off_peak: &[],
        hours: (WEEKDAYS, 10 * 60, 16 * 60),
        validity: Validity::Days(150, 270),
        popularity: 4,
    },
    OfferDef {
        org: BOWLS,
        name: "Afternoon of bowls",
        minutes: 60,
        audience: Audience::Adult,
        capacity: None,
        off_peak: &[],
        hours: (&[Mon, Wed, Fri, Sat], 13 * 60, 17 * 60),
        validity: Validity::Always,
        popularity: 5,
    },
    OfferDef {
        org: BOWLS,
        name: "Bowls taster for two",
        minutes: 90,
        audience: Audience::Family,
        capacity: Some((4, CapacityPeriod::Week)),
        off_peak: &[],
        hours: (&[Sat], 10 * 60, 12 * 60),
        validity: Validity::Always,
        popularity: 2,
    },
];
const SWIM: usize = 0;

const GIFT_REASONS: [&str; 10] = [
    "Thank you for the lift to the hospital",
    "For the pictures with the grandchildren",
    "Happy birthday, have a swim on me",
    "Thanks for helping with my garden",
    "So we can go to the cinema together",
    "Thank you for sitting with Mum",
    "Towards your course",
    "Thanks for fixing my bike",
    "For the kids' swimming",
    "Thank you for walking the dog while I was poorly",
];

const POT_PAYOUT_REASONS: [&str; 5] = [
    "From the larder's pot: a family swim over half term",
    "From the larder's pot: a cinema trip for the kids",
    "From the larder's pot, with thanks from everyone at the larder",
    "From the larder's pot: towards a course place",
    "From the larder's pot: a treat after a hard few weeks",
];

const REJECTIONS: [&str; 4] = [
    "The session was cancelled that week, so there are no hours to confirm",
    "We already have these hours on the register; they cannot be credited twice",
    "We have no record of this; please speak to Sam at the larder",
    "This was a social visit rather than volunteering; thank you all the same",
];

const VILLAGES: [(&str, u32); 6] = [
    ("Marshfield", 50),
    ("Saltney Fen", 12),
    ("Drayton", 10),
    ("Welney Cross", 10),
    ("Upwell Drove", 8),
    ("Coldham St Mary", 6),
];

/// What members offer and ask for in the time bank, by skill category.
const LISTINGS: [(&str, &str, &str); 12] = [
    (
        "care_and_companionship",
        "A cuppa and a chat, or a sit with someone poorly",
        "Someone to sit with Dad on Thursday afternoons",
    ),
    (
        "cooking_and_food",
        "Batch cooking for anyone just home from hospital",
        "Help learning to cook on a budget",
    ),
    (
        "gardening_and_outdoors",
        "Lawn mowing and hedge trimming",
        "Help clearing an overgrown back garden",
    ),
    (
        "diy_and_repairs",
        "Small repairs: shelves, curtain rails, dripping taps",
        "Someone handy to put up a few shelves",
    ),
    (
        "transport_and_errands",
        "Lifts to appointments in Wisbech or King's Lynn",
        "A lift to the hospital in King's Lynn",
    ),
    (
        "digital_and_admin",
        "Help with phones, tablets and online forms",
        "Help filling in a council form online",
    ),
    (
        "teaching_and_tutoring",
        "Maths and reading help for primary children",
        "Conversation practice in English",
    ),
    (
        "arts_and_crafts",
        "Knitting and crochet lessons",
        "Someone to help make costumes for the school play",
    ),
    (
        "sport_and_fitness",
        "A walking partner for gentle morning walks",
        "A running buddy to get back into exercise",
    ),
    (
        "languages_and_translation",
        "Polish-English help with letters and phone calls",
        "Help reading letters from the GP in English",
    ),
    (
        "childcare_and_families",
        "School pick-ups now and then",
        "Someone to mind the children for an hour after school",
    ),
    (
        "events_and_community",
        "Setting up tables and chairs for village events",
        "Helpers for the Saltney Fen summer fete",
    ),
];

const DECLINE_REASONS: [&str; 4] = [
    "Sorry, it was less time than that; can you send it again for an hour?",
    "I think this was meant for someone else",
    "We agreed it was a favour between neighbours, no credits needed",
    "",
];

// ---------------------------------------------------------------------------
// Names: a Fenland market town, with its Polish, Lithuanian, Latvian,
// Portuguese and Romanian neighbours. "Masculine/feminine" surname forms.

struct Culture {
    weight: u32,
    /// The preferred language of those who registered in it.
    language: &'static str,
    female: &'static str,
    male: &'static str,
    surnames: &'static str,
}

const CULTURES: [Culture; 8] = [
    Culture {
        language: "en",
        weight: 70,
        female: "Margaret Susan Julie Karen Tracey Lisa Emma Sarah Claire Hannah Chloe Jade Amy Sophie Lauren \
            Jessica Ellie Megan Pauline Brenda Janet Sandra Linda Jean Doreen Shirley Wendy Gemma Kelly Stacey \
            Rachel Nicola Joanne Vicky Beth Molly Grace Olivia Ruby Freya Maureen Sheila Carol Donna",
        male: "David John Peter Michael Paul Mark Steven Gary Darren Craig Lee Dean Wayne Jason Kevin Tony Ian \
            Keith Colin Derek Roy Brian Alan Graham Terry Ryan Jack Tom Harry Callum Jordan Kieran Liam Connor \
            Josh Alfie Charlie George Oliver Sam Ben Dan Ray Malcolm",
        surnames: "Smith Taylor Brown Wilson Johnson Clarke Wright Walker Hall Thompson Robinson Wood Harrison \
            Cooper Ward Turner Hill Moore King Baker Bell Marshall Fletcher Goodwin Frost Gotobed Tebbutt Hammond \
            Dring Pepper Leggett Sharman Wragg Skeels Papworth Bedford Dunham Fountain Sallis Kisby Loveday Towns \
            Scotney Drage Setchfield Thurlow Mott Bull Elsdon Fisher Cave Chapman Cox Rowell Lenton Popple Spinks \
            Starling Wiles Pilsworth Grounds Sutton Newell Barnes Hurst Reeve",
    },
    Culture {
        language: "pl",
        weight: 11,
        female: "Anna Katarzyna Agnieszka Magdalena Joanna Monika Ewa Małgorzata Aleksandra Natalia Zofia Justyna",
        male: "Piotr Krzysztof Tomasz Paweł Marcin Michał Łukasz Jakub Mateusz Kamil Grzegorz Adam",
        surnames: "Kowalski/Kowalska Nowak Wiśniewski/Wiśniewska Wójcik Kamiński/Kamińska Lewandowski/Lewandowska \
            Zieliński/Zielińska Szymański/Szymańska Dąbrowski/Dąbrowska Kozłowski/Kozłowska Mazur Krawczyk \
            Jankowski/Jankowska Wróbel",
    },
    Culture {
        language: "lt",
        weight: 7,
        female: "Rūta Jurgita Asta Giedrė Ieva Laura Kristina Inga Eglė Vaida",
        male: "Tomas Mindaugas Darius Andrius Paulius Vytautas Mantas Rokas Tadas Marius",
        surnames: "Kazlauskas/Kazlauskienė Jankauskas/Jankauskienė Petrauskas/Petrauskienė \
            Stankevičius/Stankevičienė Vasiliauskas/Vasiliauskienė Žukauskas/Žukauskaitė Butkus/Butkutė \
            Paulauskas/Paulauskienė Urbonas/Urbonaitė Kavaliauskas/Kavaliauskienė",
    },
    Culture {
        language: "pt",
        weight: 5,
        female: "Ana Maria Sofia Beatriz Inês Mariana Catarina Joana Rita Carla",
        male: "João Pedro Tiago Rui Nuno Miguel Luís Ricardo Bruno Carlos",
        surnames: "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes Gonçalves \
            Carvalho Almeida Lopes",
    },
    Culture {
        language: "lv",
        weight: 3,
        female: "Ilze Kristīne Inese Līga Dace Santa",
        male: "Jānis Andris Mārtiņš Edgars Raivis Artūrs",
        surnames: "Bērziņš/Bērziņa Kalniņš/Kalniņa Ozoliņš/Ozoliņa Liepiņš/Liepiņa Krūmiņš/Krūmiņa Jansons/Jansone",
    },
    Culture {
        language: "ro",
        weight: 2,
        female: "Elena Ioana Andreea Mihaela Alexandra",
        male: "Andrei Ionuț Florin Mihai Gabriel",
        surnames: "Popescu Ionescu Popa Dumitru Stan Munteanu Constantin",
    },
    Culture {
        language: "en",
        weight: 1,
        female: "Siobhan Niamh Bridget Aoife",
        male: "Declan Seán Patrick Eoin",
        surnames: "Murphy O'Brien Kelly Byrne Doyle Gallagher",
    },
    Culture {
        language: "en",
        weight: 1,
        female: "Priya Aisha Nasreen Shabana",
        male: "Arjun Imran Tariq Sanjay",
        surnames: "Patel Khan Hussain Ahmed Sharma",
    },
];

fn pick_word(rng: &mut ChaCha8Rng, words: &'static str) -> &'static str {
    let words: Vec<&'static str> = words.split_whitespace().collect();
    words
        .choose(rng)
        .copied()
        .expect("word lists are not empty")
}

/// A name and the preferred language that goes with it (most people
/// with a Polish name prefer Polish, and so on; a few prefer English).
fn person_name(rng: &mut ChaCha8Rng) -> (String, &'static str) {
    let culture = CULTURES
        .choose_weighted(rng, |c| c.weight)
        .expect("weights are positive");
    let female = rng.random_bool(0.55);
    let first = pick_word(rng, if female { culture.female } else { culture.male });
    let surname = pick_word(rng, culture.surnames);
    let surname = match surname.split_once('/') {
        Some((masculine, feminine)) => {
            if female {
                feminine
            } else {
                masculine
            }
        }
        None => surname,
    };
    let language = if rng.random_bool(0.8) {
        culture.language
    } else {
        "en"
    };
    (format!("{first} {surname}"), language)
}

// ---------------------------------------------------------------------------
// The members.

struct Commitment {
    activity: usize,
    day: Weekday,
    chance: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Joining {
    /// Registered by staff (a coordinator, or the programme office).
    OnBehalf,
    /// Registered online, approved a few days later.
    SelfApproved,
    /// Registered online in the last days, still waiting for approval.
    SelfPending,
}

struct MemberPlan {
    name: String,
    /// Preferred language.
    language: &'static str,
    number: MemberNumber,
    pin: Option<&'static str>,
    persona: Persona,
    joining: Joining,
    /// When they register, and when they may take part (after any approval).
    registered_at: DateTime<Utc>,
    active_at: DateTime<Utc>,
    /// Day they stop coming (DAYS if they do not).
    leave: i64,
    commitments: Vec<Commitment>,
    /// The organisation they came through, and others they belong to.
    organisation: usize,
    other_organisations: Vec<usize>,
    /// Their favourite offer and their second choice.
    offers: [usize; 2],
    /// Chance per week of going to spend, if they can afford it.
    spend_rate: f64,
    friends: Vec<usize>,
    /// Chance per month of giving a friend some credits.
    gift_rate: f64,
    skills: Vec<&'static str>,
    interests: Vec<&'static str>,
    /// Day their profile is filled in, if it is.
    profile_day: Option<i64>,
    phone: Option<String>,
    village: &'static str,
    /// Whether they use the time bank.
    timebank: bool,
}

impl MemberPlan {
    /// Whether they sign in themselves (else staff act for them).
    fn signs_in(&self) -> bool {
        self.pin.is_some() || self.joining != Joining::OnBehalf
    }

    fn active_day(&self, start: NaiveDate) -> i64 {
        (self.active_at.date_naive() - start).num_days() + 1
    }
}

fn plan_members(rng: &mut ChaCha8Rng, start: NaiveDate) -> Vec<MemberPlan> {
    let mut names = HashSet::new();
    let mut numbers: HashSet<u32> = SIGN_IN_MEMBERS.iter().map(|m| m.base).collect();
    let mut members = Vec::with_capacity(MEMBER_COUNT);
    let activity_ids: Vec<usize> = (0..ACTIVITIES.len()).collect();
    let offer_ids: Vec<usize> = (0..OFFERS.len()).collect();
    let categories: Vec<&'static str> = SKILL_CATEGORIES.iter().map(|(c, _)| *c).collect();
    for index in 0..MEMBER_COUNT {
        let (name, language) = loop {
            let (name, language) = person_name(rng);
            if names.insert(name.clone()) {
                break (name, language);
            }
        };
        let signs_in = SIGN_IN_MEMBERS.get(index);
        let base = match signs_in {
            Some(m) => m.base,
            None => loop {
                let base = rng.random_range(100_000..=999_999);
                if numbers.insert(base) {
                    break base;
                }
            },
        };
        let joining = match index {
            i if SELF_REGISTERED.contains(&i) && i + 1 == SELF_REGISTERED.end => {
                Joining::SelfPending
            }
            i if SELF_REGISTERED.contains(&i) => Joining::SelfApproved,
            _ => Joining::OnBehalf,
        };
        let persona = match (signs_in, joining) {
            (Some(m), _) => m.persona,
            (None, Joining::OnBehalf) => match rng.random_range(0..100) {
                0..6 => Persona::VeryActive,
                6..51 => Persona::Regular,
                51..81 => Persona::Occasional,
                _ => Persona::OneOff,
            },
            (None, _) => Persona::Regular,
        };
        let join = match (signs_in, joining, persona) {
            (Some(_), _, _) => rng.random_range(0..=6),
            (None, Joining::SelfPending, _) => DAYS - 2,
            (None, Joining::SelfApproved, _) => rng.random_range(30..=DAYS - 90),
            (None, _, Persona::OneOff) => rng.random_range(0..=DAYS - 25),
            (None, _, _) if rng.random_bool(0.4) => rng.random_range(0..=20),
            (None, _, _) => rng.random_range(21..=DAYS - 35),
        };
        let leave = if persona == Persona::Regular
            && signs_in.is_none()
            && joining == Joining::OnBehalf
            && rng.random_bool(0.2)
        {
            (join + rng.random_range(60..=300)).min(DAYS)
        } else {
            DAYS
        };
        let (count, weekly, monthly) = match persona {
            Persona::VeryActive => (3, rng.random_range(0.75..0.95), 0.9),
            Persona::Regular => (
                if rng.random_bool(0.7) { 1 } else { 2 },
                rng.random_range(0.35..0.75),
                0.85,
            ),
            Persona::Occasional => (rng.random_range(1..=2), rng.random_range(0.06..0.18), 0.35),
            Persona::OneOff => (1, 0.0, 0.0),
        };
        let mut commitments: Vec<Commitment> = Vec::new();
        while commitments.len() < count {
            let activity = *activity_ids
                .choose_weighted(rng, |&a| ACTIVITIES[a].popularity)
                .expect("weights");
            if commitments.iter().any(|c| c.activity == activity) {
                continue;
            }
            let def = &ACTIVITIES[activity];
            let day = *def.days.choose(rng).expect("activities have days");
            let chance = match def.cadence {
                Cadence::Weekly => weekly,
                Cadence::Monthly(_) => monthly,
            };
            commitments.push(Commitment {
                activity,
                day,
                chance,
            });
        }
        // Those who sign in claim some of their hours themselves.
        let claims_own_hours = signs_in.is_some() || joining == Joining::SelfApproved;
        if claims_own_hours && !commitments.iter().any(|c| claimable(c.activity)) {
            let choices: Vec<usize> = activity_ids
                .iter()
                .copied()
                .filter(|&a| claimable(a))
                .collect();
            let activity = *choices.choose(rng).expect("activities taking claims");
            let day = *ACTIVITIES[activity].days.choose(rng).expect("days");
            commitments.push(Commitment {
                activity,
                day,
                chance: weekly,
            });
        }
        let organisation = ACTIVITIES[commitments[0].activity].org;
        let mut other_organisations = Vec::new();
        for c in &commitments[1..] {
            let org = ACTIVITIES[c.activity].org;
            if org != organisation && !other_organisations.contains(&org) {
                other_organisations.push(org);
            }
        }
        let favourite = *offer_ids
            .choose_weighted(rng, |&o| OFFERS[o].popularity)
            .expect("weights");
        let second = *offer_ids
            .choose_weighted(rng, |&o| OFFERS[o].popularity)
            .expect("weights");
        let spend_rate = match persona {
            Persona::VeryActive => 0.6,
            Persona::Regular => rng.random_range(0.25..0.55),
            Persona::Occasional => 0.15,
            Persona::OneOff => 0.0,
        };
        let gift_rate = match (signs_in, persona) {
            (Some(_), _) => 0.5,
            (None, Persona::VeryActive) => 0.3,
            (None, Persona::Regular) => 0.2,
            (None, Persona::Occasional) => 0.08,
            (None, Persona::OneOff) => 0.0,
        };
        let wanted = rng.random_range(1..=3);
        let skills: Vec<&'static str> = categories.choose_multiple(rng, wanted).copied().collect();
        let wanted = rng.random_range(1..=2);
        let interests: Vec<&'static str> =
            categories.choose_multiple(rng, wanted).copied().collect();
        let profile_day = (persona != Persona::OneOff || rng.random_bool(0.3))
            .then(|| join + rng.random_range(1..=14))
            .filter(|&d| d < DAYS && joining != Joining::SelfPending);
        let phone = rng
            .random_bool(0.4)
            .then(|| format!("07700 900{:03}", rng.random_range(0..1000)));
        let village = VILLAGES.choose_weighted(rng, |v| v.1).expect("weights").0;
        let timebank = joining == Joining::SelfApproved
            || signs_in.is_some()
            || (persona != Persona::OneOff && rng.random_bool(0.22));
        let registered_at = local(
            start + Duration::days(join),
            match joining {
                // Online, in the evening.
                Joining::SelfApproved | Joining::SelfPending => rng.random_range(18 * 60..22 * 60),
                Joining::OnBehalf => rng.random_range(9 * 60..16 * 60),
            },
            rng.random_range(0..60),
        );
        let active_at = match joining {
            Joining::SelfApproved => local(
                start + Duration::days(join + rng.random_range(1..=3)),
                rng.random_range(9 * 60..12 * 60),
                rng.random_range(0..60),
            ),
            _ => registered_at,
        };
        members.push(MemberPlan {
            name,
            language,
            number: member_number(base),
            pin: signs_in.map(|m| m.pin),
            persona,
            joining,
            registered_at,
            active_at,
            leave,
            commitments,
            organisation,
            other_organisations,
            offers: [favourite, second],
            spend_rate,
            friends: Vec::new(),
            gift_rate,
            skills,
            interests,
            profile_day,
            phone,
            village,
            timebank,
        });
    }
    // Friends: people who give time at the same organisation.
    for index in 0..members.len() {
        let orgs: Vec<usize> = members[index]
            .commitments
            .iter()
            .map(|c| ACTIVITIES[c.activity].org)
            .collect();
        let candidates: Vec<usize> = (0..members.len())
            .filter(|&other| {
                other != index
                    && members[other].joining != Joining::SelfPending
                    && members[other]
                        .commitments
                        .iter()
                        .any(|c| orgs.contains(&ACTIVITIES[c.activity].org))
            })
            .collect();
        let wanted = rng.random_range(0..=3);
        members[index].friends = candidates.choose_multiple(rng, wanted).copied().collect();
    }
    members
}

// ---------------------------------------------------------------------------
// The plan.

struct SessionPlan {
    activity: usize,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i64,
    created_at: DateTime<Utc>,
    /// Who signs up, when, and the minutes they would give.
    sign_ups: Vec<(usize, DateTime<Utc>, i64)>,
    /// More signed up than there are places: sign-ups are played one by one.
    full: bool,
    /// The register as confirmed: member, attended, minutes.
    entries: Vec<(usize, bool, i64)>,
    key: TransferId,
}

struct DirectPlan {
    member: usize,
    activity: usize,
    date: NaiveDate,
    minutes: i64,
    key: TransferId,
}

struct ClaimPlan {
    member: usize,
    activity: usize,
    date: NaiveDate,
    minutes: i64,
    note: &'static str,
    key: TransferId,
}

struct RedemptionPlan {
    member: usize,
    offer: usize,
    /// The programme-local day, for the offer's capacity.
    date: NaiveDate,
    key: TransferId,
}

struct ListingPlan {
    author: usize,
    kind: ListingKind,
    category: &'static str,
    title: &'static str,
    place: &'static str,
    /// When it is posted, and closed if it is.
    posted: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
}

struct ProposalPlan {
    proposer: usize,
    counterparty: usize,
    direction: ExchangeDirection,
    minutes: i64,
    note: String,
    listing: Option<usize>,
    expires_in_days: i64,
}

impl ProposalPlan {
    /// The one helped, who pays.
    fn payer(&self) -> usize {
        match self.direction {
            ExchangeDirection::HelperBills => self.counterparty,
            ExchangeDirection::HelpedPays => self.proposer,
        }
    }
    fn payee(&self) -> usize {
        match self.direction {
            ExchangeDirection::HelperBills => self.proposer,
            ExchangeDirection::HelpedPays => self.counterparty,
        }
    }
}

#[derive(Clone, Debug)]
enum Action {
    Register {
        member: usize,
    },
    SelfRegister {
        member: usize,
    },
    Approve {
        member: usize,
    },
    UpdateProfile {
        member: usize,
    },
    ChangeRules,
    Suspend {
        org: usize,
    },
    CreateSession {
        session: usize,
    },
    SignUp {
        session: usize,
        member: usize,
    },
    CancelSignUp {
        session: usize,
        member: usize,
    },
    ConfirmRegister {
        session: usize,
    },
    Direct {
        record: usize,
    },
    Claim {
        claim: usize,
    },
    ConfirmClaim {
        claim: usize,
    },
    RejectClaim {
        claim: usize,
        reason: &'static str,
    },
    Correct {
        record: usize,
        minutes: i64,
        key: TransferId,
    },
    Redeem {
        redemption: usize,
    },
    Refund {
        redemption: usize,
        key: TransferId,
    },
    Gift {
        from: usize,
        to: usize,
        minutes: i64,
        reason: &'static str,
        key: TransferId,
    },
    ToPot {
        member: usize,
        minutes: i64,
        key: TransferId,
    },
    FromPot {
        member: usize,
        minutes: i64,
        reason: &'static str,
        key: TransferId,
    },
    PostListing {
        listing: usize,
    },
    CloseListing {
        listing: usize,
    },
    Propose {
        proposal: usize,
    },
    Accept {
        proposal: usize,
        key: TransferId,
    },
    Decline {
        proposal: usize,
        reason: &'static str,
    },
    Withdraw {
        proposal: usize,
    },
}

/// What an event touches: events that share none may run together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Member(usize),
    /// An organisation's account: events that credit or debit it run one at
    /// a time, since a posting is stamped no earlier than the account's last.
    Partner(usize),
    Session(usize),
    Offer(usize),
    Listing(usize),
    Pot,
    /// Runs alone.
    All,
}

impl Action {
    fn keys(&self, plan: &Plan) -> Vec<Key> {
        use Key::Member as M;
        match *self {
            Self::Register { member }
            | Self::SelfRegister { member }
            | Self::Approve { member }
            | Self::UpdateProfile { member } => vec![M(member)],
            Self::ChangeRules | Self::Suspend { .. } => vec![Key::All],
            Self::CreateSession { session } => vec![Key::Session(session)],
            Self::SignUp { session, member } | Self::CancelSignUp { session, member } => {
                if plan.sessions[session].full {
                    vec![M(member), Key::Session(session)]
                } else {
                    vec![M(member)]
                }
            }
            Self::ConfirmRegister { session } => {
                let org = ACTIVITIES[plan.sessions[session].activity].org;
                let mut keys = vec![Key::Session(session), Key::Partner(org)];
                keys.extend(plan.sessions[session].entries.iter().map(|e| M(e.0)));
                keys
            }
            Self::Direct { record } | Self::Correct { record, .. } => {
                let d = &plan.directs[record];
                vec![M(d.member), Key::Partner(ACTIVITIES[d.activity].org)]
            }
            Self::Claim { claim } | Self::RejectClaim { claim, .. } => {
                vec![M(plan.claims[claim].member)]
            }
            Self::ConfirmClaim { claim } => {
                let c = &plan.claims[claim];
                vec![M(c.member), Key::Partner(ACTIVITIES[c.activity].org)]
            }
            Self::Redeem { redemption } | Self::Refund { redemption, .. } => {
                let r = &plan.redemptions[redemption];
                let mut keys = vec![M(r.member), Key::Partner(OFFERS[r.offer].org)];
                if OFFERS[r.offer].capacity.is_some() {
                    keys.push(Key::Offer(r.offer));
                }
                keys
            }
            Self::Gift { from, to, .. } => vec![M(from), M(to)],
            Self::ToPot { member, .. } | Self::FromPot { member, .. } => vec![M(member), Key::Pot],
            Self::PostListing { listing } => vec![M(plan.listings[listing].author)],
            Self::CloseListing { listing } => {
                vec![M(plan.listings[listing].author), Key::Listing(listing)]
            }
            Self::Propose { proposal } => {
                let p = &plan.proposals[proposal];
                // The counterparty's standing is read too.
                let mut keys = vec![M(p.proposer), M(p.counterparty)];
                keys.extend(p.listing.map(Key::Listing));
                keys
            }
            Self::Accept { proposal, .. } => {
                let p = &plan.proposals[proposal];
                vec![M(p.proposer), M(p.counterparty)]
            }
            Self::Decline { proposal, .. } => vec![M(plan.proposals[proposal].counterparty)],
            Self::Withdraw { proposal } => vec![M(plan.proposals[proposal].proposer)],
        }
    }
}

#[derive(Clone, Debug)]
struct Event {
    at: DateTime<Utc>,
    /// Creation order: breaks ties between equal times.
    order: usize,
    action: Action,
}

struct Plan {
    start: NaiveDate,
    sessions: Vec<SessionPlan>,
    directs: Vec<DirectPlan>,
    claims: Vec<ClaimPlan>,
    redemptions: Vec<RedemptionPlan>,
    listings: Vec<ListingPlan>,
    proposals: Vec<ProposalPlan>,
    events: Vec<Event>,
}

impl Plan {
    fn date(&self, day: i64) -> NaiveDate {
        self.start + Duration::days(day)
    }

    fn push(&mut self, at: DateTime<Utc>, action: Action) {
        let order = self.events.len();
        self.events.push(Event { at, order, action });
    }

    fn sort(&mut self) {
        self.events.sort_by_key(|e| (e.at, e.order));
    }
}

fn new_key(rng: &mut ChaCha8Rng) -> TransferId {
    TransferId(uuid::Builder::from_random_bytes(rng.random()).into_uuid())
}

/// The daily cap of the rules in force on `day`.
fn daily_cap(day: i64) -> i64 {
    if day >= RULES_CHANGE {
        DAILY_CAP_AFTER
    } else {
        DAILY_CAP
    }
}

/// The year: registrations, sessions, time given, spending, gifts, the time
/// bank and a few corrections, in time order, each with a distinct time.
fn plan_year(
    rng: &mut ChaCha8Rng,
    members: &[MemberPlan],
    start: NaiveDate,
    today: DateTime<Utc>,
) -> Plan {
    let mut p = Plan {
        start,
        sessions: Vec::new(),
        directs: Vec::new(),
        claims: Vec::new(),
        redemptions: Vec::new(),
        listings: Vec::new(),
        proposals: Vec::new(),
        events: Vec::new(),
    };
    p.push(
        local(p.date(RULES_ANNOUNCED), 10 * 60, 0),
        Action::ChangeRules,
    );
    p.push(
        local(p.date(SUSPENSION), 11 * 60 + 30, 0),
        Action::Suspend { org: BOWLS },
    );

    // Sessions, scheduled ten days ahead by the coordinator (or the programme office).
    let mut session_of: HashMap<(usize, i64), usize> = HashMap::new();
    for (index, a) in ACTIVITIES.iter().enumerate() {
        let Some(capacity) = a.places else { continue };
        for day in 1..DAYS + AHEAD {
            let date = p.date(day);
            if closed(date) || !a.days.iter().any(|&w| runs_on(a, date, w)) {
                continue;
            }
            let longest = a.minutes.1;
            let starts_at = local(date, a.start, 0);
            let created_at = local(
                p.date((day - 10).max(0)),
                8 * 60 + index as u32,
                rng.random_range(0..60),
            );
            session_of.insert((index, day), p.sessions.len());
            p.sessions.push(SessionPlan {
                activity: index,
                starts_at,
                ends_at: starts_at + Duration::minutes(longest),
                capacity,
                created_at,
                sign_ups: Vec::new(),
                full: false,
                entries: Vec::new(),
                key: new_key(rng),
            });
        }
    }

    for (index, m) in members.iter().enumerate() {
        match m.joining {
            Joining::OnBehalf => p.push(m.registered_at, Action::Register { member: index }),
            Joining::SelfApproved => {
                p.push(m.registered_at, Action::SelfRegister { member: index });
                p.push(m.active_at, Action::Approve { member: index });
            }
            Joining::SelfPending => {
                p.push(m.registered_at, Action::SelfRegister { member: index });
                continue;
            }
        }
        if let Some(day) = m.profile_day {
            let at = local(
                p.date(day),
                rng.random_range(10 * 60..17 * 60),
                rng.random_range(0..60),
            );
            if at > m.active_at {
                p.push(at, Action::UpdateProfile { member: index });
            }
        }
        plan_time_given(rng, &mut p, &session_of, members, index, today);
        plan_spending(rng, &mut p, m, index);
        plan_gifts(rng, &mut p, m, index);
    }
    leave_a_claim_pending(&mut p);
    plan_pot_payouts(rng, &mut p, members);
    plan_sign_ups(rng, &mut p, today);
    plan_time_bank(rng, &mut p, members, today);

    p.sort();
    keep_affordable(&mut p, members);
    add_corrections(rng, &mut p, members);
    p.sort();
    // Distinct times, so every statement reads in one order.
    let mut last: Option<DateTime<Utc>> = None;
    for event in &mut p.events {
        if let Some(previous) = last
            && event.at <= previous
        {
            event.at = previous + Duration::seconds(1);
        }
        last = Some(event.at);
    }
    p.events.retain(|e| e.at < today);
    p
}

/// The member's time given: sign-ups to sessions, claims and records,
/// within the daily cap of the rules in force.
fn plan_time_given(
    rng: &mut ChaCha8Rng,
    p: &mut Plan,
    session_of: &HashMap<(usize, i64), usize>,
    members: &[MemberPlan],
    index: usize,
    today: DateTime<Utc>,
) {
    let m = &members[index];
    let first = m.active_day(p.start);
    let mut days = Vec::new();
    if m.persona == Persona::OneOff {
        let c = &m.commitments[0];
        let runs =
            |day: i64| runs_on(&ACTIVITIES[c.activity], p.date(day), c.day) && !closed(p.date(day));
        let mut day = first + rng.random_range(0..40);
        while day < DAYS && !runs(day) {
            day += 1;
        }
        if day < DAYS {
            days.push((day, c.activity));
        }
    } else {
        // Those who stay sign up to sessions still to come, too.
        let last = if m.leave >= DAYS {
            DAYS + AHEAD
        } else {
            m.leave
        };
        for day in first..last {
            let date = p.date(day);
            if closed(date) {
                continue;
            }
            for c in &m.commitments {
                let a = &ACTIVITIES[c.activity];
                if (day < DAYS || a.places.is_some())
                    && runs_on(a, date, c.day)
                    && rng.random_bool(c.chance)
                {
                    days.push((day, c.activity));
                }
            }
        }
    }
    let mut credited: HashMap<i64, i64> = HashMap::new();
    for (day, activity) in days {
        let a = &ACTIVITIES[activity];
        let minutes = rng.random_range(a.minutes.0 / 15..=a.minutes.1 / 15) * 15;
        let total = credited.entry(day).or_insert(0);
        if *total + minutes > daily_cap(day) {
            continue;
        }
        *total += minutes;
        let date = p.date(day);
        if a.places.is_some() {
            let session = session_of[&(activity, day)];
            let s = &p.sessions[session];
            // Signed up a few days before, once registered and the session scheduled.
            let earliest = (s.starts_at - Duration::days(rng.random_range(1..=6)))
                .max(s.created_at + Duration::hours(1))
                .max(m.active_at + Duration::minutes(30));
            let latest = s.starts_at - Duration::hours(1);
            if earliest >= latest {
                continue;
            }
            let span = (latest - earliest).num_seconds();
            let at = earliest + Duration::seconds(rng.random_range(0..span));
            p.sessions[session].sign_ups.push((index, at, minutes));
            continue;
        }
        // Recorded after the session, or next morning after an evening one.
        let end = a.start + minutes as u32;
        let recorded = end + rng.random_range(10..=120);
        let (record_day, recorded) = if recorded > 19 * 60 {
            (day + 1, rng.random_range(9 * 60..11 * 60))
        } else {
            (day, recorded)
        };
        let at = local(p.date(record_day), recorded, rng.random_range(0..60));
        if at >= today {
            continue;
        }
        if m.signs_in() && takes_claims(a.org) {
            // Members who sign in claim their own hours; staff decide within days.
            let claim = p.claims.len();
            p.claims.push(ClaimPlan {
                member: index,
                activity,
                date,
                minutes,
                note: if rng.random_bool(0.5) {
                    ""
                } else {
                    "Stayed on to help clear up"
                },
                key: new_key(rng),
            });
            p.push(at, Action::Claim { claim });
            let decided = local(
                p.date(record_day + rng.random_range(1..=4)),
                rng.random_range(9 * 60..17 * 60),
                rng.random_range(0..60),
            );
            if decided < today {
                let action = if claim % 9 == 4 {
                    Action::RejectClaim {
                        claim,
                        reason: REJECTIONS[claim % REJECTIONS.len()],
                    }
                } else {
                    Action::ConfirmClaim { claim }
                };
                p.push(decided, action);
            }
        } else {
            let record = p.directs.len();
            p.directs.push(DirectPlan {
                member: index,
                activity,
                date,
                minutes,
                key: new_key(rng),
            });
            p.push(at, Action::Direct { record });
        }
    }
}

/// The latest claims are still waiting for a decision; if every one was
/// decided by today, the latest is left waiting.
fn leave_a_claim_pending(p: &mut Plan) {
    let mut decided = vec![false; p.claims.len()];
    let mut latest: Option<(DateTime<Utc>, usize)> = None;
    for e in &p.events {
        match e.action {
            Action::ConfirmClaim { claim } | Action::RejectClaim { claim, .. } => {
                decided[claim] = true;
            }
            Action::Claim { claim } if latest.is_none_or(|(at, _)| e.at > at) => {
                latest = Some((e.at, claim));
            }
            _ => {}
        }
    }
    if let Some((_, last)) = latest
        && decided.iter().all(|d| *d)
    {
        p.events.retain(|e| {
            !matches!(e.action, Action::ConfirmClaim { claim } | Action::RejectClaim { claim, .. } if claim == last)
        });
    }
}

/// Sign-ups, the waiting lists of full sessions (with one cancellation
/// that promotes the first waiting), and the registers of sessions held.
fn plan_sign_ups(rng: &mut ChaCha8Rng, p: &mut Plan, today: DateTime<Utc>) {
    let mut cancelled_one = false;
    for session in 0..p.sessions.len() {
        let s = &mut p.sessions[session];
        if s.sign_ups.is_empty() {
            continue;
        }
        s.sign_ups.sort_by_key(|u| u.1);
        let capacity = s.capacity as usize;
        s.full = s.sign_ups.len() > capacity;
        let mut places: Vec<(usize, i64)> = s
            .sign_ups
            .iter()
            .take(capacity)
            .map(|u| (u.0, u.2))
            .collect();
        let mut cancel = None;
        if s.full && !cancelled_one && s.starts_at < today - Duration::days(30) {
            // The first to sign up cannot come after all; the first waiting gets the place.
            let last = s.sign_ups.iter().map(|u| u.1).max().expect("sign-ups");
            let at = last + Duration::minutes(rng.random_range(10..60));
            if at < s.starts_at - Duration::minutes(30) {
                cancel = Some((s.sign_ups[0].0, at));
                places.remove(0);
                let promoted = &s.sign_ups[capacity];
                places.push((promoted.0, promoted.2));
                cancelled_one = true;
            }
        }
        // The register: confirmed after the session, next morning after an evening one.
        let a = &ACTIVITIES[s.activity];
        let end_minute = a.start + a.minutes.1 as u32;
        let date = s.starts_at.date_naive();
        let register_at = if end_minute + 30 > 19 * 60 {
            local(
                date + Duration::days(1),
                rng.random_range(9 * 60..11 * 60),
                0,
            )
        } else {
            local(date, end_minute + rng.random_range(15..=90), 0)
        };
        s.entries = places
            .iter()
            .map(|&(member, minutes)| (member, !rng.random_bool(0.04), minutes))
            .collect();
        let sign_ups: Vec<(usize, DateTime<Utc>)> = s.sign_ups.iter().map(|u| (u.0, u.1)).collect();
        let created_at = s.created_at;
        p.push(created_at, Action::CreateSession { session });
        for (member, at) in sign_ups {
            p.push(at, Action::SignUp { session, member });
        }
        if let Some((member, at)) = cancel {
            p.push(at, Action::CancelSignUp { session, member });
        }
        p.push(register_at, Action::ConfirmRegister { session });
    }
    // Sessions nobody signed up to are scheduled all the same.
    for session in 0..p.sessions.len() {
        if p.sessions[session].sign_ups.is_empty() {
            let at = p.sessions[session].created_at;
            p.push(at, Action::CreateSession { session });
        }
    }
}

fn plan_spending(rng: &mut ChaCha8Rng, p: &mut Plan, m: &MemberPlan, index: usize) {
    let first = m.active_day(p.start);
    let mut spend_weeks = Vec::new();
    if m.persona == Persona::OneOff {
        if rng.random_bool(0.6) {
            spend_weeks.push(first + rng.random_range(10..=60));
        }
    } else {
        let mut week_start = first;
        while week_start < DAYS {
            if rng.random_bool(m.spend_rate) {
                spend_weeks.push(week_start);
            }
            week_start += 7;
        }
    }
    for week_start in spend_weeks {
        let offer = if rng.random_bool(0.7) {
            m.offers[0]
        } else {
            m.offers[1]
        };
        let Some((day, minute)) = spend_time(rng, p, week_start, offer) else {
            continue;
        };
        if day >= DAYS || (OFFERS[offer].org == BOWLS && day >= SUSPENSION) {
            continue;
        }
        let redemption = p.redemptions.len();
        p.redemptions.push(RedemptionPlan {
            member: index,
            offer,
            date: p.date(day),
            key: new_key(rng),
        });
        p.push(
            local(p.date(day), minute, rng.random_range(0..60)),
            Action::Redeem { redemption },
        );
    }
}

/// Gifts to friends, and now and then to the larder's community pot.
fn plan_gifts(rng: &mut ChaCha8Rng, p: &mut Plan, m: &MemberPlan, index: usize) {
    let first = m.active_day(p.start);
    for month in 0..12 {
        let day = month * 30 + rng.random_range(0..30);
        let at = local(
            p.date(day),
            rng.random_range(10 * 60..20 * 60),
            rng.random_range(0..60),
        );
        if !m.friends.is_empty() && rng.random_bool(m.gift_rate) && day >= first && day < DAYS {
            let to = *m.friends.choose(rng).expect("has friends");
            let minutes = if rng.random_bool(0.7) { 60 } else { 120 };
            let reason = *GIFT_REASONS.choose(rng).expect("reasons");
            let key = new_key(rng);
            p.push(
                at,
                Action::Gift {
                    from: index,
                    to,
                    minutes,
                    reason,
                    key,
                },
            );
        } else if m.gift_rate > 0.0 && rng.random_bool(0.05) && day >= first && day < DAYS {
            let key = new_key(rng);
            p.push(
                at,
                Action::ToPot {
                    member: index,
                    minutes: 60,
                    key,
                },
            );
        }
    }
}

/// The larder's coordinator gives from its pot to families who need it.
fn plan_pot_payouts(rng: &mut ChaCha8Rng, p: &mut Plan, members: &[MemberPlan]) {
    let larder: Vec<usize> = (0..members.len())
        .filter(|&i| members[i].organisation == LARDER && members[i].joining == Joining::OnBehalf)
        .collect();
    for week in (4..DAYS / 7).step_by(3) {
        let Some(&member) = larder.choose(rng) else {
            return;
        };
        let day = week * 7 + rng.random_range(0..5);
        let at = local(
            p.date(day),
            rng.random_range(11 * 60..15 * 60),
            rng.random_range(0..60),
        );
        if at <= members[member].active_at || day >= DAYS {
            continue;
        }
        let key = new_key(rng);
        p.push(
            at,
            Action::FromPot {
                member,
                minutes: if rng.random_bool(0.6) { 60 } else { 120 },
                reason: POT_PAYOUT_REASONS.choose(rng).expect("reasons"),
                key,
            },
        );
    }
}

/// Listings in the time bank, and proposals answered (or not) by the other member.
fn plan_time_bank(
    rng: &mut ChaCha8Rng,
    p: &mut Plan,
    members: &[MemberPlan],
    today: DateTime<Utc>,
) {
    let people: Vec<usize> = (0..members.len())
        .filter(|&i| members[i].timebank && members[i].joining != Joining::SelfPending)
        .collect();
    for &author in &people {
        let m = &members[author];
        for _ in 0..rng.random_range(1..=2) {
            let day = m.active_day(p.start) + rng.random_range(2..=60);
            if day >= DAYS - 1 {
                continue;
            }
            let kind = if rng.random_bool(0.6) {
                ListingKind::Offer
            } else {
                ListingKind::Request
            };
            let categories = match kind {
                ListingKind::Offer => &m.skills,
                ListingKind::Request => &m.interests,
            };
            let category = *categories.choose(rng).expect("some categories");
            let Some(&(_, offer, request)) = LISTINGS.iter().find(|l| l.0 == category) else {
                continue;
            };
            let posted = local(
                p.date(day),
                rng.random_range(9 * 60..21 * 60),
                rng.random_range(0..60),
            );
            let closed = rng
                .random_bool(0.25)
                .then(|| posted + Duration::days(rng.random_range(40..=150)))
                .filter(|&c| c < today);
            let listing = p.listings.len();
            p.listings.push(ListingPlan {
                author,
                kind,
                category,
                title: match kind {
                    ListingKind::Offer => offer,
                    ListingKind::Request => request,
                },
                place: m.village,
                posted,
                closed,
            });
            p.push(posted, Action::PostListing { listing });
            if let Some(at) = closed {
                p.push(at, Action::CloseListing { listing });
            }
        }
    }
    if p.listings.is_empty() {
        return;
    }
    // Ninety tries at an exchange over the year, then two recent ones
    // still waiting for an answer.
    let (mut tries, mut recent_made) = (0, 0);
    while tries < 90 || (recent_made < 2 && tries < 400) {
        let recent = tries >= 90;
        tries += 1;
        let listing = rng.random_range(0..p.listings.len());
        let l = &p.listings[listing];
        let other = *people.choose(rng).expect("people");
        if other == l.author {
            continue;
        }
        let at = if recent {
            today - Duration::hours(rng.random_range(12..=96))
        } else {
            l.posted + Duration::hours(rng.random_range(24..=24 * 90))
        };
        if at <= l.posted
            || at >= today
            || at <= members[other].active_at
            || l.closed.is_some_and(|c| at >= c)
        {
            continue;
        }
        let (helper, helped) = match l.kind {
            ListingKind::Offer => (l.author, other),
            ListingKind::Request => (other, l.author),
        };
        let (proposer, counterparty, direction) = if rng.random_bool(0.5) {
            (helper, helped, ExchangeDirection::HelperBills)
        } else {
            (helped, helper, ExchangeDirection::HelpedPays)
        };
        let minutes = *[60, 60, 90, 120, 150].choose(rng).expect("minutes");
        let proposal = p.proposals.len();
        p.proposals.push(ProposalPlan {
            proposer,
            counterparty,
            direction,
            minutes,
            note: format!("{}, {}", l.title, l.place),
            listing: Some(listing),
            expires_in_days: if rng.random_bool(0.8) { 14 } else { 7 },
        });
        p.push(at, Action::Propose { proposal });
        if recent {
            recent_made += 1;
            continue;
        }
        let answered = at + Duration::hours(rng.random_range(2..=24 * 5));
        let action = match rng.random_range(0..100) {
            0..68 => Action::Accept {
                proposal,
                key: new_key(rng),
            },
            68..82 => Action::Decline {
                proposal,
                reason: DECLINE_REASONS.choose(rng).expect("reasons"),
            },
            82..86 => Action::Withdraw { proposal },
            // Never answered: it expires.
            _ => continue,
        };
        if answered < today {
            p.push(answered, action);
        }
    }
}

/// Drops spends, gifts and payments that could not be afforded at the
/// time (and redemptions beyond an offer's capacity). Time given is
/// credited by registers, confirmed claims and direct records.
fn keep_affordable(p: &mut Plan, members: &[MemberPlan]) {
    let mut balance = vec![0i64; members.len()];
    let mut pot = 0i64;
    let mut taken: HashMap<(usize, NaiveDate), u32> = HashMap::new();
    let mut keep = Vec::with_capacity(p.events.len());
    for e in &p.events {
        let ok = match e.action {
            Action::ConfirmRegister { session } => {
                for &(member, attended, minutes) in &p.sessions[session].entries {
                    if attended {
                        balance[member] += minutes;
                    }
                }
                true
            }
            Action::Direct { record } => {
                balance[p.directs[record].member] += p.directs[record].minutes;
                true
            }
            Action::ConfirmClaim { claim } => {
                balance[p.claims[claim].member] += p.claims[claim].minutes;
                true
            }
            Action::Redeem { redemption } => {
                let r = &p.redemptions[redemption];
                let offer = &OFFERS[r.offer];
                let period = offer
                    .capacity
                    .map(|(limit, period)| ((r.offer, period.bounds(r.date).0), limit));
                let room =
                    period.is_none_or(|(k, limit)| taken.get(&k).copied().unwrap_or(0) < limit);
                let ok = room && balance[r.member] >= offer.minutes;
                if ok {
                    balance[r.member] -= offer.minutes;
                    if let Some((k, _)) = period {
                        *taken.entry(k).or_insert(0) += 1;
                    }
                }
                ok
            }
            Action::Gift {
                from, to, minutes, ..
            } => {
                // Givers keep at least a credit for themselves.
                let ok = members[to].active_at < e.at && balance[from] >= minutes + 60;
                if ok {
                    balance[from] -= minutes;
                    balance[to] += minutes;
                }
                ok
            }
            Action::ToPot {
                member, minutes, ..
            } => {
                let ok = balance[member] >= minutes + 60;
                if ok {
                    balance[member] -= minutes;
                    pot += minutes;
                }
                ok
            }
            Action::FromPot {
                member, minutes, ..
            } => {
                let ok = pot >= minutes;
                if ok {
                    pot -= minutes;
                    balance[member] += minutes;
                }
                ok
            }
            Action::Accept { proposal, .. } => {
                let x = &p.proposals[proposal];
                let ok = balance[x.payer()] >= x.minutes;
                if ok {
                    balance[x.payer()] -= x.minutes;
                    balance[x.payee()] += x.minutes;
                }
                ok
            }
            _ => true,
        };
        keep.push(ok);
    }
    let mut keep = keep.into_iter();
    p.events.retain(|_| keep.next().unwrap_or(true));
}

/// Two mistakes put right: hours recorded short (corrected the next
/// morning, adding the setting-up time) and a swim refunded when the pool
/// closed. Neither can make a later planned spend unaffordable.
fn add_corrections(rng: &mut ChaCha8Rng, p: &mut Plan, members: &[MemberPlan]) {
    let mut credited: HashMap<(usize, NaiveDate), i64> = HashMap::new();
    for d in &p.directs {
        *credited.entry((d.member, d.date)).or_insert(0) += d.minutes;
    }
    for s in &p.sessions {
        for &(member, attended, minutes) in &s.entries {
            if attended {
                *credited
                    .entry((member, s.starts_at.date_naive()))
                    .or_insert(0) += minutes;
            }
        }
    }
    let short = p.events.iter().find(|e| match e.action {
        Action::Direct { record } => {
            let d = &p.directs[record];
            let day = (d.date - p.start).num_days();
            members[d.member].persona == Persona::Regular
                && day > 100
                && credited[&(d.member, d.date)] + 30 <= daily_cap(day)
        }
        _ => false,
    });
    if let Some(Event {
        at,
        action: Action::Direct { record },
        ..
    }) = short.cloned()
    {
        let minutes = p.directs[record].minutes + 30;
        let key = new_key(rng);
        p.push(
            local(
                at.date_naive() + Duration::days(1),
                rng.random_range(9 * 60..10 * 60),
                0,
            ),
            Action::Correct {
                record,
                minutes,
                key,
            },
        );
    }
    let refund = p.events.iter().find(|e| match e.action {
        Action::Redeem { redemption } => {
            p.redemptions[redemption].offer == SWIM && e.at > local(p.date(220), 0, 0)
        }
        _ => false,
    });
    if let Some(Event {
        at,
        action: Action::Redeem { redemption },
        ..
    }) = refund.cloned()
    {
        let key = new_key(rng);
        p.push(at + Duration::hours(2), Action::Refund { redemption, key });
    }
}

/// A moment in the week starting `week_start` when the offer can be used:
/// inside one of its off-peak windows (or its opening hours), on a day it
/// is valid.
fn spend_time(rng: &mut ChaCha8Rng, p: &Plan, week_start: i64, offer: usize) -> Option<(i64, u32)> {
    let def = &OFFERS[offer];
    let windows: &[Window] = if def.off_peak.is_empty() {
        std::slice::from_ref(&def.hours)
    } else {
        def.off_peak
    };
    let mut choices = Vec::new();
    for day in week_start..week_start + 7 {
        let date = p.date(day);
        if closed(date) || !valid_on(def.validity, p, date) {
            continue;
        }
        for w in windows {
            if w.0.contains(&date.weekday()) && w.1 < w.2 {
                choices.push((day, w.1, w.2));
            }
        }
    }
    let &(day, from, to) = choices.choose(rng)?;
    Some((day, rng.random_range(from..to)))
}

fn valid_on(validity: Validity, p: &Plan, date: NaiveDate) -> bool {
    match validity {
        Validity::Always => true,
        Validity::Days(from, to) => p.date(from) <= date && date <= p.date(to),
        Validity::Season(from, to) => {
            let (from, to) = season(p, from, to);
            from <= date && date <= to
        }
    }
}

/// The dates of a yearly season within the demo year: its first start on
/// or after the programme's first day.
fn season(p: &Plan, from: (u32, u32), to: (u32, u32)) -> (NaiveDate, NaiveDate) {
    let date = |year: i32, (month, day): (u32, u32)| {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid season date")
    };
    let mut year = p.start.year();
    if date(year, from) < p.start {
        year += 1;
    }
    let ends = if to < from { year + 1 } else { year };
    (date(year, from), date(ends, to))
}

/// The offer's terms as published, valid from the programme's first day.
fn offer_terms(def: &OfferDef, p: &Plan) -> OfferTerms {
    let window = |w: &Window| OffPeakWindow {
        days: w.0.to_vec(),
        from: NaiveTime::from_hms_opt(w.1 / 60, w.1 % 60, 0).expect("valid time"),
        to: NaiveTime::from_hms_opt(w.2 / 60, w.2 % 60, 0).expect("valid time"),
    };
    let (valid_from, valid_to) = match def.validity {
        Validity::Always => (p.start, None),
        Validity::Days(from, to) => (p.date(from), Some(p.date(to))),
        Validity::Season(from, to) => {
            let (from, to) = season(p, from, to);
            (from, Some(to))
        }
    };
    let off_peak: Vec<OffPeakWindow> = def.off_peak.iter().map(window).collect();
    OfferTerms {
        title: def.name.into(),
        price_minutes: def.minutes,
        audience: def.audience,
        capacity: def
            .capacity
            .map(|(limit, period)| Capacity { limit, period }),
        off_peak,
        valid_from,
        valid_to,
    }
}

fn runs_on(a: &ActivityDef, date: NaiveDate, day: Weekday) -> bool {
    date.weekday() == day
        && (a.months.is_empty() || a.months.contains(&date.month()))
        && !(a.term_time && school_holiday(date))
        && match a.cadence {
            Cadence::Weekly => true,
            Cadence::Monthly(nth) => (date.day() - 1) / 7 + 1 == nth,
        }
}

/// Christmas, Boxing Day and New Year's Day: nothing runs.
fn closed(date: NaiveDate) -> bool {
    matches!((date.month(), date.day()), (12, 25) | (12, 26) | (1, 1))
}

/// Roughly the English school holidays.
fn school_holiday(date: NaiveDate) -> bool {
    match (date.month(), date.day()) {
        (8, _) => true,
        (7, d) => d > 22,
        (12, d) => d >= 19,
        (1, d) => d <= 4,
        (2, d) => (14..=21).contains(&d),
        (4, d) => d <= 14,
        (5, d) => d >= 26,
        (10, d) => d >= 27,
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let mut date = NaiveDate::from_ymd_opt(next.0, next.1, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid date");
    while date.weekday() != Sun {
        date = date.pred_opt().expect("valid date");
    }
    date
}

/// A local time in Marshfield (Europe/London: GMT, or BST from the last
/// Sunday of March to the last Sunday of October) as UTC.
fn local(date: NaiveDate, minute_of_day: u32, second: u32) -> DateTime<Utc> {
    let minute_of_day = minute_of_day.min(23 * 60 + 59);
    let naive = date
        .and_hms_opt(minute_of_day / 60, minute_of_day % 60, second.min(59))
        .expect("valid time");
    let summer = date >= last_sunday(date.year(), 3) && date < last_sunday(date.year(), 10);
    Utc.from_utc_datetime(&naive) - Duration::hours(i64::from(summer))
}

// ---------------------------------------------------------------------------
// Playing the plan through the use cases.

struct Lane {
    app: App,
    clock: Arc<FixedClock>,
}

struct Context {
    programme: Programme,
    manager: Actor,
    /// The coordinator and the desk actor of each organisation, where it has one.
    coordinators: Vec<Option<Actor>>,
    desks: Vec<Option<Actor>>,
    organisations: Vec<Organisation>,
    activities: Vec<ActivityId>,
    offers: Vec<OfferId>,
    /// The hash of the PIN the online registrants chose.
    pin_hash: String,
    members: Vec<Option<Member>>,
    sessions: Vec<Option<SessionId>>,
    claims: Vec<Option<ClaimId>>,
    listings: Vec<Option<ListingId>>,
    proposals: Vec<Option<ProposalId>>,
}

/// A record a use case created, which later events name.
enum Done {
    Nothing,
    Member(usize, Box<Member>),
    Session(usize, SessionId),
    Claim(usize, ClaimId),
    Listing(usize, ListingId),
    Proposal(usize, ProposalId),
}

impl Context {
    fn apply(&mut self, done: Done) {
        match done {
            Done::Nothing => {}
            Done::Member(i, m) => self.members[i] = Some(*m),
            Done::Session(i, id) => self.sessions[i] = Some(id),
            Done::Claim(i, id) => self.claims[i] = Some(id),
            Done::Listing(i, id) => self.listings[i] = Some(id),
            Done::Proposal(i, id) => self.proposals[i] = Some(id),
        }
    }

    /// Whether every record the action names exists already.
    fn ready(&self, action: &Action, plan: &Plan) -> bool {
        let m = |i: usize| self.members[i].is_some();
        match *action {
            Action::Register { .. }
            | Action::SelfRegister { .. }
            | Action::ChangeRules
            | Action::Suspend { .. }
            | Action::CreateSession { .. } => true,
            Action::Approve { member }
            | Action::UpdateProfile { member }
            | Action::ToPot { member, .. }
            | Action::FromPot { member, .. } => m(member),
            Action::SignUp { session, member } | Action::CancelSignUp { session, member } => {
                self.sessions[session].is_some() && m(member)
            }
            Action::ConfirmRegister { session } => {
                self.sessions[session].is_some()
                    && plan.sessions[session].entries.iter().all(|e| m(e.0))
            }
            Action::Direct { record } | Action::Correct { record, .. } => {
                m(plan.directs[record].member)
            }
            Action::Claim { claim } => m(plan.claims[claim].member),
            Action::ConfirmClaim { claim } | Action::RejectClaim { claim, .. } => {
                self.claims[claim].is_some()
            }
            Action::Redeem { redemption } | Action::Refund { redemption, .. } => {
                m(plan.redemptions[redemption].member)
            }
            Action::Gift { from, to, .. } => m(from) && m(to),
            Action::PostListing { listing } => m(plan.listings[listing].author),
            Action::CloseListing { listing } => self.listings[listing].is_some(),
            Action::Propose { proposal } => {
                let p = &plan.proposals[proposal];
                m(p.proposer)
                    && m(p.counterparty)
                    && p.listing.is_none_or(|l| self.listings[l].is_some())
            }
            Action::Accept { proposal, .. }
            | Action::Decline { proposal, .. }
            | Action::Withdraw { proposal } => self.proposals[proposal].is_some(),
        }
    }

    fn member(&self, index: usize) -> Result<&Member, AppError> {
        self.members[index]
            .as_ref()
            .ok_or(AppError::NotFound("member"))
    }

    /// Who runs an organisation's activities: its coordinator, or the programme office.
    fn organiser(&self, org: usize) -> &Actor {
        self.coordinators[org].as_ref().unwrap_or(&self.manager)
    }

    /// Who confirms an organisation's hours, by its policy.
    fn confirmer(&self, org: usize) -> &Actor {
        if coordinator_confirms(org) {
            self.organiser(org)
        } else {
            &self.manager
        }
    }

    /// Who serves an organisation's desk: its spend staff, or the programme office.
    fn desk(&self, org: usize) -> &Actor {
        self.desks[org].as_ref().unwrap_or(&self.manager)
    }

    /// The member themself, when they sign in.
    fn own_actor(&self, index: usize) -> Result<Option<Actor>, AppError> {
        let member = self.member(index)?;
        Ok(member.user.map(|user| Actor {
            user,
            member: Some(member.id),
            grants: vec![RoleGrant {
                user,
                role: Role::Member,
                scope: Scope::Programme(self.programme.id),
            }],
            proxy: false,
        }))
    }
}

/// The member acting for themself, or (without a sign-in of their own) the
/// staff member they asked, recorded as a proxy action.
async fn member_actor(
    app: &App,
    ctx: &Context,
    people: &[MemberPlan],
    index: usize,
) -> Result<Actor, AppError> {
    if let Some(actor) = ctx.own_actor(index)? {
        return Ok(actor);
    }
    let member = ctx.member(index)?;
    let staff = ctx.organiser(people[index].organisation);
    app.act_for(staff, member.id).await
}

/// The administrator, the programme, its partners, staff, activities and
/// offers, in the weeks before launch.
async fn set_up(lane: &Lane, start: NaiveDate, plan: &Plan) -> Result<Context, AppError> {
    let app = &lane.app;
    let at = |days_before: i64, minute: u32| local(start - Duration::days(days_before), minute, 0);
    lane.clock.set(at(28, 9 * 60 + 30));
    let admin = app
        .bootstrap_administrator(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await?;
    let admin = app.actor(admin.id).await?;
    lane.clock.set(at(28, 9 * 60 + 45));
    let programme = app
        .create_programme(
            &admin,
            NewProgramme {
                name: PROGRAMME_NAME.into(),
                locality: LOCALITY.into(),
                time_zone: "Europe/London".into(),
                language: "en".into(),
                exchange_overdraft_minutes: 120,
            },
        )
        .await?;
    let mut staff_users = Vec::new();
    for (i, s) in STAFF.iter().enumerate().take(2) {
        lane.clock.set(at(28, 10 * 60 + 5 * i as u32));
        staff_users.push(
            app.create_staff(
                &admin,
                s.email,
                s.name,
                s.password,
                s.role,
                Scope::Programme(programme.id),
            )
            .await?,
        );
    }
    let manager = app.actor(staff_users[0].id).await?;
    lane.clock.set(at(27, 9 * 60));
    app.set_self_registration(&manager, programme.id, SelfRegistration::NeedsApproval)
        .await?;
    let mut organisations = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        lane.clock.set(at(21 - i as i64, 11 * 60));
        let partner = app
            .create_partner(
                &manager,
                NewPartner {
                    programme: programme.id,
                    name: org.name.into(),
                    kind: org.kind.into(),
                    postcode: Some(org.postcode.into()),
                    contacts: org
                        .contacts
                        .iter()
                        .map(|(name, email, phone)| ContactInput {
                            name: (*name).into(),
                            email: email.map(Into::into),
                            phone: phone.map(Into::into),
                        })
                        .collect(),
                    roles: org.roles.into(),
                },
            )
            .await?;
        if let Some(policy) = org.policy {
            lane.clock.set(at(21 - i as i64, 11 * 60 + 20));
            app.set_earn_policy(&manager, partner.organisation.id, policy)
                .await?;
        }
        organisations.push(partner.organisation);
    }
    let mut coordinators = vec![None; ORGS.len()];
    let mut desks = vec![None; ORGS.len()];
    for (i, s) in STAFF.iter().enumerate().skip(2) {
        let scope = match s.post {
            Post::Programme => Scope::Programme(programme.id),
            Post::Organisation(org) => {
                lane.clock.set(at(21 - org as i64, 14 * 60 + 10 * i as u32));
                Scope::Organisation(organisations[org].id)
            }
        };
        let user = app
            .create_staff(&manager, s.email, s.name, s.password, s.role, scope)
            .await?;
        if let Post::Organisation(org) = s.post {
            let actor = app.actor(user.id).await?;
            match s.role {
                Role::Coordinator => coordinators[org] = Some(actor),
                Role::SpendStaff => desks[org] = Some(actor),
                _ => {}
            }
        }
    }
    let mut activities = Vec::new();
    for (i, a) in ACTIVITIES.iter().enumerate() {
        lane.clock.set(at(10, 10 * 60 + 3 * i as u32));
        let actor = coordinators[a.org].as_ref().unwrap_or(&manager);
        let created = app
            .create_activity(
                actor,
                organisations[a.org].id,
                ActivityDetails {
                    title: a.name.into(),
                    description: format!(
                        "{}: {} with {}. No experience needed; we will show you what to do.",
                        a.name,
                        describe(a),
                        ORGS[a.org].short
                    ),
                    level: a.level,
                    mode: a.mode,
                    place: a.place.into(),
                    postcode: a
                        .postcode
                        .map(|p| Postcode::parse(p).expect("demo postcodes are valid")),
                    accessibility: if a.org == 5 {
                        "Outdoors on uneven ground; wear sturdy shoes.".into()
                    } else {
                        "Step-free access and an accessible toilet.".into()
                    },
                    usual_duration_minutes: a.minutes.1,
                    earns_credits: true,
                },
            )
            .await?;
        activities.push(created.id);
    }
    let mut offers = Vec::new();
    for (i, o) in OFFERS.iter().enumerate() {
        lane.clock.set(at(5, 12 * 60 + 5 * i as u32));
        let actor = desks[o.org].as_ref().unwrap_or(&manager);
        let offer = app
            .publish_spend_offer(
                actor,
                NewOffer {
                    organisation: organisations[o.org].id,
                    terms: offer_terms(o, plan),
                },
            )
            .await?;
        offers.push(offer.id);
    }
    Ok(Context {
        programme,
        manager,
        coordinators,
        desks,
        organisations,
        activities,
        offers,
        pin_hash: crate::hash_secret(SELF_REGISTERED_PIN)?,
        members: vec![None; MEMBER_COUNT],
        sessions: vec![None; plan.sessions.len()],
        claims: vec![None; plan.claims.len()],
        listings: vec![None; plan.listings.len()],
        proposals: vec![None; plan.proposals.len()],
    })
}

fn describe(a: &ActivityDef) -> String {
    let day = |w: &Weekday| match w {
        Mon => "Mondays",
        Tue => "Tuesdays",
        Wed => "Wednesdays",
        Thu => "Thursdays",
        Fri => "Fridays",
        Sat => "Saturdays",
        Sun => "Sundays",
    };
    let days: Vec<&str> = a.days.iter().map(day).collect();
    let when = match a.cadence {
        Cadence::Weekly => days.join(" and "),
        Cadence::Monthly(n) => format!(
            "the {} {} of the month",
            ["first", "second", "third", "fourth"][(n as usize - 1).min(3)],
            days.join(" and ").trim_end_matches('s')
        ),
    };
    format!("{when} from {}:{:02}", a.start / 60, a.start % 60)
}

/// A member who registered online, written as the self-registration use
/// case writes it (waiting for approval, account closed), but with a card
/// number drawn from the seed and the one PIN hash shared: the use case
/// draws numbers at random and hashes every PIN.
fn self_registration(
    ctx: &Context,
    m: &MemberPlan,
    at: DateTime<Utc>,
) -> Result<NewMemberRecord, AppError> {
    let id = MemberId(Uuid::now_v7());
    let (mut member, mut account) = Member::open(
        id,
        &ctx.programme,
        m.number,
        m.name.clone(),
        AccountId(Uuid::now_v7()),
        at,
    );
    account.status = AccountStatus::Closed;
    let user = User {
        id: UserId(Uuid::now_v7()),
        email: None,
        display_name: m.name.clone(),
        password_hash: None,
        pin_hash: Some(ctx.pin_hash.clone()),
        member: Some(id),
        created_at: at,
    };
    member.user = Some(user.id);
    Ok(NewMemberRecord {
        grants: vec![RoleGrant {
            user: user.id,
            role: Role::Member,
            scope: Scope::Programme(ctx.programme.id),
        }],
        registration: Registration {
            member: id,
            programme: ctx.programme.id,
            channel: RegistrationChannel::SelfService,
            organisation: Some(ctx.organisations[m.organisation].id),
            registered_by: None,
            registered_at: at,
            status: MemberStatus::Pending,
            decision: None,
        },
        profile: MemberProfile {
            language: Language::parse(m.language)?,
            skills: Vec::new(),
            skills_text: String::new(),
            interests: Vec::new(),
            interests_text: String::new(),
            email: None,
            phone: m.phone.clone(),
            updated_by: None,
            updated_at: at,
        },
        membership: None,
        user: Some(user),
        member,
        account,
    })
}

async fn execute(
    lane: &Lane,
    ctx: &Context,
    plan: &Plan,
    people: &[MemberPlan],
    event: &Event,
) -> Result<Done, AppError> {
    lane.clock.set(event.at);
    let app = &lane.app;
    let programme = ctx.programme.id;
    match event.action {
        Action::Register { member: index } => {
            let m = &people[index];
            let registered = app
                .register_on_behalf(
                    ctx.organiser(m.organisation),
                    OnBehalfRegistration {
                        programme,
                        display_name: m.name.clone(),
                        pin: m.pin.map(str::to_owned),
                        number: Some(m.number),
                        organisation: Some(ctx.organisations[m.organisation].id),
                        language: Some(m.language.into()),
                        email: None,
                        phone: m.phone.clone(),
                    },
                )
                .await?;
            for &org in &m.other_organisations {
                app.join_organisation(
                    &ctx.manager,
                    registered.member.id,
                    ctx.organisations[org].id,
                )
                .await?;
            }
            Ok(Done::Member(index, Box::new(registered.member)))
        }
        Action::SelfRegister { member: index } => {
            let record = self_registration(ctx, &people[index], event.at)?;
            app.store().register_member(&record).await?;
            Ok(Done::Member(index, Box::new(record.member)))
        }
        Action::Approve { member: index } => {
            let actor = ctx.organiser(people[index].organisation);
            app.approve_registration(actor, ctx.member(index)?.id)
                .await?;
            Ok(Done::Nothing)
        }
        Action::UpdateProfile { member: index } => {
            let m = &people[index];
            let own = ctx.own_actor(index)?;
            // Staff fill it in with those who have no sign-in (a proxy action).
            let actor = own.as_ref().unwrap_or(ctx.organiser(m.organisation));
            let codes = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
            app.update_member_profile(
                actor,
                ctx.member(index)?.id,
                ProfileUpdate {
                    skills: Some(codes(&m.skills)),
                    interests: Some(codes(&m.interests)),
                    skills_text: Some(format!("Lives in {}.", m.village)),
                    ..ProfileUpdate::default()
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::ChangeRules => {
            app.change_rules(
                &ctx.manager,
                programme,
                RuleVersion {
                    effective_from: plan.date(RULES_CHANGE),
                    rules: ProgrammeRules {
                        granularity_minutes: 15,
                        daily_cap_minutes: DAILY_CAP_AFTER,
                        members_may_claim: true,
                        exchange_overdraft_minutes: 120,
                        expiry: CreditExpiry::Never,
                        partner_receipts: PartnerReceipts::Retire,
                    },
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::Suspend { org } => {
            app.suspend_partner(
                &ctx.manager,
                ctx.organisations[org].id,
                Some("Clubhouse closed after storm damage; offers paused until it reopens".into()),
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::CreateSession { session } => {
            let s = &plan.sessions[session];
            let org = ACTIVITIES[s.activity].org;
            let created = app
                .create_session(
                    ctx.organiser(org),
                    ctx.activities[s.activity],
                    NewSession {
                        starts_at: s.starts_at,
                        ends_at: s.ends_at,
                        capacity: s.capacity,
                    },
                )
                .await?;
            Ok(Done::Session(session, created.id))
        }
        Action::SignUp {
            session,
            member: index,
        }
        | Action::CancelSignUp {
            session,
            member: index,
        } => {
            let id = ctx.sessions[session].ok_or(AppError::NotFound("session"))?;
            let org = ACTIVITIES[plan.sessions[session].activity].org;
            let own = ctx.own_actor(index)?;
            let actor = own.as_ref().unwrap_or(ctx.organiser(org));
            let member = ctx.member(index)?.id;
            if let Action::SignUp { .. } = event.action {
                app.sign_up(actor, id, Some(member)).await?;
            } else {
                app.cancel_sign_up(actor, id, member).await?;
            }
            Ok(Done::Nothing)
        }
        Action::ConfirmRegister { session } => {
            let s = &plan.sessions[session];
            let id = ctx.sessions[session].ok_or(AppError::NotFound("session"))?;
            let entries = s
                .entries
                .iter()
                .map(|&(member, attended, minutes)| {
                    Ok(RegisterEntry {
                        member: ctx.member(member)?.id,
                        attended,
                        minutes: Some(minutes),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let org = ACTIVITIES[s.activity].org;
            app.confirm_register(ctx.confirmer(org), id, s.key, entries)
                .await?;
            Ok(Done::Nothing)
        }
        Action::Direct { record } => {
            let d = &plan.directs[record];
            let org = ACTIVITIES[d.activity].org;
            app.record_contribution(
                ctx.confirmer(org),
                d.key,
                DirectRecord {
                    member: ctx.member(d.member)?.id,
                    activity: ctx.activities[d.activity],
                    session: None,
                    date: d.date,
                    minutes: d.minutes,
                    note: String::new(),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::Correct {
            record,
            minutes,
            key,
        } => {
            let d = &plan.directs[record];
            let org = ACTIVITIES[d.activity].org;
            app.correct_contribution(
                ctx.confirmer(org),
                crate::activities::ContributionId(d.key.0),
                key,
                minutes,
                "Setting up and clearing away were left out of the hours",
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::Claim { claim } => {
            let c = &plan.claims[claim];
            let actor = ctx
                .own_actor(c.member)?
                .ok_or(AppError::NotFound("member sign-in"))?;
            let created = app
                .create_claim(
                    &actor,
                    NewClaim {
                        activity: ctx.activities[c.activity],
                        date: c.date,
                        minutes: c.minutes,
                        note: c.note.into(),
                    },
                )
                .await?;
            Ok(Done::Claim(claim, created.id))
        }
        Action::ConfirmClaim { claim } | Action::RejectClaim { claim, .. } => {
            let c = &plan.claims[claim];
            let id = ctx.claims[claim].ok_or(AppError::NotFound("claim"))?;
            let actor = ctx.confirmer(ACTIVITIES[c.activity].org);
            if let Action::RejectClaim { reason, .. } = event.action {
                app.reject_claim(actor, id, reason).await?;
            } else {
                app.confirm_claim(actor, id, c.key).await?;
            }
            Ok(Done::Nothing)
        }
        Action::Redeem { redemption } => {
            let r = &plan.redemptions[redemption];
            app.redeem_offer(
                ctx.desk(OFFERS[r.offer].org),
                RedeemOfferRequest {
                    id: r.key,
                    offer: ctx.offers[r.offer],
                    member: MemberLookup::Number(ctx.member(r.member)?.number),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::Refund { redemption, key } => {
            let r = &plan.redemptions[redemption];
            app.refund_redemption(
                ctx.desk(OFFERS[r.offer].org),
                RefundRequest {
                    id: key,
                    redemption: RedemptionId(r.key.0),
                    reason: "Pool closed for repairs; swim refunded".into(),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::Gift {
            from,
            to,
            minutes,
            reason,
            key,
        } => {
            let actor = member_actor(app, ctx, people, from).await?;
            app.give_gift(
                &actor,
                GiftRequest {
                    id: key,
                    to: ctx.member(to)?.id,
                    minutes,
                    reason: reason.into(),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::ToPot {
            member,
            minutes,
            key,
        } => {
            let actor = member_actor(app, ctx, people, member).await?;
            app.give_to_pot(
                &actor,
                PotGiftRequest {
                    id: key,
                    organisation: ctx.organisations[LARDER].id,
                    minutes,
                    reason: "For the larder's pot, for a family who needs a treat".into(),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::FromPot {
            member,
            minutes,
            reason,
            key,
        } => {
            app.give_from_pot(
                ctx.organiser(LARDER),
                PotPayoutRequest {
                    id: key,
                    organisation: ctx.organisations[LARDER].id,
                    to: MemberLookup::Id(ctx.member(member)?.id),
                    minutes,
                    reason: reason.into(),
                },
            )
            .await?;
            Ok(Done::Nothing)
        }
        Action::PostListing { listing } => {
            let l = &plan.listings[listing];
            let actor = member_actor(app, ctx, people, l.author).await?;
            let created = app
                .create_timebank_listing(
                    &actor,
                    NewListing {
                        kind: l.kind,
                        category: l.category.into(),
                        title: l.title.into(),
                        description: String::new(),
                        place: l.place.into(),
                    },
                )
                .await?;
            Ok(Done::Listing(listing, created.id))
        }
        Action::CloseListing { listing } => {
            let l = &plan.listings[listing];
            let id = ctx.listings[listing].ok_or(AppError::NotFound("listing"))?;
            let actor = member_actor(app, ctx, people, l.author).await?;
            app.close_timebank_listing(&actor, id).await?;
            Ok(Done::Nothing)
        }
        Action::Propose { proposal } => {
            let p = &plan.proposals[proposal];
            let actor = member_actor(app, ctx, people, p.proposer).await?;
            let created = app
                .propose_exchange(
                    &actor,
                    NewProposal {
                        counterparty: ctx.member(p.counterparty)?.id,
                        direction: p.direction,
                        minutes: p.minutes,
                        note: p.note.clone(),
                        listing: p.listing.and_then(|l| ctx.listings[l]),
                        expires_in_days: Some(p.expires_in_days),
                    },
                )
                .await?;
            Ok(Done::Proposal(proposal, created.id))
        }
        Action::Accept { proposal, key } => {
            let p = &plan.proposals[proposal];
            let id = ctx.proposals[proposal].ok_or(AppError::NotFound("proposal"))?;
            let actor = member_actor(app, ctx, people, p.counterparty).await?;
            app.accept_exchange(&actor, id, key).await?;
            Ok(Done::Nothing)
        }
        Action::Decline { proposal, reason } => {
            let p = &plan.proposals[proposal];
            let id = ctx.proposals[proposal].ok_or(AppError::NotFound("proposal"))?;
            let actor = member_actor(app, ctx, people, p.counterparty).await?;
            let reason = Some(reason.to_owned()).filter(|r| !r.is_empty());
            app.decline_exchange(&actor, id, reason).await?;
            Ok(Done::Nothing)
        }
        Action::Withdraw { proposal } => {
            let p = &plan.proposals[proposal];
            let id = ctx.proposals[proposal].ok_or(AppError::NotFound("proposal"))?;
            let actor = member_actor(app, ctx, people, p.proposer).await?;
            app.withdraw_exchange(&actor, id).await?;
            Ok(Done::Nothing)
        }
    }
}

/// Polls the futures together and returns their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn plan(seed: u64) -> (Vec<MemberPlan>, Plan) {
        let start = today().date_naive() - Duration::days(DAYS);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let people = plan_members(&mut rng, start);
        let plan = plan_year(&mut rng, &people, start, today());
        (people, plan)
    }

    #[test]
    fn the_plan_is_the_same_for_the_same_seed() {
        let summary = |seed| {
            let (people, plan) = plan(seed);
            (
                people
                    .iter()
                    .map(|p| (p.name.clone(), p.number))
                    .collect::<Vec<_>>(),
                format!("{:?}", plan.events),
            )
        };
        assert_eq!(summary(7), summary(7));
        assert_ne!(summary(7), summary(8));
    }

    #[test]
    fn the_plan_is_a_realistic_year_of_every_kind_of_thing() {
        let (people, plan) = plan(DEFAULT_SEED);
        let events = &plan.events;
        let count = |f: &dyn Fn(&Action) -> bool| events.iter().filter(|e| f(&e.action)).count();
        let registers = count(&|a| matches!(a, Action::ConfirmRegister { .. }));
        let directs = count(&|a| matches!(a, Action::Direct { .. }));
        let claims = count(&|a| matches!(a, Action::Claim { .. }));
        let confirmed = count(&|a| matches!(a, Action::ConfirmClaim { .. }));
        let rejected = count(&|a| matches!(a, Action::RejectClaim { .. }));
        let redemptions = count(&|a| matches!(a, Action::Redeem { .. }));
        let sign_ups = count(&|a| matches!(a, Action::SignUp { .. }));
        let gifts = count(&|a| matches!(a, Action::Gift { .. }));
        let proposals = count(&|a| matches!(a, Action::Propose { .. }));
        let accepted = count(&|a| matches!(a, Action::Accept { .. }));
        let declined = count(&|a| matches!(a, Action::Decline { .. }));
        println!(
            "{} events: {registers} registers, {sign_ups} sign-ups, {directs} direct records, \
             {claims} claims ({confirmed} confirmed, {rejected} rejected), {redemptions} redemptions, \
             {gifts} gifts, {proposals} proposals ({accepted} accepted, {declined} declined)",
            events.len()
        );
        assert_eq!(
            count(&|a| matches!(a, Action::Register { .. } | Action::SelfRegister { .. })),
            MEMBER_COUNT
        );
        assert_eq!(count(&|a| matches!(a, Action::Approve { .. })), 3);
        assert!(
            registers > 300 && sign_ups > 1_000,
            "{registers} {sign_ups}"
        );
        assert!(directs > 300, "{directs}");
        assert!(claims > confirmed + rejected, "some claims stay pending");
        assert!(rejected >= 2 && confirmed > 20);
        assert!(redemptions > 500 && gifts >= 50);
        assert!(accepted >= 10 && declined >= 3);
        assert_eq!(count(&|a| matches!(a, Action::Refund { .. })), 1);
        assert_eq!(count(&|a| matches!(a, Action::Correct { .. })), 1);
        assert_eq!(count(&|a| matches!(a, Action::CancelSignUp { .. })), 1);
        assert_eq!(count(&|a| matches!(a, Action::ChangeRules)), 1);
        assert!(count(&|a| matches!(a, Action::FromPot { .. })) >= 3);
        assert!(count(&|a| matches!(a, Action::ToPot { .. })) >= 3);
        // Full sessions keep a waiting list; some sessions are still to come.
        assert!(plan.sessions.iter().any(|s| s.full));
        assert!(
            plan.sessions
                .iter()
                .any(|s| s.starts_at > today() && !s.sign_ups.is_empty())
        );
        assert!(people.iter().any(|p| p.language == "pl"));
        assert!(events.windows(2).all(|w| w[0].at < w[1].at));
        assert!(
            events
                .iter()
                .all(|e| e.at < today() && e.at > today() - Duration::days(DAYS + 1))
        );
        // No member is credited more than the daily cap in force on a day.
        let mut credited: HashMap<(usize, NaiveDate), i64> = HashMap::new();
        for e in events {
            match e.action {
                Action::ConfirmRegister { session } => {
                    let s = &plan.sessions[session];
                    for &(m, attended, minutes) in &s.entries {
                        if attended {
                            *credited.entry((m, s.starts_at.date_naive())).or_insert(0) += minutes;
                        }
                    }
                }
                Action::Direct { record } => {
                    let d = &plan.directs[record];
                    *credited.entry((d.member, d.date)).or_insert(0) += d.minutes;
                }
                _ => {}
            }
        }
        for ((_, date), minutes) in credited {
            let day = (date - plan.start).num_days();
            assert!(minutes <= daily_cap(day), "{minutes} minutes on {date}");
            assert_eq!(minutes % 15, 0);
        }
    }

    #[test]
    fn london_time_follows_summer_time() {
        let winter = NaiveDate::from_ymd_opt(2025, 1, 15).expect("date");
        let summer = NaiveDate::from_ymd_opt(2025, 7, 15).expect("date");
        assert_eq!(
            local(winter, 600, 0),
            Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0)
                .single()
                .expect("date")
        );
        assert_eq!(
            local(summer, 600, 0),
            Utc.with_ymd_and_hms(2025, 7, 15, 9, 0, 0)
                .single()
                .expect("date")
        );
        assert_eq!(
            last_sunday(2025, 3),
            NaiveDate::from_ymd_opt(2025, 3, 30).expect("date")
        );
        assert_eq!(
            last_sunday(2025, 10),
            NaiveDate::from_ymd_opt(2025, 10, 26).expect("date")
        );
    }
}
