//! The areas respect each other's rules, on both backends: a suspended
//! partner neither earns nor spends, and a member waiting for approval
//! takes part in nothing until approved.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use timecredits_app::activities::NewSession;
use timecredits_app::directory::SelfRegistrationRequest;
use timecredits_app::spending::{MemberLookup, NewOffer, RedeemOfferRequest};
use timecredits_app::timebank::NewProposal;
use timecredits_app::{
    Actor, App, FixedClock, NewMember, NewOrganisation, NewProgramme, Programme, Role, Scope,
    Store, fixtures,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_domain::spending::{Audience, OfferTerms};
use timecredits_domain::timebank::ExchangeDirection;
use timecredits_ledger::TransferId;
use uuid::Uuid;

on_both_backends!(
    a_suspended_partner_neither_earns_nor_spends,
    a_pending_member_takes_part_in_nothing
);

async fn world(store: Arc<dyn Store>) -> (App, Actor, Programme) {
    let start = Utc
        .with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
        .single()
        .expect("valid time");
    let app = App::new(store, Arc::new(FixedClock::new(start)));
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("actor");
    let programme = app
        .create_programme(
            &admin,
            NewProgramme {
                name: "Cross".into(),
                locality: "Fen".into(),
                time_zone: "Europe/London".into(),
                language: "en".into(),
                exchange_overdraft_minutes: 0,
            },
        )
        .await
        .expect("programme");
    let manager = app
        .create_staff(
            &admin,
            "m@example.org",
            "Manager",
            "a long manager password",
            Role::ProgrammeManager,
            Scope::Programme(programme.id),
        )
        .await
        .expect("manager");
    let manager = app.actor(manager.id).await.expect("actor");
    (app, manager, programme)
}

fn details() -> ActivityDetails {
    ActivityDetails {
        title: "Lunch club".into(),
        description: "Cook and serve lunch".into(),
        level: CoProductionLevel::Group,
        mode: CoProductionMode::CoDelivery,
        place: "Village hall".into(),
        postcode: None,
        accessibility: "Step-free".into(),
        usual_duration_minutes: 120,
        earns_credits: true,
    }
}

fn terms() -> OfferTerms {
    OfferTerms {
        title: "Swim".into(),
        price_minutes: 60,
        audience: Audience::Adult,
        capacity: None,
        off_peak: vec![],
        valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        valid_to: None,
    }
}

async fn a_suspended_partner_neither_earns_nor_spends(store: Arc<dyn Store>) {
    let (app, manager, programme) = world(store).await;
    let org = app
        .create_organisation(
            &manager,
            NewOrganisation {
                programme: programme.id,
                name: "Leisure Centre".into(),
            },
        )
        .await
        .expect("organisation");
    let member = app
        .register_member(
            &manager,
            NewMember {
                programme: programme.id,
                display_name: "Ann".into(),
                pin: None,
                number: None,
            },
        )
        .await
        .expect("member");
    fixtures::seed_credits(&app, member.id, 120)
        .await
        .expect("issue");
    let offer = app
        .publish_spend_offer(
            &manager,
            NewOffer {
                organisation: org.id,
                terms: terms(),
            },
        )
        .await
        .expect("offer");
    app.suspend_partner(&manager, org.id, Some("closed for repairs".into()))
        .await
        .expect("suspend");

    let err = app
        .publish_spend_offer(
            &manager,
            NewOffer {
                organisation: org.id,
                terms: terms(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "organisation_suspended");
    let err = app
        .create_activity(&manager, org.id, details())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "organisation_suspended");
    let redeem = RedeemOfferRequest {
        id: TransferId(Uuid::now_v7()),
        offer: offer.id,
        member: MemberLookup::Id(member.id),
    };
    let err = app
        .redeem_offer(&manager, redeem.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "organisation_suspended");

    app.reactivate_partner(&manager, org.id)
        .await
        .expect("reactivate");
    app.redeem_offer(&manager, redeem)
        .await
        .expect("spending works again once reactivated");
}

async fn a_pending_member_takes_part_in_nothing(store: Arc<dyn Store>) {
    let (app, manager, programme) = world(store).await;
    let org = app
        .create_organisation(
            &manager,
            NewOrganisation {
                programme: programme.id,
                name: "Community Larder".into(),
            },
        )
        .await
        .expect("organisation");
    let pending = app
        .self_register(SelfRegistrationRequest {
            programme: programme.id,
            display_name: "Pat Pending".into(),
            pin: Some("4826".into()),
            email: None,
            password: None,
            language: Some("pl".into()),
            organisation: None,
        })
        .await
        .expect("self-registration");
    let member = pending.member;
    let approved = app
        .register_member(
            &manager,
            NewMember {
                programme: programme.id,
                display_name: "Ann".into(),
                pin: Some("7315".into()),
                number: None,
            },
        )
        .await
        .expect("approved member");

    let activity = app
        .create_activity(&manager, org.id, details())
        .await
        .expect("activity");
    let starts = Utc
        .with_ymd_and_hms(2026, 3, 9, 12, 0, 0)
        .single()
        .expect("valid time");
    let session = app
        .create_session(
            &manager,
            activity.id,
            NewSession {
                starts_at: starts,
                ends_at: starts + Duration::hours(2),
                capacity: 10,
            },
        )
        .await
        .expect("session");
    let err = app
        .sign_up(&manager, session.id, Some(member.id))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "member_pending_approval");

    let ann = app
        .actor(approved.user.expect("ann signs in"))
        .await
        .expect("actor");
    let proposal = NewProposal {
        counterparty: member.id,
        direction: ExchangeDirection::HelperBills,
        minutes: 60,
        note: "gardening".into(),
        listing: None,
        expires_in_days: None,
    };
    let err = app
        .propose_exchange(&ann, proposal.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "member_pending_approval");

    app.approve_registration(&manager, member.id)
        .await
        .expect("approve");
    app.sign_up(&manager, session.id, Some(member.id))
        .await
        .expect("signs up once approved");
    app.propose_exchange(&ann, proposal)
        .await
        .expect("proposals work once approved");
}
