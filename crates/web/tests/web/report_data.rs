//! Evaluation data for the dashboard tests: an evaluator, an organisation
//! in Fenland with its IMD deciles, and consenting members who gave time
//! and answered surveys.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Duration;
use timecredits_app::activities::DirectRecord;
use timecredits_app::directory::PartnerUpdate;
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    Answer, BytesFile, CONSENT_WORDING, DataFile, EvaluationProfile, ItemAnswerInput, LoadPhase,
    NewSurveyResponse, Progress,
};
use timecredits_app::{Actor, Member, NewMember, NewOrganisation, Role, Scope};
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_ledger::TransferId;
use uuid::Uuid;

use crate::support::{PIN, TestApp};

pub(crate) const EVALUATOR_EMAIL: &str = "evaluator@example.org";
pub(crate) const EVALUATOR_PASSWORD: &str = "a long evaluator password";
pub(crate) const OTHER_EVALUATOR_EMAIL: &str = "elsewhere@example.org";

const FENLAND: &str =
    "../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv";

/// Fenland 001A (decile 3) and Fenland 001B (decile 4).
const LOOKUP: &str = "pcd,pcds,doterm,lsoa11\n\
PE132AB,PE13 2AB,,E01018094\n\
PE132AD,PE13 2AD,,E01018095\n";

fn quiet() -> Progress {
    Arc::new(|_: LoadPhase, _: u64| {})
}

/// The staff member signed in as `email`, as an actor.
async fn staff(t: &TestApp, email: &str) -> Actor {
    let user = t
        .app
        .store()
        .user_by_email(email)
        .await
        .expect("read")
        .unwrap_or_else(|| panic!("no user {email}"));
    t.app.actor(user.id).await.expect("actor")
}

pub(crate) async fn admin(t: &TestApp) -> Actor {
    staff(t, "admin@example.org").await
}

/// The programme's evaluator, as an actor.
pub(crate) async fn evaluator(t: &TestApp) -> Actor {
    staff(t, EVALUATOR_EMAIL).await
}

/// A member acting in person.
pub(crate) async fn in_person(t: &TestApp, member: &Member) -> Actor {
    t.app
        .actor(member.user.expect("a member's user"))
        .await
        .expect("actor")
}

fn ucla3(wave: u32, items: [u8; 3]) -> NewSurveyResponse {
    NewSurveyResponse {
        wave_months: wave,
        instrument: "ucla3".into(),
        answers: items
            .iter()
            .enumerate()
            .map(|(i, s)| ItemAnswerInput {
                item: format!("ucla3_{}", i + 1),
                score: Some(*s),
                text: None,
            })
            .collect(),
    }
}

/// The programme's evaluation data: an evaluator, an organisation in
/// Fenland, and eleven consenting members (six in decile 3, five in
/// decile 4) who each gave an hour of co-delivery, with a baseline and a
/// six-month survey. The threshold is 5, so decile 4 is suppressed.
pub(crate) async fn with_evaluation_data(t: &TestApp) {
    let admin = admin(t).await;
    let manager = &t.manager;
    let programme = t.programme.id;
    t.app
        .create_staff(
            manager,
            EVALUATOR_EMAIL,
            "Eve Evaluator",
            EVALUATOR_PASSWORD,
            Role::Evaluator,
            Scope::Programme(programme),
        )
        .await
        .expect("evaluator");
    let organisation = t
        .app
        .create_organisation(
            manager,
            NewOrganisation {
                programme,
                name: "Wisbech Hall".into(),
            },
        )
        .await
        .expect("organisation");
    let coordinator = t
        .app
        .create_staff(
            manager,
            "coordinator@example.org",
            "Cora Coordinator",
            "a long coordinator password",
            Role::Coordinator,
            Scope::Organisation(organisation.id),
        )
        .await
        .expect("coordinator");
    let coordinator = t.app.actor(coordinator.id).await.expect("actor");
    let fenland = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FENLAND))
        .expect("the Fenland fixture");
    let imd: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "fenland.csv".into(),
        bytes: fenland.into(),
    });
    t.app
        .import_imd(&admin, imd, Edition::Iod2019, quiet())
        .await
        .expect("imd");
    let lookup: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "nspl.csv".into(),
        bytes: LOOKUP.as_bytes().into(),
    });
    t.app
        .import_postcode_lookup(&admin, lookup, Boundary::Lsoa2011, quiet())
        .await
        .expect("lookup");
    t.app
        .update_partner(
            manager,
            organisation.id,
            PartnerUpdate {
                name: None,
                kind: None,
                postcode: Some(Some("PE13 2AB".into())),
                contacts: None,
                roles: None,
            },
        )
        .await
        .expect("organisation postcode");
    t.app
        .set_disclosure_threshold(manager, programme, 5)
        .await
        .expect("threshold");
    let activity = t
        .app
        .create_activity(
            &coordinator,
            organisation.id,
            ActivityDetails {
                title: "Lunch club".into(),
                description: String::new(),
                level: CoProductionLevel::Group,
                mode: CoProductionMode::CoDelivery,
                place: "Wisbech".into(),
                postcode: None,
                accessibility: String::new(),
                usual_duration_minutes: 60,
                earns_credits: true,
            },
        )
        .await
        .expect("activity");
    let yesterday = t.app.programme_today(&t.programme) - Duration::days(1);
    let mut people = Vec::new();
    for i in 0..11 {
        let member = t
            .app
            .register_member(
                manager,
                NewMember {
                    programme,
                    display_name: format!("Member {i}"),
                    pin: Some(PIN.into()),
                    number: None,
                },
            )
            .await
            .expect("member");
        t.app
            .join_organisation(manager, member.id, organisation.id)
            .await
            .expect("joins");
        let me = in_person(t, &member).await;
        t.app
            .give_evaluation_consent(&me, member.id, CONSENT_WORDING.version)
            .await
            .expect("consent");
        let postcode = if i < 6 { "PE13 2AB" } else { "PE13 2AD" };
        t.app
            .update_evaluation_profile(
                &me,
                member.id,
                EvaluationProfile {
                    gender: Answer::Given("woman".into()),
                    volunteered_before: Answer::Given("no".into()),
                    postcode: Answer::Given(postcode.into()),
                    ..EvaluationProfile::default()
                },
            )
            .await
            .expect("profile");
        t.app
            .submit_survey_response(&me, member.id, ucla3(0, [3, 3, 3]))
            .await
            .expect("baseline");
        t.app
            .record_contribution(
                &coordinator,
                TransferId(Uuid::now_v7()),
                DirectRecord {
                    member: member.id,
                    activity: activity.id,
                    session: None,
                    date: yesterday,
                    minutes: 60,
                    note: String::new(),
                },
            )
            .await
            .expect("contribution");
        people.push((member, me));
    }
    t.advance(Duration::days(200));
    for (i, (member, me)) in people.iter().enumerate() {
        let last = if i % 2 == 0 { 2 } else { 1 };
        t.app
            .submit_survey_response(me, member.id, ucla3(6, [3, 2, last]))
            .await
            .expect("follow-up");
    }
}
