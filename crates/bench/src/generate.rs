//! Scenario (d)'s data: a programme at the scale of issue 6 (members,
//! postings, survey answers), written straight into its SQLite file with
//! rusqlite. Going through the API would take hours at this scale; writing
//! rows directly takes minutes, so the rows must be the ones the app would
//! write. The programme, its staff, organisations, activities, offers and
//! two template members come from the API first (see `reports`), and
//! `shapes` checks afterwards that every generated row looks like the
//! template's rows the app wrote.
//!
//! A "posting" is one row of `transfers` (the ledger's one kind of posting,
//! debit and credit together), as in the rest of the table: a contribution
//! posts one issue; a redemption posts a redeem and, under the default rule
//! that partners retire what they receive, a retire.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use chrono::{Days, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, Statement, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::naive::mix;

/// How big a programme to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub members: usize,
    pub postings: u64,
    pub answers: u64,
}

impl Scale {
    /// "MEMBERS,POSTINGS,ANSWERS", e.g. "20000,1000000,60000".
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [m, p, a] = parts.as_slice() else {
            return Err(format!("a scale is MEMBERS,POSTINGS,ANSWERS, not {text:?}"));
        };
        let number = |s: &str| {
            s.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{s:?} is not a whole number"))
        };
        Ok(Self {
            members: number(m)? as usize,
            postings: number(p)?,
            answers: number(a)?,
        })
    }

    /// One posting in eight is a redemption's pair (redeem and retire), so
    /// a sixth of what members earn is spent: enough for the engagement
    /// report's credits table to mean something.
    fn redemptions(self) -> u64 {
        self.postings / 8
    }

    fn contributions(self) -> u64 {
        self.postings - 2 * self.redemptions()
    }
}

/// Answers per member and wave: UCLA-3 (3), the ONS loneliness question
/// (1) and ONS4 (4), the programme's default instruments.
const ANSWERS_PER_WAVE: u64 = 8;
/// Members join over the last three years.
const HISTORY_DAYS: u32 = 1095;
/// The programme's default daily cap is 720 minutes; contributions are at
/// most 180 minutes, so at most four a day keeps every member under it.
const MAX_PER_DAY: u64 = 4;
const MAX_MINUTES_STEPS: u32 = 12;
/// Members are placed in deprived areas more often, as a Time Credits
/// programme recruits there (as the demo does): weight of IMD decile 1..=10.
const DECILE_WEIGHTS: [u32; 10] = [17, 18, 18, 15, 12, 13, 5, 4, 2, 2];

/// The IMD 2019 rows of Fenland and King's Lynn and West Norfolk.
pub const IMD_EXTRACT: &str =
    include_str!("../../../data/imd2019/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv");
/// Letters the inward code of a UK postcode may end with (no C, I, K, M, O, V).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const POSTCODES_PER_LSOA: usize = 4;

/// A made-up postcode lookup onto the real LSOAs of the extract (no
/// postcode directory is shipped): `POSTCODES_PER_LSOA` postcodes each,
/// as "pcds,lsoa11" CSV, the columns `timecredits import postcodes` reads.
pub fn postcode_lookup_csv() -> String {
    let mut csv = String::from("pcds,lsoa11\n");
    let mut n = 0usize;
    for (i, line) in IMD_EXTRACT.lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let (Some(lsoa), Some(district)) = (fields.first(), fields.get(3)) else {
            continue;
        };
        let outward = if *district == "Fenland" {
            ["PE13", "PE14", "PE15"][i % 3]
        } else {
            ["PE30", "PE31", "PE32", "PE33", "PE34", "PE38"][i % 6]
        };
        for _ in 0..POSTCODES_PER_LSOA {
            csv.push_str(&format!("{},{lsoa}\n", postcode(outward, n)));
            n += 1;
        }
    }
    csv
}

/// The `n`th postcode of the lookup: unique for n below 4,000.
fn postcode(outward: &str, n: usize) -> String {
    let letter = |k: usize| INWARD_LETTERS[k % INWARD_LETTERS.len()] as char;
    format!(
        "{outward} {}{}{}",
        n % 10,
        letter(n / 10),
        letter(n / 10 / INWARD_LETTERS.len())
    )
}

/// One postcode of the lookup for a district ("Fenland" or the other), for
/// the organisations and the template member.
pub fn a_postcode_in(district: &str) -> Option<String> {
    let csv = postcode_lookup_csv();
    let wanted = IMD_EXTRACT
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(3) == Some(district))?
        .split(',')
        .next()?
        .to_owned();
    csv.lines()
        .skip(1)
        .find(|l| l.ends_with(&format!(",{wanted}")))
        .and_then(|l| l.split(',').next())
        .map(str::to_owned)
}

/// The id the app derives for the retire posting of a redemption keyed
/// `key` (`timecredits_app::spending::derived_transfer_id`); `shapes`
/// checks it against the template redemption the app wrote.
pub fn derived_transfer_id(key: Uuid, purpose: &str) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"timecredits.spending.");
    hash.update(purpose.as_bytes());
    hash.update(key.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// What the API set-up made, read back from the file.
struct Setup {
    programme: Uuid,
    issuance: Uuid,
    retired: Uuid,
    manager: Uuid,
    desk: Uuid,
    wording: String,
    activities: Vec<ActivityRow>,
    offers: Vec<OfferRow>,
    /// (postcode, IMD decile) of every postcode in the lookup.
    places: Vec<(String, u8)>,
    taken_numbers: HashSet<u32>,
}

struct ActivityRow {
    id: Uuid,
    organisation: Uuid,
    title: String,
}

struct OfferRow {
    id: Uuid,
    organisation: Uuid,
    organisation_account: Uuid,
    reason: String,
    retire_reason: String,
    price: i64,
}

fn uuid_of(bytes: Vec<u8>) -> Result<Uuid, String> {
    Uuid::from_slice(&bytes).map_err(|e| e.to_string())
}

fn sql(e: rusqlite::Error) -> String {
    format!("SQLite: {e}")
}

fn read_setup(
    c: &Connection,
    programme: Uuid,
    manager_email: &str,
    desk_email: &str,
    template: Uuid,
    history_start: NaiveDate,
) -> Result<Setup, String> {
    let (issuance, retired): (Vec<u8>, Vec<u8>) = c
        .query_row(
            "SELECT issuance_account, retired_account FROM programmes WHERE id = ?1",
            [programme.as_bytes()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(sql)?;
    let user = |email: &str| -> Result<Uuid, String> {
        let id: Vec<u8> = c
            .query_row("SELECT id FROM users WHERE email = ?1", [email], |r| {
                r.get(0)
            })
            .map_err(|e| format!("no user {email}: {e}"))?;
        uuid_of(id)
    };
    let wording: String = c
        .query_row(
            "SELECT wording_version FROM evaluation_consents WHERE member_id = ?1 LIMIT 1",
            [template.as_bytes()],
            |r| r.get(0),
        )
        .map_err(|e| format!("the template member has no consent record: {e}"))?;
    let mut activities = Vec::new();
    let mut stmt = c
        .prepare(
            "SELECT id, organisation_id, title FROM activities WHERE programme_id = ?1 AND earns_credits ORDER BY id",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([programme.as_bytes()]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        activities.push(ActivityRow {
            id: uuid_of(r.get(0).map_err(sql)?)?,
            organisation: uuid_of(r.get(1).map_err(sql)?)?,
            title: r.get(2).map_err(sql)?,
        });
    }
    // Only offers valid over the whole history: a redemption is never
    // dated before its offer was valid.
    let mut offers = Vec::new();
    let mut stmt = c
        .prepare(
            "SELECT o.id, g.account_id, o.title, g.name, o.price_minutes, g.id FROM offers o
             JOIN organisations g ON g.id = o.organisation_id
             WHERE o.programme_id = ?1 AND o.status = 'active' AND o.valid_from <= ?2
               AND o.capacity_limit IS NULL AND o.off_peak = '' ORDER BY o.id",
        )
        .map_err(sql)?;
    let mut rows = stmt
        .query(params![programme.as_bytes(), history_start.to_string()])
        .map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        let title: String = r.get(2).map_err(sql)?;
        let organisation: String = r.get(3).map_err(sql)?;
        offers.push(OfferRow {
            id: uuid_of(r.get(0).map_err(sql)?)?,
            organisation: uuid_of(r.get(5).map_err(sql)?)?,
            organisation_account: uuid_of(r.get(1).map_err(sql)?)?,
            reason: format!("{title} at {organisation}"),
            retire_reason: format!("Retired on receipt: {title}"),
            price: r.get(4).map_err(sql)?,
        });
    }
    let mut places = Vec::new();
    let mut stmt = c
        .prepare(
            "SELECT pa.postcode, ia.imd_decile FROM postcode_areas pa
             JOIN imd_areas ia ON ia.edition = 'iod2019' AND ia.lsoa = pa.area_code
             WHERE pa.boundary = 'lsoa2011' AND pa.area = 'england' ORDER BY pa.postcode",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        places.push((r.get(0).map_err(sql)?, r.get(1).map_err(sql)?));
    }
    let mut taken_numbers = HashSet::new();
    let mut stmt = c
        .prepare("SELECT member_number FROM members")
        .map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    while let Some(r) = rows.next().map_err(sql)? {
        taken_numbers.insert(r.get(0).map_err(sql)?);
    }
    if activities.is_empty() || offers.is_empty() || places.is_empty() {
        return Err(format!(
            "the set-up is incomplete: {} activities, {} offers valid since {history_start}, {} postcodes with a decile",
            activities.len(),
            offers.len(),
            places.len()
        ));
    }
    Ok(Setup {
        programme,
        issuance: uuid_of(issuance)?,
        retired: uuid_of(retired)?,
        manager: user(manager_email)?,
        desk: user(desk_email)?,
        wording,
        activities,
        offers,
        places,
        taken_numbers,
    })
}

/// The app's member numbers: a six-digit base and a Luhn check digit
/// (`timecredits_app::MemberNumber`).
fn member_number(base: u32) -> u32 {
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
    base * 10 + (10 - sum % 10) % 10
}

/// Splits `total` in proportion to `weights`, never giving anyone more
/// than their cap; whole units, exactly `total` in all.
fn allocate(total: u64, weights: &[f64], caps: &[u64]) -> Result<Vec<u64>, String> {
    let sum: f64 = weights.iter().sum();
    let room: u64 = caps.iter().sum();
    if total > room || (total > 0 && sum <= 0.0) {
        return Err(format!(
            "cannot place {total} among members with room for {room}: give more members"
        ));
    }
    let mut out: Vec<u64> = weights
        .iter()
        .zip(caps)
        .map(|(w, cap)| ((total as f64 * w / sum).floor() as u64).min(*cap))
        .collect();
    let mut left = total - out.iter().sum::<u64>();
    // The rounding remainder, one at a time to whoever has a weight and room.
    while left > 0 {
        let before = left;
        for (i, n) in out.iter_mut().enumerate() {
            if left == 0 {
                break;
            }
            if weights[i] > 0.0 && *n < caps[i] {
                *n += 1;
                left -= 1;
            }
        }
        if left == before {
            // Whoever has room left but no weight takes the rest.
            for (i, n) in out.iter_mut().enumerate() {
                let take = (caps[i] - *n).min(left);
                *n += take;
                left -= take;
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Consent {
    Never,
    Given,
    /// Given at joining, withdrawn yesterday.
    Withdrawn,
}

/// One member's plan, decided before any row is written so that counts
/// come out exact.
struct Plan {
    days_ago: u32,
    contributions: u64,
    redemptions: u64,
    consent: Consent,
}

fn minutes_stream(seed: u64, member: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ mix(member as u64 ^ 0x4D49_4E55_5445_5321))
}

fn member_rng(seed: u64, member: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ mix(member as u64))
}

fn minutes(rng: &mut StdRng) -> i64 {
    15 * i64::from(rng.random_range(1..=MAX_MINUTES_STEPS))
}

fn plans(scale: Scale, seed: u64, max_price: i64) -> Result<Vec<Plan>, String> {
    let n = scale.members;
    let mut plans = Vec::with_capacity(n);
    let mut weights = Vec::with_capacity(n);
    let mut caps = Vec::with_capacity(n);
    for i in 0..n {
        let mut rng = member_rng(seed, i);
        let days_ago = rng.random_range(1..=HISTORY_DAYS);
        // Most give some time; a few give a lot (u² skews the weights).
        let contributes = rng.random_bool(0.85);
        let u: f64 = rng.random();
        let consent = match rng.random_range(0..100) {
            0..15 => Consent::Never,
            15..18 => Consent::Withdrawn,
            _ => Consent::Given,
        };
        weights.push(if contributes {
            f64::from(days_ago) * (0.2 + 2.8 * u * u)
        } else {
            0.0
        });
        caps.push(if contributes {
            MAX_PER_DAY * u64::from(days_ago)
        } else {
            0
        });
        plans.push(Plan {
            days_ago,
            contributions: 0,
            redemptions: 0,
            consent,
        });
    }
    let counts = allocate(scale.contributions(), &weights, &caps)?;
    let mut earned = Vec::with_capacity(n);
    for (i, (plan, count)) in plans.iter_mut().zip(counts).enumerate() {
        plan.contributions = count;
        let mut rng = minutes_stream(seed, i);
        earned.push((0..count).map(|_| minutes(&mut rng)).sum::<i64>());
    }
    let weights: Vec<f64> = earned.iter().map(|e| *e as f64).collect();
    let caps: Vec<u64> = earned.iter().map(|e| (e / max_price) as u64).collect();
    let counts = allocate(scale.redemptions(), &weights, &caps)?;
    for (plan, count) in plans.iter_mut().zip(counts) {
        plan.redemptions = count;
    }
    Ok(plans)
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    pub members: u64,
    pub consenting: u64,
    pub contributions: u64,
    pub redemptions: u64,
    pub transfers: u64,
    pub responses: u64,
    pub answers: u64,
    pub seconds: f64,
}

/// Every insert, prepared once.
struct Inserts<'c> {
    account: Statement<'c>,
    member: Statement<'c>,
    registration: Statement<'c>,
    directory_profile: Statement<'c>,
    consent: Statement<'c>,
    profile: Statement<'c>,
    proxy: Statement<'c>,
    contribution: Statement<'c>,
    transfer: Statement<'c>,
    redemption: Statement<'c>,
    response: Statement<'c>,
    answer: Statement<'c>,
}

impl<'c> Inserts<'c> {
    fn new(c: &'c Connection) -> Result<Self, String> {
        let p = |s: &str| c.prepare(s).map_err(sql);
        Ok(Self {
            account: p("INSERT INTO accounts (id, programme_id, kind, owner_id, status, floor_minutes, exchange_overdraft_minutes, balance_minutes)
                        VALUES (?1, ?2, 'member', ?3, 'open', 0, 0, ?4)")?,
            member: p("INSERT INTO members (id, programme_id, member_number, display_name, account_id, user_id, created_at)
                       VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)")?,
            registration: p("INSERT INTO member_registrations (member_id, programme_id, channel, organisation_id, registered_by, registered_at, status)
                             VALUES (?1, ?2, 'on_behalf', NULL, ?3, ?4, 'active')")?,
            directory_profile: p("INSERT INTO member_profiles (member_id, language, skills, skills_text, interests, interests_text, email, phone, updated_by, updated_at)
                                  VALUES (?1, 'en', '', '', '', '', NULL, NULL, ?2, ?3)")?,
            consent: p("INSERT INTO evaluation_consents (id, member_id, programme_id, decision, wording_version, at, recorded_by, by_proxy)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1)")?,
            profile: p("INSERT INTO evaluation_profiles (member_id, programme_id, age_band, year_of_birth, gender, ethnicity,
                            disability, employment, volunteered_before, postcode, updated_at, updated_by)
                        VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?,
            proxy: p("INSERT INTO proxy_actions (id, actor_user, member_id, action, at) VALUES (?1, ?2, ?3, ?4, ?5)")?,
            contribution: p("INSERT INTO contributions (id, programme_id, organisation_id, activity_id, session_id, member_id, contribution_date, minutes,
                                 origin, claim_id, corrects, note, transfer_id, idempotency_key, recorded_by, recorded_at)
                             VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, 'direct', NULL, NULL, '', ?1, ?1, ?8, ?9)")?,
            transfer: p("INSERT INTO transfers (id, programme_id, kind, debit_account, credit_account, amount_minutes, actor_id, at, reason, cause_kind, cause_id, reverses)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL)")?,
            redemption: p("INSERT INTO redemptions (id, programme_id, organisation_id, offer_id, member_id, price_minutes, retire_transfer_id, local_date, redeemed_by, redeemed_at)
                           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")?,
            response: p("INSERT INTO survey_responses (id, programme_id, member_id, wave_months, instrument, instrument_version,
                             raw_score, metric_hundredths, complete, completed_at, entered_by, by_proxy)
                         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, NULL, 1, ?7, ?8, 1)")?,
            answer: p("INSERT INTO survey_answers (response_id, position, item, score, text_value) VALUES (?1, ?2, ?3, ?4, NULL)")?,
        })
    }
}

fn run(st: &mut Statement, values: impl rusqlite::Params) -> Result<(), String> {
    match st.execute(values) {
        Ok(1) => Ok(()),
        Ok(n) => Err(format!("an insert wrote {n} rows instead of one")),
        Err(e) => Err(sql(e)),
    }
}

/// Microseconds since the epoch of `hour`:00 UTC on `day`.
fn at_hour(day: NaiveDate, hour: u32) -> i64 {
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default())
        .and_utc()
        .timestamp_micros()
}

const SECOND: i64 = 1_000_000;
const DAY: i64 = 86_400 * SECOND;

/// Roughly normal noise (the sum of three uniforms), mean 0.
fn noise(rng: &mut StdRng, sd: f64) -> f64 {
    let sum: f64 = (0..3).map(|_| rng.random::<f64>()).sum();
    (sum - 1.5) * 2.0 * sd
}

fn scale_to(value: f64, min: u8, max: u8) -> i64 {
    i64::from(value.round().clamp(f64::from(min), f64::from(max)) as u8)
}

fn pick<'a>(rng: &mut StdRng, weighted: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut x = rng.random_range(0..total);
    for (code, w) in weighted {
        if x < *w {
            return code;
        }
        x -= w;
    }
    weighted[weighted.len() - 1].0
}

/// The profile answers, from the app's lists (checked against
/// `/api/v1/evaluation/profile-options` by `reports`); "" is not answered.
pub const AGE_BANDS: &[(&str, u32)] = &[
    ("20-29", 10),
    ("30-39", 15),
    ("40-49", 16),
    ("50-59", 17),
    ("60-69", 18),
    ("70-79", 14),
    ("80+", 5),
    ("prefer_not_to_say", 5),
];
pub const GENDERS: &[(&str, u32)] = &[
    ("woman", 58),
    ("man", 37),
    ("non_binary", 1),
    ("prefer_not_to_say", 3),
    ("", 1),
];
pub const ETHNICITIES: &[(&str, u32)] = &[
    ("white_british", 80),
    ("white_other", 6),
    ("white_gypsy_traveller", 3),
    ("mixed_white_black_caribbean", 2),
    ("asian_indian", 2),
    ("black_african", 2),
    ("prefer_not_to_say", 4),
    ("", 1),
];
pub const YES_NO: &[(&str, u32)] = &[("yes", 40), ("no", 54), ("prefer_not_to_say", 4), ("", 2)];
pub const EMPLOYMENT: &[(&str, u32)] = &[
    ("employed_full_time", 22),
    ("employed_part_time", 18),
    ("self_employed", 6),
    ("unemployed", 12),
    ("looking_after_home", 11),
    ("long_term_sick", 9),
    ("retired", 14),
    ("student", 3),
    ("other", 2),
    ("prefer_not_to_say", 3),
];

fn code(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// The generator's state between members.
struct Writer<'s> {
    setup: &'s Setup,
    seed: u64,
    today: NaiveDate,
    mean_contributions: f64,
    answers_left: u64,
    next_base: u32,
    retired_minutes: i64,
    out: Generated,
}

impl Writer<'_> {
    fn next_number(&mut self) -> Result<u32, String> {
        loop {
            if self.next_base > 999_999 {
                return Err("no member numbers left".into());
            }
            let number = member_number(self.next_base);
            self.next_base += 1;
            if !self.setup.taken_numbers.contains(&number) {
                return Ok(number);
            }
        }
    }

    fn proxy(&self, ins: &mut Inserts, member: Uuid, action: &str, at: i64) -> Result<(), String> {
        run(
            &mut ins.proxy,
            params![
                Uuid::now_v7().as_bytes(),
                self.setup.manager.as_bytes(),
                member.as_bytes(),
                action,
                at
            ],
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn transfer(
        &mut self,
        ins: &mut Inserts,
        id: Uuid,
        kind: &str,
        debit: Uuid,
        credit: Uuid,
        amount: i64,
        actor: Uuid,
        at: i64,
        reason: &str,
        cause: (&str, Uuid),
    ) -> Result<(), String> {
        self.out.transfers += 1;
        run(
            &mut ins.transfer,
            params![
                id.as_bytes(),
                self.setup.programme.as_bytes(),
                kind,
                debit.as_bytes(),
                credit.as_bytes(),
                amount,
                actor.as_bytes(),
                at,
                reason,
                cause.0,
                cause.1.as_bytes()
            ],
        )
    }

    fn member(&mut self, ins: &mut Inserts, i: usize, plan: &Plan) -> Result<(), String> {
        let s = self.setup;
        let mut rng = member_rng(self.seed, i ^ 0x5EED_0000);
        let mut minutes_rng = minutes_stream(self.seed, i);
        let joined_day = self.today - Days::new(u64::from(plan.days_ago));
        let joined = at_hour(joined_day, 9) + rng.random_range(0..8 * 3600) * SECOND;
        let id = Uuid::now_v7();
        let account = Uuid::now_v7();

        // The ledger first, to know the balance the account row keeps.
        let mut balance = 0i64;
        let mut redeemed = 0u64;
        let favourite = rng.random_range(0..s.activities.len());
        let mut postings: Vec<Posting> = Vec::new();
        let span = u64::from(plan.days_ago);
        let mut last_at = joined;
        for k in 0..plan.contributions {
            let day = joined_day + Days::new(k * span / plan.contributions);
            let at = at_hour(day, 17) + k as i64 * SECOND;
            let m = minutes(&mut minutes_rng);
            let activity = if rng.random_bool(0.7) {
                favourite
            } else {
                rng.random_range(0..s.activities.len())
            };
            postings.push(Posting::Contribution {
                day,
                at,
                minutes: m,
                activity,
            });
            balance += m;
            last_at = at;
            let due = (k + 1) * plan.redemptions / plan.contributions;
            while redeemed < due {
                let offer = &s.offers[redeemed as usize % s.offers.len()];
                if balance < offer.price {
                    break;
                }
                postings.push(Posting::Redemption {
                    day,
                    at: at + 1800 * SECOND + redeemed as i64 * SECOND,
                    offer: redeemed as usize % s.offers.len(),
                });
                balance -= offer.price;
                redeemed += 1;
            }
        }
        let last_day = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
            + Days::new((last_at / DAY) as u64);
        while redeemed < plan.redemptions {
            let index = redeemed as usize % s.offers.len();
            let offer = &s.offers[index];
            if balance < offer.price {
                return Err(format!(
                    "member {i} cannot afford redemption {redeemed} of {}",
                    plan.redemptions
                ));
            }
            postings.push(Posting::Redemption {
                day: last_day,
                at: last_at + 1800 * SECOND + redeemed as i64 * SECOND,
                offer: index,
            });
            balance -= offer.price;
            redeemed += 1;
        }

        let number = self.next_number()?;
        run(
            &mut ins.account,
            params![
                account.as_bytes(),
                s.programme.as_bytes(),
                id.as_bytes(),
                balance
            ],
        )?;
        run(
            &mut ins.member,
            params![
                id.as_bytes(),
                s.programme.as_bytes(),
                number,
                format!("Member {i}"),
                account.as_bytes(),
                joined
            ],
        )?;
        run(
            &mut ins.registration,
            params![
                id.as_bytes(),
                s.programme.as_bytes(),
                s.manager.as_bytes(),
                joined
            ],
        )?;
        run(
            &mut ins.directory_profile,
            params![id.as_bytes(), s.manager.as_bytes(), joined],
        )?;
        self.out.members += 1;

        for p in &postings {
            match *p {
                Posting::Contribution {
                    day,
                    at,
                    minutes,
                    activity,
                } => {
                    let a = &s.activities[activity];
                    let cid = Uuid::now_v7();
                    self.transfer(
                        ins,
                        cid,
                        "issue",
                        s.issuance,
                        account,
                        minutes,
                        s.manager,
                        at,
                        &format!("Time given: {} on {day}", a.title),
                        ("contribution", cid),
                    )?;
                    run(
                        &mut ins.contribution,
                        params![
                            cid.as_bytes(),
                            s.programme.as_bytes(),
                            a.organisation.as_bytes(),
                            a.id.as_bytes(),
                            id.as_bytes(),
                            day.to_string(),
                            minutes,
                            s.manager.as_bytes(),
                            at
                        ],
                    )?;
                    self.out.contributions += 1;
                }
                Posting::Redemption { day, at, offer } => {
                    let o = &s.offers[offer];
                    let rid = Uuid::now_v7();
                    let retire = derived_transfer_id(rid, "redemption-retire");
                    // The app stamps the posting just after the redemption.
                    let posted = at + 2;
                    self.transfer(
                        ins,
                        rid,
                        "redeem",
                        account,
                        o.organisation_account,
                        o.price,
                        s.desk,
                        posted,
                        &o.reason,
                        ("redemption", rid),
                    )?;
                    self.transfer(
                        ins,
                        retire,
                        "retire",
                        o.organisation_account,
                        s.retired,
                        o.price,
                        s.desk,
                        posted,
                        &o.retire_reason,
                        ("redemption", rid),
                    )?;
                    run(
                        &mut ins.redemption,
                        params![
                            rid.as_bytes(),
                            s.programme.as_bytes(),
                            o.organisation.as_bytes(),
                            o.id.as_bytes(),
                            id.as_bytes(),
                            o.price,
                            retire.as_bytes(),
                            day.to_string(),
                            s.desk.as_bytes(),
                            at
                        ],
                    )?;
                    self.retired_minutes += o.price;
                    self.out.redemptions += 1;
                }
            }
        }

        if plan.consent == Consent::Never {
            return Ok(());
        }
        self.out.consenting += u64::from(plan.consent == Consent::Given);
        let consented = joined + 60 * SECOND;
        self.consent(ins, id, "given", consented)?;
        if rng.random_bool(0.9) {
            self.profile(ins, &mut rng, id, joined + 120 * SECOND)?;
        }
        let engagement = (plan.contributions as f64 / self.mean_contributions).min(1.0);
        let loneliness = 1.3 + 1.5 * rng.random::<f64>();
        let wellbeing = 4.0 + 4.0 * rng.random::<f64>();
        for (wave, chance) in [(0u32, 1.0), (6, 0.75), (12, 0.6)] {
            let after_days = i64::from(wave) * 30 + 14;
            let eligible = wave == 0 || i64::from(plan.days_ago) > after_days + 16;
            if self.answers_left < ANSWERS_PER_WAVE || !eligible || !rng.random_bool(chance) {
                break;
            }
            let when = if wave == 0 {
                joined + 600 * SECOND
            } else {
                joined + (after_days + rng.random_range(0..14)) * DAY
            };
            let gain = engagement * f64::from(wave) / 6.0;
            self.survey(
                ins,
                &mut rng,
                id,
                wave,
                when,
                loneliness - 0.25 * gain,
                wellbeing + 0.5 * gain,
            )?;
        }
        if plan.consent == Consent::Withdrawn {
            let yesterday = self.today - Days::new(1);
            self.consent(ins, id, "withdrawn", at_hour(yesterday, 20))?;
        }
        Ok(())
    }

    fn consent(
        &mut self,
        ins: &mut Inserts,
        member: Uuid,
        decision: &str,
        at: i64,
    ) -> Result<(), String> {
        let s = self.setup;
        run(
            &mut ins.consent,
            params![
                Uuid::now_v7().as_bytes(),
                member.as_bytes(),
                s.programme.as_bytes(),
                decision,
                s.wording,
                at,
                s.manager.as_bytes()
            ],
        )?;
        let action = if decision == "given" {
            "give_evaluation_consent"
        } else {
            "withdraw_evaluation_consent"
        };
        self.proxy(ins, member, action, at + 1000)
    }

    fn profile(
        &mut self,
        ins: &mut Inserts,
        rng: &mut StdRng,
        member: Uuid,
        at: i64,
    ) -> Result<(), String> {
        let s = self.setup;
        let postcode = match rng.random_range(0..100) {
            0..5 => Some("prefer_not_to_say".to_owned()),
            5..15 => None,
            _ => Some(self.place(rng).to_owned()),
        };
        run(
            &mut ins.profile,
            params![
                member.as_bytes(),
                s.programme.as_bytes(),
                code(pick(rng, AGE_BANDS)),
                code(pick(rng, GENDERS)),
                code(pick(rng, ETHNICITIES)),
                code(pick(rng, YES_NO)),
                code(pick(rng, EMPLOYMENT)),
                code(pick(rng, YES_NO)),
                postcode,
                at,
                s.manager.as_bytes()
            ],
        )?;
        self.proxy(ins, member, "update_evaluation_profile", at + 1000)
    }

    /// A postcode, deprived areas more often.
    fn place(&self, rng: &mut StdRng) -> &str {
        let places = &self.setup.places;
        let weight = |d: u8| DECILE_WEIGHTS[usize::from(d.clamp(1, 10)) - 1];
        let total: u32 = places.iter().map(|p| weight(p.1)).sum();
        let mut x = rng.random_range(0..total);
        for (postcode, decile) in places {
            if x < weight(*decile) {
                return postcode;
            }
            x -= weight(*decile);
        }
        &places[0].0
    }

    #[allow(clippy::too_many_arguments)]
    fn survey(
        &mut self,
        ins: &mut Inserts,
        rng: &mut StdRng,
        member: Uuid,
        wave: u32,
        at: i64,
        loneliness: f64,
        wellbeing: f64,
    ) -> Result<(), String> {
        let good = (wellbeing - 1.0) * 1.2;
        let ucla: Vec<(String, i64)> = (1..=3)
            .map(|i| {
                (
                    format!("ucla3_{i}"),
                    scale_to(loneliness + noise(rng, 0.45), 1, 3),
                )
            })
            .collect();
        let lonely = vec![(
            "ons_lonely".to_owned(),
            scale_to(5.0 - (loneliness - 1.0) * 2.0 + noise(rng, 0.6), 1, 5),
        )];
        let mut ons4: Vec<(String, i64)> = (1..=3)
            .map(|i| (format!("ons4_{i}"), scale_to(good + noise(rng, 1.2), 0, 10)))
            .collect();
        ons4.push((
            "ons4_4".to_owned(),
            scale_to(9.0 - good * 0.9 + noise(rng, 1.6), 0, 10),
        ));
        let s = self.setup;
        for (k, (instrument, answers)) in
            [("ucla3", ucla), ("ons_loneliness", lonely), ("ons4", ons4)]
                .into_iter()
                .enumerate()
        {
            let id = Uuid::now_v7();
            // UCLA-3 is summed when complete; the others are reported item by item.
            let raw = (instrument == "ucla3").then(|| answers.iter().map(|a| a.1).sum::<i64>());
            let when = at + k as i64 * 30 * SECOND;
            run(
                &mut ins.response,
                params![
                    id.as_bytes(),
                    s.programme.as_bytes(),
                    member.as_bytes(),
                    wave,
                    instrument,
                    raw,
                    when,
                    s.manager.as_bytes()
                ],
            )?;
            for (position, (item, score)) in answers.iter().enumerate() {
                run(
                    &mut ins.answer,
                    params![id.as_bytes(), position as i64, item, score],
                )?;
                self.out.answers += 1;
                self.answers_left -= 1;
            }
            self.out.responses += 1;
            self.proxy(ins, member, "submit_survey_response", when + 1000)?;
        }
        Ok(())
    }
}

enum Posting {
    Contribution {
        day: NaiveDate,
        at: i64,
        minutes: i64,
        activity: usize,
    },
    Redemption {
        day: NaiveDate,
        at: i64,
        offer: usize,
    },
}

/// Who the API set-up made.
pub struct Made<'a> {
    pub programme: Uuid,
    pub manager_email: &'a str,
    pub desk_email: &'a str,
    /// A member the app wrote everything for (consent, profile, surveys, a
    /// contribution and a redemption).
    pub template: Uuid,
}

/// Writes `scale` into the SQLite file at `path`, in transactions of about
/// 200,000 rows, with foreign keys and every trigger and CHECK in force.
pub fn generate(path: &Path, made: &Made, scale: Scale, seed: u64) -> Result<Generated, String> {
    let started = Instant::now();
    let c = Connection::open(path).map_err(sql)?;
    // The file stays in WAL mode as the app left it; synchronous=OFF only
    // because a crash here means generating again, not lost credits.
    c.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
    )
    .map_err(sql)?;
    let today = Utc::now().date_naive();
    let history_start = today - Days::new(u64::from(HISTORY_DAYS));
    let setup = read_setup(
        &c,
        made.programme,
        made.manager_email,
        made.desk_email,
        made.template,
        history_start,
    )?;
    let max_price = setup.offers.iter().map(|o| o.price).max().unwrap_or(1);
    let plans = plans(scale, seed, max_price)?;
    let mut ins = Inserts::new(&c)?;
    let mut w = Writer {
        setup: &setup,
        seed,
        today,
        mean_contributions: (scale.contributions() as f64 / scale.members.max(1) as f64).max(1.0),
        answers_left: scale.answers,
        next_base: 100_000,
        retired_minutes: 0,
        out: Generated::default(),
    };
    let mut since_commit = 0u64;
    c.execute_batch("BEGIN").map_err(sql)?;
    for (i, plan) in plans.iter().enumerate() {
        let before = w.out.transfers + w.out.answers + w.out.members;
        w.member(&mut ins, i, plan)?;
        since_commit += w.out.transfers + w.out.answers + w.out.members - before;
        if since_commit >= 200_000 {
            c.execute_batch("COMMIT; BEGIN").map_err(sql)?;
            since_commit = 0;
        }
    }
    // The retired account keeps its balance on its row (it has a floor).
    c.execute(
        "UPDATE accounts SET balance_minutes = balance_minutes + ?2 WHERE id = ?1",
        params![setup.retired.as_bytes(), w.retired_minutes],
    )
    .map_err(sql)?;
    c.execute_batch("COMMIT").map_err(sql)?;
    drop(ins);
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .map_err(sql)?;
    let mut out = w.out;
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_keeps_to_the_caps() {
        let weights = [0.0, 1.0, 3.0, 0.5, 2.0];
        let caps = [0, 10, 4, 100, 100];
        let got = allocate(60, &weights, &caps).expect("fits");
        assert_eq!(got.iter().sum::<u64>(), 60);
        assert!(got.iter().zip(caps).all(|(g, c)| *g <= c), "{got:?}");
        assert_eq!(got[0], 0);
        assert!(allocate(300, &weights, &caps).is_err());
    }

    #[test]
    fn member_numbers_carry_the_apps_check_digit() {
        // 3381746 and 5755020 were issued by the app.
        assert_eq!(member_number(338_174), 3_381_746);
        assert_eq!(member_number(575_502), 5_755_020);
    }

    #[test]
    fn the_lookup_has_unique_postcodes_for_every_lsoa() {
        let csv = postcode_lookup_csv();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        let lsoas = IMD_EXTRACT.lines().skip(1).count();
        assert_eq!(rows.len(), lsoas * POSTCODES_PER_LSOA);
        let unique: HashSet<&str> = rows.iter().filter_map(|r| r.split(',').next()).collect();
        assert_eq!(unique.len(), rows.len());
        assert!(a_postcode_in("Fenland").is_some());
        assert!(a_postcode_in("King's Lynn and West Norfolk").is_some());
    }

    #[test]
    fn the_counts_add_up_to_the_postings_asked_for() {
        for postings in [10_000, 1_000_000, 10_000_000, 10_001] {
            let s = Scale {
                members: 1,
                postings,
                answers: 0,
            };
            assert_eq!(s.contributions() + 2 * s.redemptions(), postings);
        }
    }

    #[test]
    fn plans_place_every_contribution_and_redemption() {
        let scale = Scale {
            members: 300,
            postings: 9_000,
            answers: 0,
        };
        let p = plans(scale, 7, 60).expect("plans");
        assert_eq!(
            p.iter().map(|p| p.contributions).sum::<u64>(),
            scale.contributions()
        );
        assert_eq!(
            p.iter().map(|p| p.redemptions).sum::<u64>(),
            scale.redemptions()
        );
        assert!(
            p.iter()
                .all(|p| p.contributions <= MAX_PER_DAY * u64::from(p.days_ago))
        );
    }
}
