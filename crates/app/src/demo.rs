//! Deterministic demo data: a fictional Fenland programme with a year of
//! activity, created through the application's own use cases.
//!
//! Everything is drawn from one `ChaCha8Rng` seeded by the caller, and time
//! comes from fixed clocks moved through the year, so the same seed and the
//! same `today` give the same names, member numbers, amounts, dates, transfer
//! ids and balances every time. Record ids (members, organisations, users)
//! are still chosen by the use cases themselves.
//!
//! The plan is made first, in memory, against a shadow of every member's
//! balance (a spend or a gift is planned only when the member can afford it);
//! then it is played through the use cases. Calls that touch different
//! members run together so the SQLite group commit batches them: their
//! outcomes cannot depend on the order in which they land.

use std::collections::HashSet;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_ledger::TransferId;
use uuid::Uuid;

use crate::{
    Actor, App, AppError, FixedClock, GiftRequest, IssueRequest, Member, MemberNumber, NewMember,
    NewOrganisation, NewProgramme, OrganisationId, Programme, RedeemRequest, ReverseRequest, Role,
    RoleGrant, Scope, Store,
};

/// The seed the CLI uses; [`sign_ins`] does not depend on it.
pub const DEFAULT_SEED: u64 = 2026;
/// The name by which [`is_seeded`] recognises the demo programme.
pub const PROGRAMME_NAME: &str = "Marshfield and Villages Time Credits";
const LOCALITY: &str = "Marshfield, Fenland";
const ADMIN_EMAIL: &str = "admin@demo.timecredits.org";
const ADMIN_PASSWORD: &str = "fen-admin-demo";
const MEMBER_COUNT: usize = 150;
const DAYS: i64 = 365;
/// Most use-case calls in flight at once.
const LANES: usize = 32;

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
    let people = plan_members(&mut rng);
    let events = plan_year(&mut rng, &people, start, today);

    let lanes: Vec<Lane> = (0..LANES)
        .map(|_| {
            let clock = Arc::new(FixedClock::new(today));
            Lane {
                app: App::new(store.clone(), clock.clone()),
                clock,
            }
        })
        .collect();
    let mut ctx = set_up(&lanes[0], start).await?;

    let mut transfers = 0;
    let mut next = 0;
    while next < events.len() {
        // The longest run of upcoming events that touch different members.
        let mut touched = HashSet::new();
        let mut end = next;
        while end < events.len() && end - next < LANES {
            let (a, b) = events[end].action.members();
            if touched.contains(&a) || b.is_some_and(|b| touched.contains(&b)) {
                break;
            }
            touched.insert(a);
            touched.extend(b);
            end += 1;
        }
        let results = join_all(
            events[next..end]
                .iter()
                .zip(&lanes)
                .map(|(event, lane)| execute(lane, &ctx, &people, event))
                .collect(),
        )
        .await;
        for result in results {
            match result? {
                Done::Registered(index, member) => ctx.members[index] = Some(*member),
                Done::Posted(true) => transfers += 1,
                Done::Posted(false) | Done::Skipped => {}
            }
        }
        next = end;
    }
    Ok(DemoSummary {
        programme: ctx.programme,
        organisations: ctx.organisations.len(),
        members: ctx.members.iter().flatten().count(),
        transfers,
        sign_ins: sign_ins(),
    })
}

// ---------------------------------------------------------------------------
// The cast: partners, staff, activities and offers.

struct OrgDef {
    name: &'static str,
    short: &'static str,
}

const ORGS: [OrgDef; 9] = [
    OrgDef {
        name: "Marshfield Community Larder",
        short: "Community Larder",
    },
    OrgDef {
        name: "St Guthlac's Primary School",
        short: "St Guthlac's School",
    },
    OrgDef {
        name: "Riverside House Residents' Panel",
        short: "Riverside House",
    },
    OrgDef {
        name: "Marshfield Wellbeing Hub",
        short: "Wellbeing Hub",
    },
    OrgDef {
        name: "Marshfield Library",
        short: "Library",
    },
    OrgDef {
        name: "Friends of Marshfield Riverbank",
        short: "Friends of the Riverbank",
    },
    OrgDef {
        name: "Marshfield Leisure Centre",
        short: "Leisure Centre",
    },
    OrgDef {
        name: "The Regal Cinema, Marshfield",
        short: "Regal Cinema",
    },
    OrgDef {
        name: "Fenland Adult Learning",
        short: "Fenland Adult Learning",
    },
];
const LEISURE: usize = 6;
const CINEMA: usize = 7;

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

/// The only members with a PIN (argon2 is slow on purpose: few hashes).
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
    days: &'static [Weekday],
    cadence: Cadence,
    /// Local start time, minutes after midnight.
    start: u32,
    minutes: (i64, i64),
    term_time: bool,
    /// Months it runs in; empty for all year.
    months: &'static [u32],
    popularity: u32,
}

use Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};

const fn activity(
    org: usize,
    name: &'static str,
    days: &'static [Weekday],
    cadence: Cadence,
    start: u32,
    minutes: (i64, i64),
    popularity: u32,
) -> ActivityDef {
    ActivityDef {
        org,
        name,
        days,
        cadence,
        start,
        minutes,
        term_time: false,
        months: &[],
        popularity,
    }
}

const ACTIVITIES: [ActivityDef; 18] = [
    activity(
        0,
        "Sorting donations",
        &[Tue, Thu],
        Cadence::Weekly,
        600,
        (120, 180),
        10,
    ),
    activity(
        0,
        "Delivery round",
        &[Fri],
        Cadence::Weekly,
        780,
        (90, 150),
        5,
    ),
    activity(
        0,
        "Saturday welcome desk",
        &[Sat],
        Cadence::Weekly,
        570,
        (120, 180),
        6,
    ),
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "Reading buddies",
            &[Mon, Wed],
            Cadence::Weekly,
            840,
            (60, 60),
            6,
        )
    },
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "School garden club",
            &[Thu],
            Cadence::Weekly,
            915,
            (60, 90),
            4,
        )
    },
    ActivityDef {
        term_time: true,
        ..activity(
            1,
            "Parents' forum",
            &[Tue],
            Cadence::Monthly(1),
            1110,
            (90, 90),
            3,
        )
    },
    activity(
        2,
        "Residents' panel meeting",
        &[Wed],
        Cadence::Monthly(2),
        1080,
        (90, 120),
        4,
    ),
    activity(
        2,
        "Cook-together night",
        &[Wed],
        Cadence::Weekly,
        1020,
        (120, 150),
        4,
    ),
    activity(
        2,
        "Welcoming new residents",
        &[Mon],
        Cadence::Weekly,
        660,
        (60, 90),
        3,
    ),
    activity(
        3,
        "Carers' café host",
        &[Fri],
        Cadence::Weekly,
        600,
        (120, 120),
        5,
    ),
    activity(
        3,
        "Walking for health leader",
        &[Mon, Thu],
        Cadence::Weekly,
        630,
        (60, 90),
        6,
    ),
    activity(
        3,
        "Patient participation group",
        &[Thu],
        Cadence::Monthly(3),
        1080,
        (90, 90),
        2,
    ),
    activity(
        4,
        "Digital buddies",
        &[Tue],
        Cadence::Weekly,
        840,
        (60, 120),
        5,
    ),
    activity(
        4,
        "Knit and natter",
        &[Thu],
        Cadence::Weekly,
        600,
        (120, 120),
        5,
    ),
    activity(
        4,
        "Rhyme time helper",
        &[Sat],
        Cadence::Weekly,
        630,
        (60, 60),
        3,
    ),
    activity(
        5,
        "Riverbank litter pick",
        &[Sun],
        Cadence::Monthly(1),
        600,
        (120, 180),
        6,
    ),
    activity(
        5,
        "Lunch club, Saltney Fen village hall",
        &[Wed],
        Cadence::Weekly,
        690,
        (150, 180),
        6,
    ),
    ActivityDef {
        months: &[3, 10, 11],
        ..activity(
            5,
            "Planting day at Drayton Washes",
            &[Sat],
            Cadence::Monthly(1),
            570,
            (240, 300),
            3,
        )
    },
];

#[derive(Clone, Copy)]
enum When {
    /// Any day, between these local hours.
    Daily(u32, u32),
    Weekend(u32, u32),
    Cinema,
    /// Booked at the office, weekdays.
    Office,
}

struct OfferDef {
    org: usize,
    name: &'static str,
    minutes: i64,
    when: When,
    popularity: u32,
}

const OFFERS: [OfferDef; 7] = [
    OfferDef {
        org: LEISURE,
        name: "Swim",
        minutes: 60,
        when: When::Daily(7, 19),
        popularity: 30,
    },
    OfferDef {
        org: LEISURE,
        name: "Gym session",
        minutes: 60,
        when: When::Daily(7, 20),
        popularity: 15,
    },
    OfferDef {
        org: LEISURE,
        name: "Family swim (two people)",
        minutes: 120,
        when: When::Weekend(10, 16),
        popularity: 12,
    },
    OfferDef {
        org: CINEMA,
        name: "Cinema ticket",
        minutes: 120,
        when: When::Cinema,
        popularity: 25,
    },
    OfferDef {
        org: CINEMA,
        name: "Two cinema tickets",
        minutes: 240,
        when: When::Cinema,
        popularity: 8,
    },
    OfferDef {
        org: 8,
        name: "Taster class",
        minutes: 120,
        when: When::Office,
        popularity: 6,
    },
    OfferDef {
        org: 8,
        name: "Six-week course place",
        minutes: 360,
        when: When::Office,
        popularity: 4,
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

// ---------------------------------------------------------------------------
// Names: a Fenland market town, with its Polish, Lithuanian, Latvian,
// Portuguese and Romanian neighbours. "Masculine/feminine" surname forms.

struct Culture {
    weight: u32,
    female: &'static str,
    male: &'static str,
    surnames: &'static str,
}

const CULTURES: [Culture; 8] = [
    Culture {
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
        weight: 11,
        female: "Anna Katarzyna Agnieszka Magdalena Joanna Monika Ewa Małgorzata Aleksandra Natalia Zofia Justyna",
        male: "Piotr Krzysztof Tomasz Paweł Marcin Michał Łukasz Jakub Mateusz Kamil Grzegorz Adam",
        surnames: "Kowalski/Kowalska Nowak Wiśniewski/Wiśniewska Wójcik Kamiński/Kamińska Lewandowski/Lewandowska \
            Zieliński/Zielińska Szymański/Szymańska Dąbrowski/Dąbrowska Kozłowski/Kozłowska Mazur Krawczyk \
            Jankowski/Jankowska Wróbel",
    },
    Culture {
        weight: 7,
        female: "Rūta Jurgita Asta Giedrė Ieva Laura Kristina Inga Eglė Vaida",
        male: "Tomas Mindaugas Darius Andrius Paulius Vytautas Mantas Rokas Tadas Marius",
        surnames: "Kazlauskas/Kazlauskienė Jankauskas/Jankauskienė Petrauskas/Petrauskienė \
            Stankevičius/Stankevičienė Vasiliauskas/Vasiliauskienė Žukauskas/Žukauskaitė Butkus/Butkutė \
            Paulauskas/Paulauskienė Urbonas/Urbonaitė Kavaliauskas/Kavaliauskienė",
    },
    Culture {
        weight: 5,
        female: "Ana Maria Sofia Beatriz Inês Mariana Catarina Joana Rita Carla",
        male: "João Pedro Tiago Rui Nuno Miguel Luís Ricardo Bruno Carlos",
        surnames: "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes Gonçalves \
            Carvalho Almeida Lopes",
    },
    Culture {
        weight: 3,
        female: "Ilze Kristīne Inese Līga Dace Santa",
        male: "Jānis Andris Mārtiņš Edgars Raivis Artūrs",
        surnames: "Bērziņš/Bērziņa Kalniņš/Kalniņa Ozoliņš/Ozoliņa Liepiņš/Liepiņa Krūmiņš/Krūmiņa Jansons/Jansone",
    },
    Culture {
        weight: 2,
        female: "Elena Ioana Andreea Mihaela Alexandra",
        male: "Andrei Ionuț Florin Mihai Gabriel",
        surnames: "Popescu Ionescu Popa Dumitru Stan Munteanu Constantin",
    },
    Culture {
        weight: 1,
        female: "Siobhan Niamh Bridget Aoife",
        male: "Declan Seán Patrick Eoin",
        surnames: "Murphy O'Brien Kelly Byrne Doyle Gallagher",
    },
    Culture {
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

fn person_name(rng: &mut ChaCha8Rng) -> String {
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
    format!("{first} {surname}")
}

// ---------------------------------------------------------------------------
// The plan.

struct Commitment {
    activity: usize,
    day: Weekday,
    chance: f64,
}

struct MemberPlan {
    name: String,
    number: MemberNumber,
    pin: Option<&'static str>,
    persona: Persona,
    /// Day (from the start of the year) the member registers.
    join: i64,
    /// Day they stop coming (DAYS if they do not).
    leave: i64,
    commitments: Vec<Commitment>,
    /// Their favourite offer and their second choice.
    offers: [usize; 2],
    /// Chance per week of going to spend, if they can afford it.
    spend_rate: f64,
    friends: Vec<usize>,
    /// Chance per month of giving a friend some credits.
    gift_rate: f64,
}

fn plan_members(rng: &mut ChaCha8Rng) -> Vec<MemberPlan> {
    let mut names = HashSet::new();
    let mut numbers: HashSet<u32> = SIGN_IN_MEMBERS.iter().map(|m| m.base).collect();
    let mut members = Vec::with_capacity(MEMBER_COUNT);
    let activity_ids: Vec<usize> = (0..ACTIVITIES.len()).collect();
    let offer_ids: Vec<usize> = (0..OFFERS.len()).collect();
    for index in 0..MEMBER_COUNT {
        let name = loop {
            let name = person_name(rng);
            if names.insert(name.clone()) {
                break name;
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
        let persona = match signs_in {
            Some(m) => m.persona,
            None => match rng.random_range(0..100) {
                0..6 => Persona::VeryActive,
                6..51 => Persona::Regular,
                51..81 => Persona::Occasional,
                _ => Persona::OneOff,
            },
        };
        let join = match (signs_in, persona) {
            (Some(_), _) => rng.random_range(0..=6),
            (None, Persona::OneOff) => rng.random_range(0..=DAYS - 25),
            (None, _) if rng.random_bool(0.4) => rng.random_range(0..=20),
            (None, _) => rng.random_range(21..=DAYS - 35),
        };
        let leave = if persona == Persona::Regular && signs_in.is_none() && rng.random_bool(0.2) {
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
        members.push(MemberPlan {
            name,
            number: member_number(base),
            pin: signs_in.map(|m| m.pin),
            persona,
            join,
            leave,
            commitments,
            offers: [favourite, second],
            spend_rate,
            friends: Vec::new(),
            gift_rate,
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

#[derive(Clone, Debug)]
enum Action {
    Register {
        member: usize,
    },
    Issue {
        member: usize,
        minutes: i64,
        reason: String,
    },
    Redeem {
        member: usize,
        offer: usize,
    },
    Gift {
        from: usize,
        to: usize,
        minutes: i64,
        reason: &'static str,
    },
    Reverse {
        member: usize,
        original: TransferId,
        reason: &'static str,
    },
}

impl Action {
    /// The members whose accounts this touches.
    fn members(&self) -> (usize, Option<usize>) {
        match *self {
            Self::Register { member }
            | Self::Issue { member, .. }
            | Self::Redeem { member, .. }
            | Self::Reverse { member, .. } => (member, None),
            Self::Gift { from, to, .. } => (from, Some(to)),
        }
    }
}

#[derive(Clone, Debug)]
struct Event {
    at: DateTime<Utc>,
    /// Creation order: breaks ties between equal times.
    order: usize,
    id: TransferId,
    action: Action,
}

struct Timeline {
    start: NaiveDate,
    events: Vec<Event>,
}

impl Timeline {
    fn date(&self, day: i64) -> NaiveDate {
        self.start + Duration::days(day)
    }

    fn push(&mut self, at: DateTime<Utc>, action: Action) {
        let order = self.events.len();
        self.events.push(Event {
            at,
            order,
            id: TransferId(Uuid::nil()),
            action,
        });
    }

    fn sort(&mut self) {
        self.events.sort_by_key(|e| (e.at, e.order));
    }
}

/// The year: registrations, time given, spending, gifts and two corrections,
/// in time order, each with a distinct time.
fn plan_year(
    rng: &mut ChaCha8Rng,
    members: &[MemberPlan],
    start: NaiveDate,
    today: DateTime<Utc>,
) -> Vec<Event> {
    let mut t = Timeline {
        start,
        events: Vec::new(),
    };
    for (index, m) in members.iter().enumerate() {
        let at = local(
            t.date(m.join),
            rng.random_range(9 * 60..16 * 60),
            rng.random_range(0..60),
        );
        t.push(at, Action::Register { member: index });
        // Time given.
        let mut sessions = Vec::new();
        if m.persona == Persona::OneOff {
            let c = &m.commitments[0];
            let runs = |day: i64| {
                runs_on(&ACTIVITIES[c.activity], t.date(day), c.day) && !closed(t.date(day))
            };
            let mut day = m.join + 1 + rng.random_range(0..40);
            while day < DAYS && !runs(day) {
                day += 1;
            }
            if day < DAYS {
                sessions.push((day, c.activity));
            }
        } else {
            for day in (m.join + 1)..m.leave {
                let date = t.date(day);
                if closed(date) {
                    continue;
                }
                for c in &m.commitments {
                    if runs_on(&ACTIVITIES[c.activity], date, c.day) && rng.random_bool(c.chance) {
                        sessions.push((day, c.activity));
                    }
                }
            }
        }
        for &(day, activity) in &sessions {
            let a = &ACTIVITIES[activity];
            let minutes = rng.random_range(a.minutes.0 / 15..=a.minutes.1 / 15) * 15;
            // The hours are recorded after the session, or next morning
            // after an evening one.
            let recorded = a.start + minutes as u32 + rng.random_range(10..=120);
            let (day, recorded) = if recorded > 19 * 60 {
                (day + 1, rng.random_range(9 * 60..11 * 60))
            } else {
                (day, recorded)
            };
            let at = local(t.date(day), recorded, rng.random_range(0..60));
            t.push(
                at,
                Action::Issue {
                    member: index,
                    minutes,
                    reason: format!("{}, {}", a.name, ORGS[a.org].short),
                },
            );
        }
        // Spending: planned now, kept below only if affordable then.
        let mut spend_days = Vec::new();
        if m.persona == Persona::OneOff {
            if let Some(&(day, _)) = sessions.first()
                && rng.random_bool(0.6)
            {
                spend_days.push(day + rng.random_range(3..=30));
            }
        } else {
            let mut week_start = m.join + 1;
            while week_start < DAYS {
                if rng.random_bool(m.spend_rate) {
                    spend_days.push(week_start);
                }
                week_start += 7;
            }
        }
        for week_start in spend_days {
            let offer = if rng.random_bool(0.7) {
                m.offers[0]
            } else {
                m.offers[1]
            };
            let (day, minute) = spend_time(rng, &t, week_start, OFFERS[offer].when);
            if day < DAYS {
                t.push(
                    local(t.date(day), minute, rng.random_range(0..60)),
                    Action::Redeem {
                        member: index,
                        offer,
                    },
                );
            }
        }
        // Gifts to friends.
        if !m.friends.is_empty() {
            for month in 0..12 {
                if rng.random_bool(m.gift_rate) {
                    let day = month * 30 + rng.random_range(0..30);
                    let to = *m.friends.choose(rng).expect("has friends");
                    let minutes = if rng.random_bool(0.7) { 60 } else { 120 };
                    let reason = *GIFT_REASONS.choose(rng).expect("reasons");
                    if day > m.join && day < DAYS {
                        let at = local(
                            t.date(day),
                            rng.random_range(10 * 60..20 * 60),
                            rng.random_range(0..60),
                        );
                        t.push(
                            at,
                            Action::Gift {
                                from: index,
                                to,
                                minutes,
                                reason,
                            },
                        );
                    }
                }
            }
        }
    }
    t.sort();
    keep_affordable(&mut t, members.len());
    for event in &mut t.events {
        event.id = TransferId(Uuid::from_u128(rng.random()));
    }
    add_corrections(rng, &mut t, members);
    t.sort();
    // Distinct times, so every statement reads in one order.
    let mut last: Option<DateTime<Utc>> = None;
    for event in &mut t.events {
        if let Some(previous) = last
            && event.at <= previous
        {
            event.at = previous + Duration::seconds(1);
        }
        last = Some(event.at);
    }
    t.events.retain(|e| e.at < today);
    t.events
}

/// Drops spends and gifts the member could not afford at the time.
fn keep_affordable(t: &mut Timeline, members: usize) {
    let mut balance = vec![0i64; members];
    let mut registered = vec![false; members];
    t.events.retain(|e| match e.action {
        Action::Register { member } => {
            registered[member] = true;
            true
        }
        Action::Issue {
            member, minutes, ..
        } => {
            balance[member] += minutes;
            true
        }
        Action::Redeem { member, offer } => {
            let cost = OFFERS[offer].minutes;
            let ok = balance[member] >= cost;
            if ok {
                balance[member] -= cost;
            }
            ok
        }
        Action::Gift {
            from, to, minutes, ..
        } => {
            // Givers keep at least a credit for themselves.
            let ok = registered[to] && balance[from] >= minutes + 60;
            if ok {
                balance[from] -= minutes;
                balance[to] += minutes;
            }
            ok
        }
        Action::Reverse { .. } => true,
    });
}

/// Two mistakes put right: hours entered twice (the duplicate reversed the
/// next morning) and a swim refunded when the pool closed. Neither can make
/// a later planned spend unaffordable.
fn add_corrections(rng: &mut ChaCha8Rng, t: &mut Timeline, members: &[MemberPlan]) {
    let duplicate = t.events.iter().find(|e| {
        matches!(e.action, Action::Issue { member, .. } if members[member].persona == Persona::Regular)
            && e.at > local(t.date(100), 0, 0)
    });
    if let Some(Event {
        at,
        action:
            Action::Issue {
                member,
                minutes,
                reason,
            },
        ..
    }) = duplicate.cloned()
    {
        let id = TransferId(Uuid::from_u128(rng.random()));
        let order = t.events.len();
        t.events.push(Event {
            at: at + Duration::minutes(3),
            order,
            id,
            action: Action::Issue {
                member,
                minutes,
                reason,
            },
        });
        t.events.push(Event {
            at: local(
                at.date_naive() + Duration::days(1),
                rng.random_range(9 * 60..10 * 60),
                0,
            ),
            order: order + 1,
            id: TransferId(Uuid::from_u128(rng.random())),
            action: Action::Reverse {
                member,
                original: id,
                reason: "Hours entered twice by mistake",
            },
        });
    }
    let refund = t.events.iter().find(|e| {
        matches!(e.action, Action::Redeem { offer: SWIM, .. }) && e.at > local(t.date(220), 0, 0)
    });
    if let Some(Event {
        at,
        id: original,
        action: Action::Redeem { member, .. },
        ..
    }) = refund.cloned()
    {
        let order = t.events.len();
        t.events.push(Event {
            at: at + Duration::hours(2),
            order,
            id: TransferId(Uuid::from_u128(rng.random())),
            action: Action::Reverse {
                member,
                original,
                reason: "Pool closed for repairs; swim refunded",
            },
        });
    }
}

fn spend_time(rng: &mut ChaCha8Rng, t: &Timeline, week_start: i64, when: When) -> (i64, u32) {
    let days_matching = |ok: &dyn Fn(Weekday) -> bool| -> Vec<i64> {
        (week_start..week_start + 7)
            .filter(|&d| ok(t.date(d).weekday()) && !closed(t.date(d)))
            .collect()
    };
    let pick =
        |rng: &mut ChaCha8Rng, days: Vec<i64>| days.choose(rng).copied().unwrap_or(week_start);
    match when {
        When::Daily(from, to) => {
            let day = pick(rng, days_matching(&|_| true));
            (day, rng.random_range(from * 60..to * 60))
        }
        When::Weekend(from, to) => {
            let day = pick(rng, days_matching(&|w| matches!(w, Sat | Sun)));
            (day, rng.random_range(from * 60..to * 60))
        }
        When::Cinema => {
            let day = pick(rng, days_matching(&|w| matches!(w, Tue | Fri | Sat | Sun)));
            let minute = match t.date(day).weekday() {
                Tue => rng.random_range(13 * 60..14 * 60),
                Sun => rng.random_range(14 * 60..18 * 60),
                _ => rng.random_range(17 * 60 + 30..20 * 60 + 30),
            };
            (day, minute)
        }
        When::Office => {
            let day = pick(rng, days_matching(&|w| !matches!(w, Sat | Sun)));
            (day, rng.random_range(10 * 60..16 * 60))
        }
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
    /// The desk actor of each organisation, where it has one.
    desks: Vec<Option<Actor>>,
    organisations: Vec<OrganisationId>,
    members: Vec<Option<Member>>,
}

/// The administrator, the programme, its partners and its staff, in the
/// weeks before launch.
async fn set_up(lane: &Lane, start: NaiveDate) -> Result<Context, AppError> {
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
    let mut organisations = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        lane.clock.set(at(21 - i as i64, 11 * 60));
        let created = app
            .create_organisation(
                &manager,
                NewOrganisation {
                    programme: programme.id,
                    name: org.name.into(),
                },
            )
            .await?;
        organisations.push(created.id);
    }
    let mut desks = vec![None; ORGS.len()];
    for (i, s) in STAFF.iter().enumerate().skip(2) {
        let scope = match s.post {
            Post::Programme => Scope::Programme(programme.id),
            Post::Organisation(org) => {
                lane.clock.set(at(21 - org as i64, 14 * 60 + 10 * i as u32));
                Scope::Organisation(organisations[org])
            }
        };
        let user = app
            .create_staff(&manager, s.email, s.name, s.password, s.role, scope)
            .await?;
        if let (Role::SpendStaff, Post::Organisation(org)) = (s.role, s.post) {
            desks[org] = Some(app.actor(user.id).await?);
        }
    }
    Ok(Context {
        programme,
        manager,
        desks,
        organisations,
        members: vec![None; MEMBER_COUNT],
    })
}

enum Done {
    Registered(usize, Box<Member>),
    /// Whether the transfer was new.
    Posted(bool),
    Skipped,
}

async fn execute(
    lane: &Lane,
    ctx: &Context,
    people: &[MemberPlan],
    event: &Event,
) -> Result<Done, AppError> {
    lane.clock.set(event.at);
    let app = &lane.app;
    let programme = ctx.programme.id;
    let member = |index: usize| {
        ctx.members[index]
            .as_ref()
            .ok_or(AppError::NotFound("member"))
    };
    let outcome = match &event.action {
        Action::Register { member } => {
            let plan = &people[*member];
            let new = NewMember {
                programme,
                display_name: plan.name.clone(),
                pin: plan.pin.map(str::to_owned),
                number: Some(plan.number),
            };
            let registered = app.register_member(&ctx.manager, new).await?;
            return Ok(Done::Registered(*member, Box::new(registered)));
        }
        Action::Issue {
            member: index,
            minutes,
            reason,
        } => {
            let request = IssueRequest {
                id: event.id,
                programme,
                member: member(*index)?.id,
                minutes: *minutes,
                reason: reason.clone(),
            };
            app.issue_credits(&ctx.manager, request).await
        }
        Action::Redeem {
            member: index,
            offer,
        } => {
            let offer = &OFFERS[*offer];
            let request = RedeemRequest {
                id: event.id,
                organisation: ctx.organisations[offer.org],
                member: member(*index)?.id,
                minutes: offer.minutes,
                reason: format!("{}, {}", offer.name, ORGS[offer.org].short),
            };
            // At a partner without desk staff, the programme office records it.
            let actor = ctx.desks[offer.org].as_ref().unwrap_or(&ctx.manager);
            app.redeem(actor, request).await
        }
        Action::Gift {
            from,
            to,
            minutes,
            reason,
        } => {
            let giver = member(*from)?;
            let (actor, reason) = match giver.user {
                Some(user) => {
                    let grants = vec![RoleGrant {
                        user,
                        role: Role::Member,
                        scope: Scope::Programme(programme),
                    }];
                    (
                        Actor {
                            user,
                            member: Some(giver.id),
                            grants,
                        },
                        (*reason).to_owned(),
                    )
                }
                // Without a sign-in, the member asks the programme office to pass it on.
                None => (
                    Actor {
                        user: ctx.manager.user,
                        member: Some(giver.id),
                        grants: vec![],
                    },
                    format!("{reason} (given at the Time Credits office)"),
                ),
            };
            let request = GiftRequest {
                id: event.id,
                to: member(*to)?.id,
                minutes: *minutes,
                reason,
            };
            app.give_gift(&actor, request).await
        }
        Action::Reverse {
            original, reason, ..
        } => {
            let request = ReverseRequest {
                id: event.id,
                original: *original,
                reason: (*reason).to_owned(),
            };
            app.reverse_transfer(&ctx.manager, request).await
        }
    };
    match outcome {
        Ok(outcome) => Ok(Done::Posted(outcome.is_new())),
        // The plan checks affordability; should it ever disagree, leave it out.
        Err(AppError::Ledger(e)) if e.code() == "insufficient_credits" => {
            tracing::warn!(error = %e, "demo transfer skipped");
            Ok(Done::Skipped)
        }
        Err(e) => Err(e),
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

    #[test]
    fn the_plan_is_the_same_for_the_same_seed() {
        let start = today().date_naive() - Duration::days(DAYS);
        let plan = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let people = plan_members(&mut rng);
            let events = plan_year(&mut rng, &people, start, today());
            (
                people
                    .iter()
                    .map(|p| (p.name.clone(), p.number))
                    .collect::<Vec<_>>(),
                format!("{events:?}"),
            )
        };
        assert_eq!(plan(7), plan(7));
        assert_ne!(plan(7), plan(8));
    }

    #[test]
    fn the_plan_is_a_realistic_year() {
        let start = today().date_naive() - Duration::days(DAYS);
        let mut rng = ChaCha8Rng::seed_from_u64(DEFAULT_SEED);
        let people = plan_members(&mut rng);
        let events = plan_year(&mut rng, &people, start, today());
        let count = |f: fn(&Action) -> bool| events.iter().filter(|e| f(&e.action)).count();
        let issues = count(|a| matches!(a, Action::Issue { .. }));
        let redeems = count(|a| matches!(a, Action::Redeem { .. }));
        let gifts = count(|a| matches!(a, Action::Gift { .. }));
        let reversals = count(|a| matches!(a, Action::Reverse { .. }));
        println!("issues {issues}, redemptions {redeems}, gifts {gifts}, reversals {reversals}");
        assert_eq!(
            count(|a| matches!(a, Action::Register { .. })),
            MEMBER_COUNT
        );
        assert_eq!(reversals, 2);
        assert!((3_000..=6_000).contains(&(issues + redeems + gifts + reversals)));
        assert!(gifts >= 50);
        assert!(events.windows(2).all(|w| w[0].at < w[1].at));
        assert!(
            events
                .iter()
                .all(|e| e.at < today() && e.at > today() - Duration::days(DAYS + 1))
        );
        let ids: HashSet<_> = events.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), events.len());
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
