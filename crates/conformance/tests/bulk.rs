//! Bulk data on both backends: CSV imports that are checked whole, written
//! whole or not at all, and never twice; and paged CSV exports.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::ContributionId;
use timecredits_app::bulk::{ExportKind, ExportTable, ImportKind, ImportReport, ImportRequest};
use timecredits_app::directory::{PageRequest, SelfRegistrationRequest};
use timecredits_app::{
    Actor, App, AppError, FixedClock, MemberId, MemberNumber, NewOrganisation, NewProgramme,
    Programme, Role, Scope, Store,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_domain::contribution::ContributionOrigin;
use timecredits_domain::rules::{ProgrammeRules, RuleVersion};
use timecredits_ledger::{TransferId, TransferKind};
use uuid::Uuid;

on_both_backends!(
    a_dry_run_writes_nothing,
    one_bad_row_among_a_thousand_writes_nothing_and_names_its_line,
    a_good_file_imports_everything,
    a_retried_import_does_not_import_twice,
    imported_contributions_issue_credits_that_verify,
    contributions_are_judged_by_the_rules_of_their_date,
    exports_page_through_everything_a_manager_sees,
    only_the_programmes_managers_import_or_export,
    bulk_reads_answer_what_single_reads_answer,
);

/// 2026-03-10 12:00 UTC.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .expect("valid")
}

fn key() -> TransferId {
    TransferId(Uuid::now_v7())
}

fn number(i: u32) -> MemberNumber {
    MemberNumber::from_base(200_000 + i).expect("in range")
}

fn code(e: AppError) -> &'static str {
    match e {
        AppError::Store(s) => panic!("storage failed: {s}"),
        e => e.code(),
    }
}

struct World {
    app: App,
    clock: Arc<FixedClock>,
    programme: Programme,
    manager: Actor,
    coordinator: Actor,
    stranger: Actor,
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
            locality: "Exampleton".into(),
            time_zone: "Europe/London".into(),
            language: "en-GB".into(),
            exchange_overdraft_minutes: 0,
        },
    )
    .await
    .expect("programme")
}

async fn world(store: Arc<dyn Store>) -> World {
    // The programme opens on 1 March; it is 10 March now.
    let clock = Arc::new(FixedClock::new(noon() - chrono::Duration::days(9)));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let p = programme(&app, &admin, "Exampleton").await;
    let manager = staff(
        &app,
        &admin,
        "manager@example.org",
        Role::ProgrammeManager,
        Scope::Programme(p.id),
    )
    .await;
    let hall = app
        .create_organisation(
            &manager,
            NewOrganisation {
                programme: p.id,
                name: "Village Hall".into(),
            },
        )
        .await
        .expect("organisation");
    let coordinator = staff(
        &app,
        &manager,
        "coordinator@example.org",
        Role::Coordinator,
        Scope::Organisation(hall.id),
    )
    .await;
    app.create_activity(
        &manager,
        hall.id,
        ActivityDetails {
            title: "Lunch club".into(),
            description: "Cook and serve lunch".into(),
            level: CoProductionLevel::Group,
            mode: CoProductionMode::CoDelivery,
            place: "Village Hall".into(),
            postcode: None,
            accessibility: String::new(),
            usual_duration_minutes: 120,
            earns_credits: true,
        },
    )
    .await
    .expect("activity");
    let other = programme(&app, &admin, "Otherton").await;
    let stranger = staff(
        &app,
        &admin,
        "stranger@example.org",
        Role::ProgrammeManager,
        Scope::Programme(other.id),
    )
    .await;
    clock.set(noon());
    World {
        app,
        clock,
        programme: p,
        manager,
        coordinator,
        stranger,
    }
}

impl World {
    async fn import(
        &self,
        kind: ImportKind,
        key: TransferId,
        csv: &str,
        dry_run: bool,
    ) -> Result<ImportReport, AppError> {
        self.app
            .import_csv(
                &self.manager,
                ImportRequest {
                    programme: self.programme.id,
                    kind,
                    key,
                    csv: csv.as_bytes(),
                    dry_run,
                },
                &|_| {},
            )
            .await
    }

    async fn imported(&self, kind: ImportKind, csv: &str) -> ImportReport {
        let report = self
            .import(kind, key(), csv, false)
            .await
            .expect("the import runs");
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report
    }

    async fn member_count(&self) -> usize {
        self.app
            .store()
            .members(self.programme.id)
            .await
            .expect("members")
            .len()
    }

    /// Every row of an export, read a page of `limit` at a time.
    async fn export_all(&self, kind: ExportKind, limit: u32) -> (Vec<String>, Vec<Vec<String>>) {
        let mut after = None;
        let mut rows = Vec::new();
        let mut pages = 0;
        let header: Vec<String> = kind.columns().iter().map(|c| (*c).to_owned()).collect();
        loop {
            let page = self
                .app
                .export_page(
                    &self.manager,
                    self.programme.id,
                    kind,
                    after.as_deref(),
                    Some(limit),
                )
                .await
                .expect("export page");
            assert!(page.rows.len() <= limit as usize);
            pages += 1;
            assert!(pages < 10_000, "the export does not end");
            assert!(!page.to_csv(true).expect("csv").is_empty());
            rows.extend(page.rows);
            match page.next {
                Some(n) => after = Some(n),
                None => return (header.clone(), rows),
            }
        }
    }
}

fn members_csv(n: u32) -> String {
    let mut csv = String::from("display_name,member_number,email,phone,language\n");
    for i in 0..n {
        csv.push_str(&format!(
            "Member {i},{},member{i}@example.org,,en\n",
            number(i).value()
        ));
    }
    csv
}

fn contributions_csv(members: u32, rows: u32) -> String {
    let mut csv = String::from("member_number,organisation,activity,date,minutes,note\n");
    for i in 0..rows {
        let day = 1 + (i / members) % 9;
        csv.push_str(&format!(
            "{},village hall,Lunch Club,2026-03-{day:02},60,imported\n",
            number(i % members).value()
        ));
    }
    csv
}

const ORGANISATIONS: &str = "name,kind,roles,postcode,contact_name,contact_email,contact_phone\n\
School,school,earn,SW1A 1AA,Ann Head,head@example.org,\n\
\"Swimming Pool, The\",sports_and_leisure,spend,,,,\n";

async fn a_dry_run_writes_nothing(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    let report = w
        .import(ImportKind::Members, key(), &members_csv(3), true)
        .await
        .expect("dry run");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!((report.rows, report.created, report.dry_run), (3, 3, true));
    assert_eq!(w.member_count().await, 0);

    let report = w
        .import(ImportKind::Organisations, key(), ORGANISATIONS, true)
        .await
        .expect("dry run");
    assert_eq!((report.created, report.errors.len()), (2, 0));
    assert_eq!(
        store
            .organisations(w.programme.id)
            .await
            .expect("orgs")
            .len(),
        1
    );

    w.imported(ImportKind::Members, &members_csv(3)).await;
    let transfers = store.transfer_count().await.expect("count");
    let report = w
        .import(
            ImportKind::Contributions,
            key(),
            &contributions_csv(3, 3),
            true,
        )
        .await
        .expect("dry run");
    assert_eq!((report.created, report.errors.len()), (3, 0));
    assert_eq!(store.transfer_count().await.expect("count"), transfers);
}

async fn one_bad_row_among_a_thousand_writes_nothing_and_names_its_line(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    // Line 1 is the header, so member i is on line i + 2. Break line 502's
    // check digit.
    let good = members_csv(1000);
    let bad_number = number(500).value();
    let typo = bad_number - bad_number % 10 + (bad_number % 10 + 1) % 10;
    let bad = good.replacen(
        &format!("Member 500,{bad_number},"),
        &format!("Member 500,{typo},"),
        1,
    );
    assert_ne!(good, bad);
    let report = w
        .import(ImportKind::Members, key(), &bad, false)
        .await
        .expect("the import runs");
    assert_eq!(report.rows, 1000);
    assert_eq!(report.created, 0);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].line, 502);
    assert_eq!(report.errors[0].code, "member_number_invalid");
    assert_eq!(w.member_count().await, 0);

    // Every bad row is reported, not only the first.
    let worse =
        bad.replacen("Member 9,", ",", 1)
            .replacen("member20@example.org", "not an email", 1);
    let report = w
        .import(ImportKind::Members, key(), &worse, false)
        .await
        .expect("the import runs");
    let lines: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.code)).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0], (11, "value_missing"));
    assert_eq!(lines[1].0, 22);
    assert_eq!(lines[2], (502, "member_number_invalid"));
    assert_eq!(w.member_count().await, 0);

    // The same for contributions: one row in the future among a thousand.
    w.imported(ImportKind::Members, &members_csv(100)).await;
    let transfers = store.transfer_count().await.expect("count");
    let good = contributions_csv(100, 1000);
    let future = {
        let mut lines: Vec<String> = good.lines().map(str::to_owned).collect();
        lines[700] = lines[700].replace("2026-03-", "2026-04-");
        lines.join("\n")
    };
    let report = w
        .import(ImportKind::Contributions, key(), &future, false)
        .await
        .expect("the import runs");
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(
        (report.errors[0].line, report.errors[0].code),
        (701, "future_date")
    );
    assert_eq!(store.transfer_count().await.expect("count"), transfers);

    // A header that is not the one asked for names line 1.
    let report = w
        .import(ImportKind::Members, key(), "name,number\nAnn,\n", false)
        .await
        .expect("the import runs");
    assert!(report.errors.iter().all(|e| e.line == 1));
    assert!(report.errors.iter().any(|e| e.code == "missing_column"));
    assert!(report.errors.iter().any(|e| e.code == "unknown_column"));
}

async fn a_good_file_imports_everything(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    let report = w.imported(ImportKind::Members, &members_csv(1000)).await;
    assert_eq!((report.created, report.replayed), (1000, false));
    let members = store.members(w.programme.id).await.expect("members");
    assert_eq!(members.len(), 1000);
    let numbers: HashSet<u32> = members.iter().map(|m| m.number.value()).collect();
    assert!(numbers.contains(&number(0).value()));
    assert!(numbers.contains(&number(999).value()));
    let m = store
        .member_by_number(number(7))
        .await
        .expect("read")
        .expect("member 7");
    assert_eq!(m.display_name, "Member 7");
    let (_, status, profile) = w
        .app
        .member_profile(&w.manager, m.id)
        .await
        .expect("profile");
    assert_eq!(status.as_str(), "active");
    assert_eq!(profile.email.as_deref(), Some("member7@example.org"));
    assert_eq!(profile.language.as_str(), "en");

    // Members without a number get a free one.
    let report = w
        .imported(ImportKind::Members, "display_name\nNew One\n\"Two, New\"\n")
        .await;
    assert_eq!(report.created, 2);
    assert_eq!(w.member_count().await, 1002);

    let report = w.imported(ImportKind::Organisations, ORGANISATIONS).await;
    assert_eq!(report.created, 2);
    let partners = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            Default::default(),
            PageRequest::default(),
        )
        .await
        .expect("partners");
    let by_name: HashMap<&str, _> = partners
        .items
        .iter()
        .map(|p| (p.organisation.name.as_str(), &p.details))
        .collect();
    let school = by_name.get("School").expect("school");
    assert_eq!(school.kind.as_str(), "school");
    assert_eq!(school.roles.as_str(), "earn");
    assert_eq!(
        school.postcode.as_ref().map(|p| p.as_str()),
        Some("SW1A 1AA")
    );
    assert_eq!(school.contacts.len(), 1);
    let pool = by_name.get("Swimming Pool, The").expect("pool");
    assert_eq!(pool.roles.as_str(), "spend");
    // The new partners have their accounts.
    let (org, _) = store
        .partners(w.programme.id)
        .await
        .expect("partners")
        .into_iter()
        .find(|(o, _)| o.name == "School")
        .expect("school");
    assert!(store.account(org.account).await.expect("read").is_some());

    // A name already in the programme is refused, whatever its case.
    let report = w
        .import(
            ImportKind::Organisations,
            key(),
            "name,kind,roles\nSCHOOL,school,earn\n",
            false,
        )
        .await
        .expect("runs");
    assert_eq!(report.errors[0].code, "organisation_exists");
}

async fn a_retried_import_does_not_import_twice(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    let members = members_csv(50);
    let k = key();
    let first = w
        .import(ImportKind::Members, k, &members, false)
        .await
        .expect("first");
    assert_eq!((first.created, first.replayed), (50, false));
    let again = w
        .import(ImportKind::Members, k, &members, false)
        .await
        .expect("retry");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!((again.created, again.replayed), (50, true));
    assert_eq!(w.member_count().await, 50);
    // The same key with another file is refused.
    let other = members.replace("Member 3,", "Someone Else,");
    let e = w
        .import(ImportKind::Members, k, &other, false)
        .await
        .expect_err("another file");
    assert_eq!(code(e), "idempotency_conflict");

    let k = key();
    w.import(ImportKind::Organisations, k, ORGANISATIONS, false)
        .await
        .expect("first");
    let again = w
        .import(ImportKind::Organisations, k, ORGANISATIONS, false)
        .await
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(
        store
            .organisations(w.programme.id)
            .await
            .expect("orgs")
            .len(),
        3
    );

    let contributions = contributions_csv(50, 100);
    let k = key();
    let first = w
        .import(ImportKind::Contributions, k, &contributions, false)
        .await
        .expect("first");
    assert_eq!((first.created, first.replayed), (100, false));
    let transfers = store.transfer_count().await.expect("count");
    let again = w
        .import(ImportKind::Contributions, k, &contributions, false)
        .await
        .expect("retry");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!((again.created, again.replayed), (100, true));
    assert_eq!(store.transfer_count().await.expect("count"), transfers);
    let changed = contributions.replacen(",60,", ",120,", 1);
    let e = w
        .import(ImportKind::Contributions, k, &changed, false)
        .await
        .expect_err("another file");
    assert_eq!(code(e), "idempotency_conflict");
    assert_eq!(store.transfer_count().await.expect("count"), transfers);
}

async fn imported_contributions_issue_credits_that_verify(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    w.imported(ImportKind::Members, &members_csv(100)).await;
    let before = store.transfer_count().await.expect("count");
    let report = w
        .imported(ImportKind::Contributions, &contributions_csv(100, 1000))
        .await;
    assert_eq!(report.created, 1000);
    assert_eq!(store.transfer_count().await.expect("count"), before + 1000);
    let verified = w.app.verify_ledger().await.expect("verify");
    assert!(verified.is_ok(), "{verified:?}");
    // Each member gave 60 minutes on each of 9 or 10 days.
    let mut expected: HashMap<u32, i64> = HashMap::new();
    for i in 0..1000u32 {
        *expected.entry(i % 100).or_default() += 60;
    }
    for (i, minutes) in expected {
        let m = store
            .member_by_number(number(i))
            .await
            .expect("read")
            .expect("member");
        let balance = w
            .app
            .balance(&w.manager, m.account, None)
            .await
            .expect("balance");
        assert_eq!(balance, minutes, "member {i}");
    }
    // The contributions are direct records, each with its issuance.
    let (_, rows) = w.export_all(ExportKind::Contributions, 400).await;
    assert_eq!(rows.len(), 1000);
    for row in rows.iter().take(20) {
        assert_eq!(row[6], ContributionOrigin::Direct.as_str());
        let transfer = store
            .transfer(TransferId(row[11].parse().expect("uuid")))
            .await
            .expect("read")
            .expect("its issuance");
        assert_eq!(transfer.kind, TransferKind::Issue);
        assert_eq!(transfer.amount.get(), 60);
    }
}

async fn contributions_are_judged_by_the_rules_of_their_date(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    // From 5 March time is recorded in half hours.
    w.clock.set(noon() - chrono::Duration::days(9));
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: chrono::NaiveDate::from_ymd_opt(2026, 3, 5).expect("date"),
                rules: ProgrammeRules {
                    granularity_minutes: 30,
                    ..ProgrammeRules::default()
                },
            },
        )
        .await
        .expect("new rules");
    w.clock.set(noon());
    w.imported(ImportKind::Members, &members_csv(3)).await;
    let n = |i| number(i).value();
    let csv = format!(
        "member_number,organisation,activity,date,minutes\n\
         {a},Village Hall,Lunch club,2026-03-02,600\n\
         {a},Village Hall,Lunch club,2026-03-02,300\n\
         {b},Village Hall,Lunch club,2026-03-02,50\n\
         {b},Village Hall,Knitting,2026-03-02,60\n\
         {b},Nowhere,Lunch club,2026-03-02,60\n\
         1234567,Village Hall,Lunch club,2026-03-02,60\n\
         {c},Village Hall,Lunch club,2nd March,60\n\
         {c},Village Hall,Lunch club,2026-03-11,60\n\
         {c},Village Hall,Lunch club,2026-03-04,45\n\
         {c},Village Hall,Lunch club,2026-03-06,45\n",
        a = n(0),
        b = n(1),
        c = n(2),
    );
    let report = w
        .import(ImportKind::Contributions, key(), &csv, false)
        .await
        .expect("runs");
    let got: Vec<(u64, &str)> = report.errors.iter().map(|e| (e.line, e.code)).collect();
    assert_eq!(
        got,
        vec![
            (3, "daily_cap_exceeded"),
            (4, "not_a_whole_number_of_steps"),
            (5, "activity_unknown"),
            (6, "organisation_unknown"),
            (7, "member_number_invalid"),
            (8, "date_invalid"),
            (9, "future_date"),
            (11, "not_a_whole_number_of_steps"),
        ]
    );
    assert_eq!(report.created, 0);
    // The daily cap counts what was credited before the import too.
    w.imported(
        ImportKind::Contributions,
        &format!("member_number,organisation,activity,date,minutes\n{},Village Hall,Lunch club,2026-03-03,600\n", n(0)),
    )
    .await;
    let report = w
        .import(
            ImportKind::Contributions,
            key(),
            &format!("member_number,organisation,activity,date,minutes\n{},Village Hall,Lunch club,2026-03-03,300\n", n(0)),
            false,
        )
        .await
        .expect("runs");
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].code, "daily_cap_exceeded");
}

async fn exports_page_through_everything_a_manager_sees(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    w.imported(ImportKind::Members, &members_csv(250)).await;
    w.imported(ImportKind::Organisations, ORGANISATIONS).await;
    w.imported(ImportKind::Contributions, &contributions_csv(250, 300))
        .await;

    let (header, rows) = w.export_all(ExportKind::Members, 100).await;
    assert_eq!(header[1], "member_number");
    assert_eq!(rows.len(), 250);
    let ids: HashSet<&String> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), 250, "no member twice");
    let seven = rows
        .iter()
        .find(|r| r[1] == number(7).value().to_string())
        .expect("member 7");
    assert_eq!(seven[2], "Member 7");
    assert_eq!(seven[5], "member7@example.org");
    // Members 0 to 49 gave time twice.
    assert_eq!(seven[7], "120");

    let (_, rows) = w.export_all(ExportKind::Organisations, 1).await;
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .any(|r| r[1] == "Swimming Pool, The" && r[3] == "spend")
    );

    let (_, rows) = w.export_all(ExportKind::Activities, 10).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0][2].as_str(), rows[0][3].as_str()),
        ("Village Hall", "Lunch club")
    );

    let (_, rows) = w.export_all(ExportKind::Contributions, 128).await;
    assert_eq!(rows.len(), 300);

    let (_, rows) = w.export_all(ExportKind::Transfers, 77).await;
    let all = store
        .programme_transfers(w.programme.id, Utc::now() + chrono::Duration::days(3650))
        .await
        .expect("transfers");
    assert_eq!(rows.len(), all.len());
    let in_order: Vec<String> = all.iter().map(|t| t.id.0.to_string()).collect();
    let exported: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported, in_order, "the ledger in posting order");

    let (header, rows) = w.export_all(ExportKind::Redemptions, 10).await;
    assert_eq!(header[0], "id");
    assert!(rows.is_empty());

    // A formula typed as a name is exported as text.
    w.imported(ImportKind::Members, "display_name\n=HYPERLINK(\"x\")\n")
        .await;
    let (_, rows) = w.export_all(ExportKind::Members, 5000).await;
    assert!(rows.iter().any(|r| r[2] == "'=HYPERLINK(\"x\")"));

    let e = w
        .app
        .export_page(
            &w.manager,
            w.programme.id,
            ExportKind::Members,
            Some("nonsense"),
            None,
        )
        .await
        .expect_err("bad cursor");
    assert_eq!(code(e), "invalid_input");
    let e = w
        .app
        .export_page(
            &w.manager,
            w.programme.id,
            ExportKind::Members,
            None,
            Some(0),
        )
        .await
        .expect_err("bad limit");
    assert_eq!(code(e), "invalid_input");
}

async fn only_the_programmes_managers_import_or_export(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    let request = |csv: &'static str| ImportRequest {
        programme: w.programme.id,
        kind: ImportKind::Members,
        key: key(),
        csv: csv.as_bytes(),
        dry_run: false,
    };
    let e = w
        .app
        .import_csv(&w.coordinator, request("display_name\nAnn\n"), &|_| {})
        .await
        .expect_err("a coordinator");
    assert_eq!(code(e), "forbidden");
    let e = w
        .app
        .import_csv(&w.stranger, request("display_name\nAnn\n"), &|_| {})
        .await
        .expect_err("another programme's manager");
    assert_eq!(code(e), "not_found");
    let e = w
        .app
        .export_page(
            &w.coordinator,
            w.programme.id,
            ExportKind::Members,
            None,
            None,
        )
        .await
        .expect_err("a coordinator");
    assert_eq!(code(e), "forbidden");
    let e = w
        .app
        .export_page(
            &w.stranger,
            w.programme.id,
            ExportKind::Transfers,
            None,
            None,
        )
        .await
        .expect_err("another programme's manager");
    assert_eq!(code(e), "not_found");
    assert_eq!(w.member_count().await, 0);
}

/// The reads an import makes once per file answer, for every number,
/// member and day, what the one-at-a-time reads answer: members of any
/// programme, with and without a registration, pending and declined ones,
/// days with superseded contributions, and more numbers and members than
/// one query binds.
async fn bulk_reads_answer_what_single_reads_answer(store: Arc<dyn Store>) {
    let w = world(store.clone()).await;
    w.imported(ImportKind::Members, &members_csv(6)).await;
    w.imported(ImportKind::Contributions, &contributions_csv(6, 40))
        .await;
    // Two contributions on one day for one member, and one superseded.
    w.imported(
        ImportKind::Contributions,
        &format!(
            "member_number,organisation,activity,date,minutes\n{},Village Hall,Lunch Club,2026-03-02,45\n",
            number(0).value()
        ),
    )
    .await;
    let first = store
        .export_ids(ExportTable::Contributions, w.programme.id, None, 1)
        .await
        .expect("contribution ids")[0];
    w.app
        .correct_contribution(&w.manager, ContributionId(first), key(), 30, "Left early")
        .await
        .expect("correct");
    let register = |name: &str| SelfRegistrationRequest {
        programme: w.programme.id,
        display_name: name.into(),
        pin: Some("4071".into()),
        email: None,
        password: None,
        language: None,
        organisation: None,
    };
    let pending = w.app.self_register(register("Dana")).await.expect("dana");
    let declined = w.app.self_register(register("Eve")).await.expect("eve");
    w.app
        .decline_registration(&w.manager, declined.member.id, "registered twice")
        .await
        .expect("decline");
    // Members written without a registration, in another programme.
    let other = timecredits_conformance::set_up(&*store, 2, 0).await;

    let mut known: Vec<MemberNumber> = (0..6).map(number).collect();
    known.push(pending.member.number);
    known.push(declined.member.number);
    known.extend(other.members.iter().map(|m| m.number));
    // Numbers nobody has, with the known ones spread among them.
    let mut numbers: Vec<MemberNumber> = (0..1_200)
        .filter_map(|i| MemberNumber::from_base(700_000 + i))
        .collect();
    for (i, n) in known.iter().enumerate() {
        numbers.insert(i * 130, *n);
    }
    let bulk = store
        .members_by_numbers(&numbers)
        .await
        .expect("members by numbers");
    let mut found = 0;
    for n in &numbers {
        let single = store.member_by_number(*n).await.expect("member by number");
        let answered: Vec<_> = bulk.iter().filter(|(m, _)| m.number == *n).collect();
        match single {
            None => assert!(answered.is_empty(), "{n} has no member"),
            Some(m) => {
                found += 1;
                let status = store
                    .registration(m.id)
                    .await
                    .expect("registration")
                    .map(|r| r.status);
                assert_eq!(answered, [&(m, status)], "member {n}");
            }
        }
    }
    assert!(found >= known.len(), "every known number is found");
    assert_eq!(bulk.len(), found, "nothing else is answered");
    let statuses: HashSet<_> = bulk.iter().map(|(_, s)| *s).collect();
    assert!(statuses.len() >= 4, "statuses of every kind: {statuses:?}");

    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("a day");
    let mut members: Vec<MemberId> = bulk.iter().map(|(m, _)| m.id).collect();
    members.extend((0..600).map(|_| MemberId(Uuid::now_v7())));
    members.rotate_left(3);
    let (from, to) = (day(2), day(8));
    let mut pairs: Vec<(MemberId, NaiveDate)> = members
        .iter()
        .flat_map(|m| (2..=8).map(move |d| (*m, day(d))))
        .collect();
    // Asked twice, still counted once.
    let again: Vec<_> = pairs.iter().take(40).copied().collect();
    pairs.extend(again);
    let credited = store
        .credited_minutes_on(&pairs)
        .await
        .expect("credited minutes on");
    let mut nonzero = 0;
    for m in &members {
        for d in 1..=9 {
            let single = store
                .credited_minutes(*m, day(d))
                .await
                .expect("credited minutes");
            let answered = credited.get(&(*m, day(d))).copied();
            if (from..=to).contains(&day(d)) {
                assert_eq!(answered.unwrap_or(0), single, "{m:?} on {}", day(d));
                assert_ne!(answered, Some(0), "a day with nothing is left out");
                nonzero += usize::from(single > 0);
            } else {
                assert_eq!(answered, None, "{} was not asked for", day(d));
            }
        }
    }
    assert!(nonzero > 6, "some days have minutes: {nonzero}");
    // The day of the superseded contribution, whichever it is.
    let corrected = store
        .contribution(ContributionId(first))
        .await
        .expect("read")
        .expect("kept");
    assert!(corrected.superseded_by.is_some());
    let on_the_day = store
        .credited_minutes_on(&[(corrected.member, corrected.date)])
        .await
        .expect("the corrected day");
    assert_eq!(
        on_the_day.get(&(corrected.member, corrected.date)).copied(),
        Some(
            store
                .credited_minutes(corrected.member, corrected.date)
                .await
                .expect("single")
        ),
    );
    assert!(
        store
            .credited_minutes_on(&[])
            .await
            .expect("no pairs")
            .is_empty()
    );
}
