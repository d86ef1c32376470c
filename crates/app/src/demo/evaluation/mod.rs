//! The demo's evaluation data: real deprivation figures for Fenland, an
//! illustrative postcode lookup onto them, and members' consent, profiles
//! and survey answers at baseline and follow-up.
//!
//! **What is real and what is not.** The IMD 2019 rows are MHCLG's, for
//! Fenland and King's Lynn and West Norfolk (`data/imd2019`), and every
//! LSOA a demo postcode is put in is a real Fenland LSOA with its real
//! decile. The postcode -> LSOA pairs are made up: no postcode directory is
//! shipped, so the demo's postcodes (PE13/PE14/PE15, like its partners')
//! are placed in LSOAs by the seeded generator, spread across the deciles.
//!
//! Everything goes through the use cases (consent, profile, survey
//! submission), each at its own moment on the member's lane clock, so the
//! schedule's rules (a wave answered only while open, once) and the
//! instruments' rules (ranges; no score without every item) all apply.
//! The answers follow a small model: a member's wellbeing and loneliness
//! at baseline, and a change by follow-up that is modest, larger for those
//! who gave more hours, and for some a change for the worse.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use timecredits_evaluation::imd::{Boundary, Edition};
use timecredits_ledger::ProgrammeId;

use super::{
    ADMIN_EMAIL, Context, DAYS, Joining, Lane, MemberPlan, ORGS, join_all, local, member_actor,
};
mod answers;
mod places;

use answers::{State, answers, noise, profile};
use places::{
    IMD_EXTRACT, IMD_EXTRACT_NAME, Lsoa, district, fenland_lsoas, lookup_csv, new_postcode, place,
};

use crate::evaluation::{
    BaselineAt, BytesFile, CONSENT_WORDING, EvaluationProfile, NewSurveyResponse, Progress,
    SettingsUpdate,
};
use crate::{Actor, App, AppError, FixedClock, MemberId};

/// Said wherever the demo's places are shown, so nobody takes them for real.
pub const PLACES_NOTE: &str = "Demo postcodes are placed in LSOAs for illustration only; \
the LSOAs and their IMD 2019 deciles are real (MHCLG, Open Government Licence v3.0).";

/// Survey waves, in months after joining.
const FOLLOW_UPS: [u32; 2] = [6, 12];
const INSTRUMENTS: [&str; 4] = ["swemwbs", "ucla3", "ons_loneliness", "ons4"];

/// A demo member as the evaluation seeding needs them.
struct Participant {
    pub member: MemberId,
    /// The member, or the staff member who helps them (a proxy actor).
    pub actor: Actor,
    pub joined_at: DateTime<Utc>,
    /// When they stopped coming, if they did.
    pub left_at: Option<DateTime<Utc>>,
    /// Their village decides their postcode district.
    pub village: &'static str,
    /// Their preferred language, which their ethnicity answer goes with.
    pub language: &'static str,
}

/// What the evaluation seeding created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvaluationSummary {
    pub imd_rows: u64,
    pub postcode_rows: u64,
    pub consents: usize,
    pub consents_by_proxy: usize,
    pub profiles: usize,
    /// Members whose postcode resolves to a Fenland LSOA.
    pub placed: usize,
    /// The IMD deciles those members live in.
    pub deciles: BTreeSet<u8>,
    /// Responses (one per instrument) by wave: 0 is the baseline.
    pub responses: BTreeMap<u32, usize>,
    pub note: &'static str,
}

fn quiet() -> Progress {
    Arc::new(|_, _| {})
}

/// One thing to do for a member, at its moment.
enum Step {
    Consent,
    Profile(Box<EvaluationProfile>),
    Survey(NewSurveyResponse),
}

struct Script {
    actor: Actor,
    member: MemberId,
    steps: Vec<(DateTime<Utc>, Step)>,
}

async fn play(app: &App, clock: &FixedClock, script: &Script) -> Result<(), AppError> {
    for (at, step) in &script.steps {
        clock.set(*at);
        match step {
            Step::Consent => {
                app.give_evaluation_consent(&script.actor, script.member, CONSENT_WORDING.version)
                    .await?;
            }
            Step::Profile(profile) => {
                app.update_evaluation_profile(&script.actor, script.member, (**profile).clone())
                    .await?;
            }
            Step::Survey(response) => {
                app.submit_survey_response(&script.actor, script.member, response.clone())
                    .await?;
            }
        }
    }
    Ok(())
}

/// Minutes each member gave, by day, from the contributions as they stand.
async fn minutes_by_day(
    app: &App,
    programme: ProgrammeId,
) -> Result<HashMap<MemberId, Vec<(NaiveDate, i64)>>, AppError> {
    let mut given: HashMap<MemberId, Vec<(NaiveDate, i64)>> = HashMap::new();
    let edition = crate::evaluation::CURRENT_EDITION;
    for c in app
        .store
        .evaluation_contributions(programme, edition.boundary(), edition)
        .await?
    {
        given.entry(c.member).or_default().push((c.date, c.minutes));
    }
    for days in given.values_mut() {
        days.sort_unstable();
    }
    Ok(given)
}

/// The evaluation data, once the year has been played: each member who
/// took part acts for themself or through the staff member who helps them
/// (the programme office where that organisation is no longer active).
pub(super) async fn seed(
    lanes: &[Lane],
    ctx: &Context,
    people: &[MemberPlan],
    seed: u64,
    start: NaiveDate,
    today: DateTime<Utc>,
) -> Result<EvaluationSummary, AppError> {
    let app = &lanes[0].app;
    lanes[0].clock.set(today);
    let admin = app
        .store
        .user_by_email(ADMIN_EMAIL)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let admin = app.actor(admin.id).await?;
    let mut participants = Vec::new();
    for (index, plan) in people.iter().enumerate() {
        let Some(member) = &ctx.members[index] else {
            continue;
        };
        if plan.joining == Joining::SelfPending {
            continue;
        }
        // Staff of a suspended organisation (or one the member has left)
        // may no longer act for them: the programme office does.
        let actor = match member_actor(app, ctx, people, index).await {
            Ok(actor) => actor,
            Err(AppError::NotFound(_) | AppError::Refused(_)) => {
                app.act_for(&ctx.manager, member.id).await?
            }
            Err(e) => return Err(e),
        };
        participants.push(Participant {
            member: member.id,
            actor,
            joined_at: member.created_at,
            left_at: (plan.leave < DAYS)
                .then(|| local(start + Duration::days(plan.leave), 12 * 60, 0)),
            village: plan.village,
            language: plan.language,
        });
    }
    let postcodes: Vec<&str> = ORGS.iter().map(|o| o.postcode).collect();
    let lanes: Vec<(&App, &FixedClock)> =
        lanes.iter().map(|l| (&l.app, l.clock.as_ref())).collect();
    seed_with(
        &lanes,
        &admin,
        &ctx.manager,
        ctx.programme.id,
        &postcodes,
        &participants,
        seed,
        local(start - Duration::days(21), 10 * 60, 0),
        today,
    )
    .await
}

/// The programme's survey settings, the place data, and every participant's
/// consent, profile and surveys. `setup_at` is before the programme starts;
/// `lanes` run members side by side (each member on one lane, in order).
#[allow(clippy::too_many_arguments)]
async fn seed_with(
    lanes: &[(&App, &FixedClock)],
    admin: &Actor,
    manager: &Actor,
    programme: ProgrammeId,
    organisation_postcodes: &[&str],
    participants: &[Participant],
    seed: u64,
    setup_at: DateTime<Utc>,
    today: DateTime<Utc>,
) -> Result<EvaluationSummary, AppError> {
    // Its own generator, so the rest of the demo draws what it always drew.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6576_616c_7561_7465);
    let (app, clock) = lanes[0];
    let lsoas = fenland_lsoas();
    let mut by_decile: BTreeMap<u8, Vec<&Lsoa>> = BTreeMap::new();
    for lsoa in &lsoas {
        by_decile.entry(lsoa.decile).or_default().push(lsoa);
    }

    // Who consents, and where each consenting member lives.
    let activity_postcodes: Vec<&str> = super::ACTIVITIES
        .iter()
        .filter_map(|a| a.postcode)
        .collect();
    let mut taken: HashSet<String> = organisation_postcodes
        .iter()
        .chain(&activity_postcodes)
        .map(|p| p.to_string())
        .collect();
    let mut lookup: Vec<(String, String)> = organisation_postcodes
        .iter()
        .map(|p| (p.to_string(), place(&mut rng, &by_decile).code.clone()))
        .collect();
    let mut decile_of: HashMap<String, u8> = HashMap::new();
    let mut scripts = Vec::new();
    let mut summary = EvaluationSummary {
        note: PLACES_NOTE,
        ..EvaluationSummary::default()
    };
    let given = {
        clock.set(today);
        minutes_by_day(app, programme).await?
    };
    let today_date = today.date_naive();
    for p in participants {
        if !rng.random_bool(0.76) {
            continue;
        }
        let postcode = rng.random_bool(0.92).then(|| {
            let code = new_postcode(&mut rng, district(p.village), &mut taken);
            let lsoa = place(&mut rng, &by_decile);
            decile_of.insert(code.clone(), lsoa.decile);
            lookup.push((code.clone(), lsoa.code.clone()));
            code
        });
        let consent_at = p.joined_at + Duration::minutes(rng.random_range(5..40));
        if consent_at > today {
            continue;
        }
        let mut steps = vec![(consent_at, Step::Consent)];
        summary.consents += 1;
        summary.consents_by_proxy += usize::from(p.actor.proxy);
        if rng.random_bool(0.93) {
            let answers = profile(&mut rng, p, postcode.as_deref());
            steps.push((
                consent_at + Duration::minutes(3),
                Step::Profile(Box::new(answers)),
            ));
            summary.profiles += 1;
            if let Some(decile) = postcode.as_ref().and_then(|c| decile_of.get(c)) {
                summary.placed += 1;
                summary.deciles.insert(*decile);
            }
        }

        // Wellbeing at joining is lower in more deprived areas.
        let decile = postcode
            .as_ref()
            .and_then(|c| decile_of.get(c))
            .copied()
            .unwrap_or(4);
        let wellbeing = 2.9 + 0.06 * f64::from(decile) + noise(&mut rng, 0.45);
        let loneliness = (2.0 - 0.04 * f64::from(decile) + noise(&mut rng, 0.4)).clamp(1.0, 3.0);
        let baseline = State {
            wellbeing,
            loneliness,
        };
        // Most answer at joining or within the fortnight.
        if rng.random_bool(0.92) {
            let at = consent_at + Duration::days(rng.random_range(0..=14)) + Duration::minutes(5);
            let at = if at > today {
                consent_at + Duration::minutes(10)
            } else {
                at
            };
            if at <= today {
                for instrument in INSTRUMENTS {
                    let new = NewSurveyResponse {
                        wave_months: 0,
                        instrument: instrument.into(),
                        answers: answers(&mut rng, instrument, baseline),
                    };
                    steps.push((at, Step::Survey(new)));
                }
                *summary.responses.entry(0).or_default() += INSTRUMENTS.len();
            }
        }

        // Follow-ups, while the member still comes and the wave is open by today.
        let joined_day = p.joined_at.date_naive();
        let days: &[(NaiveDate, i64)] = given.get(&p.member).map_or(&[], Vec::as_slice);
        let mut state = baseline;
        let mut since = joined_day;
        for months in FOLLOW_UPS {
            let Some(opens) = joined_day.checked_add_months(Months::new(months)) else {
                continue;
            };
            if opens > today_date
                || p.left_at.is_some_and(|left| left.date_naive() < opens)
                || !rng.random_bool(0.85)
            {
                break;
            }
            let wanted = opens + Duration::days(rng.random_range(0..=21));
            let at = (p.joined_at + (wanted - joined_day) + Duration::minutes(20)).min(today);
            if at.date_naive() < opens {
                break;
            }
            // The dose: hours given since the last wave, up to 60 hours.
            let minutes: i64 = days
                .iter()
                .filter(|(day, _)| *day >= since && *day < opens)
                .map(|(_, m)| m)
                .sum();
            let hours = (minutes as f64 / 60.0).min(60.0);
            let change = 0.05 + 0.45 * hours / 60.0 + noise(&mut rng, 0.3);
            state = State {
                wellbeing: state.wellbeing + change,
                loneliness: (state.loneliness - 0.5 * change + noise(&mut rng, 0.15))
                    .clamp(1.0, 3.0),
            };
            for instrument in INSTRUMENTS {
                let new = NewSurveyResponse {
                    wave_months: months,
                    instrument: instrument.into(),
                    answers: answers(&mut rng, instrument, state),
                };
                steps.push((at, Step::Survey(new)));
            }
            *summary.responses.entry(months).or_default() += INSTRUMENTS.len();
            since = opens;
        }
        scripts.push(Script {
            actor: p.actor.clone(),
            member: p.member,
            steps,
        });
    }

    // Activities held away from their organisation, placed by a generator
    // of their own so that members' places stay what they always were.
    let mut activity_rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6163_7469_7669_7479);
    for code in activity_postcodes {
        lookup.push((
            code.to_owned(),
            place(&mut activity_rng, &by_decile).code.clone(),
        ));
    }

    // The place data and the survey settings, before the programme starts.
    clock.set(setup_at);
    summary.imd_rows = app
        .import_imd(
            admin,
            Arc::new(BytesFile {
                name: IMD_EXTRACT_NAME.into(),
                bytes: IMD_EXTRACT.into(),
            }),
            Edition::Iod2019,
            quiet(),
        )
        .await
        .map_err(places_error)?
        .rows;
    clock.set(setup_at + Duration::minutes(5));
    summary.postcode_rows = app
        .import_postcode_lookup(
            admin,
            Arc::new(BytesFile {
                name: "demo_postcodes_illustrative_nspl_layout.csv".into(),
                bytes: lookup_csv(&lookup).into(),
            }),
            Boundary::Lsoa2011,
            quiet(),
        )
        .await
        .map_err(places_error)?
        .rows;
    clock.set(setup_at + Duration::minutes(30));
    app.update_evaluation_settings(
        manager,
        programme,
        SettingsUpdate {
            // The demo programme records that it holds the Warwick licence.
            swemwbs_licence: true,
            instruments: INSTRUMENTS.iter().map(|i| (*i).to_owned()).collect(),
            baseline: BaselineAt::Joining,
            follow_up_months: FOLLOW_UPS.to_vec(),
        },
    )
    .await?;

    // Each member's steps in order on one lane; members side by side.
    for chunk in scripts.chunks(lanes.len()) {
        let results = join_all(
            chunk
                .iter()
                .zip(lanes)
                .map(|(script, (app, clock))| play(app, clock, script))
                .collect(),
        )
        .await;
        results.into_iter().collect::<Result<Vec<()>, _>>()?;
    }
    Ok(summary)
}

fn places_error(e: crate::evaluation::PlacesImportError) -> AppError {
    match e {
        crate::evaluation::PlacesImportError::App(e) => e,
        other => AppError::Conflict(format!("the demo's place data did not load: {other}")),
    }
}
