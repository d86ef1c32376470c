//! The activities area on both backends: sign-ups and the waiting list,
//! registers, claims, direct records and corrections, each turning time
//! given into credits atomically.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::{
    ActivityId, ActivityQuery, DirectRecord, NewClaim, NewSession, Places, RegisterEntry, SessionId,
};
use timecredits_app::bulk::{ImportKind, ImportRequest};
use timecredits_app::directory::PageRequest;
use timecredits_app::spending::{MemberLookup, NewOffer, RedeemOfferRequest};
use timecredits_app::{
    Actor, App, AppError, FixedClock, Member, NewMember, NewOrganisation, NewProgramme,
    Organisation, Programme, ReverseRequest, Role, Scope, Store, fixtures,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::activity::{
    ActivityDetails, CoProductionLevel, CoProductionMode, SignUpStatus,
};
use timecredits_domain::contribution::{ClaimStatus, ContributionOrigin};
use timecredits_domain::rules::{PartnerReceipts, ProgrammeRules, RuleVersion};
use timecredits_domain::spending::{Audience, OfferTerms};
use timecredits_ledger::{AccountId, CauseKind, TransferId, TransferKind};
use uuid::Uuid;

on_both_backends!(
    sign_ups_fill_places_then_the_waiting_list,
    concurrent_sign_ups_never_overfill_a_session,
    a_confirmed_register_issues_every_credit_at_once,
    a_refused_register_leaves_nothing_behind,
    claims_are_confirmed_or_rejected_once,
    direct_records_are_judged_by_the_rules_of_their_date,
    corrections_reissue_then_reverse_and_supersede,
    activities_are_listed_with_filters_and_kept_within_their_programme,
    concurrent_records_never_pass_the_daily_cap_or_pay_twice,
    a_partner_that_keeps_what_it_receives_issues_from_its_holdings_first,
    the_rules_of_the_contributions_date_decide_where_credits_come_from,
    concurrent_records_never_overdraw_the_partners_holdings,
    what_staff_do_for_a_member_is_logged_as_proxy,
);

/// 2026-03-10 12:00 UTC, a Tuesday.
fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
        .single()
        .expect("valid")
}

fn date(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("valid")
}

fn key() -> TransferId {
    TransferId(Uuid::now_v7())
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
    organisation: Organisation,
    members: Vec<(Member, Actor)>,
    /// A coordinator and member of a second programme.
    stranger: Actor,
    stranger_member: Actor,
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

async fn world(store: Arc<dyn Store>, members: usize) -> World {
    let clock = Arc::new(FixedClock::new(noon()));
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
    let organisation = app
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
        Scope::Organisation(organisation.id),
    )
    .await;
    let mut all = Vec::new();
    for i in 0..members {
        all.push(member(&app, &manager, &p, &format!("Member {i}")).await);
    }
    let other = programme(&app, &admin, "Otherton").await;
    let other_manager = staff(
        &app,
        &admin,
        "other@example.org",
        Role::ProgrammeManager,
        Scope::Programme(other.id),
    )
    .await;
    let other_org = app
        .create_organisation(
            &other_manager,
            NewOrganisation {
                programme: other.id,
                name: "Other Hall".into(),
            },
        )
        .await
        .expect("other organisation");
    let stranger = staff(
        &app,
        &other_manager,
        "stranger@example.org",
        Role::Coordinator,
        Scope::Organisation(other_org.id),
    )
    .await;
    let (_, stranger_member) = member(&app, &other_manager, &other, "Stranger").await;
    World {
        app,
        clock,
        programme: p,
        manager,
        coordinator,
        organisation,
        members: all,
        stranger,
        stranger_member,
    }
}

fn details(title: &str) -> ActivityDetails {
    ActivityDetails {
        title: title.into(),
        description: "Cook and serve lunch with the team".into(),
        level: CoProductionLevel::Group,
        mode: CoProductionMode::CoDelivery,
        place: "Village Hall, High Street".into(),
        postcode: None,
        accessibility: "Step-free access".into(),
        usual_duration_minutes: 120,
        earns_credits: true,
    }
}

impl World {
    async fn activity(&self, title: &str) -> ActivityId {
        self.app
            .create_activity(&self.coordinator, self.organisation.id, details(title))
            .await
            .expect("activity")
            .id
    }

    /// A two-hour session tomorrow at noon.
    async fn session(&self, activity: ActivityId, capacity: i64) -> SessionId {
        let starts_at = self.app.now() + Duration::days(1);
        self.app
            .create_session(
                &self.coordinator,
                activity,
                NewSession {
                    starts_at,
                    ends_at: starts_at + Duration::hours(2),
                    capacity,
                },
            )
            .await
            .expect("session")
            .id
    }

    fn member(&self, i: usize) -> &Member {
        &self.members[i].0
    }

    fn member_actor(&self, i: usize) -> &Actor {
        &self.members[i].1
    }

    async fn balance(&self, i: usize) -> i64 {
        self.app
            .balance(&self.manager, self.member(i).account, None)
            .await
            .expect("balance")
    }

    fn direct(&self, activity: ActivityId, i: usize, day: NaiveDate, minutes: i64) -> DirectRecord {
        DirectRecord {
            member: self.member(i).id,
            activity,
            session: None,
            date: day,
            minutes,
            note: String::new(),
        }
    }
}

async fn sign_ups_fill_places_then_the_waiting_list(store: Arc<dyn Store>) {
    let w = world(store, 4).await;
    let activity = w.activity("Lunch club").await;
    let session = w.session(activity, 2).await;
    // Members sign themselves up; a coordinator signs up the third and fourth.
    let first = w
        .app
        .sign_up(w.member_actor(0), session, None)
        .await
        .expect("first");
    assert_eq!(first.status, SignUpStatus::Confirmed);
    let second = w
        .app
        .sign_up(w.member_actor(1), session, None)
        .await
        .expect("second");
    assert_eq!(second.status, SignUpStatus::Confirmed);
    let third = w
        .app
        .sign_up(&w.coordinator, session, Some(w.member(2).id))
        .await
        .expect("third");
    assert_eq!(
        third.status,
        SignUpStatus::Waiting,
        "a full session has a waiting list"
    );
    let fourth = w
        .app
        .sign_up(&w.coordinator, session, Some(w.member(3).id))
        .await
        .expect("fourth");
    assert_eq!(fourth.status, SignUpStatus::Waiting);
    assert_eq!(
        code(
            w.app
                .sign_up(w.member_actor(0), session, None)
                .await
                .expect_err("twice")
        ),
        "already_signed_up"
    );
    // Nobody signs up someone else unless they coordinate or manage.
    assert_eq!(
        code(
            w.app
                .sign_up(w.member_actor(0), session, Some(w.member(1).id))
                .await
                .expect_err("not theirs")
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .sign_up(&w.stranger_member, session, None)
                .await
                .expect_err("other programme")
        ),
        "not_found"
    );

    // A waiting member cancelling frees no place; a confirmed one promotes the first waiting.
    let cancelled = w
        .app
        .cancel_sign_up(&w.coordinator, session, w.member(3).id)
        .await
        .expect("cancel waiting");
    assert!(cancelled.promoted.is_none());
    let cancelled = w
        .app
        .cancel_sign_up(w.member_actor(0), session, w.member(0).id)
        .await
        .expect("cancel place");
    assert_eq!(cancelled.cancelled.status, SignUpStatus::Cancelled);
    let promoted = cancelled.promoted.expect("someone promoted");
    assert_eq!(promoted.member, w.member(2).id);
    assert_eq!(promoted.status, SignUpStatus::Confirmed);
    let live = w.app.sign_ups(&w.coordinator, session).await.expect("list");
    let confirmed: Vec<_> = live
        .iter()
        .filter(|s| s.status == SignUpStatus::Confirmed)
        .map(|s| s.member)
        .collect();
    assert_eq!(confirmed, vec![w.member(1).id, w.member(2).id]);
    assert_eq!(live.len(), 2);
    // The register lists the places alone, in sign-up order, each with its
    // member as stored.
    let sheet = w
        .app
        .register_sheet(&w.coordinator, session)
        .await
        .expect("register");
    let listed: Vec<_> = sheet
        .attendees
        .iter()
        .map(|(s, m)| (s.member, s.status, m))
        .collect();
    assert_eq!(
        listed,
        vec![
            (w.member(1).id, SignUpStatus::Confirmed, w.member(1)),
            (w.member(2).id, SignUpStatus::Confirmed, w.member(2)),
        ]
    );
    assert_eq!(
        code(
            w.app
                .cancel_sign_up(w.member_actor(0), session, w.member(0).id)
                .await
                .expect_err("again")
        ),
        "not_signed_up"
    );
    // A member may sign up again after cancelling, joining the queue.
    let again = w
        .app
        .sign_up(w.member_actor(0), session, None)
        .await
        .expect("again");
    assert_eq!(again.status, SignUpStatus::Waiting);
    // A page of sessions is counted in one read, as one session is: two
    // places, one waiting, a cancelled sign-up in neither; an empty session.
    let empty = w.session(activity, 7).await;
    let page = w
        .app
        .list_sessions(&w.coordinator, activity, None, None, None)
        .await
        .expect("sessions");
    assert_eq!(page.items.len(), 2);
    let counted = w
        .app
        .sessions_places(&w.coordinator, &page.items)
        .await
        .expect("places");
    for (id, taken, waiting, capacity) in [(session, 2, 1, 2), (empty, 0, 0, 7)] {
        let one = w.app.session_places(&w.coordinator, id).await.expect("one");
        let expected = Places {
            capacity,
            taken,
            waiting,
        };
        assert_eq!(one, expected);
        assert_eq!(counted.get(&id), Some(&expected));
    }
    assert_eq!(
        code(
            w.app
                .sessions_places(&w.stranger_member, &page.items)
                .await
                .expect_err("another programme's sessions")
        ),
        "not_found"
    );
    // Once the session starts, sign-ups are closed.
    w.clock.set(noon() + Duration::days(1));
    assert_eq!(
        code(
            w.app
                .sign_up(w.member_actor(3), session, None)
                .await
                .expect_err("started")
        ),
        "session_already_started"
    );
}

async fn concurrent_sign_ups_never_overfill_a_session(store: Arc<dyn Store>) {
    let w = Arc::new(world(store, 12).await);
    let activity = w.activity("Litter pick").await;
    let session = w.session(activity, 3).await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.app
                .sign_up(w.member_actor(i), session, None)
                .await
                .expect("sign up")
                .status
        }));
    }
    let mut confirmed = 0;
    for task in tasks {
        if task.await.expect("task") == SignUpStatus::Confirmed {
            confirmed += 1;
        }
    }
    assert_eq!(confirmed, 3, "exactly the capacity gets places");
    let live = w.app.sign_ups(&w.manager, session).await.expect("list");
    assert_eq!(live.len(), 12);
    assert_eq!(
        live.iter()
            .filter(|s| s.status == SignUpStatus::Confirmed)
            .count(),
        3
    );
}

async fn a_confirmed_register_issues_every_credit_at_once(store: Arc<dyn Store>) {
    let w = world(store.clone(), 3).await;
    let activity = w.activity("Lunch club").await;
    let session = w.session(activity, 10).await;
    for i in 0..3 {
        w.app
            .sign_up(w.member_actor(i), session, None)
            .await
            .expect("sign up");
    }
    // The register cannot be confirmed before the session begins: not the
    // day before, and not earlier on its own day.
    let entries = vec![
        RegisterEntry {
            member: w.member(0).id,
            attended: true,
            minutes: None,
        },
        RegisterEntry {
            member: w.member(1).id,
            attended: true,
            minutes: Some(90),
        },
        RegisterEntry {
            member: w.member(2).id,
            attended: false,
            minutes: None,
        },
    ];
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), entries.clone())
                .await
                .expect_err("future")
        ),
        "session_not_started"
    );
    w.clock.set(noon() + Duration::days(1) - Duration::hours(1));
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), entries.clone())
                .await
                .expect_err("later today")
        ),
        "session_not_started"
    );
    w.clock.set(noon() + Duration::days(1) + Duration::hours(3));
    let sheet = w
        .app
        .register_sheet(&w.coordinator, session)
        .await
        .expect("sheet");
    assert_eq!(sheet.attendees.len(), 3);
    assert_eq!(sheet.default_minutes, 120);
    assert!(sheet.confirmed.is_none());
    // Members and strangers may not confirm.
    assert_eq!(
        code(
            w.app
                .confirm_register(w.member_actor(0), session, key(), entries.clone())
                .await
                .expect_err("member")
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.stranger, session, key(), entries.clone())
                .await
                .expect_err("stranger")
        ),
        "not_found"
    );
    let k = key();
    let recorded = w
        .app
        .confirm_register(&w.coordinator, session, k, entries.clone())
        .await
        .expect("confirm");
    assert!(!recorded.replayed);
    assert_eq!(recorded.contributions.len(), 2);
    assert_eq!(recorded.plan.outcomes.len(), 2);
    assert_eq!(w.balance(0).await, 120, "the session's length by default");
    assert_eq!(w.balance(1).await, 90, "minutes as adjusted");
    assert_eq!(w.balance(2).await, 0, "absent members get nothing");
    for (c, outcome) in recorded.contributions.iter().zip(&recorded.plan.outcomes) {
        let t = outcome.transfer();
        assert_eq!(t.kind, TransferKind::Issue);
        assert_eq!(t.debit, w.programme.issuance_account);
        assert_eq!(t.amount.get(), c.minutes, "one hour given is one credit");
        let cause = t.cause.expect("cause");
        assert_eq!(cause.kind, CauseKind::Contribution);
        assert_eq!(cause.id, c.id.0);
        assert_eq!(c.origin, ContributionOrigin::Register);
        assert_eq!(c.date, date(11));
    }
    // A retry answers the same, and pays nobody twice.
    let retry = w
        .app
        .confirm_register(&w.coordinator, session, k, entries.clone())
        .await
        .expect("retry");
    assert!(retry.replayed);
    let mut ids: Vec<_> = retry.contributions.iter().map(|c| c.id).collect();
    let mut first: Vec<_> = recorded.contributions.iter().map(|c| c.id).collect();
    ids.sort();
    first.sort();
    assert_eq!(ids, first);
    assert_eq!(w.balance(0).await, 120);
    // The same key with another body, or a new key, is refused.
    let mut changed = entries.clone();
    changed[1].minutes = Some(60);
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, k, changed)
                .await
                .expect_err("changed")
        ),
        "idempotency_conflict"
    );
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), entries)
                .await
                .expect_err("twice")
        ),
        "register_already_confirmed"
    );
    let sheet = w
        .app
        .register_sheet(&w.manager, session)
        .await
        .expect("sheet");
    assert_eq!(sheet.confirmed.expect("confirmed").key, k);
    assert_eq!(sheet.contributions.len(), 2);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

async fn a_refused_register_leaves_nothing_behind(store: Arc<dyn Store>) {
    let w = world(store.clone(), 2).await;
    let activity = w.activity("Lunch club").await;
    let session = w.session(activity, 10).await;
    for i in 0..2 {
        w.app
            .sign_up(w.member_actor(i), session, None)
            .await
            .expect("sign up");
    }
    w.clock.set(noon() + Duration::days(1) + Duration::hours(3));
    // Member 1 already has 11 hours on that day: two more breaks the 12-hour cap.
    w.app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 1, date(11), 660))
        .await
        .expect("earlier");
    let entries: Vec<RegisterEntry> = (0..2)
        .map(|i| RegisterEntry {
            member: w.member(i).id,
            attended: true,
            minutes: None,
        })
        .collect();
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), entries.clone())
                .await
                .expect_err("cap")
        ),
        "daily_cap_exceeded"
    );
    assert_eq!(w.balance(0).await, 0, "nobody was paid");
    let sheet = w
        .app
        .register_sheet(&w.coordinator, session)
        .await
        .expect("sheet");
    assert!(sheet.confirmed.is_none(), "no register was written");
    assert!(
        sheet.contributions.is_empty(),
        "no contribution was written"
    );
    // Off the granularity, or someone not signed up: refused by name.
    let mut odd = entries.clone();
    odd[0].minutes = Some(50);
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), odd)
                .await
                .expect_err("steps")
        ),
        "not_a_whole_number_of_steps"
    );
    let (outsider, _) = member(&w.app, &w.manager, &w.programme, "Outsider").await;
    let mut extra = entries.clone();
    extra.push(RegisterEntry {
        member: outsider.id,
        attended: true,
        minutes: None,
    });
    assert_eq!(
        code(
            w.app
                .confirm_register(&w.coordinator, session, key(), extra)
                .await
                .expect_err("not signed up")
        ),
        "not_on_register"
    );
    // With member 1 marked absent, it goes through.
    let mut fine = entries;
    fine[1].attended = false;
    let recorded = w
        .app
        .confirm_register(&w.coordinator, session, key(), fine)
        .await
        .expect("confirm");
    assert_eq!(recorded.contributions.len(), 1);
    assert_eq!(w.balance(0).await, 120);
}

async fn claims_are_confirmed_or_rejected_once(store: Arc<dyn Store>) {
    let w = world(store.clone(), 2).await;
    let activity = w.activity("Residents' panel").await;
    let claim = w
        .app
        .create_claim(
            w.member_actor(0),
            NewClaim {
                activity,
                date: date(9),
                minutes: 90,
                note: "Panel meeting".into(),
            },
        )
        .await
        .expect("claim");
    assert_eq!(claim.status, ClaimStatus::Pending);
    let other = w
        .app
        .create_claim(
            w.member_actor(0),
            NewClaim {
                activity,
                date: date(8),
                minutes: 60,
                note: String::new(),
            },
        )
        .await
        .expect("second claim");
    // A claim that would pass the daily cap is refused when made, counting
    // the day's other claims still waiting (60 minutes are pending on the 8th).
    let too_long = |minutes| NewClaim {
        activity,
        date: date(8),
        minutes,
        note: String::new(),
    };
    assert_eq!(
        code(
            w.app
                .create_claim(w.member_actor(0), too_long(12 * 60))
                .await
                .expect_err("over the cap with the pending claim")
        ),
        "daily_cap_exceeded"
    );
    let nothing_kept = w
        .app
        .my_claims(w.member_actor(0), None, None)
        .await
        .expect("claims")
        .items
        .len();
    assert_eq!(nothing_kept, 2, "a refused claim is not stored");
    assert_eq!(
        code(
            w.app
                .create_claim(
                    w.member_actor(0),
                    NewClaim {
                        activity,
                        date: date(11),
                        minutes: 60,
                        note: String::new(),
                    },
                )
                .await
                .expect_err("future")
        ),
        "future_date"
    );
    // Staff do not claim; strangers cannot see the activity.
    assert_eq!(
        code(
            w.app
                .create_claim(
                    &w.coordinator,
                    NewClaim {
                        activity,
                        date: date(9),
                        minutes: 60,
                        note: String::new(),
                    },
                )
                .await
                .expect_err("staff")
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .create_claim(
                    &w.stranger_member,
                    NewClaim {
                        activity,
                        date: date(9),
                        minutes: 60,
                        note: String::new(),
                    },
                )
                .await
                .expect_err("stranger")
        ),
        "not_found"
    );
    let pending = w
        .app
        .pending_claims(&w.coordinator, w.organisation.id, None, None)
        .await
        .expect("pending");
    assert_eq!(pending.items.len(), 2);
    assert_eq!(pending.items[0].id, other.id, "newest first");
    assert_eq!(
        code(
            w.app
                .pending_claims(w.member_actor(0), w.organisation.id, None, None)
                .await
                .expect_err("member")
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .confirm_claim(w.member_actor(0), claim.id, key())
                .await
                .expect_err("own")
        ),
        "forbidden"
    );
    let k = key();
    let confirmed = w
        .app
        .confirm_claim(&w.coordinator, claim.id, k)
        .await
        .expect("confirm");
    assert_eq!(confirmed.contributions[0].claim, Some(claim.id));
    assert_eq!(confirmed.contributions[0].minutes, 90);
    assert_eq!(w.balance(0).await, 90);
    let retry = w
        .app
        .confirm_claim(&w.coordinator, claim.id, k)
        .await
        .expect("retry");
    assert!(retry.replayed);
    assert_eq!(w.balance(0).await, 90, "a retry never pays twice");
    assert_eq!(
        code(
            w.app
                .confirm_claim(&w.coordinator, claim.id, key())
                .await
                .expect_err("twice")
        ),
        "claim_already_decided"
    );
    assert_eq!(
        code(
            w.app
                .reject_claim(&w.coordinator, other.id, "  ")
                .await
                .expect_err("no reason")
        ),
        "reason_required"
    );
    let rejected = w
        .app
        .reject_claim(&w.manager, other.id, "We have no record of you that day")
        .await
        .expect("reject");
    assert_eq!(rejected.status, ClaimStatus::Rejected);
    assert_eq!(
        code(
            w.app
                .reject_claim(&w.manager, other.id, "again")
                .await
                .expect_err("twice")
        ),
        "claim_already_decided"
    );
    assert_eq!(w.balance(0).await, 90);
    let mine = w
        .app
        .my_claims(w.member_actor(0), None, Some(1))
        .await
        .expect("mine");
    assert!(mine.more);
    assert_eq!(mine.items[0].status, ClaimStatus::Rejected);
    assert_eq!(
        mine.items[0].rejection_reason.as_deref(),
        Some("We have no record of you that day")
    );
    let rest = w
        .app
        .my_claims(w.member_actor(0), Some(mine.items[0].id), Some(1))
        .await
        .expect("next page");
    assert_eq!(rest.items[0].status, ClaimStatus::Confirmed);
    assert!(!rest.more);
    assert!(
        w.app
            .pending_claims(&w.coordinator, w.organisation.id, None, None)
            .await
            .expect("pending")
            .items
            .is_empty()
    );
}

async fn direct_records_are_judged_by_the_rules_of_their_date(store: Arc<dyn Store>) {
    let w = world(store.clone(), 2).await;
    let activity = w.activity("Lunch club").await;
    let refused = |r: Result<_, AppError>| code(r.expect_err("refused"));
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(11), 60))
                .await
        ),
        "future_date"
    );
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 50))
                .await
        ),
        "not_a_whole_number_of_steps"
    );
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 735))
                .await
        ),
        "daily_cap_exceeded"
    );
    assert_eq!(
        refused(
            w.app
                .record_contribution(w.member_actor(0), key(), w.direct(activity, 0, date(9), 60))
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.stranger, key(), w.direct(activity, 0, date(9), 60))
                .await
        ),
        "not_found"
    );
    let mut quiet = details("Coffee morning (no credits)");
    quiet.earns_credits = false;
    let quiet = w
        .app
        .create_activity(&w.coordinator, w.organisation.id, quiet)
        .await
        .expect("activity");
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(quiet.id, 0, date(9), 60))
                .await
        ),
        "activity_does_not_earn"
    );
    // The cap counts what was already credited that day.
    w.app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 600))
        .await
        .expect("ten hours");
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 135))
                .await
        ),
        "daily_cap_exceeded"
    );
    w.app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 120))
        .await
        .expect("up to the cap");
    assert_eq!(w.balance(0).await, 720);
    // A session's contribution once per member.
    let session = w.session(activity, 5).await;
    w.clock.set(noon() + Duration::days(2));
    let mut with_session = w.direct(activity, 1, date(11), 60);
    with_session.session = Some(session);
    w.app
        .record_contribution(&w.coordinator, key(), with_session.clone())
        .await
        .expect("first");
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), with_session)
                .await
        ),
        "duplicate_contribution"
    );
    // A retry with the same key returns the original; another body conflicts.
    let k = key();
    let first = w
        .app
        .record_contribution(&w.manager, k, w.direct(activity, 1, date(10), 30))
        .await
        .expect("record");
    let again = w
        .app
        .record_contribution(&w.manager, k, w.direct(activity, 1, date(10), 30))
        .await
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(again.contributions[0].id, first.contributions[0].id);
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.manager, k, w.direct(activity, 1, date(10), 45))
                .await
        ),
        "idempotency_conflict"
    );
    assert_eq!(w.balance(1).await, 90);
    // The rules in force on the date decide: a coarser granularity from the 12th.
    let rules = timecredits_domain::rules::ProgrammeRules {
        granularity_minutes: 30,
        daily_cap_minutes: 240,
        ..Default::default()
    };
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            timecredits_domain::rules::RuleVersion {
                effective_from: date(12),
                rules,
            },
        )
        .await
        .expect("rules");
    w.clock.set(noon() + Duration::days(3));
    w.app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 1, date(11), 45))
        .await
        .expect("old rules on the 11th");
    assert_eq!(
        refused(
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 1, date(13), 45))
                .await
        ),
        "not_a_whole_number_of_steps"
    );
}

async fn corrections_reissue_then_reverse_and_supersede(store: Arc<dyn Store>) {
    let w = world(store.clone(), 1).await;
    let activity = w.activity("Lunch club").await;
    let original = w
        .app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 120))
        .await
        .expect("record")
        .contributions
        .remove(0);
    // The ledger's hand reversal refuses a contribution's credits: only a
    // correction keeps the record and the ledger in step.
    let by_hand = w
        .app
        .reverse_transfer(
            &w.manager,
            ReverseRequest {
                id: key(),
                original: original.transfer,
                reason: "entered twice".into(),
            },
        )
        .await
        .expect_err("through its record");
    assert_eq!(code(by_hand), "transfer_has_its_own_correction");
    assert_eq!(w.balance(0).await, 120);
    let k = key();
    assert_eq!(
        code(
            w.app
                .correct_contribution(&w.coordinator, original.id, k, 120, "same")
                .await
                .expect_err("unchanged")
        ),
        "correction_changes_nothing"
    );
    assert_eq!(
        code(
            w.app
                .correct_contribution(w.member_actor(0), original.id, k, 90, "mine")
                .await
                .expect_err("member")
        ),
        "forbidden"
    );
    let corrected = w
        .app
        .correct_contribution(&w.coordinator, original.id, k, 90, "Left early")
        .await
        .expect("correct");
    assert_eq!(w.balance(0).await, 90, "minutes credited are minutes given");
    let new = &corrected.contributions[0];
    assert_eq!(new.corrects, Some(original.id));
    assert_eq!(new.origin, ContributionOrigin::Correction);
    assert_eq!(corrected.plan.outcomes.len(), 2);
    assert_eq!(
        corrected.plan.outcomes[0].transfer().kind,
        TransferKind::Issue,
        "the new issuance comes first"
    );
    assert_eq!(
        corrected.plan.outcomes[1].transfer().reverses,
        Some(original.transfer)
    );
    let old = w
        .app
        .contribution(&w.manager, original.id)
        .await
        .expect("old");
    assert_eq!(old.superseded_by, Some(new.id));
    assert_eq!(old.minutes, 120, "the old record is never edited");
    // A retry answers the same; a second correction of the old one is refused.
    let retry = w
        .app
        .correct_contribution(&w.coordinator, original.id, k, 90, "Left early")
        .await
        .expect("retry");
    assert!(retry.replayed);
    assert_eq!(w.balance(0).await, 90);
    assert_eq!(
        code(
            w.app
                .correct_contribution(&w.coordinator, original.id, key(), 60, "again")
                .await
                .expect_err("twice")
        ),
        "contribution_already_corrected"
    );
    // The newest can be corrected in turn, upwards, within the cap.
    w.app
        .correct_contribution(&w.manager, new.id, key(), 150, "Stayed to clear up")
        .await
        .expect("correct again");
    assert_eq!(w.balance(0).await, 150);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
    // A member sees their own contribution; a stranger does not.
    w.app
        .contribution(w.member_actor(0), original.id)
        .await
        .expect("own");
    assert_eq!(
        code(
            w.app
                .contribution(&w.stranger, original.id)
                .await
                .expect_err("stranger")
        ),
        "not_found"
    );
}

async fn activities_are_listed_with_filters_and_kept_within_their_programme(store: Arc<dyn Store>) {
    let w = world(store.clone(), 1).await;
    let lunch = w.activity("Lunch club").await;
    let mut panel = details("Residents' panel");
    panel.level = CoProductionLevel::Collective;
    panel.mode = CoProductionMode::CoGovernance;
    panel.place = "Town library".into();
    let panel = w
        .app
        .create_activity(&w.manager, w.organisation.id, panel)
        .await
        .expect("panel");
    w.session(lunch, 5).await;
    assert_eq!(
        code(
            w.app
                .create_activity(w.member_actor(0), w.organisation.id, details("x"))
                .await
                .expect_err("member")
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .create_activity(&w.stranger, w.organisation.id, details("x"))
                .await
                .expect_err("stranger")
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .create_activity(&w.coordinator, w.organisation.id, details(" "))
                .await
                .expect_err("untitled")
        ),
        "title_missing"
    );
    let list = |q: ActivityQuery| {
        let app = w.app.clone();
        let actor = w.member_actor(0).clone();
        async move {
            app.list_activities(&actor, q)
                .await
                .expect("list")
                .items
                .into_iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(ActivityQuery::default()).await, vec![lunch, panel.id]);
    assert_eq!(
        list(ActivityQuery {
            level: Some(CoProductionLevel::Collective),
            ..Default::default()
        })
        .await,
        vec![panel.id]
    );
    assert_eq!(
        list(ActivityQuery {
            mode: Some(CoProductionMode::CoDelivery),
            ..Default::default()
        })
        .await,
        vec![lunch]
    );
    assert_eq!(
        list(ActivityQuery {
            place: Some("LIBRARY".into()),
            ..Default::default()
        })
        .await,
        vec![panel.id]
    );
    assert_eq!(
        list(ActivityQuery {
            day: Some(date(11)),
            ..Default::default()
        })
        .await,
        vec![lunch]
    );
    assert!(
        list(ActivityQuery {
            day: Some(date(12)),
            ..Default::default()
        })
        .await
        .is_empty()
    );
    let page = w
        .app
        .list_activities(
            &w.coordinator,
            ActivityQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect("page");
    assert!(page.more);
    let next = w
        .app
        .list_activities(
            &w.coordinator,
            ActivityQuery {
                limit: Some(1),
                after: Some(page.items[0].id),
                ..Default::default()
            },
        )
        .await
        .expect("next");
    assert_eq!(next.items[0].id, panel.id);
    assert!(!next.more);
    // Another programme sees none of it.
    let theirs = w
        .app
        .list_activities(&w.stranger, ActivityQuery::default())
        .await
        .expect("theirs");
    assert!(theirs.items.is_empty());
    assert_eq!(
        code(
            w.app
                .activity(&w.stranger, lunch)
                .await
                .expect_err("hidden")
        ),
        "not_found"
    );
    // Updates replace the details; only the earn partner's staff may.
    let mut changed = details("Lunch club (Tuesdays)");
    changed.earns_credits = false;
    let updated = w
        .app
        .update_activity(&w.coordinator, lunch, changed.clone())
        .await
        .expect("update");
    assert_eq!(updated.details.title, "Lunch club (Tuesdays)");
    assert_eq!(
        w.app
            .activity(w.member_actor(0), lunch)
            .await
            .expect("read")
            .details,
        changed
    );
    assert_eq!(
        code(
            w.app
                .update_activity(w.member_actor(0), lunch, details("x"))
                .await
                .expect_err("member")
        ),
        "forbidden"
    );
    let sessions = w
        .app
        .list_sessions(w.member_actor(0), lunch, None, None, None)
        .await
        .expect("sessions");
    assert_eq!(sessions.items.len(), 1);
    w.clock.set(noon() + Duration::days(2));
    let upcoming = w
        .app
        .list_sessions(w.member_actor(0), lunch, None, None, None)
        .await
        .expect("sessions");
    assert!(
        upcoming.items.is_empty(),
        "only upcoming sessions by default"
    );
}

async fn concurrent_records_never_pass_the_daily_cap_or_pay_twice(store: Arc<dyn Store>) {
    let w = Arc::new(world(store, 2).await);
    let activity = w.activity("Lunch club").await;
    // Ten two-hour records race for one day with a twelve-hour cap: six fit.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.app
                .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(9), 120))
                .await
                .map_err(code)
        }));
    }
    let mut passed = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => passed += 1,
            Err(code) => assert_eq!(code, "daily_cap_exceeded"),
        }
    }
    assert_eq!(passed, 6);
    assert_eq!(w.balance(0).await, 720);
    // Eight retries of one register confirmation race: one records, all answer the same.
    let session = w.session(activity, 5).await;
    w.app
        .sign_up(w.member_actor(1), session, None)
        .await
        .expect("sign up");
    w.clock.set(noon() + Duration::days(2));
    let k = key();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let entries = vec![RegisterEntry {
                member: w.member(1).id,
                attended: true,
                minutes: None,
            }];
            w.app
                .confirm_register(&w.coordinator, session, k, entries)
                .await
                .expect("confirm")
        }));
    }
    let mut new = 0;
    let mut ids = Vec::new();
    for task in tasks {
        let recorded = task.await.expect("task");
        if !recorded.replayed {
            new += 1;
        }
        ids.push(recorded.contributions[0].id);
    }
    assert_eq!(new, 1, "exactly one request recorded the register");
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same contribution");
    assert_eq!(w.balance(1).await, 120, "paid once");
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

impl World {
    /// From `from`, the rules say what happens to what partners receive.
    async fn partner_receipts_from(&self, from: NaiveDate, receipts: PartnerReceipts) {
        self.app
            .change_rules(
                &self.manager,
                self.programme.id,
                RuleVersion {
                    effective_from: from,
                    rules: ProgrammeRules {
                        partner_receipts: receipts,
                        ..ProgrammeRules::default()
                    },
                },
            )
            .await
            .expect("rules");
    }

    async fn issue(&self, i: usize, minutes: i64) {
        fixtures::seed_credits(&self.app, self.member(i).id, minutes)
            .await
            .expect("issue");
    }

    /// Member `i` spends `minutes` at the organisation's desk, on an offer
    /// priced at `minutes`.
    async fn spend_at_the_partner(&self, i: usize, minutes: i64) {
        let offer = self
            .app
            .publish_spend_offer(
                &self.manager,
                NewOffer {
                    organisation: self.organisation.id,
                    terms: OfferTerms {
                        title: format!("Hall hire, {minutes} minutes"),
                        price_minutes: minutes,
                        audience: Audience::Adult,
                        capacity: None,
                        off_peak: vec![],
                        valid_from: date(1),
                        valid_to: None,
                    },
                },
            )
            .await
            .expect("offer");
        self.app
            .redeem_offer(
                &self.manager,
                RedeemOfferRequest {
                    id: key(),
                    offer: offer.id,
                    member: MemberLookup::Id(self.member(i).id),
                },
            )
            .await
            .expect("redeem");
    }

    async fn held(&self, account: AccountId) -> i64 {
        self.app
            .balance(&self.manager, account, None)
            .await
            .expect("balance")
    }
}

async fn a_partner_that_keeps_what_it_receives_issues_from_its_holdings_first(
    store: Arc<dyn Store>,
) {
    let w = world(store, 3).await;
    let hall = w.organisation.account;
    let issuance = w.programme.issuance_account;
    let activity = w.activity("Lunch club").await;
    let session = w.session(activity, 10).await;
    for i in 0..2 {
        w.app
            .sign_up(w.member_actor(i), session, None)
            .await
            .expect("sign up");
    }
    w.partner_receipts_from(date(11), PartnerReceipts::KeepToReissue)
        .await;
    // The session has ended; member 2 spends 120 minutes at the hall's desk,
    // which keeps them.
    w.clock.set(noon() + Duration::days(1) + Duration::hours(3));
    w.issue(2, 180).await;
    let period_start = noon() + Duration::days(1) + Duration::hours(4);
    w.clock.set(period_start);
    w.spend_at_the_partner(2, 120).await;
    assert_eq!(w.held(hall).await, 120);
    let entries = vec![
        RegisterEntry {
            member: w.member(0).id,
            attended: true,
            minutes: Some(60),
        },
        RegisterEntry {
            member: w.member(1).id,
            attended: true,
            minutes: Some(90),
        },
    ];
    let k = key();
    let recorded = w
        .app
        .confirm_register(&w.coordinator, session, k, entries.clone())
        .await
        .expect("confirm");
    assert!(!recorded.replayed);
    let debits: Vec<AccountId> = recorded
        .plan
        .outcomes
        .iter()
        .map(|o| o.transfer().debit)
        .collect();
    assert_eq!(
        debits,
        vec![hall, issuance],
        "60 from the hall's holdings; 90 is more than the 60 left, so it is new"
    );
    for (c, outcome) in recorded.contributions.iter().zip(&recorded.plan.outcomes) {
        let t = outcome.transfer();
        assert_eq!(c.transfer, t.id, "each contribution is one transfer");
        assert_eq!(t.kind, TransferKind::Issue);
        assert_eq!(t.amount.get(), c.minutes);
    }
    assert_eq!(w.held(hall).await, 60);
    assert_eq!(w.balance(0).await, 60);
    assert_eq!(w.balance(1).await, 90);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
    w.clock.set(period_start + Duration::minutes(1));
    let summary = w
        .app
        .circulation(&w.manager, w.programme.id, Some(period_start), None)
        .await
        .expect("circulation")
        .summary;
    assert_eq!(
        summary.reissued, 60,
        "issued again from the hall's holdings"
    );
    assert_eq!(
        summary.issued, 90,
        "only what the holdings did not cover is new"
    );
    assert_eq!(summary.redeemed, 120);
    assert_eq!(summary.retired, 0);

    // The hall receives more; a retry still answers what was recorded then.
    w.spend_at_the_partner(2, 60).await;
    assert_eq!(w.held(hall).await, 120);
    let retry = w
        .app
        .confirm_register(&w.coordinator, session, k, entries)
        .await
        .expect("retry");
    assert!(retry.replayed);
    assert_eq!(retry.contributions, recorded.contributions);
    let transfers = |r: &timecredits_app::activities::Recorded| {
        r.plan
            .outcomes
            .iter()
            .map(|o| o.transfer().clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(transfers(&retry), transfers(&recorded));
    assert_eq!(w.held(hall).await, 120, "a retry moves nothing");
    assert_eq!(w.balance(0).await, 60);
    assert_eq!(w.balance(1).await, 90);

    // A correction issues from the holdings too; its reversal returns the
    // old credits to whichever account issued them.
    let first = &recorded.contributions[0];
    let corrected = w
        .app
        .correct_contribution(&w.coordinator, first.id, key(), 30, "Left early")
        .await
        .expect("correct");
    assert_eq!(corrected.plan.outcomes[0].transfer().debit, hall);
    let reversal = corrected.plan.outcomes[1].transfer();
    assert_eq!(reversal.reverses, Some(first.transfer));
    assert_eq!(reversal.credit, hall);
    assert_eq!(w.held(hall).await, 120 - 30 + 60);
    assert_eq!(w.balance(0).await, 30);
    let second = &recorded.contributions[1];
    let corrected = w
        .app
        .correct_contribution(&w.coordinator, second.id, key(), 60, "Came late")
        .await
        .expect("correct");
    assert_eq!(corrected.plan.outcomes[0].transfer().debit, hall);
    assert_eq!(
        corrected.plan.outcomes[1].transfer().credit,
        issuance,
        "new credits issued in error are cancelled, not given to the hall"
    );
    assert_eq!(w.held(hall).await, 150 - 60);
    assert_eq!(w.balance(1).await, 60);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
    w.clock.set(period_start + Duration::minutes(2));
    let summary = w
        .app
        .circulation(&w.manager, w.programme.id, Some(period_start), None)
        .await
        .expect("circulation")
        .summary;
    assert_eq!(summary.issued, 0, "the 90 new credits were reversed");
    assert_eq!(summary.reissued, 30 + 60);
}

async fn the_rules_of_the_contributions_date_decide_where_credits_come_from(store: Arc<dyn Store>) {
    let w = world(store, 2).await;
    let hall = w.organisation.account;
    let issuance = w.programme.issuance_account;
    let activity = w.activity("Lunch club").await;
    w.partner_receipts_from(date(11), PartnerReceipts::KeepToReissue)
        .await;
    w.partner_receipts_from(date(12), PartnerReceipts::Retire)
        .await;
    w.clock.set(noon() + Duration::days(1));
    w.issue(1, 120).await;
    w.spend_at_the_partner(1, 120).await;
    assert_eq!(w.held(hall).await, 120);
    w.clock.set(noon() + Duration::days(2));
    // Given on the 12th, under Retire: new credits, whatever the hall holds.
    let retire = w
        .app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(12), 60))
        .await
        .expect("record");
    assert_eq!(retire.plan.outcomes[0].transfer().debit, issuance);
    assert_eq!(w.held(hall).await, 120);
    // Given on the 11th, when the hall kept what it received: from its holdings.
    let keep = w
        .app
        .record_contribution(&w.coordinator, key(), w.direct(activity, 0, date(11), 45))
        .await
        .expect("record");
    assert_eq!(keep.plan.outcomes[0].transfer().debit, hall);
    assert_eq!(w.held(hall).await, 75);
    // A claim dated the 11th, confirmed: from the holdings while they cover it.
    let claim = w
        .app
        .create_claim(
            w.member_actor(0),
            NewClaim {
                activity,
                date: date(11),
                minutes: 90,
                note: String::new(),
            },
        )
        .await
        .expect("claim");
    let confirmed = w
        .app
        .confirm_claim(&w.coordinator, claim.id, key())
        .await
        .expect("confirm");
    assert_eq!(
        confirmed.plan.outcomes[0].transfer().debit,
        issuance,
        "75 left does not cover 90, and a contribution is never split"
    );
    assert_eq!(w.held(hall).await, 75);
    assert_eq!(w.balance(0).await, 60 + 45 + 90);
    // An import of time given on the 11th: in the file's order, each row
    // from the holdings if they cover it whole (60 and 15; 30 does not fit
    // after 60, so it is new).
    let n = w.member(1).number.value();
    let csv = format!(
        "member_number,organisation,activity,date,minutes\n\
         {n},Village Hall,Lunch club,2026-03-11,60\n\
         {n},Village Hall,Lunch club,2026-03-11,30\n\
         {n},Village Hall,Lunch club,2026-03-11,15\n"
    );
    let import = |key: TransferId| ImportRequest {
        programme: w.programme.id,
        kind: ImportKind::Contributions,
        key,
        csv: csv.as_bytes(),
        dry_run: false,
    };
    let k = key();
    let report = w
        .app
        .import_csv(&w.manager, import(k), &|_| {})
        .await
        .expect("import");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.created, 3);
    assert_eq!(w.held(hall).await, 0);
    assert_eq!(w.balance(1).await, 105);
    // The hall receives more (a redemption on the 11th, kept); the import's
    // retry writes nothing new.
    w.clock.set(noon() + Duration::days(1) + Duration::hours(1));
    w.issue(0, 60).await;
    w.spend_at_the_partner(0, 60).await;
    w.clock.set(noon() + Duration::days(2));
    let again = w
        .app
        .import_csv(&w.manager, import(k), &|_| {})
        .await
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(w.held(hall).await, 60);
    assert_eq!(w.balance(1).await, 105);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

async fn concurrent_records_never_overdraw_the_partners_holdings(store: Arc<dyn Store>) {
    let w = Arc::new(world(store, 4).await);
    let hall = w.organisation.account;
    let activity = w.activity("Lunch club").await;
    w.partner_receipts_from(date(11), PartnerReceipts::KeepToReissue)
        .await;
    w.clock.set(noon() + Duration::days(1));
    w.issue(3, 150).await;
    w.spend_at_the_partner(3, 150).await;
    // Six one-hour records race against 150 minutes held: exactly two are
    // issued from the holdings, whatever the order; none is refused.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.app
                .record_contribution(
                    &w.coordinator,
                    key(),
                    w.direct(activity, i % 3, date(11), 60),
                )
                .await
                .expect("record")
        }));
    }
    let mut reissued = 0;
    for task in tasks {
        let recorded = task.await.expect("task");
        if recorded.plan.outcomes[0].transfer().debit == hall {
            reissued += 1;
        }
    }
    assert_eq!(reissued, 2);
    assert_eq!(w.held(hall).await, 30);
    assert_eq!(
        w.balance(0).await + w.balance(1).await + w.balance(2).await,
        360
    );
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

async fn what_staff_do_for_a_member_is_logged_as_proxy(store: Arc<dyn Store>) {
    let w = world(store, 2).await;
    let activity = w.activity("Lunch club").await;
    let session = w.session(activity, 10).await;
    let log = |i: usize| {
        let w = &w;
        async move {
            w.app
                .proxy_log(&w.manager, w.member(i).id, PageRequest::default())
                .await
                .expect("log")
                .items
                .into_iter()
                .map(|a| (a.action, a.actor))
                .collect::<Vec<_>>()
        }
    };
    // The member signing up in person is not proxy; the coordinator
    // signing up someone else is.
    w.app
        .sign_up(w.member_actor(0), session, None)
        .await
        .expect("in person");
    w.app
        .sign_up(&w.coordinator, session, Some(w.member(1).id))
        .await
        .expect("for member 1");
    assert_eq!(log(0).await, []);
    assert_eq!(log(1).await, [("sign_up".to_owned(), w.coordinator.user)]);

    // Acting for a member needs them to belong to the coordinator's
    // organisation; then a claim made for them names the coordinator.
    assert_eq!(
        code(
            w.app
                .act_for(&w.coordinator, w.member(0).id)
                .await
                .expect_err("not theirs")
        ),
        "not_found"
    );
    w.app
        .join_organisation(&w.manager, w.member(0).id, w.organisation.id)
        .await
        .expect("join");
    let as_member = w
        .app
        .act_for(&w.coordinator, w.member(0).id)
        .await
        .expect("act for");
    assert!(
        as_member.grants.is_empty(),
        "no staff powers while acting for someone"
    );
    let claim = w
        .app
        .create_claim(
            &as_member,
            NewClaim {
                activity,
                date: date(9),
                minutes: 60,
                note: "Paper form".into(),
            },
        )
        .await
        .expect("claim for her");
    assert_eq!(claim.member, w.member(0).id);
    assert_eq!(claim.claimed_by, w.coordinator.user);
    w.app
        .cancel_sign_up(&as_member, session, w.member(0).id)
        .await
        .expect("cancel for her");
    assert_eq!(
        log(0).await,
        [
            ("claim_hours".to_owned(), w.coordinator.user),
            ("cancel_sign_up".to_owned(), w.coordinator.user),
        ]
    );
    // A refused action is not logged.
    let refused = w
        .app
        .create_claim(
            &as_member,
            NewClaim {
                activity,
                date: date(9),
                minutes: 12 * 60,
                note: String::new(),
            },
        )
        .await
        .expect_err("over the cap");
    assert_eq!(code(refused), "daily_cap_exceeded");
    assert_eq!(log(0).await.len(), 2);
}
