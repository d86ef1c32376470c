//! `timecredits extract` and `timecredits report`, run as an operator
//! would: the zip holds no name, email, phone, postcode, member number or
//! stored id; every combination of quasi-identifiers is shared by at least
//! the programme's threshold of members; ids change with every extract;
//! and only the programme's managers and evaluators get one.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::DirectRecord;
use timecredits_app::directory::{OnBehalfRegistration, PartnerUpdate};
use timecredits_app::evaluation::eval::imd::{Boundary, Edition};
use timecredits_app::evaluation::{
    Answer, BytesFile, CONSENT_WORDING, DataFile, EvaluationProfile, ItemAnswerInput, LoadPhase,
    NewSurveyResponse,
};
use timecredits_app::{App, FixedClock, Member, NewOrganisation, NewProgramme, Role, Scope};
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_ledger::TransferId;
use timecredits_store_sqlite::SqliteStore;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_timecredits");
const FENLAND: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv"
);
const THRESHOLD: usize = 5;
const POSTCODES: [&str; 3] = ["PE13 2AB", "PE13 2AD", "PE14 0AA"];
const LOOKUP: &str = "pcd,pcds,doterm,lsoa11\n\
PE132AB,PE13 2AB,,E01018094\n\
PE132AD,PE13 2AD,,E01018095\n\
PE140AA,PE14 0AA,,E01018100\n";

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run timecredits")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Everything a person could be found by, to look for in the extract.
struct Seeded {
    programme: Uuid,
    members: Vec<Member>,
    emails: Vec<String>,
    phones: Vec<String>,
}

fn member_name(i: usize) -> String {
    format!("Quentina Marchbank{i:02}")
}

/// A programme with 30 consenting members of varied age, gender and place,
/// two who never consented, staff with emails, and time given.
async fn seed(db: &Path) -> Seeded {
    let store = Arc::new(SqliteStore::open(db).expect("store"));
    let opening = Utc
        .with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("time");
    let clock = Arc::new(FixedClock::new(opening));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("root@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let programme = app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Fenland".into(),
                locality: "Fenland".into(),
                time_zone: "Europe/London".into(),
                language: "en-GB".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("programme")
        .id;
    let staff = |email: &'static str, role: Role, scope: Scope| {
        let app = &app;
        let admin = &admin;
        async move {
            let user = app
                .create_staff(admin, email, "Staff", "a long enough password", role, scope)
                .await
                .expect("staff");
            app.actor(user.id).await.expect("actor")
        }
    };
    let manager = staff(
        "manager@example.org",
        Role::ProgrammeManager,
        Scope::Programme(programme),
    )
    .await;
    staff(
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
        "coordinator@example.org",
        Role::Coordinator,
        Scope::Organisation(organisation.id),
    )
    .await;
    let imd: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "fenland.csv".into(),
        bytes: std::fs::read(FENLAND).expect("fixture").into(),
    });
    let quiet: timecredits_app::evaluation::Progress = Arc::new(|_: LoadPhase, _: u64| {});
    app.import_imd(&admin, imd, Edition::Iod2019, quiet.clone())
        .await
        .expect("imd");
    let lookup: Arc<dyn DataFile> = Arc::new(BytesFile {
        name: "nspl.csv".into(),
        bytes: LOOKUP.as_bytes().into(),
    });
    app.import_postcode_lookup(&admin, lookup, Boundary::Lsoa2011, quiet)
        .await
        .expect("lookup");
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
    app.set_disclosure_threshold(&manager, programme, THRESHOLD as u64)
        .await
        .expect("threshold");
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

    let mut seeded = Seeded {
        programme: programme.0,
        members: Vec::new(),
        emails: vec![
            "root@example.org".into(),
            "manager@example.org".into(),
            "evaluator@example.org".into(),
            "coordinator@example.org".into(),
        ],
        phones: Vec::new(),
    };
    for i in 0..32 {
        let email = format!("quentina{i}@example.org");
        let phone = format!("0794601{i:04}");
        let registered = app
            .register_on_behalf(
                &manager,
                OnBehalfRegistration {
                    programme,
                    display_name: member_name(i),
                    pin: Some("2468".into()),
                    number: None,
                    organisation: Some(organisation.id),
                    language: None,
                    email: Some(email.clone()),
                    phone: Some(phone.clone()),
                },
            )
            .await
            .expect("member");
        let member = registered.member;
        seeded.emails.push(email);
        seeded.phones.push(phone);
        seeded.members.push(member.clone());
        app.record_contribution(
            &coordinator,
            TransferId(Uuid::now_v7()),
            DirectRecord {
                member: member.id,
                activity: activity.id,
                session: None,
                date: NaiveDate::from_ymd_opt(2025, 2, 20).expect("date"),
                minutes: 30 + 15 * i64::try_from(i % 4).expect("small"),
                note: String::new(),
            },
        )
        .await
        .expect("contribution");
        if i >= 30 {
            continue; // never consented
        }
        app.give_evaluation_consent(&manager, member.id, CONSENT_WORDING.version)
            .await
            .expect("consent");
        let profile = EvaluationProfile {
            year_of_birth: Some(1940 + 2 * i32::try_from(i).expect("small")),
            gender: Answer::Given(["woman", "man"][i % 2].into()),
            ethnicity: Answer::Given(
                ["white_british", "asian_indian", "black_african"][i % 3].into(),
            ),
            volunteered_before: Answer::Given(["yes", "no"][i % 2].into()),
            postcode: Answer::Given(POSTCODES[i % 3].into()),
            ..EvaluationProfile::default()
        };
        app.update_evaluation_profile(&manager, member.id, profile)
            .await
            .expect("profile");
        let answers = (1..=3)
            .map(|item| ItemAnswerInput {
                item: format!("ucla3_{item}"),
                score: Some(u8::try_from(1 + (i + item) % 3).expect("small")),
                text: None,
            })
            .collect();
        app.submit_survey_response(
            &manager,
            member.id,
            NewSurveyResponse {
                wave_months: 0,
                instrument: "ucla3".into(),
                answers,
            },
        )
        .await
        .expect("baseline");
    }
    clock.set(opening + Duration::days(2));
    seeded
}

fn unzip(path: &Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(path).expect("zip file");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut contents = String::new();
        entry.read_to_string(&mut contents).expect("utf-8 text");
        files.insert(entry.name().to_owned(), contents);
    }
    files
}

/// Whether `text` holds anything shaped like a UUID (8-4-4-4-12 hex).
fn has_uuid_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = [8, 4, 4, 4, 12];
    (0..bytes.len()).any(|start| {
        let mut at = start;
        for (n, len) in shape.iter().enumerate() {
            if n > 0 {
                if bytes.get(at) != Some(&b'-') {
                    return false;
                }
                at += 1;
            }
            for _ in 0..*len {
                if !bytes.get(at).is_some_and(u8::is_ascii_hexdigit) {
                    return false;
                }
                at += 1;
            }
        }
        true
    })
}

fn rows(csv_text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn the_extract_holds_no_direct_identifier_and_keeps_the_threshold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.db");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let seeded = runtime.block_on(seed(&db));
    drop(runtime);
    let url = format!("sqlite://{}", db.display());
    let programme = seeded.programme.to_string();

    let out = dir.path().join("extract.zip");
    let made = run(
        &url,
        &[
            "extract",
            "--programme",
            &programme,
            "--out",
            out.to_str().expect("path"),
            "--as",
            "evaluator@example.org",
        ],
    );
    assert!(made.status.success(), "{}", text(&made));
    let files = unzip(&out);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "README.md",
            "data_dictionary.csv",
            "participation.csv",
            "surveys.csv"
        ]
    );

    let everything: String = files.values().cloned().collect::<Vec<_>>().join("\n");
    let lower = everything.to_lowercase();
    assert!(
        !has_uuid_shape(&everything),
        "a UUID-shaped value is in the extract"
    );
    assert!(
        !lower.contains("quentina") && !lower.contains("marchbank"),
        "a name"
    );
    assert!(!lower.contains('@'), "an email address");
    for phone in &seeded.phones {
        assert!(!everything.contains(phone.as_str()), "phone {phone}");
    }
    for postcode in POSTCODES {
        assert!(!everything.contains(postcode), "postcode {postcode}");
        assert!(
            !everything.contains(&postcode.replace(' ', "")),
            "postcode {postcode}"
        );
    }
    for m in &seeded.members {
        let number = m.number.to_string();
        assert!(!everything.contains(&number), "member number {number}");
        assert!(
            !everything.contains(&number.replace(' ', "")),
            "member number {number}"
        );
        assert!(!lower.contains(&m.id.0.simple().to_string()), "member id");
    }
    for year in 1940..2010 {
        assert!(
            !everything.contains(&format!(",{year},")),
            "a year of birth"
        );
    }

    // Every combination of quasi-identifiers has at least THRESHOLD members.
    let (header, participation) = rows(&files["participation.csv"]);
    let quasi = ["lsoa", "age_band", "deprivation", "ethnic_group", "gender"];
    let at: Vec<usize> = quasi
        .iter()
        .map(|q| header.iter().position(|h| h == q).expect("column"))
        .collect();
    let mut groups: BTreeMap<Vec<&str>, usize> = BTreeMap::new();
    for row in &participation {
        *groups
            .entry(at.iter().map(|i| row[*i].as_str()).collect())
            .or_default() += 1;
    }
    assert!(!groups.is_empty());
    for (values, n) in &groups {
        assert!(*n >= THRESHOLD, "{values:?} has {n} members");
    }
    let readme = &files["README.md"];
    let withheld = 30 - participation.len();
    assert!(
        readme.contains("at least\n5 members") || readme.contains("at least 5"),
        "{readme}"
    );
    assert!(
        readme.contains("was coarsened") || withheld > 0,
        "30 members this varied cannot pass unchanged: {readme}"
    );
    // The two who never consented are not there; ids are 64 hex characters.
    assert_eq!(participation.len(), 30, "nobody had to be withheld");
    assert!(participation.iter().all(|r| r[0].len() == 64));
    let (survey_header, surveys) = rows(&files["surveys.csv"]);
    assert_eq!(&survey_header[..3], ["pid", "wave_months", "ucla3_raw"]);
    assert_eq!(surveys.len(), participation.len(), "one baseline each");

    // A second extract draws a new secret: no id in common.
    let again = dir.path().join("again.zip");
    let made = run(
        &url,
        &[
            "extract",
            "--programme",
            &programme,
            "--out",
            again.to_str().expect("path"),
            "--as",
            "manager@example.org",
        ],
    );
    assert!(made.status.success(), "{}", text(&made));
    let (_, second) = rows(&unzip(&again)["participation.csv"]);
    assert_eq!(second.len(), participation.len());
    assert!(
        second
            .iter()
            .all(|r| participation.iter().all(|p| p[0] != r[0]))
    );

    // A coordinator is told the programme does not exist, and no file is made.
    let refused_out = dir.path().join("refused.zip");
    let refused = run(
        &url,
        &[
            "extract",
            "--programme",
            &programme,
            "--out",
            refused_out.to_str().expect("path"),
            "--as",
            "coordinator@example.org",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("no such programme"),
        "{}",
        text(&refused)
    );
    assert!(!refused_out.exists());

    // The report command: JSON tables with titles, columns and rows.
    let report = run(
        &url,
        &[
            "report",
            "engagement",
            "--programme",
            &programme,
            "--format",
            "json",
            "--as",
            "evaluator@example.org",
        ],
    );
    assert!(report.status.success(), "{}", text(&report));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).expect("json");
    let tables = json["tables"].as_array().expect("tables");
    let by_level = tables
        .iter()
        .find(|t| t["title"] == "Time given by co-production level")
        .expect("level table");
    assert_eq!(by_level["columns"][0], "level");
    // 30 consenting members gave 30, 45, 60 and 75 minutes in turn:
    // 8 x 30 + 8 x 45 + 7 x 60 + 7 x 75 = 1,545 minutes; the two who never
    // consented (60 and 75 minutes) are not counted.
    let total = by_level["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r[0] == "total")
        .expect("total");
    assert_eq!(total[1], "30");
    assert_eq!(total[2], "1545");
    assert_eq!(total[3], "25:45");
}
