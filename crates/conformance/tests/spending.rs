//! Spending on both backends: offers, redemptions at the desk (atomic with
//! their postings, within capacity), refunds, and community-pot gifts.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use timecredits_app::spending::{
    MemberLookup, NewOffer, Offer, OfferId, OfferQuery, PotGiftRequest, PotPayoutRequest,
    RedeemOfferRequest, RedemptionId, RedemptionOutcome, RefundRequest, StatusFilter,
};
use timecredits_app::{
    Actor, App, AppError, FixedClock, Member, NewMember, NewOrganisation, NewProgramme,
    Organisation, Programme, Role, Scope, Store, fixtures,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::rules::{PartnerReceipts, ProgrammeRules, RuleVersion};
use timecredits_domain::spending::{
    Audience, Capacity, CapacityPeriod, OffPeakWindow, OfferStatus, OfferTerms, card_payload,
};
use timecredits_ledger::{AccountId, TransferId};
use uuid::Uuid;

on_both_backends!(
    offers_are_published_changed_listed_and_withdrawn,
    a_redemption_pays_the_partner_and_retires_the_credits_atomically,
    keep_to_reissue_leaves_the_credits_with_the_partner,
    capacity_counts_per_local_day_and_week,
    validity_off_peak_and_balance_refusals_write_nothing,
    refunds_reverse_the_retire_first_and_happen_once,
    desk_work_is_for_the_organisations_own_staff,
    concurrent_redemptions_never_exceed_capacity,
    gifts_move_to_and_from_the_community_pot,
    the_desk_lists_todays_redemptions_a_page_at_a_time,
);

const PASSWORD: &str = "a long enough password";

/// Monday 2 March 2026, 10:00 in London (GMT).
fn monday_ten() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0)
        .single()
        .expect("valid")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn key() -> TransferId {
    TransferId(Uuid::now_v7())
}

fn code(e: AppError) -> &'static str {
    if let AppError::Store(s) = &e {
        panic!("storage failed: {s}");
    }
    e.code()
}

/// A programme in London with a manager, a leisure centre (desk staff and
/// a coordinator), a second organisation with its own desk, two members
/// (Alice holds 300 minutes) and, apart, a second programme with its own
/// manager and member.
struct World {
    app: App,
    clock: Arc<FixedClock>,
    store: Arc<dyn Store>,
    programme: Programme,
    manager: Actor,
    centre: Organisation,
    desk: Actor,
    coordinator: Actor,
    library: Organisation,
    library_desk: Actor,
    alice: Member,
    alice_actor: Actor,
    bob: Member,
    outsider: Actor,
    outsider_member: Member,
}

impl World {
    async fn new(store: Arc<dyn Store>) -> Self {
        // The programme opens the day before, so a rule change can start today.
        let clock = Arc::new(FixedClock::new(monday_ten() - chrono::Duration::days(1)));
        let app = App::new(store.clone(), clock.clone());
        let admin = app
            .bootstrap_administrator("admin@example.org", PASSWORD)
            .await
            .expect("admin");
        let admin = app.actor(admin.id).await.expect("admin actor");
        let open = |name: &str| NewProgramme {
            name: name.into(),
            locality: name.into(),
            time_zone: "Europe/London".into(),
            language: "en-GB".into(),
            exchange_overdraft_minutes: 0,
        };
        let programme = app
            .create_programme(&admin, open("Exampleton"))
            .await
            .expect("programme");
        let other = app
            .create_programme(&admin, open("Elsewhere"))
            .await
            .expect("other programme");
        let staff = |email: &'static str, role: Role, scope: Scope| {
            let app = app.clone();
            let admin = admin.clone();
            async move {
                let user = app
                    .create_staff(&admin, email, email, PASSWORD, role, scope)
                    .await
                    .expect("staff");
                app.actor(user.id).await.expect("staff actor")
            }
        };
        let manager = staff(
            "manager@example.org",
            Role::ProgrammeManager,
            Scope::Programme(programme.id),
        )
        .await;
        let outsider = staff(
            "outsider@example.org",
            Role::ProgrammeManager,
            Scope::Programme(other.id),
        )
        .await;
        let organisation = |name: &str, programme| NewOrganisation {
            programme,
            name: name.into(),
        };
        let centre = app
            .create_organisation(&manager, organisation("Leisure Centre", programme.id))
            .await
            .expect("centre");
        let library = app
            .create_organisation(&manager, organisation("Library", programme.id))
            .await
            .expect("library");
        let desk = staff(
            "desk@example.org",
            Role::SpendStaff,
            Scope::Organisation(centre.id),
        )
        .await;
        let coordinator = staff(
            "coordinator@example.org",
            Role::Coordinator,
            Scope::Organisation(centre.id),
        )
        .await;
        let library_desk = staff(
            "library@example.org",
            Role::SpendStaff,
            Scope::Organisation(library.id),
        )
        .await;
        let member = |name: &str, programme| NewMember {
            programme,
            display_name: name.into(),
            pin: Some("2468".into()),
            number: None,
        };
        let alice = app
            .register_member(&manager, member("Alice Able", programme.id))
            .await
            .expect("alice");
        let bob = app
            .register_member(&manager, member("Bob Baker", programme.id))
            .await
            .expect("bob");
        let outsider_member = app
            .register_member(&outsider, member("Olive Other", other.id))
            .await
            .expect("olive");
        let alice_actor = app
            .actor(alice.user.expect("alice signs in"))
            .await
            .expect("alice actor");
        let world = Self {
            app,
            clock,
            store,
            programme,
            manager,
            centre,
            desk,
            coordinator,
            library,
            library_desk,
            alice,
            alice_actor,
            bob,
            outsider,
            outsider_member,
        };
        world.issue(&world.alice, 300).await;
        world.clock.set(monday_ten());
        world
    }

    async fn issue(&self, member: &Member, minutes: i64) {
        fixtures::seed_credits(&self.app, member.id, minutes)
            .await
            .expect("issue");
    }

    async fn balance(&self, account: AccountId) -> i64 {
        self.store
            .account(account)
            .await
            .expect("read")
            .expect("exists")
            .balance_minutes
            .unwrap_or_else(|| panic!("account {account} is tracked"))
    }

    /// Alice's, the centre's and the retired account's balances.
    async fn balances(&self) -> (i64, i64, i64) {
        (
            self.balance(self.alice.account).await,
            self.balance(self.centre.account).await,
            self.balance(self.programme.retired_account).await,
        )
    }

    async fn offer(&self, terms: OfferTerms) -> Offer {
        self.app
            .publish_spend_offer(
                &self.desk,
                NewOffer {
                    organisation: self.centre.id,
                    terms,
                },
            )
            .await
            .expect("publish")
    }

    async fn redeem(
        &self,
        actor: &Actor,
        offer: OfferId,
        member: &Member,
        id: TransferId,
    ) -> Result<RedemptionOutcome, AppError> {
        self.app
            .redeem_offer(
                actor,
                RedeemOfferRequest {
                    id,
                    offer,
                    member: MemberLookup::Id(member.id),
                },
            )
            .await
    }

    async fn todays_count(&self) -> usize {
        self.app
            .redemptions_today(&self.desk, self.centre.id, None, Some(200))
            .await
            .expect("list")
            .items
            .len()
    }

    async fn verified(&self) {
        let report = self.store.verify().await.expect("verify");
        assert!(report.is_ok(), "{report:?}");
    }
}

fn swim() -> OfferTerms {
    OfferTerms {
        title: "One swim".into(),
        price_minutes: 90,
        audience: Audience::Adult,
        capacity: None,
        off_peak: vec![],
        valid_from: day(2026, 3, 1),
        valid_to: None,
    }
}

async fn offers_are_published_changed_listed_and_withdrawn(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    let swim = w.offer(swim()).await;
    assert_eq!(swim.status, OfferStatus::Active);
    assert_eq!(
        w.app
            .spend_offer(&w.alice_actor, swim.id)
            .await
            .expect("members see offers"),
        swim
    );
    let family = w
        .offer(OfferTerms {
            title: "Family swim".into(),
            audience: Audience::Family,
            ..self::swim()
        })
        .await;
    let later = w
        .offer(OfferTerms {
            title: "Summer camp".into(),
            audience: Audience::Child,
            valid_from: day(2026, 7, 1),
            valid_to: Some(day(2026, 8, 31)),
            capacity: Some(Capacity {
                limit: 10,
                period: CapacityPeriod::Week,
            }),
            off_peak: vec![OffPeakWindow {
                days: vec![Weekday::Sat],
                from: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
                to: NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
            }],
            ..self::swim()
        })
        .await;
    assert_eq!(
        w.store.spend_offer(later.id).await.expect("read"),
        Some(later.clone()),
        "an offer reads back exactly as published"
    );

    // Pages of two, in publishing order, then filters.
    let first = w
        .app
        .spend_offers(
            &w.alice_actor,
            OfferQuery {
                limit: Some(2),
                ..OfferQuery::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(
        first.items.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![swim.id, family.id]
    );
    let rest = w
        .app
        .spend_offers(
            &w.alice_actor,
            OfferQuery {
                limit: Some(2),
                cursor: first.next_cursor.clone(),
                ..OfferQuery::default()
            },
        )
        .await
        .expect("page");
    assert_eq!(rest.items, vec![later.clone()]);
    assert_eq!(rest.next_cursor, None);
    let families = w
        .app
        .spend_offers(
            &w.alice_actor,
            OfferQuery {
                audience: Some(Audience::Family),
                ..OfferQuery::default()
            },
        )
        .await
        .expect("filter");
    assert_eq!(families.items, vec![family.clone()]);
    let today = w
        .app
        .spend_offers(
            &w.manager,
            OfferQuery {
                organisation: Some(w.centre.id),
                available_on: Some(day(2026, 3, 2)),
                ..OfferQuery::default()
            },
        )
        .await
        .expect("filter");
    assert_eq!(today.items.len(), 2);

    // A change, then a withdrawal; a withdrawn offer cannot change again.
    let changed = w
        .app
        .update_spend_offer(
            &w.desk,
            swim.id,
            OfferTerms {
                price_minutes: 60,
                ..self::swim()
            },
        )
        .await
        .expect("update");
    assert_eq!(changed.terms.price_minutes, 60);
    let bad = w
        .app
        .update_spend_offer(
            &w.desk,
            swim.id,
            OfferTerms {
                price_minutes: 0,
                ..self::swim()
            },
        )
        .await
        .expect_err("free offers are not offers");
    assert_eq!(code(bad), "offer_price_invalid");
    let withdrawn = w
        .app
        .withdraw_spend_offer(&w.desk, swim.id)
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.status, OfferStatus::Withdrawn);
    assert_eq!(withdrawn.withdrawn_by, Some(w.desk.user));
    assert_eq!(withdrawn.terms.price_minutes, 60);
    assert_eq!(
        code(
            w.app
                .update_spend_offer(&w.desk, swim.id, self::swim())
                .await
                .expect_err("withdrawn")
        ),
        "offer_withdrawn"
    );
    assert_eq!(
        code(
            w.app
                .withdraw_spend_offer(&w.manager, swim.id)
                .await
                .expect_err("again")
        ),
        "offer_withdrawn"
    );

    // Members no longer see it; the desk still does, when it asks.
    assert_eq!(
        code(
            w.app
                .spend_offer(&w.alice_actor, swim.id)
                .await
                .expect_err("hidden")
        ),
        "not_found"
    );
    let staff_view = w
        .app
        .spend_offers(
            &w.desk,
            OfferQuery {
                organisation: Some(w.centre.id),
                status: StatusFilter::Withdrawn,
                ..OfferQuery::default()
            },
        )
        .await
        .expect("staff list");
    assert_eq!(staff_view.items, vec![withdrawn.clone()]);
    let member_view = w
        .app
        .spend_offers(
            &w.alice_actor,
            OfferQuery {
                organisation: Some(w.centre.id),
                status: StatusFilter::All,
                ..OfferQuery::default()
            },
        )
        .await
        .expect("member list");
    assert_eq!(member_view.items.len(), 2, "members see active offers only");

    // Bad terms are refused and nothing is written.
    let before = w
        .store
        .spend_offers(&timecredits_app::spending::OfferFilter {
            programme: w.programme.id,
            organisation: None,
            audience: None,
            status: None,
            available_on: None,
            after: None,
            limit: 100,
        })
        .await
        .expect("all")
        .len();
    let reversed = w
        .app
        .publish_spend_offer(
            &w.desk,
            NewOffer {
                organisation: w.centre.id,
                terms: OfferTerms {
                    valid_to: Some(day(2026, 1, 1)),
                    ..self::swim()
                },
            },
        )
        .await
        .expect_err("ends before it starts");
    assert_eq!(code(reversed), "offer_dates_reversed");
    let after = w
        .store
        .spend_offers(&timecredits_app::spending::OfferFilter {
            programme: w.programme.id,
            organisation: None,
            audience: None,
            status: None,
            available_on: None,
            after: None,
            limit: 100,
        })
        .await
        .expect("all")
        .len();
    assert_eq!(before, after);
    assert_eq!(before, 3);
}

async fn a_redemption_pays_the_partner_and_retires_the_credits_atomically(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    let swim = w.offer(swim()).await;
    let id = key();
    let made = w
        .redeem(&w.desk, swim.id, &w.alice, id)
        .await
        .expect("redeem");
    assert!(made.new);
    let r = &made.redemption;
    assert_eq!(r.id, RedemptionId(id.0));
    assert_eq!(r.redeem_transfer, id);
    assert_eq!(r.price_minutes, 90);
    assert_eq!(r.local_date, day(2026, 3, 2));
    let retire = r
        .retire_transfer
        .expect("the default rules retire receipts");
    assert_eq!(w.balances().await, (210, 0, 90));
    let redeem_posting = w.store.transfer(id).await.expect("read").expect("posted");
    assert_eq!(redeem_posting.debit, w.alice.account);
    assert_eq!(redeem_posting.credit, w.centre.account);
    let retire_posting = w
        .store
        .transfer(retire)
        .await
        .expect("read")
        .expect("posted");
    assert_eq!(retire_posting.debit, w.centre.account);
    assert_eq!(retire_posting.credit, w.programme.retired_account);
    assert_eq!(
        w.store.spend_redemption(r.id).await.expect("read").as_ref(),
        Some(r)
    );

    // A retry answers with the original; a different body under the key is refused.
    let again = w
        .redeem(&w.desk, swim.id, &w.alice, id)
        .await
        .expect("retry");
    assert!(!again.new);
    assert_eq!(&again.redemption, r);
    assert_eq!(w.balances().await, (210, 0, 90));
    let clash = w
        .redeem(&w.desk, swim.id, &w.bob, id)
        .await
        .expect_err("same key, other member");
    assert_eq!(code(clash), "idempotency_conflict");

    // The card's QR payload finds the member too.
    let by_card = w
        .app
        .redeem_offer(
            &w.manager,
            RedeemOfferRequest {
                id: key(),
                offer: swim.id,
                member: MemberLookup::parse(&card_payload(w.alice.number.value()))
                    .expect("payload"),
            },
        )
        .await
        .expect("managers may redeem");
    assert_eq!(by_card.redemption.member, w.alice.id);
    assert_eq!(w.balances().await, (120, 0, 180));
    assert_eq!(w.todays_count().await, 2);
    w.verified().await;
}

async fn keep_to_reissue_leaves_the_credits_with_the_partner(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: day(2026, 3, 2),
                rules: ProgrammeRules {
                    partner_receipts: PartnerReceipts::KeepToReissue,
                    ..ProgrammeRules::default()
                },
            },
        )
        .await
        .expect("rules");
    let swim = w.offer(swim()).await;
    let id = key();
    let made = w
        .redeem(&w.desk, swim.id, &w.alice, id)
        .await
        .expect("redeem");
    assert_eq!(made.redemption.retire_transfer, None);
    assert_eq!(w.balances().await, (210, 90, 0));
    // A refund takes the credits back from the partner.
    let refunded = w
        .app
        .refund_redemption(
            &w.desk,
            RefundRequest {
                id: key(),
                redemption: made.redemption.id,
                reason: "Pool closed".into(),
            },
        )
        .await
        .expect("refund");
    assert_eq!(
        refunded
            .redemption
            .refund
            .expect("refunded")
            .retire_reversal,
        None
    );
    assert_eq!(w.balances().await, (300, 0, 0));
    w.verified().await;
}

async fn capacity_counts_per_local_day_and_week(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    w.issue(&w.bob, 600).await;
    let daily = w
        .offer(OfferTerms {
            price_minutes: 30,
            capacity: Some(Capacity {
                limit: 2,
                period: CapacityPeriod::Day,
            }),
            ..swim()
        })
        .await;
    let first = w
        .redeem(&w.desk, daily.id, &w.alice, key())
        .await
        .expect("first");
    w.redeem(&w.desk, daily.id, &w.bob, key())
        .await
        .expect("second");
    let full = w
        .redeem(&w.desk, daily.id, &w.alice, key())
        .await
        .expect_err("full");
    assert_eq!(code(full), "offer_capacity_reached");
    // A refund frees its place.
    w.app
        .refund_redemption(
            &w.desk,
            RefundRequest {
                id: key(),
                redemption: first.redemption.id,
                reason: "Changed their mind".into(),
            },
        )
        .await
        .expect("refund");
    w.redeem(&w.desk, daily.id, &w.alice, key())
        .await
        .expect("the refunded place is free again");
    // The day is the programme's: 23:30 UTC on a summer evening is already
    // the next day in London.
    w.clock.set(
        Utc.with_ymd_and_hms(2026, 6, 1, 23, 30, 0)
            .single()
            .expect("valid"),
    );
    let late = w
        .redeem(&w.desk, daily.id, &w.bob, key())
        .await
        .expect("a new day");
    assert_eq!(late.redemption.local_date, day(2026, 6, 2));

    let weekly = w
        .offer(OfferTerms {
            price_minutes: 15,
            capacity: Some(Capacity {
                limit: 1,
                period: CapacityPeriod::Week,
            }),
            ..swim()
        })
        .await;
    // Tuesday 2 June (local), then Sunday 7 June in the same week, then Monday 8.
    w.redeem(&w.desk, weekly.id, &w.bob, key())
        .await
        .expect("this week");
    w.clock.set(
        Utc.with_ymd_and_hms(2026, 6, 7, 12, 0, 0)
            .single()
            .expect("valid"),
    );
    assert_eq!(
        code(
            w.redeem(&w.desk, weekly.id, &w.alice, key())
                .await
                .expect_err("same week")
        ),
        "offer_capacity_reached"
    );
    w.clock.set(
        Utc.with_ymd_and_hms(2026, 6, 8, 8, 0, 0)
            .single()
            .expect("valid"),
    );
    w.redeem(&w.desk, weekly.id, &w.alice, key())
        .await
        .expect("next week");
    w.verified().await;
}

async fn validity_off_peak_and_balance_refusals_write_nothing(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    let tomorrow = w
        .offer(OfferTerms {
            valid_from: day(2026, 3, 3),
            ..swim()
        })
        .await;
    let ended = w
        .offer(OfferTerms {
            valid_from: day(2026, 2, 1),
            valid_to: Some(day(2026, 3, 1)),
            ..swim()
        })
        .await;
    let mornings = w
        .offer(OfferTerms {
            off_peak: vec![OffPeakWindow {
                days: vec![Weekday::Mon, Weekday::Tue],
                from: NaiveTime::from_hms_opt(8, 0, 0).expect("time"),
                to: NaiveTime::from_hms_opt(10, 0, 0).expect("time"),
            }],
            ..swim()
        })
        .await;
    let gone = w.offer(swim()).await;
    w.app
        .withdraw_spend_offer(&w.desk, gone.id)
        .await
        .expect("withdraw");
    let dear = w
        .offer(OfferTerms {
            price_minutes: 301,
            ..swim()
        })
        .await;
    for (offer, expected) in [
        (tomorrow.id, "offer_not_valid_today"),
        (ended.id, "offer_not_valid_today"),
        (mornings.id, "outside_off_peak_hours"),
        (gone.id, "offer_withdrawn"),
        (dear.id, "insufficient_credits"),
    ] {
        let refused = w
            .redeem(&w.desk, offer, &w.alice, key())
            .await
            .expect_err(expected);
        assert_eq!(code(refused), expected);
    }
    assert_eq!(w.balances().await, (300, 0, 0));
    assert_eq!(w.todays_count().await, 0, "no redemption was recorded");
    assert_eq!(
        w.store.transfer_count().await.expect("count"),
        1,
        "only the issuance"
    );
    // Inside the window it works (09:59 on Monday).
    w.clock.set(monday_ten() - chrono::Duration::minutes(1));
    w.redeem(&w.desk, mornings.id, &w.alice, key())
        .await
        .expect("off-peak");
    w.verified().await;
}

async fn refunds_reverse_the_retire_first_and_happen_once(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    let swim = w.offer(swim()).await;
    let made = w
        .redeem(&w.desk, swim.id, &w.alice, key())
        .await
        .expect("redeem");
    let refund_key = key();
    let request = |id, reason: &str| RefundRequest {
        id,
        redemption: made.redemption.id,
        reason: reason.into(),
    };
    assert_eq!(
        code(
            w.app
                .refund_redemption(&w.desk, request(refund_key, "  "))
                .await
                .expect_err("no reason")
        ),
        "refund_reason_required"
    );
    let refunded = w
        .app
        .refund_redemption(&w.desk, request(refund_key, "Class cancelled"))
        .await
        .expect("refund");
    assert!(refunded.new);
    let refund = refunded.redemption.refund.clone().expect("recorded");
    assert_eq!(refund.redeem_reversal, refund_key);
    assert_eq!(refund.refunded_by, w.desk.user);
    assert_eq!(refund.reason, "Class cancelled");
    assert_eq!(w.balances().await, (300, 0, 0));
    let retire_reversal = refund.retire_reversal.expect("the retire was reversed");
    let first = w
        .store
        .transfer(retire_reversal)
        .await
        .expect("read")
        .expect("posted");
    let second = w
        .store
        .transfer(refund_key)
        .await
        .expect("read")
        .expect("posted");
    assert_eq!(first.reverses, made.redemption.retire_transfer);
    assert_eq!(second.reverses, Some(made.redemption.redeem_transfer));
    assert_eq!(
        w.store
            .spend_redemption(made.redemption.id)
            .await
            .expect("read"),
        Some(refunded.redemption.clone())
    );

    let retry = w
        .app
        .refund_redemption(&w.manager, request(refund_key, "Class cancelled"))
        .await
        .expect("retry");
    assert!(!retry.new);
    assert_eq!(retry.redemption, refunded.redemption);
    let twice = w
        .app
        .refund_redemption(&w.manager, request(key(), "Again"))
        .await
        .expect_err("once only");
    assert_eq!(code(twice), "redemption_already_refunded");
    assert_eq!(w.balances().await, (300, 0, 0));
    w.verified().await;
}

async fn desk_work_is_for_the_organisations_own_staff(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    // Who may publish.
    let publish = |actor: Actor, organisation| {
        let app = w.app.clone();
        async move {
            app.publish_spend_offer(
                &actor,
                NewOffer {
                    organisation,
                    terms: swim(),
                },
            )
            .await
        }
    };
    publish(w.manager.clone(), w.centre.id)
        .await
        .expect("managers publish");
    for (actor, expected) in [
        (w.library_desk.clone(), "forbidden"),
        (w.coordinator.clone(), "forbidden"),
        (w.alice_actor.clone(), "forbidden"),
        (w.outsider.clone(), "not_found"),
    ] {
        let refused = publish(actor, w.centre.id).await.expect_err(expected);
        assert_eq!(code(refused), expected);
    }

    // Who may redeem and refund.
    let swim = w.offer(swim()).await;
    for (actor, expected) in [
        (&w.library_desk, "forbidden"),
        (&w.coordinator, "forbidden"),
        (&w.alice_actor, "forbidden"),
        (&w.outsider, "not_found"),
    ] {
        let refused = w
            .redeem(actor, swim.id, &w.alice, key())
            .await
            .expect_err(expected);
        assert_eq!(code(refused), expected);
    }
    let foreign = w
        .redeem(&w.desk, swim.id, &w.outsider_member, key())
        .await
        .expect_err("another programme's member");
    assert_eq!(code(foreign), "not_found");
    let made = w
        .redeem(&w.desk, swim.id, &w.alice, key())
        .await
        .expect("own desk");
    for (actor, expected) in [(&w.library_desk, "forbidden"), (&w.outsider, "not_found")] {
        let refused = w
            .app
            .refund_redemption(
                actor,
                RefundRequest {
                    id: key(),
                    redemption: made.redemption.id,
                    reason: "No".into(),
                },
            )
            .await
            .expect_err(expected);
        assert_eq!(code(refused), expected);
        let list = w
            .app
            .redemptions_today(actor, w.centre.id, None, None)
            .await
            .expect_err(expected);
        assert_eq!(code(list), expected);
    }
    assert_eq!(
        code(
            w.app
                .spend_offer(&w.outsider, swim.id)
                .await
                .expect_err("hidden")
        ),
        "not_found"
    );

    // Finding a member: name, number and balance, by number or card.
    let found = w
        .app
        .find_member_at_desk(
            &w.desk,
            w.centre.id,
            MemberLookup::parse(&card_payload(w.alice.number.value())).expect("payload"),
        )
        .await
        .expect("found");
    assert_eq!(found.display_name, "Alice Able");
    assert_eq!(found.number, w.alice.number);
    assert_eq!(found.balance_minutes, 210);
    let by_number = w
        .app
        .find_member_at_desk(&w.desk, w.centre.id, MemberLookup::Number(w.bob.number))
        .await
        .expect("found");
    assert_eq!(by_number.balance_minutes, 0);
    for (actor, lookup, expected) in [
        (
            &w.desk,
            MemberLookup::Number(w.outsider_member.number),
            "not_found",
        ),
        (
            &w.library_desk,
            MemberLookup::Number(w.bob.number),
            "forbidden",
        ),
        (
            &w.alice_actor,
            MemberLookup::Number(w.bob.number),
            "forbidden",
        ),
        (&w.outsider, MemberLookup::Number(w.bob.number), "not_found"),
    ] {
        let refused = w
            .app
            .find_member_at_desk(actor, w.centre.id, lookup)
            .await
            .expect_err(expected);
        assert_eq!(code(refused), expected);
    }
    assert_eq!(
        code(MemberLookup::parse("TC1:123").expect_err("bad payload")),
        "bad_card_payload"
    );
}

async fn concurrent_redemptions_never_exceed_capacity(store: Arc<dyn Store>) {
    let w = Arc::new(World::new(store).await);
    let offer = w
        .offer(OfferTerms {
            price_minutes: 30,
            capacity: Some(Capacity {
                limit: 3,
                period: CapacityPeriod::Day,
            }),
            ..swim()
        })
        .await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.redeem(&w.desk, offer.id, &w.alice, key()).await
        }));
    }
    let mut made = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => made += 1,
            Err(e) => assert_eq!(code(e), "offer_capacity_reached"),
        }
    }
    assert_eq!(made, 3);
    assert_eq!(w.balances().await, (210, 0, 90));
    assert_eq!(w.todays_count().await, 3);
    // Concurrent retries of one key redeem once.
    let again = w
        .offer(OfferTerms {
            price_minutes: 15,
            ..swim()
        })
        .await;
    let id = key();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            w.redeem(&w.desk, again.id, &w.alice, id).await
        }));
    }
    let mut new = 0;
    for task in tasks {
        if task.await.expect("task").expect("redeem or retry").new {
            new += 1;
        }
    }
    assert_eq!(new, 1);
    assert_eq!(w.balances().await, (195, 0, 105));
    w.verified().await;
}

async fn gifts_move_to_and_from_the_community_pot(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    let pot = w.centre.pot_account;
    let to_pot = |id, minutes| PotGiftRequest {
        id,
        organisation: w.centre.id,
        minutes,
        reason: String::new(),
    };
    let id = key();
    let given = w
        .app
        .give_to_pot(&w.alice_actor, to_pot(id, 120))
        .await
        .expect("gift");
    assert!(given.is_new());
    assert_eq!(given.transfer().credit, pot);
    assert_eq!(
        given.transfer().reason,
        "Gift to the community pot of Leisure Centre"
    );
    let again = w
        .app
        .give_to_pot(&w.alice_actor, to_pot(id, 120))
        .await
        .expect("retry");
    assert!(!again.is_new());
    assert_eq!(
        code(
            w.app
                .give_to_pot(&w.alice_actor, to_pot(id, 60))
                .await
                .expect_err("changed body")
        ),
        "idempotency_conflict"
    );
    assert_eq!(
        code(
            w.app
                .give_to_pot(&w.alice_actor, to_pot(key(), 1_000))
                .await
                .expect_err("too much")
        ),
        "insufficient_credits"
    );
    assert_eq!(
        code(
            w.app
                .give_to_pot(&w.manager, to_pot(key(), 10))
                .await
                .expect_err("not a member")
        ),
        "forbidden"
    );
    assert_eq!(w.balance(w.alice.account).await, 180);
    assert_eq!(w.balance(pot).await, 120);

    let from_pot = |minutes, to: &Member| PotPayoutRequest {
        id: key(),
        organisation: w.centre.id,
        to: MemberLookup::Number(to.number),
        minutes,
        reason: "Welcome".into(),
    };
    w.app
        .give_from_pot(&w.coordinator, from_pot(50, &w.bob))
        .await
        .expect("coordinators give");
    w.app
        .give_from_pot(&w.manager, from_pot(20, &w.bob))
        .await
        .expect("managers give");
    for (actor, expected) in [
        (&w.desk, "forbidden"),
        (&w.alice_actor, "forbidden"),
        (&w.outsider, "not_found"),
    ] {
        let refused = w
            .app
            .give_from_pot(actor, from_pot(10, &w.bob))
            .await
            .expect_err(expected);
        assert_eq!(code(refused), expected);
    }
    assert_eq!(
        code(
            w.app
                .give_from_pot(&w.coordinator, from_pot(51, &w.bob))
                .await
                .expect_err("pot too small")
        ),
        "insufficient_credits"
    );
    assert_eq!(
        code(
            w.app
                .give_from_pot(&w.coordinator, from_pot(10, &w.outsider_member))
                .await
                .expect_err("other programme")
        ),
        "not_found"
    );
    let other_programme_pot = PotGiftRequest {
        organisation: w.library.id,
        ..to_pot(key(), 10)
    };
    w.app
        .give_to_pot(&w.alice_actor, other_programme_pot)
        .await
        .expect("any organisation of her programme");
    assert_eq!(w.balance(pot).await, 50);
    assert_eq!(w.balance(w.bob.account).await, 70);
    w.verified().await;
}

async fn the_desk_lists_todays_redemptions_a_page_at_a_time(store: Arc<dyn Store>) {
    let w = World::new(store).await;
    w.issue(&w.bob, 300).await;
    let swim = w
        .offer(OfferTerms {
            price_minutes: 30,
            ..swim()
        })
        .await;
    // Yesterday's redemption is not today's.
    w.clock.set(monday_ten() - chrono::Duration::days(1));
    w.redeem(&w.desk, swim.id, &w.alice, key())
        .await
        .expect("yesterday");
    let mut made = Vec::new();
    for (i, member) in [&w.alice, &w.bob, &w.alice].into_iter().enumerate() {
        w.clock
            .set(monday_ten() + chrono::Duration::minutes(i as i64));
        made.push(
            w.redeem(&w.desk, swim.id, member, key())
                .await
                .expect("today")
                .redemption
                .id,
        );
    }
    // The library's desk has its own list.
    assert!(
        w.app
            .redemptions_today(&w.library_desk, w.library.id, None, None)
            .await
            .expect("library")
            .items
            .is_empty()
    );
    let first = w
        .app
        .redemptions_today(&w.desk, w.centre.id, None, Some(2))
        .await
        .expect("page");
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.items[0].member_name, "Alice Able");
    assert_eq!(first.items[0].member_number, w.alice.number);
    assert_eq!(first.items[1].member_name, "Bob Baker");
    assert_eq!(first.items[0].offer_title, "One swim");
    let rest = w
        .app
        .redemptions_today(
            &w.manager,
            w.centre.id,
            first.next_cursor.as_deref(),
            Some(2),
        )
        .await
        .expect("page");
    assert_eq!(rest.next_cursor, None);
    let listed: Vec<RedemptionId> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|l| l.redemption.id)
        .collect();
    assert_eq!(listed, made, "oldest first, each once");
    assert_eq!(
        code(
            w.app
                .redemptions_today(&w.desk, w.centre.id, Some("nonsense"), None)
                .await
                .expect_err("bad cursor")
        ),
        "invalid_input"
    );
}
