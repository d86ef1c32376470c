//! The directory area on both backends: partners and their status, policy
//! and staff; members' registration, approval, profiles, organisations and
//! proxy log; who may do what; and that refusals leave nothing behind.

use std::sync::Arc;

use timecredits_app::directory::{
    ContactInput, NewPartner, NewStaff, OnBehalfRegistration, PageRequest, PartnerFilter,
    PartnerUpdate, ProfileUpdate, SelfRegistrationRequest,
};
use timecredits_app::{
    Actor, App, AppError, FixedClock, NewProgramme, Programme, Role, Scope, Store, fixtures,
};
use timecredits_conformance::{on_both_backends, t};
use timecredits_domain::directory::{
    EarnPolicy, HoursConfirmedBy, MemberStatus, OrganisationKind, OrganisationStatus,
    SelfRegistration,
};
use timecredits_ledger::{ActorId, Minutes, Movement, PostingRequest, TransferId, TransferKind};
use uuid::Uuid;

on_both_backends!(
    partners_are_created_listed_updated_and_filtered,
    suspension_is_recorded_and_stops_spending,
    earn_policy_is_stored_within_the_programme_rules,
    staff_are_added_listed_and_removed,
    coordinators_register_members_into_their_organisation,
    self_registration_waits_for_approval_and_keeps_declines,
    closed_and_open_self_registration,
    profiles_are_private_and_staff_edits_are_proxied,
    memberships_join_and_leave_once,
    proxy_actions_are_logged_for_the_member_and_managers,
    nothing_crosses_programmes,
    pages_follow_the_cursor,
);

struct World {
    app: App,
    clock: Arc<FixedClock>,
    admin: Actor,
    programme: Programme,
    manager: Actor,
}

fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.org", Uuid::now_v7().simple())
}

async fn world(store: Arc<dyn Store>) -> World {
    let clock = Arc::new(FixedClock::new(t(0)));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator(&unique_email("admin"), "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let programme = programme(&app, &admin, "Exampleton").await;
    let manager = staff(
        &app,
        &admin,
        Role::ProgrammeManager,
        Scope::Programme(programme.id),
    )
    .await;
    World {
        app,
        clock,
        admin,
        programme,
        manager,
    }
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

async fn staff(app: &App, by: &Actor, role: Role, scope: Scope) -> Actor {
    let user = app
        .create_staff(
            by,
            &unique_email(role.as_str()),
            "Staff Person",
            "a long staff password",
            role,
            scope,
        )
        .await
        .expect("staff");
    app.actor(user.id).await.expect("actor")
}

fn partner(programme: &Programme, name: &str, roles: &str) -> NewPartner {
    NewPartner {
        programme: programme.id,
        name: name.into(),
        kind: "community_group".into(),
        postcode: Some("pe15 8aa".into()),
        contacts: vec![ContactInput {
            name: "Sam Smith".into(),
            email: Some("Sam@Example.org".into()),
            phone: None,
        }],
        roles: roles.into(),
    }
}

fn on_behalf(programme: &Programme, name: &str) -> OnBehalfRegistration {
    OnBehalfRegistration {
        programme: programme.id,
        display_name: name.into(),
        pin: None,
        number: None,
        organisation: None,
        language: None,
        email: None,
        phone: None,
    }
}

fn self_reg(programme: &Programme, name: &str) -> SelfRegistrationRequest {
    SelfRegistrationRequest {
        programme: programme.id,
        display_name: name.into(),
        pin: Some("4071".into()),
        email: None,
        password: None,
        language: Some("pl".into()),
        organisation: None,
    }
}

#[track_caller]
fn code<T: std::fmt::Debug>(r: Result<T, AppError>) -> &'static str {
    r.expect_err("should be refused").code()
}

async fn partners_are_created_listed_updated_and_filtered(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Village Hall", "earn"))
        .await
        .expect("hall");
    assert_eq!(
        hall.details.postcode.as_ref().expect("postcode").as_str(),
        "PE15 8AA"
    );
    assert_eq!(hall.details.kind, OrganisationKind::CommunityGroup);
    assert_eq!(
        hall.details.contacts[0].email.as_deref(),
        Some("sam@example.org")
    );
    let pool = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Swimming Pool", "spend"))
        .await
        .expect("pool");
    // An organisation made the old way has the defaults: both roles, active.
    let old = w
        .app
        .create_organisation(
            &w.manager,
            timecredits_app::NewOrganisation {
                programme: w.programme.id,
                name: "Library".into(),
            },
        )
        .await
        .expect("old way");
    let got = w
        .app
        .partner(&w.manager, hall.organisation.id)
        .await
        .expect("get");
    assert_eq!(got, hall);

    let all = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            PartnerFilter::default(),
            PageRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(all.items.len(), 3);
    let earn = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            PartnerFilter {
                earn: true,
                ..PartnerFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .expect("earn");
    let names: Vec<_> = earn
        .items
        .iter()
        .map(|p| p.organisation.name.as_str())
        .collect();
    assert_eq!(names, ["Village Hall", "Library"]);
    let spend = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            PartnerFilter {
                spend: true,
                ..PartnerFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .expect("spend");
    assert_eq!(spend.items.len(), 2);
    assert!(
        spend
            .items
            .iter()
            .any(|p| p.organisation.id == pool.organisation.id)
    );
    assert!(spend.items.iter().any(|p| p.organisation.id == old.id));

    let updated = w
        .app
        .update_partner(
            &w.manager,
            hall.organisation.id,
            PartnerUpdate {
                name: Some("Village Hall Trust".into()),
                kind: Some("arts_and_culture".into()),
                postcode: Some(None),
                contacts: Some(vec![]),
                roles: Some("both".into()),
            },
        )
        .await
        .expect("update");
    let got = w
        .app
        .partner(&w.manager, hall.organisation.id)
        .await
        .expect("get");
    assert_eq!(got, updated);
    assert_eq!(got.organisation.name, "Village Hall Trust");
    assert_eq!(got.details.kind, OrganisationKind::ArtsAndCulture);
    assert!(got.details.postcode.is_none() && got.details.contacts.is_empty());

    // Named refusals, and nothing half-written after them.
    let mut bad = partner(&w.programme, "Bad", "earn");
    bad.postcode = Some("not a postcode".into());
    assert_eq!(
        code(w.app.create_partner(&w.manager, bad).await),
        "postcode_invalid"
    );
    let mut bad = partner(&w.programme, "Bad", "earn");
    bad.kind = "pub".into();
    assert_eq!(
        code(w.app.create_partner(&w.manager, bad).await),
        "organisation_kind_unknown"
    );
    let mut bad = partner(&w.programme, "Bad", "neither");
    bad.roles = "neither".into();
    assert_eq!(
        code(w.app.create_partner(&w.manager, bad).await),
        "partner_roles_unknown"
    );
    let mut bad = partner(&w.programme, "Bad", "earn");
    bad.contacts[0].email = None;
    assert_eq!(
        code(w.app.create_partner(&w.manager, bad).await),
        "contact_unreachable"
    );
    assert_eq!(
        code(
            w.app
                .update_partner(
                    &w.manager,
                    hall.organisation.id,
                    PartnerUpdate {
                        name: Some("New".into()),
                        postcode: Some(Some("x".into())),
                        ..PartnerUpdate::default()
                    }
                )
                .await
        ),
        "postcode_invalid"
    );
    let after = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            PartnerFilter::default(),
            PageRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(after.items.len(), 3);
    assert!(
        after
            .items
            .iter()
            .all(|p| p.organisation.name != "Bad" && p.organisation.name != "New")
    );

    // A coordinator may update details but not the roles; others may not create.
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(hall.organisation.id),
    )
    .await;
    w.app
        .update_partner(
            &coordinator,
            hall.organisation.id,
            PartnerUpdate {
                postcode: Some(Some("SW1A 1AA".into())),
                ..PartnerUpdate::default()
            },
        )
        .await
        .expect("coordinator updates");
    assert_eq!(
        code(
            w.app
                .update_partner(
                    &coordinator,
                    hall.organisation.id,
                    PartnerUpdate {
                        roles: Some("spend".into()),
                        ..PartnerUpdate::default()
                    }
                )
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .update_partner(&coordinator, pool.organisation.id, PartnerUpdate::default())
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .create_partner(&coordinator, partner(&w.programme, "X", "earn"))
                .await
        ),
        "forbidden"
    );
    // Contacts are for the organisation's staff and the programme team only.
    let seen = w
        .app
        .partner(&coordinator, pool.organisation.id)
        .await
        .expect("visible");
    assert!(seen.details.contacts.is_empty());
}

async fn suspension_is_recorded_and_stops_spending(store: Arc<dyn Store>) {
    let w = world(store).await;
    let pool = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Pool", "spend"))
        .await
        .expect("pool");
    let org = pool.organisation.id;
    let member = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Alice"))
        .await
        .expect("alice")
        .member;
    fixtures::seed_credits(&w.app, member.id, 120)
        .await
        .expect("issue");
    assert!(w.app.organisation_is_active(org).await.expect("active"));
    w.app
        .check_organisation_may_spend(org)
        .await
        .expect("may spend");
    assert_eq!(
        code(w.app.check_organisation_may_earn(org).await),
        "not_an_earn_partner"
    );

    let suspended = w
        .app
        .suspend_partner(&w.manager, org, Some("safeguarding review".into()))
        .await
        .expect("suspend");
    assert_eq!(suspended.details.status, OrganisationStatus::Suspended);
    let change = suspended.details.status_change.expect("who and when");
    assert_eq!(
        (change.by, change.at, change.reason.as_deref()),
        (w.manager.user, t(0), Some("safeguarding review"))
    );
    assert!(!w.app.organisation_is_active(org).await.expect("read"));
    assert_eq!(
        code(w.app.check_organisation_may_spend(org).await),
        "organisation_suspended"
    );
    assert_eq!(
        code(w.app.suspend_partner(&w.manager, org, None).await),
        "organisation_already_suspended"
    );
    // The ledger refuses a redemption at a suspended partner too.
    let pool_account = pool.organisation.account;
    let redeem = || {
        w.app.store().post(
            vec![PostingRequest {
                id: TransferId(Uuid::now_v7()),
                movement: Movement::Move {
                    kind: TransferKind::Redeem,
                    debit: member.account,
                    credit: pool_account,
                    amount: Minutes::for_transfer(60).expect("amount"),
                },
                actor: ActorId(w.manager.user.0),
                reason: "swim".into(),
                cause: None,
            }],
            t(0),
        )
    };
    assert_eq!(
        code(redeem().await.map_err(AppError::from)),
        "account_closed"
    );
    // Filtered lists see the status.
    let suspended_list = w
        .app
        .partners(
            &w.manager,
            w.programme.id,
            PartnerFilter {
                status: Some(OrganisationStatus::Suspended),
                ..PartnerFilter::default()
            },
            PageRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(suspended_list.items.len(), 1);

    // Only managers suspend and reactivate.
    let desk = staff(
        &w.app,
        &w.manager,
        Role::SpendStaff,
        Scope::Organisation(org),
    )
    .await;
    assert_eq!(
        code(w.app.reactivate_partner(&desk, org).await),
        "forbidden"
    );
    w.app
        .reactivate_partner(&w.manager, org)
        .await
        .expect("reactivate");
    assert_eq!(
        code(w.app.reactivate_partner(&w.manager, org).await),
        "organisation_already_active"
    );
    redeem().await.expect("spend again");
}

async fn earn_policy_is_stored_within_the_programme_rules(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let pool = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Pool", "spend"))
        .await
        .expect("pool");
    let org = hall.organisation.id;
    assert_eq!(
        w.app.earn_policy(org).await.expect("default"),
        EarnPolicy::default()
    );
    let strict = EarnPolicy {
        members_may_claim: false,
        hours_confirmed_by: HoursConfirmedBy::ProgrammeTeam,
    };
    w.app
        .set_earn_policy(&w.manager, org, strict)
        .await
        .expect("manager sets");
    assert_eq!(w.app.earn_policy(org).await.expect("stored"), strict);
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(org),
    )
    .await;
    w.app
        .set_earn_policy(&coordinator, org, EarnPolicy::default())
        .await
        .expect("coordinator sets");
    assert_eq!(
        w.app.earn_policy(org).await.expect("stored"),
        EarnPolicy::default()
    );
    assert_eq!(
        code(
            w.app
                .set_earn_policy(&coordinator, pool.organisation.id, strict)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .set_earn_policy(&w.manager, pool.organisation.id, strict)
                .await
        ),
        "not_an_earn_partner"
    );

    // From tomorrow the programme stops claims: a partner cannot allow them.
    let today = w.app.programme_today(&w.programme);
    let mut rules = w
        .app
        .rules_in_force(w.programme.id, today)
        .await
        .expect("rules");
    rules.members_may_claim = false;
    let tomorrow = today.succ_opt().expect("a next day");
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            timecredits_domain::rules::RuleVersion {
                effective_from: tomorrow,
                rules,
            },
        )
        .await
        .expect("rules change");
    w.clock.set(t(2 * 86_400));
    assert_eq!(
        code(
            w.app
                .set_earn_policy(&w.manager, org, EarnPolicy::default())
                .await
        ),
        "policy_looser_than_programme"
    );
    assert_eq!(
        w.app.earn_policy(org).await.expect("unchanged"),
        EarnPolicy::default()
    );
    w.app
        .set_earn_policy(&w.manager, org, strict)
        .await
        .expect("stricter is fine");
    assert_eq!(w.app.earn_policy(org).await.expect("stored"), strict);
}

async fn staff_are_added_listed_and_removed(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "both"))
        .await
        .expect("hall");
    let org = hall.organisation.id;
    let email = unique_email("casey");
    let new = |role| NewStaff {
        email: email.clone(),
        display_name: Some("Casey".into()),
        password: Some("a long enough password".into()),
        role,
    };
    let casey = w
        .app
        .add_staff(&w.manager, org, new(Role::Coordinator))
        .await
        .expect("new sign-in");
    // The same person gets a second role by email alone.
    w.app
        .add_staff(
            &w.manager,
            org,
            NewStaff {
                email: email.to_uppercase(),
                display_name: None,
                password: None,
                role: Role::SpendStaff,
            },
        )
        .await
        .expect("existing sign-in");
    let actor = w.app.actor(casey.user).await.expect("actor");
    assert!(actor.coordinates(org) && actor.serves_desk(org));
    let list = w.app.staff(&actor, org).await.expect("coordinator lists");
    assert_eq!(list.len(), 2);

    assert_eq!(
        code(
            w.app
                .add_staff(
                    &w.manager,
                    org,
                    NewStaff {
                        email: unique_email("x"),
                        display_name: None,
                        password: None,
                        role: Role::Coordinator
                    }
                )
                .await
        ),
        "staff_sign_in_needed"
    );
    assert_eq!(
        code(
            w.app
                .add_staff(&w.manager, org, new(Role::ProgrammeManager))
                .await
        ),
        "staff_role_invalid"
    );
    assert_eq!(
        code(w.app.add_staff(&actor, org, new(Role::Coordinator)).await),
        "forbidden"
    );

    w.app
        .remove_staff(&w.manager, org, casey.user, Role::SpendStaff)
        .await
        .expect("remove");
    assert_eq!(
        code(
            w.app
                .remove_staff(&w.manager, org, casey.user, Role::SpendStaff)
                .await
        ),
        "not_found"
    );
    let actor = w.app.actor(casey.user).await.expect("actor");
    assert!(actor.coordinates(org) && !actor.serves_desk(org));
    assert_eq!(w.app.staff(&w.manager, org).await.expect("list").len(), 1);
    let member = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Alice"))
        .await
        .expect("m");
    let _ = member;
    let outsider = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(
            w.app
                .create_partner(&w.manager, partner(&w.programme, "Other", "earn"))
                .await
                .expect("other")
                .organisation
                .id,
        ),
    )
    .await;
    assert_eq!(code(w.app.staff(&outsider, org).await), "forbidden");
}

async fn coordinators_register_members_into_their_organisation(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let other = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Other", "earn"))
        .await
        .expect("other");
    let org = hall.organisation.id;
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(org),
    )
    .await;
    let mut new = on_behalf(&w.programme, "Bea");
    new.organisation = Some(org);
    new.language = Some("PL".into());
    new.phone = Some("01234 567890".into());
    let bea = w
        .app
        .register_on_behalf(&coordinator, new.clone())
        .await
        .expect("bea");
    assert_eq!(bea.registration.status, MemberStatus::Active);
    assert_eq!(bea.registration.registered_by, Some(coordinator.user));
    let links = w
        .app
        .member_organisations(&coordinator, bea.member.id)
        .await
        .expect("links");
    assert_eq!(
        links.iter().map(|l| l.organisation).collect::<Vec<_>>(),
        [org]
    );
    let (_, status, profile) = w
        .app
        .member_profile(&coordinator, bea.member.id)
        .await
        .expect("profile");
    assert_eq!(
        (status, profile.language.as_str(), profile.phone.as_deref()),
        (MemberStatus::Active, "pl", Some("01234 567890"))
    );
    let members = w
        .app
        .organisation_members(&coordinator, org, PageRequest::default())
        .await
        .expect("members");
    assert_eq!(members.items.len(), 1);
    assert_eq!(members.items[0].0.id, bea.member.id);

    // Not without an organisation, not for someone else's, not while suspended.
    let mut bad = new.clone();
    bad.organisation = None;
    assert_eq!(
        code(w.app.register_on_behalf(&coordinator, bad).await),
        "forbidden"
    );
    let mut bad = new.clone();
    bad.organisation = Some(other.organisation.id);
    assert_eq!(
        code(w.app.register_on_behalf(&coordinator, bad).await),
        "forbidden"
    );
    let mut bad = new.clone();
    bad.language = Some("klingon".into());
    assert_eq!(
        code(w.app.register_on_behalf(&coordinator, bad).await),
        "language_invalid"
    );
    w.app
        .suspend_partner(&w.manager, org, None)
        .await
        .expect("suspend");
    assert_eq!(
        code(w.app.register_on_behalf(&coordinator, new).await),
        "organisation_suspended"
    );
    let members = w
        .app
        .members_of_programme_count(&w.manager, w.programme.id)
        .await;
    assert_eq!(members, 1, "refusals register nobody");
}

async fn self_registration_waits_for_approval_and_keeps_declines(store: Arc<dyn Store>) {
    let w = world(store).await;
    // The default setting: needs approval.
    let dana = w
        .app
        .self_register(self_reg(&w.programme, "Dana"))
        .await
        .expect("dana");
    assert_eq!(dana.registration.status, MemberStatus::Pending);
    assert!(dana.member.user.is_some());
    assert_eq!(
        code(w.app.check_member_may_take_part(dana.member.id).await),
        "member_pending_approval"
    );
    // A pending member's account takes no credits.
    assert_eq!(
        code(fixtures::seed_credits(&w.app, dana.member.id, 60).await),
        "account_closed"
    );
    // They can sign in with their number and PIN and see themselves.
    let user = w
        .app
        .authenticate(&dana.member.number.value().to_string(), "4071")
        .await
        .expect("sign in");
    let me = w.app.actor(user.id).await.expect("actor");
    let (_, status, profile) = w
        .app
        .member_profile(&me, dana.member.id)
        .await
        .expect("own profile");
    assert_eq!(
        (status, profile.language.as_str()),
        (MemberStatus::Pending, "pl")
    );

    let mut eve = self_reg(&w.programme, "Eve");
    eve.pin = None;
    eve.email = Some(unique_email("eve"));
    eve.password = Some("a long enough password".into());
    let eve = w.app.self_register(eve).await.expect("eve");

    let pending = w
        .app
        .pending_registrations(&w.manager, w.programme.id, None, PageRequest::default())
        .await
        .expect("pending");
    assert_eq!(
        pending.items.iter().map(|(m, _)| m.id).collect::<Vec<_>>(),
        [dana.member.id, eve.member.id]
    );
    assert_eq!(
        code(
            w.app
                .pending_registrations(&me, w.programme.id, None, PageRequest::default())
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(w.app.approve_registration(&me, dana.member.id).await),
        "forbidden"
    );

    let approved = w
        .app
        .approve_registration(&w.manager, dana.member.id)
        .await
        .expect("approve");
    assert_eq!(approved.status, MemberStatus::Active);
    assert_eq!(
        approved.decision.as_ref().map(|d| d.by),
        Some(w.manager.user)
    );
    w.app
        .check_member_may_take_part(dana.member.id)
        .await
        .expect("may take part");
    fixtures::seed_credits(&w.app, dana.member.id, 60)
        .await
        .expect("issue now");
    assert_eq!(
        code(w.app.approve_registration(&w.manager, dana.member.id).await),
        "registration_already_decided"
    );

    assert_eq!(
        code(
            w.app
                .decline_registration(&w.manager, eve.member.id, "  ")
                .await
        ),
        "decline_reason_required"
    );
    let declined = w
        .app
        .decline_registration(&w.manager, eve.member.id, "registered twice")
        .await
        .expect("decline");
    assert_eq!(declined.status, MemberStatus::Declined);
    let kept = w
        .app
        .store()
        .registration(eve.member.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        kept.decision.and_then(|d| d.decline_reason).as_deref(),
        Some("registered twice")
    );
    assert_eq!(
        code(w.app.approve_registration(&w.manager, eve.member.id).await),
        "registration_already_decided"
    );
    assert_eq!(
        code(w.app.check_member_may_take_part(eve.member.id).await),
        "member_declined"
    );
    assert!(
        w.app
            .pending_registrations(&w.manager, w.programme.id, None, PageRequest::default())
            .await
            .expect("none")
            .items
            .is_empty()
    );

    // A coordinator approves those who came through their organisation.
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(hall.organisation.id),
    )
    .await;
    let mut fay = self_reg(&w.programme, "Fay");
    fay.organisation = Some(hall.organisation.id);
    let fay = w.app.self_register(fay).await.expect("fay");
    let gus = w
        .app
        .self_register(self_reg(&w.programme, "Gus"))
        .await
        .expect("gus");
    let theirs = w
        .app
        .pending_registrations(
            &coordinator,
            w.programme.id,
            Some(hall.organisation.id),
            PageRequest::default(),
        )
        .await
        .expect("theirs");
    assert_eq!(
        theirs.items.iter().map(|(m, _)| m.id).collect::<Vec<_>>(),
        [fay.member.id]
    );
    assert_eq!(
        code(
            w.app
                .pending_registrations(&coordinator, w.programme.id, None, PageRequest::default())
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .approve_registration(&coordinator, gus.member.id)
                .await
        ),
        "forbidden"
    );
    w.app
        .approve_registration(&coordinator, fay.member.id)
        .await
        .expect("coordinator approves");

    // Refused registrations write nothing; a taken email is named.
    let before = w
        .app
        .members_of_programme_count(&w.manager, w.programme.id)
        .await;
    let mut bad = self_reg(&w.programme, "Hal");
    bad.pin = Some("1234".into());
    assert_eq!(code(w.app.self_register(bad).await), "pin_too_easy");
    let mut bad = self_reg(&w.programme, "Hal");
    bad.email = Some(unique_email("both"));
    assert_eq!(
        code(w.app.self_register(bad).await),
        "sign_in_choice_invalid"
    );
    let mut bad = self_reg(&w.programme, "");
    bad.display_name = "\u{7}".into();
    assert_eq!(code(w.app.self_register(bad).await), "display_name_invalid");
    let mut taken = self_reg(&w.programme, "Ivy");
    taken.pin = None;
    taken.email = w
        .app
        .store()
        .user(eve.member.user.expect("eve signs in"))
        .await
        .expect("user")
        .expect("eve")
        .email;
    taken.password = Some("a long enough password".into());
    assert_eq!(
        code(w.app.self_register(taken).await),
        "email_already_registered"
    );
    assert_eq!(
        w.app
            .members_of_programme_count(&w.manager, w.programme.id)
            .await,
        before
    );
}

async fn closed_and_open_self_registration(store: Arc<dyn Store>) {
    let w = world(store).await;
    assert_eq!(
        w.app
            .directory_settings(w.programme.id)
            .await
            .expect("default")
            .self_registration,
        SelfRegistration::NeedsApproval
    );
    w.app
        .set_self_registration(&w.manager, w.programme.id, SelfRegistration::Closed)
        .await
        .expect("close");
    assert_eq!(
        code(w.app.self_register(self_reg(&w.programme, "Jo")).await),
        "self_registration_closed"
    );
    w.app
        .set_self_registration(&w.manager, w.programme.id, SelfRegistration::Open)
        .await
        .expect("open");
    let jo = w
        .app
        .self_register(self_reg(&w.programme, "Jo"))
        .await
        .expect("jo");
    assert_eq!(jo.registration.status, MemberStatus::Active);
    w.app
        .check_member_may_take_part(jo.member.id)
        .await
        .expect("takes part");
    let jo_user = w
        .app
        .actor(jo.member.user.expect("user"))
        .await
        .expect("actor");
    assert_eq!(
        code(
            w.app
                .set_self_registration(&jo_user, w.programme.id, SelfRegistration::Closed)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .set_self_registration(&w.admin, w.programme.id, SelfRegistration::Closed)
                .await
        ),
        "forbidden"
    );
}

async fn profiles_are_private_and_staff_edits_are_proxied(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let other = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Other", "earn"))
        .await
        .expect("other");
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(hall.organisation.id),
    )
    .await;
    let stranger = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(other.organisation.id),
    )
    .await;
    w.app
        .set_self_registration(&w.manager, w.programme.id, SelfRegistration::Open)
        .await
        .expect("open");
    let kim = w
        .app
        .self_register(self_reg(&w.programme, "Kim"))
        .await
        .expect("kim");
    let me = w
        .app
        .actor(kim.member.user.expect("user"))
        .await
        .expect("me");
    let lee = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Lee"))
        .await
        .expect("lee");

    let update = ProfileUpdate {
        skills: Some(vec!["other".into(), "cooking_and_food".into()]),
        skills_text: Some("Polish cooking".into()),
        interests: Some(vec!["gardening_and_outdoors".into()]),
        phone: Some(Some("07700 900123".into())),
        ..ProfileUpdate::default()
    };
    let p = w
        .app
        .update_member_profile(&me, kim.member.id, update)
        .await
        .expect("own update");
    assert_eq!(p.skills, ["cooking_and_food", "other"]);
    let (_, _, stored) = w
        .app
        .member_profile(&me, kim.member.id)
        .await
        .expect("read");
    assert_eq!(stored, p);
    assert!(
        w.app
            .proxy_log(&me, kim.member.id, PageRequest::default())
            .await
            .expect("log")
            .items
            .is_empty()
    );

    // Members see only themselves; coordinators only their members.
    assert_eq!(
        code(w.app.member_profile(&me, lee.member.id).await),
        "not_found"
    );
    assert_eq!(
        code(w.app.member_profile(&coordinator, kim.member.id).await),
        "not_found"
    );
    w.app
        .join_organisation(&coordinator, kim.member.id, hall.organisation.id)
        .await
        .expect("join");
    w.app
        .member_profile(&coordinator, kim.member.id)
        .await
        .expect("now visible");
    assert_eq!(
        code(w.app.member_profile(&stranger, kim.member.id).await),
        "not_found"
    );

    // A coordinator's edit is recorded as proxy, naming both people.
    w.app
        .update_member_profile(
            &coordinator,
            kim.member.id,
            ProfileUpdate {
                language: Some("en".into()),
                ..ProfileUpdate::default()
            },
        )
        .await
        .expect("proxy edit");
    let log = w
        .app
        .proxy_log(&me, kim.member.id, PageRequest::default())
        .await
        .expect("log");
    assert_eq!(log.items.len(), 1);
    assert_eq!(
        (
            log.items[0].actor,
            log.items[0].member,
            log.items[0].action.as_str()
        ),
        (coordinator.user, kim.member.id, "update_profile")
    );

    // Bad values are refused whole.
    let bad = ProfileUpdate {
        language: Some("fr".into()),
        skills: Some(vec!["juggling".into()]),
        ..ProfileUpdate::default()
    };
    assert_eq!(
        code(w.app.update_member_profile(&me, kim.member.id, bad).await),
        "skill_category_unknown"
    );
    let (_, _, after) = w
        .app
        .member_profile(&me, kim.member.id)
        .await
        .expect("read");
    assert_eq!(after.language.as_str(), "en");
    assert_eq!(
        code(
            w.app
                .update_member_profile(
                    &me,
                    kim.member.id,
                    ProfileUpdate {
                        phone: Some(Some("call me".into())),
                        ..ProfileUpdate::default()
                    }
                )
                .await
        ),
        "phone_invalid"
    );
    assert_eq!(
        code(
            w.app
                .update_member_profile(&stranger, kim.member.id, ProfileUpdate::default())
                .await
        ),
        "not_found"
    );
}

async fn memberships_join_and_leave_once(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let other = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Other", "earn"))
        .await
        .expect("other");
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(hall.organisation.id),
    )
    .await;
    let mo = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Mo"))
        .await
        .expect("mo")
        .member;
    w.app
        .join_organisation(&coordinator, mo.id, hall.organisation.id)
        .await
        .expect("join");
    assert_eq!(
        code(
            w.app
                .join_organisation(&coordinator, mo.id, hall.organisation.id)
                .await
        ),
        "already_a_member"
    );
    assert_eq!(
        code(
            w.app
                .join_organisation(&coordinator, mo.id, other.organisation.id)
                .await
        ),
        "forbidden"
    );
    w.app
        .join_organisation(&w.manager, mo.id, other.organisation.id)
        .await
        .expect("manager joins");
    // A coordinator sees only the link to their own organisation.
    assert_eq!(
        w.app
            .member_organisations(&coordinator, mo.id)
            .await
            .expect("links")
            .len(),
        1
    );
    assert_eq!(
        w.app
            .member_organisations(&w.manager, mo.id)
            .await
            .expect("links")
            .len(),
        2
    );
    w.app
        .leave_organisation(&coordinator, mo.id, hall.organisation.id)
        .await
        .expect("leave");
    assert_eq!(
        code(
            w.app
                .leave_organisation(&coordinator, mo.id, hall.organisation.id)
                .await
        ),
        "not_a_member"
    );
    assert!(
        w.app
            .organisation_members(&coordinator, hall.organisation.id, PageRequest::default())
            .await
            .expect("list")
            .items
            .is_empty()
    );
    // Joining again after leaving is a new link.
    w.app
        .join_organisation(&coordinator, mo.id, hall.organisation.id)
        .await
        .expect("rejoin");
    w.app
        .suspend_partner(&w.manager, other.organisation.id, None)
        .await
        .expect("suspend");
    w.app
        .leave_organisation(&w.manager, mo.id, other.organisation.id)
        .await
        .expect("leave other");
    assert_eq!(
        code(
            w.app
                .join_organisation(&w.manager, mo.id, other.organisation.id)
                .await
        ),
        "organisation_suspended"
    );

    // Concurrent joins: exactly one wins.
    let nia = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Nia"))
        .await
        .expect("nia")
        .member;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, manager, org) = (w.app.clone(), w.manager.clone(), hall.organisation.id);
            tokio::spawn(async move { app.join_organisation(&manager, nia.id, org).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.code(), "already_a_member"),
        }
    }
    assert_eq!(won, 1);
}

async fn proxy_actions_are_logged_for_the_member_and_managers(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let coordinator = staff(
        &w.app,
        &w.manager,
        Role::Coordinator,
        Scope::Organisation(hall.organisation.id),
    )
    .await;
    let mut new = on_behalf(&w.programme, "Oli");
    new.organisation = Some(hall.organisation.id);
    new.pin = Some("1234".into());
    let oli = w
        .app
        .register_on_behalf(&coordinator, new)
        .await
        .expect("oli")
        .member;
    let pat = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Pat"))
        .await
        .expect("pat")
        .member;

    assert!(w.app.may_act_for(&coordinator, oli.id).await.expect("may"));
    assert!(
        !w.app
            .may_act_for(&coordinator, pat.id)
            .await
            .expect("may not")
    );
    let a = w
        .app
        .record_proxy(&coordinator, oli.id, "claim_hours")
        .await
        .expect("record");
    assert_eq!((a.actor, a.member, a.at), (coordinator.user, oli.id, t(0)));
    w.app
        .record_proxy(&w.manager, oli.id, "redeem_offer")
        .await
        .expect("manager records");
    assert_eq!(
        code(
            w.app
                .record_proxy(&coordinator, pat.id, "claim_hours")
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .record_proxy(&coordinator, oli.id, "Claim Hours")
                .await
        ),
        "proxy_action_invalid"
    );
    // A suspended organisation's coordinators may not act for its members.
    w.app
        .suspend_partner(&w.manager, hall.organisation.id, None)
        .await
        .expect("suspend");
    assert_eq!(
        code(
            w.app
                .record_proxy(&coordinator, oli.id, "claim_hours")
                .await
        ),
        "not_found"
    );

    let me = w.app.actor(oli.user.expect("user")).await.expect("me");
    let log = w
        .app
        .proxy_log(&me, oli.id, PageRequest::default())
        .await
        .expect("own log");
    assert_eq!(
        log.items
            .iter()
            .map(|a| a.action.as_str())
            .collect::<Vec<_>>(),
        ["claim_hours", "redeem_offer"]
    );
    assert_eq!(
        w.app
            .proxy_log(&w.manager, oli.id, PageRequest::default())
            .await
            .expect("manager")
            .items
            .len(),
        2
    );
    w.app
        .reactivate_partner(&w.manager, hall.organisation.id)
        .await
        .expect("reactivate");
    assert_eq!(
        code(
            w.app
                .proxy_log(&coordinator, oli.id, PageRequest::default())
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(w.app.proxy_log(&me, pat.id, PageRequest::default()).await),
        "not_found"
    );
}

async fn nothing_crosses_programmes(store: Arc<dyn Store>) {
    let w = world(store).await;
    let elsewhere = programme(&w.app, &w.admin, "Elsewhere").await;
    let their_manager = staff(
        &w.app,
        &w.admin,
        Role::ProgrammeManager,
        Scope::Programme(elsewhere.id),
    )
    .await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    let theirs = w
        .app
        .create_partner(&their_manager, partner(&elsewhere, "Their Hall", "earn"))
        .await
        .expect("theirs");
    let member = w
        .app
        .register_on_behalf(&w.manager, on_behalf(&w.programme, "Quin"))
        .await
        .expect("quin")
        .member;

    assert_eq!(
        code(w.app.partner(&their_manager, hall.organisation.id).await),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .partners(
                    &their_manager,
                    w.programme.id,
                    PartnerFilter::default(),
                    PageRequest::default()
                )
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .create_partner(&their_manager, partner(&w.programme, "X", "earn"))
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .suspend_partner(&their_manager, hall.organisation.id, None)
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(w.app.member_profile(&their_manager, member.id).await),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .proxy_log(&their_manager, member.id, PageRequest::default())
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .record_proxy(&their_manager, member.id, "claim_hours")
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .join_organisation(&w.manager, member.id, theirs.organisation.id)
                .await
        ),
        "not_found"
    );
    assert_eq!(
        code(w.app.staff(&their_manager, hall.organisation.id).await),
        "not_found"
    );
    let mut new = on_behalf(&w.programme, "Rae");
    new.organisation = Some(theirs.organisation.id);
    assert_eq!(
        code(w.app.register_on_behalf(&their_manager, new).await),
        "not_found"
    );
    let mut reg = self_reg(&w.programme, "Sid");
    reg.organisation = Some(theirs.organisation.id);
    assert_eq!(code(w.app.self_register(reg).await), "not_found");
}

async fn pages_follow_the_cursor(store: Arc<dyn Store>) {
    let w = world(store).await;
    let hall = w
        .app
        .create_partner(&w.manager, partner(&w.programme, "Hall", "earn"))
        .await
        .expect("hall");
    for i in 0..5 {
        let mut new = on_behalf(&w.programme, &format!("Member {i}"));
        new.organisation = Some(hall.organisation.id);
        w.app
            .register_on_behalf(&w.manager, new)
            .await
            .expect("member");
        w.app
            .create_partner(
                &w.manager,
                partner(&w.programme, &format!("Partner {i}"), "spend"),
            )
            .await
            .expect("partner");
    }
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = w
            .app
            .organisation_members(
                &w.manager,
                hall.organisation.id,
                PageRequest { after, limit: 2 },
            )
            .await
            .expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|(m, _)| m.id));
        match page.next_cursor {
            Some(c) => after = Some(c.parse().expect("uuid cursor")),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);

    let mut partners = 0;
    let mut after = None;
    loop {
        let page = w
            .app
            .partners(
                &w.manager,
                w.programme.id,
                PartnerFilter {
                    spend: true,
                    ..PartnerFilter::default()
                },
                PageRequest { after, limit: 3 },
            )
            .await
            .expect("page");
        partners += page.items.len();
        match page.next_cursor {
            Some(c) => after = Some(c.parse().expect("uuid cursor")),
            None => break,
        }
    }
    assert_eq!(partners, 5);
}

/// How many members the programme has (for "nothing was written" checks).
trait CountMembers {
    async fn members_of_programme_count(
        &self,
        manager: &Actor,
        programme: timecredits_ledger::ProgrammeId,
    ) -> usize;
}

impl CountMembers for App {
    async fn members_of_programme_count(
        &self,
        _manager: &Actor,
        programme: timecredits_ledger::ProgrammeId,
    ) -> usize {
        self.store()
            .members(programme)
            .await
            .expect("members")
            .len()
    }
}
