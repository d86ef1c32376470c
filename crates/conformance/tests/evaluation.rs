//! The evaluation area on both backends: consent and its history, the
//! evaluation profile, place data loaded all or nothing and resolved, and
//! surveys scored once per wave on the programme's schedule.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::DirectRecord;
use timecredits_app::directory::PartnerUpdate;
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::eval::instruments::{CustomQuestion, QuestionKind};
use timecredits_app::evaluation::{
    Answer, AreaOutcome, BaselineAt, BytesFile, CONSENT_WORDING, ConsentDecision, DataFile,
    EvaluationProfile, ItemAnswerInput, LoadPhase, NewSurveyResponse, PROGRAMME_QUESTIONS,
    PlacesImportError, Progress, QuestionnaireInput, SettingsUpdate,
};
use timecredits_app::{
    Actor, App, AppError, FixedClock, Member, NewMember, NewOrganisation, NewProgramme,
    Organisation, Programme, Role, Scope, Store,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_ledger::TransferId;
use uuid::Uuid;

on_both_backends!(
    consent_is_given_withdrawn_and_every_record_kept,
    staff_record_consent_as_proxy_and_others_are_refused,
    the_profile_needs_consent_and_is_checked,
    the_fenland_deprivation_file_loads_and_places_resolve,
    a_malformed_file_loads_nothing_and_keeps_the_previous_load,
    a_reload_replaces_the_data_set_whole,
    a_file_that_changes_while_loading_writes_nothing,
    settings_keep_swemwbs_off_without_a_licence,
    responses_are_scored_once_per_wave_and_only_with_consent,
    due_surveys_follow_the_schedule,
    the_baseline_can_count_from_the_first_contribution,
    programme_questions_are_versioned_and_answered,
);

/// 2025-03-01 09:00 UTC: the day the programmes open.
fn opening() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("valid")
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

const FENLAND: &str =
    "../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv";

struct World {
    app: App,
    clock: Arc<FixedClock>,
    programme: Programme,
    admin: Actor,
    manager: Actor,
    coordinator: Actor,
    evaluator: Actor,
    organisation: Organisation,
    alice: (Member, Actor),
    bob: (Member, Actor),
    other_manager: Actor,
}

async fn staff(app: &App, by: &Actor, email: &str, role: Role, scope: Scope) -> Actor {
    let user = app
        .create_staff(by, email, "Staff", "a long enough password", role, scope)
        .await
        .expect("staff");
    app.actor(user.id).await.expect("actor")
}

async fn programme(app: &App, admin: &Actor, name: &str) -> Programme {
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
}

async fn member(app: &App, manager: &Actor, programme: &Programme, name: &str) -> (Member, Actor) {
    let member = app
        .register_member(
            manager,
            NewMember {
                programme: programme.id,
                display_name: name.into(),
                pin: Some("2468".into()),
                number: None,
            },
        )
        .await
        .expect("member");
    let actor = app.actor(member.user.expect("user")).await.expect("actor");
    (member, actor)
}

async fn world(store: Arc<dyn Store>) -> World {
    let clock = Arc::new(FixedClock::new(opening()));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let p = programme(&app, &admin, "Fenland").await;
    let manager = staff(
        &app,
        &admin,
        "manager@example.org",
        Role::ProgrammeManager,
        Scope::Programme(p.id),
    )
    .await;
    let organisation = app
        .create_organisation(
            &manager,
            NewOrganisation {
                programme: p.id,
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
    let evaluator = staff(
        &app,
        &manager,
        "evaluator@example.org",
        Role::Evaluator,
        Scope::Programme(p.id),
    )
    .await;
    let alice = member(&app, &manager, &p, "Alice Able").await;
    let bob = member(&app, &manager, &p, "Bob Baker").await;
    app.join_organisation(&manager, alice.0.id, organisation.id)
        .await
        .expect("alice joins");
    let other = programme(&app, &admin, "Elsewhere").await;
    let other_manager = staff(
        &app,
        &admin,
        "other@example.org",
        Role::ProgrammeManager,
        Scope::Programme(other.id),
    )
    .await;
    clock.set(opening() + Duration::days(1));
    World {
        app,
        clock,
        programme: p,
        admin,
        manager,
        coordinator,
        evaluator,
        organisation,
        alice,
        bob,
        other_manager,
    }
}

#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, code: &str) {
    let e = result.expect_err("refused");
    assert_eq!(e.code(), code, "{e}");
}

fn quiet() -> Progress {
    Arc::new(|_: LoadPhase, _: u64| {})
}

fn file(name: &str, text: &str) -> Arc<dyn DataFile> {
    Arc::new(BytesFile {
        name: name.into(),
        bytes: text.as_bytes().into(),
    })
}

fn fenland() -> Arc<dyn DataFile> {
    let bytes = std::fs::read(fixture(FENLAND)).expect("the Fenland fixture");
    Arc::new(BytesFile {
        name: "fenland.csv".into(),
        bytes: bytes.into(),
    })
}

/// Wisbech and King's Lynn postcodes in the NSPL layout, shortened, and one in Wales.
const LOOKUP: &str = "pcd,pcds,doterm,lsoa11\n\
PE132AB,PE13 2AB,,E01018094\n\
PE148AA,PE14 8AA,200012,E01033477\n\
CF101AA,CF10 1AA,,W01001870\n\
GY1 1AA,GY1 1AA,,L99999999\n\
PE301AA,PE30 1AA,,E01000001\n";

impl World {
    async fn consent(&self, who: &(Member, Actor)) {
        self.app
            .give_evaluation_consent(&who.1, who.0.id, CONSENT_WORDING.version)
            .await
            .expect("consent");
    }

    async fn load_places(&self) {
        self.app
            .import_imd(&self.admin, fenland(), Edition::Iod2019, quiet())
            .await
            .expect("imd");
        self.app
            .import_postcode_lookup(
                &self.admin,
                file("nspl.csv", LOOKUP),
                Boundary::Lsoa2011,
                quiet(),
            )
            .await
            .expect("lookup");
    }

    async fn proxy_actions(&self, member: &Member) -> Vec<String> {
        self.app
            .store()
            .proxy_actions(member.id, None, 100)
            .await
            .expect("proxy log")
            .into_iter()
            .map(|a| a.action)
            .collect()
    }
}

fn answers(items: &[(&str, u8)]) -> Vec<ItemAnswerInput> {
    items
        .iter()
        .map(|(item, score)| ItemAnswerInput {
            item: (*item).into(),
            score: Some(*score),
            text: None,
        })
        .collect()
}

fn response(wave: u32, instrument: &str, items: &[(&str, u8)]) -> NewSurveyResponse {
    NewSurveyResponse {
        wave_months: wave,
        instrument: instrument.into(),
        answers: answers(items),
    }
}

// ---------------------------------------------------------------------------
// Consent

async fn consent_is_given_withdrawn_and_every_record_kept(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let state = w.app.evaluation_consent(me, alice.id).await.expect("state");
    assert!(!state.given && state.history.is_empty());
    refused(
        w.app.withdraw_evaluation_consent(me, alice.id).await,
        "evaluation_consent_not_given",
    );
    refused(
        w.app.give_evaluation_consent(me, alice.id, "1999-1").await,
        "consent_wording_outdated",
    );
    let given = w
        .app
        .give_evaluation_consent(me, alice.id, CONSENT_WORDING.version)
        .await
        .expect("given");
    assert_eq!(given.decision, ConsentDecision::Given);
    assert_eq!(given.recorded_by, me.user);
    assert!(!given.by_proxy);
    refused(
        w.app
            .give_evaluation_consent(me, alice.id, CONSENT_WORDING.version)
            .await,
        "evaluation_consent_already_given",
    );
    w.clock.set(opening() + Duration::days(3));
    let withdrawn = w
        .app
        .withdraw_evaluation_consent(me, alice.id)
        .await
        .expect("withdrawn");
    assert_eq!(withdrawn.wording_version, CONSENT_WORDING.version);
    w.clock.set(opening() + Duration::days(4));
    w.consent(&w.alice).await;
    let state = w.app.evaluation_consent(me, alice.id).await.expect("state");
    assert!(state.given);
    let decisions: Vec<ConsentDecision> = state.history.iter().map(|r| r.decision).collect();
    assert_eq!(
        decisions,
        [
            ConsentDecision::Given,
            ConsentDecision::Withdrawn,
            ConsentDecision::Given
        ]
    );
    assert!(w.app.has_evaluation_consent(alice.id).await.expect("read"));
    assert!(
        !w.app
            .has_evaluation_consent(w.bob.0.id)
            .await
            .expect("read")
    );
    assert!(w.proxy_actions(alice).await.is_empty(), "done in person");
}

async fn staff_record_consent_as_proxy_and_others_are_refused(store: Arc<dyn Store>) {
    let w = world(store).await;
    let alice = &w.alice.0;
    // A coordinator of Alice's organisation, directly or through act_for.
    let record = w
        .app
        .give_evaluation_consent(&w.coordinator, alice.id, CONSENT_WORDING.version)
        .await
        .expect("coordinator records");
    assert!(record.by_proxy);
    assert_eq!(record.recorded_by, w.coordinator.user);
    let proxy = w.app.act_for(&w.manager, alice.id).await.expect("act for");
    let withdrawn = w
        .app
        .withdraw_evaluation_consent(&proxy, alice.id)
        .await
        .expect("manager withdraws for her");
    assert!(withdrawn.by_proxy);
    assert_eq!(
        w.proxy_actions(alice).await,
        ["give_evaluation_consent", "withdraw_evaluation_consent"]
    );
    // Bob belongs to no organisation of the coordinator's; evaluators and
    // other programmes' managers never reach a person's consent.
    for (actor, who) in [
        (&w.coordinator, w.bob.0.id),
        (&w.evaluator, alice.id),
        (&w.other_manager, alice.id),
        (&w.bob.1, alice.id),
    ] {
        refused(w.app.evaluation_consent(actor, who).await, "not_found");
        refused(
            w.app
                .give_evaluation_consent(actor, who, CONSENT_WORDING.version)
                .await,
            "not_found",
        );
    }
}

// ---------------------------------------------------------------------------
// The evaluation profile

fn full_profile() -> EvaluationProfile {
    EvaluationProfile {
        age_band: Answer::Given("60-69".into()),
        year_of_birth: None,
        gender: Answer::Given("woman".into()),
        ethnicity: Answer::Given("white_british".into()),
        disability: Answer::PreferNotToSay,
        employment: Answer::Given("retired".into()),
        volunteered_before: Answer::Given("no".into()),
        postcode: Answer::Given("pe13 2ab".into()),
    }
}

async fn the_profile_needs_consent_and_is_checked(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    assert_eq!(
        w.app.evaluation_profile(me, alice.id).await.expect("empty"),
        EvaluationProfile::default()
    );
    refused(
        w.app
            .update_evaluation_profile(me, alice.id, full_profile())
            .await,
        "evaluation_consent_required",
    );
    w.consent(&w.alice).await;
    let saved = w
        .app
        .update_evaluation_profile(me, alice.id, full_profile())
        .await
        .expect("saved");
    assert_eq!(saved.postcode, Answer::Given("PE13 2AB".into()));
    assert_eq!(
        w.app.evaluation_profile(me, alice.id).await.expect("read"),
        saved
    );
    let bad = EvaluationProfile {
        postcode: Answer::Given("PE13-2AB".into()),
        ..full_profile()
    };
    refused(
        w.app.update_evaluation_profile(me, alice.id, bad).await,
        "postcode_invalid",
    );
    let bad = EvaluationProfile {
        ethnicity: Answer::Given("martian".into()),
        ..full_profile()
    };
    refused(
        w.app.update_evaluation_profile(me, alice.id, bad).await,
        "invalid_input",
    );
    // Staff replace it for her (a paper form), as proxy; with a year of
    // birth instead of a band, every other answer left out.
    let replaced = EvaluationProfile {
        year_of_birth: Some(1958),
        ..EvaluationProfile::default()
    };
    w.app
        .update_evaluation_profile(&w.coordinator, alice.id, replaced.clone())
        .await
        .expect("coordinator");
    assert_eq!(
        w.app
            .evaluation_profile(&w.manager, alice.id)
            .await
            .expect("read"),
        replaced
    );
    assert_eq!(w.proxy_actions(alice).await, ["update_evaluation_profile"]);
    refused(
        w.app.evaluation_profile(&w.evaluator, alice.id).await,
        "not_found",
    );
    refused(
        w.app.evaluation_profile(&w.bob.1, alice.id).await,
        "not_found",
    );
    // Withdrawn consent stops collection again.
    w.app
        .withdraw_evaluation_consent(me, alice.id)
        .await
        .expect("withdrawn");
    refused(
        w.app
            .update_evaluation_profile(me, alice.id, full_profile())
            .await,
        "evaluation_consent_required",
    );
}

// ---------------------------------------------------------------------------
// Places

async fn the_fenland_deprivation_file_loads_and_places_resolve(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let err = w
        .app
        .import_imd(&w.manager, fenland(), Edition::Iod2019, quiet())
        .await
        .expect_err("administrators only");
    assert!(
        matches!(err, PlacesImportError::App(AppError::Forbidden)),
        "{err}"
    );
    let load = w
        .app
        .import_imd(&w.admin, fenland(), Edition::Iod2019, quiet())
        .await
        .expect("imd");
    assert_eq!((load.dataset.as_str(), load.rows), ("imd:iod2019", 144));
    let lookup = w
        .app
        .import_postcode_lookup(
            &w.admin,
            file("nspl.csv", LOOKUP),
            Boundary::Lsoa2011,
            quiet(),
        )
        .await
        .expect("lookup");
    assert_eq!(
        (lookup.dataset.as_str(), lookup.rows),
        ("postcodes:lsoa2011", 5)
    );
    let loads = w.app.place_data_loads().await.expect("loads");
    assert_eq!(loads.len(), 2);
    assert_eq!(loads[0].loaded_by, w.admin.user);

    // Fenland 001A: rank 8,132, decile 3, its domains as published.
    let resolved = w
        .app
        .resolve_postcode(Some("pe132ab"))
        .await
        .expect("resolve");
    assert_eq!(resolved.postcode.as_deref(), Some("PE13 2AB"));
    assert_eq!(resolved.boundary, Boundary::Lsoa2011);
    let AreaOutcome::Lsoa {
        lsoa,
        terminated,
        deprivation,
    } = resolved.outcome
    else {
        panic!("an LSOA: {resolved:?}")
    };
    assert_eq!((lsoa.as_str(), terminated), ("E01018094", false));
    let d = deprivation.expect("deprivation");
    assert_eq!(
        (d.rank, d.decile.get(), d.decile.quintile().get()),
        (8132, 3, 2)
    );
    let domains = d.domains.expect("domains");
    assert_eq!(
        (domains.income.get(), domains.living_environment.get()),
        (3, 8)
    );

    let outcome = |p: &'static str| {
        let app = &w.app;
        async move {
            app.resolve_postcode(Some(p))
                .await
                .expect("resolve")
                .outcome
        }
    };
    assert!(matches!(
        outcome("PE14 8AA").await,
        AreaOutcome::Lsoa {
            terminated: true,
            ..
        }
    ));
    assert_eq!(
        outcome("CF10 1AA").await,
        AreaOutcome::OutsideEngland("W01001870".into())
    );
    assert_eq!(outcome("GY1 1AA").await, AreaOutcome::Unassigned);
    assert_eq!(outcome("PE15 9ZZ").await, AreaOutcome::NotInLookup);
    // In the lookup, but outside the two districts of the IMD file loaded.
    assert!(matches!(
        outcome("PE30 1AA").await,
        AreaOutcome::Lsoa {
            deprivation: None,
            ..
        }
    ));
    assert_eq!(
        w.app.resolve_postcode(None).await.expect("none").outcome,
        AreaOutcome::NoPostcode
    );

    // A member's area comes from her profile; an organisation's from its details.
    assert_eq!(
        w.app.member_area(me, alice.id).await.expect("area").outcome,
        AreaOutcome::NoPostcode
    );
    w.consent(&w.alice).await;
    w.app
        .update_evaluation_profile(me, alice.id, full_profile())
        .await
        .expect("profile");
    let area = w
        .app
        .member_area(&w.coordinator, alice.id)
        .await
        .expect("area");
    assert!(
        matches!(area.outcome, AreaOutcome::Lsoa { ref lsoa, .. } if lsoa.as_str() == "E01018094")
    );
    refused(w.app.member_area(&w.evaluator, alice.id).await, "not_found");
    w.app
        .update_partner(
            &w.manager,
            w.organisation.id,
            PartnerUpdate {
                postcode: Some(Some("PE14 8AA".into())),
                ..PartnerUpdate::default()
            },
        )
        .await
        .expect("postcode");
    for actor in [&w.manager, &w.coordinator, &w.evaluator] {
        let area = w
            .app
            .organisation_area(actor, w.organisation.id)
            .await
            .expect("organisation area");
        assert_eq!(area.postcode.as_deref(), Some("PE14 8AA"));
    }
    refused(
        w.app.organisation_area(&w.alice.1, w.organisation.id).await,
        "forbidden",
    );
    refused(
        w.app
            .organisation_area(&w.other_manager, w.organisation.id)
            .await,
        "not_found",
    );
}

async fn a_malformed_file_loads_nothing_and_keeps_the_previous_load(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.load_places().await;
    let header = "lsoa11_code,lsoa11_name,lad19_code,lad19_name,imd_rank,imd_decile,income_decile,employment_decile,education_decile,health_decile,crime_decile,barriers_housing_services_decile,living_environment_decile\n";
    let good = "E01018094,Fenland 001A,E07000010,Fenland,9999,4,3,3,2,3,5,4,8\n";
    for (bad, line, column) in [
        (
            "E01018095,Fenland 001B,E07000010,Fenland,10293,11,4,4,3,4,5,2,3\n",
            3,
            Some("imd_decile"),
        ),
        (
            "X01018095,Fenland 001B,E07000010,Fenland,10293,4,4,4,3,4,5,2,3\n",
            3,
            Some("lsoa11_code"),
        ),
        (
            "E01018094,Fenland 001A,E07000010,Fenland,9999,4,3,3,2,3,5,4,8\n",
            3,
            Some("lsoa11_code"),
        ),
        (
            "E01018095,Fenland 001B,E07000010,Fenland,99999,4,4,4,3,4,5,2,3\n",
            3,
            Some("imd_rank"),
        ),
        ("E01018095,Fenland 001B\n", 3, None),
    ] {
        let text = format!("{header}{good}{bad}");
        let err = w
            .app
            .import_imd(&w.admin, file("bad.csv", &text), Edition::Iod2019, quiet())
            .await
            .expect_err("refused");
        let PlacesImportError::File { error, .. } = &err else {
            panic!("a file error: {err}")
        };
        assert_eq!(
            (error.line, error.column.as_deref()),
            (line, column),
            "{err}"
        );
        assert!(err.to_string().contains(&format!("line {line}")), "{err}");
    }
    // The earlier load is untouched: rank 8,132 (not 9,999) and 144 rows.
    let d = w
        .app
        .resolve_postcode(Some("PE13 2AB"))
        .await
        .expect("resolve");
    let AreaOutcome::Lsoa {
        deprivation: Some(d),
        ..
    } = d.outcome
    else {
        panic!("resolved")
    };
    assert_eq!(d.rank, 8132);
    let loads = w.app.place_data_loads().await.expect("loads");
    assert_eq!(
        loads
            .iter()
            .find(|l| l.dataset == "imd:iod2019")
            .map(|l| l.rows),
        Some(144)
    );

    let err = w
        .app
        .import_postcode_lookup(
            &w.admin,
            file(
                "bad.csv",
                "pcds,lsoa11\nPE13 2AB,E01018095\nPE13 2CI,E01018095\n",
            ),
            Boundary::Lsoa2011,
            quiet(),
        )
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("line 3"), "{err}");
    let still = w
        .app
        .resolve_postcode(Some("PE13 2AB"))
        .await
        .expect("resolve");
    assert!(
        matches!(still.outcome, AreaOutcome::Lsoa { ref lsoa, .. } if lsoa.as_str() == "E01018094")
    );
    let empty = w
        .app
        .import_imd(
            &w.admin,
            file("empty.csv", header),
            Edition::Iod2019,
            quiet(),
        )
        .await
        .expect_err("empty");
    assert!(
        matches!(empty, PlacesImportError::App(ref e) if e.code() == "import_file_empty"),
        "{empty}"
    );
}

async fn a_reload_replaces_the_data_set_whole(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.load_places().await;
    let lookup = "pcds,lsoa11\nPE13 2AB,E01018095\n";
    let load = w
        .app
        .import_postcode_lookup(
            &w.admin,
            file("new.csv", lookup),
            Boundary::Lsoa2011,
            quiet(),
        )
        .await
        .expect("reload");
    assert_eq!((load.rows, load.source.as_str()), (1, "new.csv"));
    let moved = w
        .app
        .resolve_postcode(Some("PE13 2AB"))
        .await
        .expect("resolve");
    assert!(
        matches!(moved.outcome, AreaOutcome::Lsoa { ref lsoa, .. } if lsoa.as_str() == "E01018095")
    );
    assert_eq!(
        w.app
            .resolve_postcode(Some("PE14 8AA"))
            .await
            .expect("gone")
            .outcome,
        AreaOutcome::NotInLookup
    );
    // The 2021 lookup is a data set of its own; the 2011 one stays.
    let lookup21 = "pcds,lsoa21\nPE13 2AB,E01035000\n";
    w.app
        .import_postcode_lookup(
            &w.admin,
            file("21.csv", lookup21),
            Boundary::Lsoa2021,
            quiet(),
        )
        .await
        .expect("2021");
    let datasets: Vec<String> = w
        .app
        .place_data_loads()
        .await
        .expect("loads")
        .into_iter()
        .map(|l| l.dataset)
        .collect();
    assert_eq!(
        datasets,
        ["imd:iod2019", "postcodes:lsoa2011", "postcodes:lsoa2021"]
    );
    let still = w
        .app
        .resolve_postcode(Some("PE13 2AB"))
        .await
        .expect("resolve");
    assert!(
        matches!(still.outcome, AreaOutcome::Lsoa { ref lsoa, .. } if lsoa.as_str() == "E01018095")
    );
}

/// A file that reads well when checked and breaks on its last line when
/// loaded, as one being overwritten would: the store's own transaction is
/// all that keeps the earlier load whole.
struct Changing {
    opened: std::sync::atomic::AtomicU32,
}

impl DataFile for Changing {
    fn open(&self) -> std::io::Result<Box<dyn std::io::Read + Send>> {
        let first = self
            .opened
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            == 0;
        let tail = if first {
            "PE14 8AA,E01018095\n"
        } else {
            "PE14 8AA,E0\n"
        };
        let text = format!("pcds,lsoa11\nPE13 2AB,E01018095\n{tail}");
        Ok(Box::new(std::io::Cursor::new(text.into_bytes())))
    }
    fn name(&self) -> String {
        "changing.csv".into()
    }
}

async fn a_file_that_changes_while_loading_writes_nothing(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.load_places().await;
    let changing = Arc::new(Changing {
        opened: std::sync::atomic::AtomicU32::new(0),
    });
    let err = w
        .app
        .import_postcode_lookup(&w.admin, changing, Boundary::Lsoa2011, quiet())
        .await
        .expect_err("the second read fails");
    assert!(
        matches!(err, PlacesImportError::File { ref error, .. } if error.line == 3),
        "{err}"
    );
    // The first row of the new file was written inside the load, then
    // rolled back with it: the earlier lookup stands whole.
    let kept = w
        .app
        .resolve_postcode(Some("PE13 2AB"))
        .await
        .expect("resolve");
    assert!(
        matches!(kept.outcome, AreaOutcome::Lsoa { ref lsoa, .. } if lsoa.as_str() == "E01018094")
    );
    let loads = w.app.place_data_loads().await.expect("loads");
    let lookup = loads
        .iter()
        .find(|l| l.dataset == "postcodes:lsoa2011")
        .expect("kept");
    assert_eq!((lookup.rows, lookup.source.as_str()), (5, "nspl.csv"));
}

// ---------------------------------------------------------------------------
// Surveys

fn settings(instruments: &[&str], licence: bool) -> SettingsUpdate {
    SettingsUpdate {
        swemwbs_licence: licence,
        instruments: instruments.iter().map(|s| (*s).to_owned()).collect(),
        baseline: BaselineAt::Joining,
        follow_up_months: vec![6, 12],
    }
}

async fn settings_keep_swemwbs_off_without_a_licence(store: Arc<dyn Store>) {
    let w = world(store).await;
    let p = w.programme.id;
    let defaults = w
        .app
        .evaluation_settings(&w.evaluator, p)
        .await
        .expect("defaults");
    assert_eq!(defaults.instruments, ["ucla3", "ons_loneliness", "ons4"]);
    assert_eq!(
        (defaults.baseline, defaults.follow_up_months.clone()),
        (BaselineAt::Joining, vec![6, 12])
    );
    assert!(!defaults.swemwbs_licence && defaults.updated.is_none());
    refused(
        w.app
            .update_evaluation_settings(&w.manager, p, settings(&["swemwbs", "ucla3"], false))
            .await,
        "swemwbs_licence_required",
    );
    refused(
        w.app
            .update_evaluation_settings(&w.manager, p, settings(&["wemwbs"], false))
            .await,
        "unknown_instrument",
    );
    let mut bad = settings(&["ucla3"], false);
    bad.follow_up_months = vec![12, 6];
    refused(
        w.app.update_evaluation_settings(&w.manager, p, bad).await,
        "follow_up_schedule_invalid",
    );
    refused(
        w.app
            .update_evaluation_settings(&w.evaluator, p, settings(&["ucla3"], false))
            .await,
        "forbidden",
    );
    refused(
        w.app
            .update_evaluation_settings(&w.other_manager, p, settings(&["ucla3"], false))
            .await,
        "not_found",
    );
    let mut licensed = settings(&["swemwbs", "ucla3"], true);
    licensed.baseline = BaselineAt::FirstContribution;
    licensed.follow_up_months = vec![3, 9, 18];
    let saved = w
        .app
        .update_evaluation_settings(&w.manager, p, licensed)
        .await
        .expect("licensed");
    let read = w
        .app
        .evaluation_settings(&w.manager, p)
        .await
        .expect("read");
    assert_eq!(read, saved);
    assert_eq!(read.follow_up_months, [3, 9, 18]);
    let set = w.app.survey_set(&w.alice.1, p).await.expect("set");
    let ids: Vec<&str> = set.instruments.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["swemwbs", "ucla3"]);
    assert!(set.instruments[0].copyright.is_some());
    refused(w.app.survey_set(&w.other_manager, p).await, "not_found");
}

const SWEMWBS_ALL_FOURS: [(&str, u8); 7] = [
    ("swemwbs_1", 4),
    ("swemwbs_2", 4),
    ("swemwbs_3", 4),
    ("swemwbs_4", 4),
    ("swemwbs_5", 4),
    ("swemwbs_6", 4),
    ("swemwbs_7", 4),
];

async fn responses_are_scored_once_per_wave_and_only_with_consent(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let ucla = [("ucla3_1", 3), ("ucla3_2", 2), ("ucla3_3", 3)];
    refused(
        w.app
            .submit_survey_response(me, alice.id, response(0, "ucla3", &ucla))
            .await,
        "evaluation_consent_required",
    );
    w.consent(&w.alice).await;
    let r = w
        .app
        .submit_survey_response(me, alice.id, response(0, "ucla3", &ucla))
        .await
        .expect("ucla3");
    assert_eq!(
        (r.raw_score, r.metric_hundredths, r.complete),
        (Some(8), None, true)
    );
    assert_eq!((r.instrument_version, r.by_proxy), (1, false));
    refused(
        w.app
            .submit_survey_response(me, alice.id, response(0, "ucla3", &ucla))
            .await,
        "survey_already_answered",
    );
    // SWEMWBS is off until the programme records a licence.
    refused(
        w.app
            .submit_survey_response(me, alice.id, response(0, "swemwbs", &SWEMWBS_ALL_FOURS))
            .await,
        "instrument_not_enabled",
    );
    w.app
        .update_evaluation_settings(
            &w.manager,
            w.programme.id,
            settings(&["swemwbs", "ucla3", "ons4"], true),
        )
        .await
        .expect("licensed");
    // A paper survey entered by the coordinator: complete, so scored
    // (raw 28 is metric 25.03 in the published table); an incomplete one keeps its answers unscored.
    let paper = w
        .app
        .submit_survey_response(
            &w.coordinator,
            alice.id,
            response(0, "swemwbs", &SWEMWBS_ALL_FOURS),
        )
        .await
        .expect("paper");
    assert_eq!(
        (paper.raw_score, paper.metric_hundredths),
        (Some(28), Some(2503))
    );
    assert!(paper.by_proxy);
    assert_eq!(paper.entered_by, w.coordinator.user);
    // ONS4 is reported item by item: no total, complete only when all four are answered.
    let ons4 = w
        .app
        .submit_survey_response(
            me,
            alice.id,
            response(0, "ons4", &[("ons4_1", 7), ("ons4_4", 2)]),
        )
        .await
        .expect("ons4");
    assert_eq!(
        (ons4.raw_score, ons4.complete, ons4.answers.len()),
        (None, false, 2)
    );
    refused(
        w.app
            .submit_survey_response(
                me,
                alice.id,
                response(0, "ons_loneliness", &[("ons_lonely", 1)]),
            )
            .await,
        "instrument_not_enabled",
    );
    w.consent(&w.bob).await;
    for (bad, code) in [
        (
            response(0, "ucla3", &[("ucla3_1", 9)]),
            "invalid_survey_answer",
        ),
        (response(6, "ucla3", &ucla), "survey_wave_not_open"),
        (response(7, "ucla3", &ucla), "unknown_survey_wave"),
        (response(0, "ucla3", &[]), "empty_survey_response"),
    ] {
        let who = &w.bob;
        refused(
            w.app.submit_survey_response(&who.1, who.0.id, bad).await,
            code,
        );
    }
    // Half a year on, the 6-month follow-up opens.
    w.clock.set(opening() + Duration::days(190));
    let follow = w
        .app
        .submit_survey_response(
            me,
            alice.id,
            response(6, "ucla3", &[("ucla3_1", 1), ("ucla3_2", 1)]),
        )
        .await
        .expect("follow-up");
    assert_eq!((follow.raw_score, follow.complete), (None, false));
    let mine = w.app.survey_responses(me, alice.id).await.expect("mine");
    let listed: Vec<(u32, &str)> = mine
        .iter()
        .map(|r| (r.wave_months, r.instrument.as_str()))
        .collect();
    assert_eq!(
        listed,
        [(0, "ucla3"), (0, "swemwbs"), (0, "ons4"), (6, "ucla3")]
    );
    assert_eq!(mine[1], paper);
    refused(
        w.app.survey_responses(&w.evaluator, alice.id).await,
        "not_found",
    );
    assert_eq!(w.proxy_actions(alice).await, ["submit_survey_response"]);
}

async fn due_surveys_follow_the_schedule(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert!(
        !due.consent_given && due.due.is_empty(),
        "nothing without consent"
    );
    w.consent(&w.alice).await;
    let joined = NaiveDate::from_ymd_opt(2025, 3, 1).expect("date");
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert_eq!(due.baseline, Some(joined));
    assert_eq!(due.due.len(), 1);
    assert_eq!(due.due[0].wave.months, 0);
    let ids: Vec<&str> = due.due[0]
        .instruments
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["ucla3", "ons_loneliness", "ons4"]);
    w.app
        .submit_survey_response(
            me,
            alice.id,
            response(0, "ons_loneliness", &[("ons_lonely", 2)]),
        )
        .await
        .expect("answered");
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    let ids: Vec<&str> = due.due[0]
        .instruments
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids, ["ucla3", "ons4"]);
    // The baseline closes when the 6-month wave opens (1 September).
    w.clock.set(
        Utc.with_ymd_and_hms(2025, 9, 1, 9, 0, 0)
            .single()
            .expect("t"),
    );
    let due = w
        .app
        .due_surveys(&w.coordinator, alice.id)
        .await
        .expect("due");
    assert_eq!(due.due.len(), 1);
    assert_eq!(due.due[0].wave.months, 6);
    assert_eq!(due.due[0].instruments.len(), 3);
    // After the last wave's six months, nothing is due.
    w.clock.set(
        Utc.with_ymd_and_hms(2026, 9, 2, 9, 0, 0)
            .single()
            .expect("t"),
    );
    assert!(
        w.app
            .due_surveys(me, alice.id)
            .await
            .expect("due")
            .due
            .is_empty()
    );
    refused(w.app.due_surveys(&w.evaluator, alice.id).await, "not_found");
}

async fn the_baseline_can_count_from_the_first_contribution(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let mut update = settings(&["ucla3"], false);
    update.baseline = BaselineAt::FirstContribution;
    w.app
        .update_evaluation_settings(&w.manager, w.programme.id, update)
        .await
        .expect("settings");
    w.consent(&w.alice).await;
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert_eq!(
        (due.baseline, due.due.len()),
        (None, 0),
        "no time given yet"
    );
    refused(
        w.app
            .submit_survey_response(me, alice.id, response(0, "ucla3", &[("ucla3_1", 1)]))
            .await,
        "survey_wave_not_open",
    );
    let activity = w
        .app
        .create_activity(
            &w.coordinator,
            w.organisation.id,
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
    w.clock.set(opening() + Duration::days(20));
    let given_on = NaiveDate::from_ymd_opt(2025, 3, 15).expect("date");
    w.app
        .record_contribution(
            &w.coordinator,
            TransferId(Uuid::now_v7()),
            DirectRecord {
                member: alice.id,
                activity: activity.id,
                session: None,
                date: given_on,
                minutes: 60,
                note: String::new(),
            },
        )
        .await
        .expect("contribution");
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert_eq!(due.baseline, Some(given_on));
    assert_eq!(due.due[0].instruments.len(), 1);
}

async fn programme_questions_are_versioned_and_answered(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (alice, me) = &w.alice;
    let p = w.programme.id;
    let question = |id: &str, kind: QuestionKind| CustomQuestion {
        id: id.into(),
        wording: format!("Question {id}?"),
        kind,
    };
    let first = w
        .app
        .set_programme_questions(
            &w.manager,
            p,
            QuestionnaireInput {
                title: "About the programme".into(),
                questions: vec![
                    question("again", QuestionKind::YesNo),
                    question("story", QuestionKind::FreeText),
                ],
            },
        )
        .await
        .expect("v1");
    assert_eq!(first.questionnaire.version, 1);
    refused(
        w.app
            .set_programme_questions(
                &w.manager,
                p,
                QuestionnaireInput {
                    title: "Twice".into(),
                    questions: vec![
                        question("again", QuestionKind::YesNo),
                        question("again", QuestionKind::FreeText),
                    ],
                },
            )
            .await,
        "custom_questions_invalid",
    );
    refused(
        w.app
            .set_programme_questions(
                &w.coordinator,
                p,
                QuestionnaireInput {
                    title: "No".into(),
                    questions: vec![question("a", QuestionKind::YesNo)],
                },
            )
            .await,
        "forbidden",
    );
    let second = w
        .app
        .set_programme_questions(
            &w.manager,
            p,
            QuestionnaireInput {
                title: "About the programme".into(),
                questions: vec![
                    question("again", QuestionKind::YesNo),
                    question(
                        "confidence",
                        QuestionKind::Scale0To10 {
                            low_label: "none".into(),
                            high_label: "lots".into(),
                        },
                    ),
                    question("story", QuestionKind::FreeText),
                ],
            },
        )
        .await
        .expect("v2");
    assert_eq!(second.questionnaire.version, 2);
    let set = w.app.survey_set(me, p).await.expect("set");
    assert_eq!(set.questionnaire.as_ref().map(|q| q.version), Some(2));
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert!(due.due.is_empty(), "no consent yet");
    w.consent(&w.alice).await;
    let due = w.app.due_surveys(me, alice.id).await.expect("due");
    assert!(
        due.due[0]
            .instruments
            .iter()
            .any(|i| i.id == PROGRAMME_QUESTIONS && i.version == 2)
    );
    let answers = vec![
        ItemAnswerInput {
            item: "again".into(),
            score: Some(1),
            text: None,
        },
        ItemAnswerInput {
            item: "confidence".into(),
            score: Some(7),
            text: None,
        },
        ItemAnswerInput {
            item: "story".into(),
            score: None,
            text: Some("  I met my neighbours. ".into()),
        },
    ];
    let r = w
        .app
        .submit_survey_response(
            me,
            alice.id,
            NewSurveyResponse {
                wave_months: 0,
                instrument: PROGRAMME_QUESTIONS.into(),
                answers,
            },
        )
        .await
        .expect("answered");
    assert_eq!(
        (r.instrument_version, r.complete, r.raw_score),
        (2, true, None)
    );
    assert_eq!(r.answers[2].text.as_deref(), Some("I met my neighbours."));
    let bad = vec![ItemAnswerInput {
        item: "again".into(),
        score: Some(2),
        text: None,
    }];
    w.consent(&w.bob).await;
    refused(
        w.app
            .submit_survey_response(
                &w.bob.1,
                w.bob.0.id,
                NewSurveyResponse {
                    wave_months: 0,
                    instrument: PROGRAMME_QUESTIONS.into(),
                    answers: bad,
                },
            )
            .await,
        "invalid_survey_answer",
    );
}

// ---------------------------------------------------------------------------
// The whole of England, on SQLite (a file of 32,844 rows).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_england_imd_file_loads_on_sqlite() {
    let path = fixture("../../data/imd2019/imd2019_lsoa_england_file1_imd_rank_decile.csv");
    let Ok(bytes) = std::fs::read(&path) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{} is missing and CI=true", path.display());
        }
        eprintln!("skipping: {} is not here", path.display());
        return;
    };
    let f = timecredits_conformance::sqlite();
    let w = world(f.store.clone()).await;
    let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let progress: Progress = {
        let seen = seen.clone();
        Arc::new(move |_, bytes| seen.store(bytes, std::sync::atomic::Ordering::Relaxed))
    };
    let size = bytes.len() as u64;
    let load = w
        .app
        .import_imd(
            &w.admin,
            Arc::new(BytesFile {
                name: "file1.csv".into(),
                bytes: bytes.into(),
            }),
            Edition::Iod2019,
            progress,
        )
        .await
        .expect("England");
    assert_eq!(load.rows, 32_844);
    assert_eq!(
        seen.load(std::sync::atomic::Ordering::Relaxed),
        size,
        "progress reached the end"
    );
    w.app
        .import_postcode_lookup(
            &w.admin,
            file("nspl.csv", LOOKUP),
            Boundary::Lsoa2011,
            quiet(),
        )
        .await
        .expect("lookup");
    // City of London 001A: "29,199" in the file, decile 9; File 1 has no domains.
    let r = w
        .app
        .resolve_postcode(Some("PE30 1AA"))
        .await
        .expect("resolve");
    let AreaOutcome::Lsoa {
        deprivation: Some(d),
        ..
    } = r.outcome
    else {
        panic!("resolved: {r:?}")
    };
    assert_eq!((d.rank, d.decile.get(), d.domains), (29_199, 9, None));
}
