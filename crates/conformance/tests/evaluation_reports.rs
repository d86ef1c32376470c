//! Evaluation reports on both backends: only members whose latest consent
//! is given count, the figures match ones worked out by hand, and only the
//! programme's managers and evaluators may see them.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::{ActivityQuery, DirectRecord};
use timecredits_app::directory::PartnerUpdate;
use timecredits_app::evaluation::eval::analytics::{Filter, PublishedTable};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    Answer, BytesFile, CONSENT_WORDING, ContributionRecord, DataFile, EvaluationProfile,
    ItemAnswerInput, LoadPhase, NewSurveyResponse, PlaceSource, Progress, ReportKind,
};
use timecredits_app::{
    Actor, App, AppError, FixedClock, GiftRequest, Member, NewMember, NewOrganisation,
    NewProgramme, ReverseRequest, Role, Scope, Store,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_ledger::{ProgrammeId, TransferId};
use uuid::Uuid;

on_both_backends!(
    reports_count_only_consenting_members_and_match_hand_figures,
    only_managers_and_evaluators_see_reports,
    activities_are_placed_by_their_own_postcode_or_else_their_organisations,
    credit_totals_follow_corrections_gifts_reversals_and_the_period,
);

/// 2025-03-01 09:00 UTC.
fn opening() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("valid")
}

const FENLAND: &str =
    "../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv";

/// Fenland 001A (decile 3) and Fenland 001B (decile 4), both in Fenland
/// district (E07000010).
const LOOKUP: &str = "pcd,pcds,doterm,lsoa11\n\
PE132AB,PE13 2AB,,E01018094\n\
PE132AD,PE13 2AD,,E01018095\n";

fn quiet() -> Progress {
    Arc::new(|_: LoadPhase, _: u64| {})
}

struct World {
    app: App,
    clock: Arc<FixedClock>,
    programme: ProgrammeId,
    manager: Actor,
    evaluator: Actor,
    coordinator: Actor,
    other_manager: Actor,
    /// Consenting: six in decile 3, then five in decile 4.
    consenting: Vec<(Member, Actor)>,
    /// Consented, then withdrew (decile 4, gave time, answered surveys).
    withdrawn: (Member, Actor),
    /// Never consented (gave time).
    never: (Member, Actor),
    activity: timecredits_app::activities::Activity,
    organisation: Uuid,
    /// An organisation of another programme.
    other_organisation: Uuid,
}

async fn staff(app: &App, by: &Actor, email: &str, role: Role, scope: Scope) -> Actor {
    let user = app
        .create_staff(by, email, "Staff", "a long enough password", role, scope)
        .await
        .expect("staff");
    app.actor(user.id).await.expect("actor")
}

async fn new_programme(app: &App, admin: &Actor, name: &str) -> ProgrammeId {
    app.create_programme(
        admin,
        NewProgramme {
            name: name.into(),
            locality: name.into(),
            time_zone: "Europe/London".into(),
            language: "en-GB".into(),
            exchange_overdraft_minutes: 0,
        },
    )
    .await
    .expect("programme")
    .id
}

fn profile(postcode: &str, volunteered_before: &str) -> EvaluationProfile {
    EvaluationProfile {
        gender: Answer::Given("woman".into()),
        volunteered_before: Answer::Given(volunteered_before.into()),
        postcode: Answer::Given(postcode.into()),
        ..EvaluationProfile::default()
    }
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

/// Follow-up UCLA-3 items of the consenting members, from a baseline of
/// (3, 3, 3) = 9 each: totals 8, 7, 8, 9, 6, 8, 7, 9, 8, 7, 8, so the
/// changes are -1, -2, -1, 0, -3, -1, -2, 0, -1, -2, -1: n = 11, sum -14.
const FOLLOW_UPS: [[u8; 3]; 11] = [
    [3, 3, 2],
    [3, 2, 2],
    [2, 3, 3],
    [3, 3, 3],
    [2, 2, 2],
    [3, 2, 3],
    [2, 2, 3],
    [3, 3, 3],
    [3, 3, 2],
    [2, 3, 2],
    [3, 2, 3],
];

async fn world(store: Arc<dyn Store>) -> World {
    let clock = Arc::new(FixedClock::new(opening()));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let programme = new_programme(&app, &admin, "Fenland").await;
    let manager = staff(
        &app,
        &admin,
        "manager@example.org",
        Role::ProgrammeManager,
        Scope::Programme(programme),
    )
    .await;
    let evaluator = staff(
        &app,
        &manager,
        "evaluator@example.org",
        Role::Evaluator,
        Scope::Programme(programme),
    )
    .await;
    let organisation = app
        .create_organisation(
            &manager,
            NewOrganisation {
                programme,
                name: "Wisbech Hall".into(),
            },
        )
        .await
        .expect("organisation");
    let coordinator = staff(
        &app,
        &manager,
        "coordinator@example.org",
        Role::Coordinator,
        Scope::Organisation(organisation.id),
    )
    .await;
    let other = new_programme(&app, &admin, "Elsewhere").await;
    let other_manager = staff(
        &app,
        &admin,
        "other@example.org",
        Role::ProgrammeManager,
        Scope::Programme(other),
    )
    .await;
    let other_organisation = app
        .create_organisation(
            &other_manager,
            NewOrganisation {
                programme: other,
                name: "Elsewhere Hall".into(),
            },
        )
        .await
        .expect("another organisation");

    let fenland = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FENLAND))
        .expect("the Fenland fixture");
    let imd: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "fenland.csv".into(),
        bytes: fenland.into(),
    });
    app.import_imd(&admin, imd, Edition::Iod2019, quiet())
        .await
        .expect("imd");
    let lookup: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "nspl.csv".into(),
        bytes: LOOKUP.as_bytes().into(),
    });
    app.import_postcode_lookup(&admin, lookup, Boundary::Lsoa2011, quiet())
        .await
        .expect("lookup");
    // The programme's area is the district of its organisations.
    app.update_partner(
        &manager,
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
    app.set_disclosure_threshold(&manager, programme, 5)
        .await
        .expect("threshold");

    let mut people = Vec::new();
    for i in 0..13 {
        let member = app
            .register_member(
                &manager,
                NewMember {
                    programme,
                    display_name: format!("Member {i}"),
                    pin: Some("2468".into()),
                    number: None,
                },
            )
            .await
            .expect("member");
        app.join_organisation(&manager, member.id, organisation.id)
            .await
            .expect("joins");
        let actor = app.actor(member.user.expect("user")).await.expect("actor");
        people.push((member, actor));
    }
    let never = people.pop().expect("13");
    let withdrawn = people.pop().expect("12");
    let consenting = people;

    let activity = app
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
    clock.set(opening() + Duration::days(1));
    World {
        app,
        clock,
        programme,
        manager,
        evaluator,
        coordinator,
        other_manager,
        consenting,
        withdrawn,
        never,
        activity,
        organisation: organisation.id.0,
        other_organisation: other_organisation.id.0,
    }
}

impl World {
    async fn give(&self, member: &Member, minutes: i64) {
        self.app
            .record_contribution(
                &self.coordinator,
                TransferId(Uuid::now_v7()),
                DirectRecord {
                    member: member.id,
                    activity: self.activity.id,
                    session: None,
                    date: NaiveDate::from_ymd_opt(2025, 3, 10).expect("date"),
                    minutes,
                    note: String::new(),
                },
            )
            .await
            .expect("contribution");
    }

    async fn take_part(&self, who: &(Member, Actor), postcode: &str, before: &str) {
        let (member, me) = who;
        self.app
            .give_evaluation_consent(me, member.id, CONSENT_WORDING.version)
            .await
            .expect("consent");
        self.app
            .update_evaluation_profile(me, member.id, profile(postcode, before))
            .await
            .expect("profile");
        self.app
            .submit_survey_response(me, member.id, ucla3(0, [3, 3, 3]))
            .await
            .expect("baseline");
    }

    /// Everyone's data in place: baselines now, time given in March, and
    /// follow-ups seven months on.
    async fn populate(&self) {
        for (i, who) in self.consenting.iter().enumerate() {
            let (postcode, before) = if i < 6 {
                ("PE13 2AB", "no")
            } else {
                ("PE13 2AD", if i < 9 { "no" } else { "yes" })
            };
            self.take_part(who, postcode, before).await;
        }
        self.take_part(&self.withdrawn, "PE13 2AD", "no").await;
        self.clock.set(opening() + Duration::days(20));
        for (member, _) in &self.consenting {
            self.give(member, 60).await;
        }
        self.give(&self.withdrawn.0, 120).await;
        self.give(&self.never.0, 120).await;
        self.clock.set(opening() + Duration::days(200));
        for ((member, me), items) in self.consenting.iter().zip(FOLLOW_UPS) {
            self.app
                .submit_survey_response(me, member.id, ucla3(6, items))
                .await
                .expect("follow-up");
        }
        self.app
            .submit_survey_response(&self.withdrawn.1, self.withdrawn.0.id, ucla3(6, [1, 1, 1]))
            .await
            .expect("follow-up");
        self.app
            .withdraw_evaluation_consent(&self.withdrawn.1, self.withdrawn.0.id)
            .await
            .expect("withdraw");
    }
}

fn table<'a>(tables: &'a [PublishedTable], title: &str) -> &'a PublishedTable {
    tables
        .iter()
        .find(|t| t.title.starts_with(title))
        .unwrap_or_else(|| panic!("no table {title:?}"))
}

fn row<'a>(table: &'a PublishedTable, first: &str) -> &'a [String] {
    table
        .rows
        .iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("no row {first:?} in {:?}", table.title))
}

fn cells(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

async fn reports_count_only_consenting_members_and_match_hand_figures(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.populate().await;
    let all = Filter::default();

    let reach = w
        .app
        .report_reach(&w.evaluator, w.programme, &all)
        .await
        .expect("reach");
    assert_eq!(reach.threshold, 5);
    let deciles = table(&reach.tables, "Participants by IMD decile");
    // 11 participants: six in decile 3, five in decile 4 (the member who
    // withdrew would make it six). The zeros are hidden, so the smallest
    // shown cell (decile 4) is hidden with them; Fenland has 10 LSOAs in
    // decile 3 of its 55.
    assert_eq!(
        row(deciles, "3"),
        cells(&["3", "6", "suppressed", "10", "18.2"])
    );
    assert_eq!(row(deciles, "4")[1], "suppressed");
    assert_eq!(row(deciles, "4")[3], "11");
    assert_eq!(row(deciles, "total")[1], "11");
    assert_eq!(row(deciles, "total")[3], "55");
    let experience = table(&reach.tables, "Participants new to volunteering");
    assert_eq!(row(experience, "new to volunteering")[1], "9");
    assert_eq!(row(experience, "total")[1], "11");

    let engagement = w
        .app
        .report_engagement(&w.manager, w.programme, &all)
        .await
        .expect("engagement");
    // Eleven hours from the consenting members; the 2 x 120 minutes of the
    // others are not there.
    let by_level = table(&engagement.tables, "Time given by co-production level");
    assert_eq!(
        row(by_level, "total"),
        cells(&["total", "11", "660", "11:00"])
    );
    let credits = table(&engagement.tables, "Credits earned");
    assert_eq!(
        row(credits, "earned"),
        cells(&["earned", "11", "660", "11:00"])
    );
    assert_eq!(row(credits, "outstanding")[2], "660");

    let by_organisation = table(&engagement.tables, "Time given by organisation");
    assert_eq!(
        row(by_organisation, "Wisbech Hall"),
        cells(&["Wisbech Hall", "11", "660", "11:00"])
    );
    let only_the_hall = Filter {
        organisation: Some(w.organisation.to_string()),
        ..Filter::default()
    };
    let hall = w
        .app
        .report_engagement(&w.manager, w.programme, &only_the_hall)
        .await
        .expect("one organisation");
    let by_level = table(&hall.tables, "Time given by co-production level");
    assert_eq!(row(by_level, "total")[2], "660");
    // The organisation view: its activities by level and mode.
    let activities = table(
        &hall.tables,
        "Activities of the organisation by co-production level and mode",
    );
    assert_eq!(activities.rows, [cells(&["group", "co_delivery", "1"])]);
    assert!(
        !engagement
            .tables
            .iter()
            .any(|t| t.title.starts_with("Activities of the organisation")),
        "only with an organisation chosen"
    );
    let elsewhere = Filter {
        organisation: Some(w.other_organisation.to_string()),
        ..Filter::default()
    };
    let refused = w
        .app
        .report_engagement(&w.manager, w.programme, &elsewhere)
        .await;
    assert!(
        matches!(refused, Err(AppError::NotFound("organisation"))),
        "{refused:?}"
    );

    // A period that ends before anyone gave time: nobody is in scope.
    let february = Filter {
        from: None,
        to: timecredits_app::evaluation::eval::analytics::Day::new(2025, 2, 28),
        ..Filter::default()
    };
    let before = w
        .app
        .report_engagement(&w.manager, w.programme, &february)
        .await
        .expect("engagement before");
    let by_level = table(&before.tables, "Time given by co-production level");
    assert_eq!(row(by_level, "total")[1], "suppressed");

    let outcomes = w
        .app
        .report_outcomes(&w.evaluator, w.programme, &all)
        .await
        .expect("outcomes");
    let change = table(&outcomes.tables, "Change from baseline to 6 months");
    let everyone = change
        .rows
        .iter()
        .find(|r| r[0] == "ucla3" && r[2] == "all")
        .expect("UCLA-3 for everyone");
    // n = 11, mean change -14 / 11 = -1.2727 (the withdrawn member's
    // change of -6 would pull it to -1.6667).
    assert_eq!(everyone[4], "11");
    assert_eq!(everyone[5], "-1.2727");
}

async fn only_managers_and_evaluators_see_reports(store: Arc<dyn Store>) {
    let w = world(store).await;
    let all = Filter::default();
    for kind in ReportKind::ALL {
        for (who, name) in [
            (&w.coordinator, "coordinator"),
            (&w.other_manager, "another programme's manager"),
            (&w.consenting[0].1, "member"),
        ] {
            let refused = w.app.analytics_report(who, w.programme, kind, &all).await;
            assert!(
                matches!(refused, Err(AppError::NotFound("programme"))),
                "{name} saw {kind:?}: {refused:?}"
            );
        }
        w.app
            .analytics_report(&w.evaluator, w.programme, kind, &all)
            .await
            .expect("the evaluator sees it");
    }
    let refused = w.app.research_extract(&w.coordinator, w.programme).await;
    assert!(matches!(refused, Err(AppError::NotFound("programme"))));
    let refused = w
        .app
        .set_disclosure_threshold(&w.evaluator, w.programme, 20)
        .await;
    assert!(matches!(refused, Err(AppError::NotFound("programme"))));
    let too_low = w
        .app
        .set_disclosure_threshold(&w.manager, w.programme, 4)
        .await;
    assert!(
        matches!(too_low, Err(AppError::Invalid { .. })),
        "{too_low:?}"
    );
}

async fn activities_are_placed_by_their_own_postcode_or_else_their_organisations(
    store: Arc<dyn Store>,
) {
    let w = world(store).await;
    w.populate().await;
    let all = Filter::default();
    let place_table = "Time given by the IMD decile of where the activity happens";
    let decile_of = |area: &timecredits_app::evaluation::ActivityArea| match &area.area.outcome {
        timecredits_app::evaluation::AreaOutcome::Lsoa {
            deprivation: Some(d),
            ..
        } => Some(d.decile.get()),
        _ => None,
    };

    // No postcode of its own: it happens at the hall, PE13 2AB, decile 3.
    let area = w
        .app
        .activity_area(&w.manager, w.activity.id)
        .await
        .expect("area");
    assert_eq!(area.source, PlaceSource::Organisation);
    assert_eq!(area.area.postcode.as_deref(), Some("PE13 2AB"));
    assert_eq!(decile_of(&area), Some(3));
    let engagement = w
        .app
        .report_engagement(&w.manager, w.programme, &all)
        .await
        .expect("engagement");
    assert_eq!(place_deciles(&w).await, [Some(3)]);
    // All the time was given in one decile, so that row alone would equal
    // the total and give the empty deciles away: every decile is hidden.
    let by_place = table(&engagement.tables, place_table);
    assert_eq!(
        row(by_place, "total"),
        cells(&["total", "11", "660", "11:00"])
    );
    assert!(
        by_place
            .rows
            .iter()
            .all(|r| r[0] == "total" || r[1] == "suppressed")
    );

    // Given its own postcode (typed in lower case), it is placed there:
    // PE13 2AD, decile 4, for all the time given to it.
    let moved = ActivityDetails {
        postcode: Some(timecredits_domain::directory::Postcode::parse("pe13 2ad").expect("valid")),
        ..w.activity.details.clone()
    };
    let updated = w
        .app
        .update_activity(&w.coordinator, w.activity.id, moved)
        .await
        .expect("update");
    let stored = w
        .app
        .activity(&w.manager, w.activity.id)
        .await
        .expect("read back");
    assert_eq!(stored.details, updated.details);
    assert_eq!(
        stored.details.postcode.as_ref().map(|p| p.as_str()),
        Some("PE13 2AD")
    );
    for who in [&w.manager, &w.coordinator, &w.evaluator] {
        let area = w.app.activity_area(who, w.activity.id).await.expect("area");
        assert_eq!(area.source, PlaceSource::Activity);
        assert_eq!(decile_of(&area), Some(4));
    }
    let engagement = w
        .app
        .report_engagement(&w.evaluator, w.programme, &all)
        .await
        .expect("engagement");
    assert_eq!(place_deciles(&w).await, [Some(4)]);
    let by_place = table(&engagement.tables, place_table);
    assert_eq!(row(by_place, "total")[2], "660");

    // Members find it by its postcode as well as by its place.
    let member = &w.consenting[0].1;
    for (text, found) in [("pe13 2ad", 1), ("PE13", 1), ("Wisbech", 1), ("PE14", 0)] {
        let page = w
            .app
            .list_activities(
                member,
                ActivityQuery {
                    place: Some(text.into()),
                    ..ActivityQuery::default()
                },
            )
            .await
            .expect("list");
        assert_eq!(page.items.len(), found, "searching {text:?}");
    }

    // Where it is, with its deprivation, is for staff of it only.
    let refused = w.app.activity_area(member, w.activity.id).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    let refused = w.app.activity_area(&w.other_manager, w.activity.id).await;
    assert!(
        matches!(refused, Err(AppError::NotFound("activity"))),
        "{refused:?}"
    );
}

/// Earned counts an issue and the reversal of one, the balance every
/// movement, each within the period asked for (read straight from the
/// store, which both backends answer in their own way).
async fn credit_totals_follow_corrections_gifts_reversals_and_the_period(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (a, b, c) = (&w.consenting[0], &w.consenting[1], &w.consenting[2]);
    w.clock.set(opening() + Duration::days(20));
    let recorded = w
        .app
        .record_contribution(
            &w.coordinator,
            TransferId(Uuid::now_v7()),
            DirectRecord {
                member: a.0.id,
                activity: w.activity.id,
                session: None,
                date: NaiveDate::from_ymd_opt(2025, 3, 10).expect("date"),
                minutes: 60,
                note: String::new(),
            },
        )
        .await
        .expect("contribution");
    w.give(&b.0, 60).await;
    w.give(&c.0, 60).await;
    w.clock.set(opening() + Duration::days(210));
    w.app
        .correct_contribution(
            &w.coordinator,
            recorded.contributions[0].id,
            TransferId(Uuid::now_v7()),
            30,
            "half an hour, not an hour",
        )
        .await
        .expect("correction");
    // What the analytics read is the contribution as corrected, once.
    let given: Vec<i64> = analytics_contributions(&w)
        .await
        .into_iter()
        .filter(|c| c.member == a.0.id)
        .map(|c| c.minutes)
        .collect();
    assert_eq!(given, [30]);
    w.clock.set(opening() + Duration::days(220));
    let gift = TransferId(Uuid::now_v7());
    w.app
        .give_gift(
            &b.1,
            GiftRequest {
                id: gift,
                to: c.0.id,
                minutes: 15,
                reason: "thank you".into(),
            },
        )
        .await
        .expect("gift");
    w.clock.set(opening() + Duration::days(230));
    w.app
        .reverse_transfer(
            &w.manager,
            ReverseRequest {
                id: TransferId(Uuid::now_v7()),
                original: gift,
                reason: "given by mistake".into(),
            },
        )
        .await
        .expect("reversal");

    let totals = |since: Option<i64>, until: Option<i64>| {
        let w = &w;
        async move {
            let at = |days| opening() + Duration::days(days);
            let all = w
                .app
                .store()
                .member_credit_totals(w.programme, since.map(at), until.map(at))
                .await
                .expect("totals");
            assert!(all.windows(2).all(|p| p[0].member < p[1].member), "{all:?}");
            [a, b, c].map(|who| {
                all.iter()
                    .find(|t| t.member == who.0.id)
                    .map(|t| (t.earned_minutes, t.spent_minutes, t.balance_minutes))
            })
        }
    };
    // a: 60 issued, then 30 issued and the 60 reversed; b: 15 given and
    // given back; c: 15 received and taken back.
    assert_eq!(
        totals(None, None).await,
        [Some((30, 0, 30)), Some((60, 0, 60)), Some((60, 0, 60))]
    );
    assert_eq!(
        totals(Some(205), None).await,
        [Some((-30, 0, 30)), Some((0, 0, 60)), Some((0, 0, 60))]
    );
    assert_eq!(
        totals(None, Some(225)).await,
        [Some((30, 0, 30)), Some((60, 0, 45)), Some((60, 0, 75))]
    );
    // Before anything was given, nobody has a figure.
    assert_eq!(totals(None, Some(10)).await, [None, None, None]);
}

/// The programme's contributions as the analytics read them from the store.
async fn analytics_contributions(w: &World) -> Vec<ContributionRecord> {
    let edition = Edition::Iod2019;
    w.app
        .store()
        .evaluation_contributions(w.programme, edition.boundary(), edition)
        .await
        .expect("contributions")
}

/// The deciles where the programme's time was given, each once.
async fn place_deciles(w: &World) -> Vec<Option<u8>> {
    let mut deciles: Vec<Option<u8>> = analytics_contributions(w)
        .await
        .into_iter()
        .map(|c| c.place_decile)
        .collect();
    deciles.sort_unstable();
    deciles.dedup();
    deciles
}
