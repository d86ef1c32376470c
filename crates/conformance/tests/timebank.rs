//! The time bank on both backends: listings in the directory, and exchange
//! proposals answered once, with the acceptance and its transfer written
//! together.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use timecredits_app::timebank::{
    ListingSearch, Mailbox, NewListing, NewProposal, Proposal, ProposalSearch,
};
use timecredits_app::{
    Actor, App, AppError, FixedClock, Member, NewMember, NewProgramme, Programme, Role, Scope,
    Store, fixtures,
};
use timecredits_conformance::on_both_backends;
use timecredits_domain::rules::{ProgrammeRules, RuleVersion};
use timecredits_domain::timebank::{ExchangeDirection, ListingKind, ListingStatus, ProposalStatus};
use timecredits_ledger::{Outcome, TransferId, TransferKind};
use uuid::Uuid;

on_both_backends!(
    listings_are_posted_searched_and_closed,
    the_directory_pages_with_a_cursor,
    an_accepted_proposal_pays_once_in_one_transaction,
    only_the_other_party_answers_and_managers_only_look,
    declined_withdrawn_and_expired_proposals_are_kept,
    a_refused_payment_leaves_the_proposal_open_until_the_overdraft_allows_it,
    concurrent_answers_settle_once,
    proposals_are_checked_against_the_rules,
    a_key_reused_on_another_proposal_is_a_conflict,
    members_list_their_incoming_and_outgoing_proposals,
);

/// 2025-03-01 09:00 UTC: the day the programmes open.
fn opening() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
        .single()
        .expect("valid")
}

struct Person {
    member: Member,
    actor: Actor,
}

struct World {
    app: App,
    clock: Arc<FixedClock>,
    programme: Programme,
    manager: Actor,
    alice: Person,
    bob: Person,
    /// A member of another programme.
    olga: Person,
    other_manager: Actor,
}

async fn programme(app: &App, admin: &Actor, name: &str) -> (Programme, Actor) {
    let programme = app
        .create_programme(
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
        .expect("programme");
    let email = format!("manager.{}@example.org", Uuid::now_v7().simple());
    let manager = app
        .create_staff(
            admin,
            &email,
            "Morgan Manager",
            "a long manager password",
            Role::ProgrammeManager,
            Scope::Programme(programme.id),
        )
        .await
        .expect("manager");
    let manager = app.actor(manager.id).await.expect("manager actor");
    (programme, manager)
}

async fn person(app: &App, manager: &Actor, programme: &Programme, name: &str) -> Person {
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
    let actor = app
        .actor(member.user.expect("has a sign-in"))
        .await
        .expect("member actor");
    Person { member, actor }
}

/// Two programmes, opened a day before "now" so rules can change today.
async fn world(store: Arc<dyn Store>) -> World {
    let clock = Arc::new(FixedClock::new(opening()));
    let app = App::new(store, clock.clone());
    let admin = app
        .bootstrap_administrator("admin@example.org", "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let (exampleton, manager) = programme(&app, &admin, "Exampleton").await;
    let (elsewhere, other_manager) = programme(&app, &admin, "Elsewhere").await;
    let alice = person(&app, &manager, &exampleton, "Alice Able").await;
    let bob = person(&app, &manager, &exampleton, "Bob Baker").await;
    let olga = person(&app, &other_manager, &elsewhere, "Olga Other").await;
    clock.set(opening() + Duration::days(1));
    World {
        app,
        clock,
        programme: exampleton,
        manager,
        alice,
        bob,
        olga,
        other_manager,
    }
}

impl World {
    async fn issue(&self, to: &Member, minutes: i64) {
        fixtures::seed_credits(&self.app, to.id, minutes)
            .await
            .expect("issue");
    }

    async fn balance(&self, member: &Member) -> i64 {
        self.app
            .balance(&self.manager, member.account, None)
            .await
            .expect("balance")
    }

    async fn propose(
        &self,
        from: &Person,
        to: &Person,
        direction: ExchangeDirection,
        minutes: i64,
    ) -> Proposal {
        self.app
            .propose_exchange(&from.actor, proposal_to(to, direction, minutes))
            .await
            .expect("proposal")
    }

    async fn transfers(&self) -> u64 {
        self.app.store().transfer_count().await.expect("count")
    }
}

fn proposal_to(to: &Person, direction: ExchangeDirection, minutes: i64) -> NewProposal {
    NewProposal {
        counterparty: to.member.id,
        direction,
        minutes,
        note: "Mowed the lawn".into(),
        listing: None,
        expires_in_days: None,
    }
}

fn listing(kind: ListingKind, category: &str, title: &str, place: &str) -> NewListing {
    NewListing {
        kind,
        category: category.into(),
        title: title.into(),
        description: String::new(),
        place: place.into(),
    }
}

fn key() -> TransferId {
    TransferId(Uuid::now_v7())
}

#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, AppError>, code: &str) {
    let e = result.expect_err("refused");
    assert_eq!(e.code(), code, "{e}");
}

async fn listings_are_posted_searched_and_closed(store: Arc<dyn Store>) {
    let w = world(store).await;
    let app = &w.app;
    let mowing = app
        .create_timebank_listing(
            &w.alice.actor,
            listing(
                ListingKind::Offer,
                "gardening_and_outdoors",
                "Mowing",
                "Little  Exampleton",
            ),
        )
        .await
        .expect("offer");
    assert_eq!(mowing.status, ListingStatus::Open);
    assert_eq!(mowing.author, w.alice.member.id);
    let lift = app
        .create_timebank_listing(
            &w.bob.actor,
            listing(
                ListingKind::Request,
                "transport_and_errands",
                "Lift to the surgery",
                "Upper Exampleton",
            ),
        )
        .await
        .expect("request");
    let olgas = app
        .create_timebank_listing(
            &w.olga.actor,
            listing(
                ListingKind::Offer,
                "gardening_and_outdoors",
                "Hedges",
                "Exampleton",
            ),
        )
        .await
        .expect("other programme");
    refused(
        app.create_timebank_listing(
            &w.manager,
            listing(ListingKind::Offer, "other", "Staff offer", ""),
        )
        .await,
        "forbidden",
    );
    refused(
        app.create_timebank_listing(
            &w.alice.actor,
            listing(ListingKind::Offer, "plumbing", "Taps", ""),
        )
        .await,
        "unknown_category",
    );

    let bob = &w.bob.actor;
    let search = move |s: ListingSearch| async move {
        app.search_timebank_listings(bob, s)
            .await
            .expect("search")
            .items
            .into_iter()
            .map(|l| l.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        search(ListingSearch::default()).await,
        vec![lift.id, mowing.id],
        "newest first, own programme only"
    );
    let offers = ListingSearch {
        kind: Some(ListingKind::Offer),
        ..ListingSearch::default()
    };
    assert_eq!(search(offers).await, vec![mowing.id]);
    let transport = ListingSearch {
        category: Some("transport_and_errands".into()),
        ..ListingSearch::default()
    };
    assert_eq!(search(transport).await, vec![lift.id]);
    let place = ListingSearch {
        place: Some("little exampleton".into()),
        ..ListingSearch::default()
    };
    assert_eq!(search(place).await, vec![mowing.id]);
    let village = ListingSearch {
        place: Some("EXAMPLETON".into()),
        ..ListingSearch::default()
    };
    assert_eq!(search(village).await.len(), 2);
    let elsewhere = ListingSearch {
        programme: Some(olgas.programme),
        ..ListingSearch::default()
    };
    refused(
        app.search_timebank_listings(&w.bob.actor, elsewhere).await,
        "not_found",
    );
    refused(
        app.timebank_listing(&w.bob.actor, olgas.id).await,
        "not_found",
    );
    refused(
        app.timebank_listing(&w.other_manager, mowing.id).await,
        "not_found",
    );

    // Only the author or a manager closes; a closed listing leaves the directory.
    refused(
        app.close_timebank_listing(&w.bob.actor, mowing.id).await,
        "forbidden",
    );
    refused(
        app.close_timebank_listing(&w.olga.actor, mowing.id).await,
        "not_found",
    );
    let closed = app
        .close_timebank_listing(&w.alice.actor, mowing.id)
        .await
        .expect("close");
    assert_eq!(closed.status, ListingStatus::Closed);
    assert_eq!(closed.closed_by, Some(w.alice.actor.user));
    assert_eq!(closed.closed_at, Some(w.app.now()));
    refused(
        app.close_timebank_listing(&w.alice.actor, mowing.id).await,
        "listing_already_closed",
    );
    assert_eq!(search(ListingSearch::default()).await, vec![lift.id]);
    refused(
        app.timebank_listing(&w.bob.actor, mowing.id).await,
        "not_found",
    );
    let closed_only = ListingSearch {
        status: Some(ListingStatus::Closed),
        ..ListingSearch::default()
    };
    refused(
        app.search_timebank_listings(&w.bob.actor, closed_only.clone())
            .await,
        "invalid_input",
    );
    let seen = app
        .search_timebank_listings(&w.manager, closed_only)
        .await
        .expect("manager");
    assert_eq!(seen.items.len(), 1);
    assert_eq!(seen.items[0].id, mowing.id);
    let mine = app
        .my_timebank_listings(&w.alice.actor, None, None, None)
        .await
        .expect("mine");
    assert_eq!(mine.items, vec![closed.clone()]);
    assert_eq!(
        app.timebank_listing(&w.alice.actor, mowing.id)
            .await
            .expect("own"),
        closed
    );
    app.close_timebank_listing(&w.manager, lift.id)
        .await
        .expect("a manager closes");
}

async fn the_directory_pages_with_a_cursor(store: Arc<dyn Store>) {
    let w = world(store).await;
    let mut posted = Vec::new();
    for i in 0..5 {
        let l = w
            .app
            .create_timebank_listing(
                &w.alice.actor,
                listing(ListingKind::Offer, "other", &format!("Help {i}"), ""),
            )
            .await
            .expect("post");
        posted.push(l.id);
    }
    posted.reverse();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = w
            .app
            .search_timebank_listings(
                &w.bob.actor,
                ListingSearch {
                    cursor,
                    limit: Some(2),
                    ..ListingSearch::default()
                },
            )
            .await
            .expect("page");
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|l| l.id));
        match page.next_cursor {
            Some(c) => cursor = Some(timecredits_app::timebank::ListingId(c)),
            None => break,
        }
    }
    assert_eq!(seen, posted);
    for limit in [0, 201] {
        refused(
            w.app
                .search_timebank_listings(
                    &w.bob.actor,
                    ListingSearch {
                        limit: Some(limit),
                        ..ListingSearch::default()
                    },
                )
                .await,
            "invalid_input",
        );
    }
}

async fn an_accepted_proposal_pays_once_in_one_transaction(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.issue(&w.alice.member, 120).await;
    // Alice was helped and pays Bob.
    let p = w
        .propose(&w.alice, &w.bob, ExchangeDirection::HelpedPays, 90)
        .await;
    assert_eq!(p.status, ProposalStatus::Open);
    assert_eq!(
        (p.helper(), p.helped()),
        (w.bob.member.id, w.alice.member.id)
    );
    assert_eq!(p.expires_at, w.app.now() + Duration::days(14));
    assert_eq!(
        w.balance(&w.bob.member).await,
        0,
        "nothing moves on proposing"
    );
    let before = w.transfers().await;

    let k = key();
    let accepted = w
        .app
        .accept_exchange(&w.bob.actor, p.id, k)
        .await
        .expect("accept");
    assert!(accepted.outcome.is_new());
    let t = accepted.outcome.transfer().clone();
    assert_eq!(t.id, k);
    assert_eq!(t.kind, TransferKind::Exchange);
    assert_eq!(
        (t.debit, t.credit, t.amount.get()),
        (w.alice.member.account, w.bob.member.account, 90)
    );
    assert_eq!(t.cause.map(|c| c.id), Some(p.id.0));
    assert_eq!(accepted.proposal.status, ProposalStatus::Accepted);
    assert_eq!(accepted.proposal.transfer, Some(k));
    assert_eq!(accepted.proposal.answered_by, Some(w.bob.actor.user));
    assert_eq!(accepted.proposal.answered_at, Some(w.app.now()));
    assert_eq!(w.balance(&w.alice.member).await, 30);
    assert_eq!(w.balance(&w.bob.member).await, 90);

    // A retry, even later, returns the same transfer and pays nothing more.
    w.clock.set(w.app.now() + Duration::days(30));
    let again = w
        .app
        .accept_exchange(&w.bob.actor, p.id, k)
        .await
        .expect("retry");
    assert!(matches!(&again.outcome, Outcome::Existing(x) if *x == t));
    assert_eq!(again.proposal, accepted.proposal);
    refused(
        w.app.accept_exchange(&w.bob.actor, p.id, key()).await,
        "proposal_already_answered",
    );
    refused(
        w.app.decline_exchange(&w.bob.actor, p.id, None).await,
        "proposal_already_answered",
    );
    refused(
        w.app.withdraw_exchange(&w.alice.actor, p.id).await,
        "proposal_already_answered",
    );
    assert_eq!(w.transfers().await, before + 1);
    assert_eq!(w.balance(&w.bob.member).await, 90);
    let stored = w
        .app
        .exchange_proposal(&w.alice.actor, p.id)
        .await
        .expect("read");
    assert_eq!(stored, accepted.proposal);
    assert_eq!(stored.status_at(w.app.now()), ProposalStatus::Accepted);
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

async fn only_the_other_party_answers_and_managers_only_look(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.issue(&w.bob.member, 60).await;
    // Alice helped Bob and bills him.
    let p = w
        .propose(&w.alice, &w.bob, ExchangeDirection::HelperBills, 60)
        .await;
    refused(
        w.app.accept_exchange(&w.alice.actor, p.id, key()).await,
        "not_your_proposal",
    );
    refused(
        w.app.decline_exchange(&w.alice.actor, p.id, None).await,
        "not_your_proposal",
    );
    refused(
        w.app.withdraw_exchange(&w.bob.actor, p.id).await,
        "not_your_proposal",
    );
    refused(
        w.app.accept_exchange(&w.manager, p.id, key()).await,
        "forbidden",
    );
    refused(
        w.app.decline_exchange(&w.manager, p.id, None).await,
        "forbidden",
    );
    refused(
        w.app.accept_exchange(&w.olga.actor, p.id, key()).await,
        "not_found",
    );
    refused(
        w.app.exchange_proposal(&w.olga.actor, p.id).await,
        "not_found",
    );
    refused(
        w.app.exchange_proposal(&w.other_manager, p.id).await,
        "not_found",
    );
    assert_eq!(
        w.app
            .exchange_proposal(&w.manager, p.id)
            .await
            .expect("a manager sees it"),
        p
    );
    let all = w
        .app
        .exchange_proposals(&w.manager, ProposalSearch::default())
        .await
        .expect("manager list");
    assert_eq!(all.items, vec![p.clone()]);
    let theirs = w
        .app
        .exchange_proposals(
            &w.other_manager,
            ProposalSearch {
                programme: Some(w.programme.id),
                ..ProposalSearch::default()
            },
        )
        .await;
    refused(theirs, "not_found");
    let none = w
        .app
        .exchange_proposals(&w.other_manager, ProposalSearch::default())
        .await
        .expect("other manager's own programme");
    assert!(none.items.is_empty());
    refused(
        w.app
            .exchange_proposals(
                &w.alice.actor,
                ProposalSearch {
                    member: Some(w.bob.member.id),
                    ..ProposalSearch::default()
                },
            )
            .await,
        "forbidden",
    );
    let stored = w
        .app
        .exchange_proposal(&w.bob.actor, p.id)
        .await
        .expect("read");
    assert_eq!(stored.status, ProposalStatus::Open, "nothing was answered");
    let accepted = w
        .app
        .accept_exchange(&w.bob.actor, p.id, key())
        .await
        .expect("bob accepts");
    assert_eq!(
        accepted.outcome.transfer().debit,
        w.bob.member.account,
        "the one helped pays"
    );
}

async fn declined_withdrawn_and_expired_proposals_are_kept(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.issue(&w.alice.member, 600).await;
    let before = w.transfers().await;
    let declined = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 60)
        .await;
    let declined = w
        .app
        .decline_exchange(
            &w.alice.actor,
            declined.id,
            Some("  I was away that week ".into()),
        )
        .await
        .expect("decline");
    assert_eq!(declined.status, ProposalStatus::Declined);
    assert_eq!(
        declined.decline_reason.as_deref(),
        Some("I was away that week")
    );
    assert_eq!(declined.answered_by, Some(w.alice.actor.user));
    refused(
        w.app
            .accept_exchange(&w.alice.actor, declined.id, key())
            .await,
        "proposal_already_answered",
    );

    let withdrawn = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 30)
        .await;
    let withdrawn = w
        .app
        .withdraw_exchange(&w.bob.actor, withdrawn.id)
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.status, ProposalStatus::Withdrawn);
    assert_eq!(withdrawn.decline_reason, None);
    refused(
        w.app
            .accept_exchange(&w.alice.actor, withdrawn.id, key())
            .await,
        "proposal_already_answered",
    );

    let short = w
        .app
        .propose_exchange(
            &w.bob.actor,
            NewProposal {
                expires_in_days: Some(2),
                ..proposal_to(&w.alice, ExchangeDirection::HelperBills, 45)
            },
        )
        .await
        .expect("short-lived");
    let lasting = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 15)
        .await;
    w.clock.set(w.app.now() + Duration::days(2));
    refused(
        w.app.accept_exchange(&w.alice.actor, short.id, key()).await,
        "proposal_expired",
    );
    refused(
        w.app.decline_exchange(&w.alice.actor, short.id, None).await,
        "proposal_expired",
    );
    refused(
        w.app.withdraw_exchange(&w.bob.actor, short.id).await,
        "proposal_expired",
    );
    let shown = w
        .app
        .exchange_proposal(&w.bob.actor, short.id)
        .await
        .expect("kept");
    assert_eq!(shown.status_at(w.app.now()), ProposalStatus::Expired);
    let status = |s| ProposalSearch {
        status: Some(s),
        ..ProposalSearch::default()
    };
    let ids = |page: timecredits_app::timebank::Page<Proposal>| {
        page.items.into_iter().map(|p| p.id).collect::<Vec<_>>()
    };
    for (s, expected) in [
        (ProposalStatus::Expired, vec![short.id]),
        (ProposalStatus::Open, vec![lasting.id]),
        (ProposalStatus::Declined, vec![declined.id]),
        (ProposalStatus::Withdrawn, vec![withdrawn.id]),
        (ProposalStatus::Accepted, vec![]),
    ] {
        let page = w
            .app
            .exchange_proposals(&w.bob.actor, status(s))
            .await
            .expect("list");
        assert_eq!(ids(page), expected, "{s:?}");
    }
    let everything = w
        .app
        .exchange_proposals(&w.alice.actor, ProposalSearch::default())
        .await
        .expect("all kept");
    assert_eq!(everything.items.len(), 4);
    assert_eq!(w.transfers().await, before, "nothing was paid");
}

async fn a_refused_payment_leaves_the_proposal_open_until_the_overdraft_allows_it(
    store: Arc<dyn Store>,
) {
    let w = world(store).await;
    // Bob helped Alice, who holds nothing.
    let p = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 60)
        .await;
    let before = w.transfers().await;
    refused(
        w.app.accept_exchange(&w.alice.actor, p.id, key()).await,
        "insufficient_credits",
    );
    let stored = w
        .app
        .exchange_proposal(&w.alice.actor, p.id)
        .await
        .expect("read");
    assert_eq!(stored, p, "the refused acceptance left nothing behind");
    assert_eq!(w.transfers().await, before);

    // The programme now lets exchanges take a member two hours below zero.
    let today = w.app.programme_today(&w.programme);
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: today,
                rules: ProgrammeRules {
                    exchange_overdraft_minutes: 120,
                    ..ProgrammeRules::default()
                },
            },
        )
        .await
        .expect("change the rules");
    let accepted = w
        .app
        .accept_exchange(&w.alice.actor, p.id, key())
        .await
        .expect("within the overdraft");
    assert_eq!(accepted.proposal.status, ProposalStatus::Accepted);
    assert_eq!(w.balance(&w.alice.member).await, -60);
    assert_eq!(w.balance(&w.bob.member).await, 60);
    let account = w
        .app
        .store()
        .account(w.alice.member.account)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(account.account.exchange_overdraft_minutes, 120);
    // The overdraft is a limit: 90 more minutes would go past it.
    let more = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 90)
        .await;
    refused(
        w.app.accept_exchange(&w.alice.actor, more.id, key()).await,
        "insufficient_credits",
    );
    assert!(w.app.verify_ledger().await.expect("verify").is_ok());
}

async fn concurrent_answers_settle_once(store: Arc<dyn Store>) {
    let w = Arc::new(world(store).await);
    w.issue(&w.alice.member, 600).await;
    let p = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 60)
        .await;
    let before = w.transfers().await;
    let mut tasks = Vec::new();
    for i in 0..12 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let result = if i % 3 == 2 {
                w.app
                    .decline_exchange(&w.alice.actor, p.id, None)
                    .await
                    .map(|_| "declined")
            } else {
                w.app
                    .accept_exchange(&w.alice.actor, p.id, key())
                    .await
                    .map(|_| "accepted")
            };
            match result {
                Ok(what) => Some(what),
                Err(e) => {
                    assert_eq!(e.code(), "proposal_already_answered", "{e}");
                    None
                }
            }
        }));
    }
    let mut wins = Vec::new();
    for task in tasks {
        if let Some(what) = task.await.expect("task") {
            wins.push(what);
        }
    }
    assert_eq!(wins.len(), 1, "exactly one answer wins: {wins:?}");
    let stored = w
        .app
        .exchange_proposal(&w.alice.actor, p.id)
        .await
        .expect("read");
    let paid = u64::from(wins[0] == "accepted");
    assert_eq!(w.transfers().await, before + paid);
    assert_eq!(w.balance(&w.alice.member).await, 600 - 60 * paid as i64);
    assert_eq!(stored.transfer.is_some(), paid == 1);
}

async fn proposals_are_checked_against_the_rules(store: Arc<dyn Store>) {
    let w = &world(store).await;
    let to_bob = move |minutes| proposal_to(&w.bob, ExchangeDirection::HelperBills, minutes);
    let propose = move |new: NewProposal| w.app.propose_exchange(&w.alice.actor, new);
    refused(propose(to_bob(0)).await, "minutes_not_positive");
    refused(propose(to_bob(-30)).await, "minutes_not_positive");
    refused(propose(to_bob(50)).await, "minutes_off_granularity");
    refused(
        propose(proposal_to(&w.alice, ExchangeDirection::HelperBills, 60)).await,
        "cannot_exchange_with_yourself",
    );
    refused(
        propose(proposal_to(&w.olga, ExchangeDirection::HelperBills, 60)).await,
        "not_found",
    );
    refused(
        propose(NewProposal {
            note: "x".repeat(301),
            ..to_bob(60)
        })
        .await,
        "note_too_long",
    );
    refused(
        propose(NewProposal {
            expires_in_days: Some(0),
            ..to_bob(60)
        })
        .await,
        "expiry_days_out_of_range",
    );
    refused(
        w.app
            .propose_exchange(
                &w.manager,
                proposal_to(&w.bob, ExchangeDirection::HelperBills, 60),
            )
            .await,
        "forbidden",
    );
    // A listing must be between the two, on the side it says.
    let bobs_request = w
        .app
        .create_timebank_listing(
            &w.bob.actor,
            listing(ListingKind::Request, "diy_and_repairs", "Shelves", ""),
        )
        .await
        .expect("request");
    let bobs_offer = w
        .app
        .create_timebank_listing(
            &w.bob.actor,
            listing(ListingKind::Offer, "diy_and_repairs", "Odd jobs", ""),
        )
        .await
        .expect("offer");
    let olgas = w
        .app
        .create_timebank_listing(
            &w.olga.actor,
            listing(ListingKind::Offer, "other", "Elsewhere", ""),
        )
        .await
        .expect("other programme");
    let with = |listing| NewProposal {
        listing: Some(listing),
        ..to_bob(60)
    };
    refused(propose(with(bobs_offer.id)).await, "listing_does_not_fit");
    refused(propose(with(olgas.id)).await, "not_found");
    let fits = propose(with(bobs_request.id)).await.expect("fits");
    assert_eq!(fits.listing, Some(bobs_request.id));
    w.app
        .close_timebank_listing(&w.bob.actor, bobs_request.id)
        .await
        .expect("close");
    refused(propose(with(bobs_request.id)).await, "listing_closed");

    // The granularity in force today decides.
    let today = w.app.programme_today(&w.programme);
    w.app
        .change_rules(
            &w.manager,
            w.programme.id,
            RuleVersion {
                effective_from: today,
                rules: ProgrammeRules {
                    granularity_minutes: 30,
                    ..ProgrammeRules::default()
                },
            },
        )
        .await
        .expect("change the rules");
    refused(propose(to_bob(45)).await, "minutes_off_granularity");
    propose(to_bob(90)).await.expect("whole steps of 30");
}

async fn a_key_reused_on_another_proposal_is_a_conflict(store: Arc<dyn Store>) {
    let w = world(store).await;
    w.issue(&w.alice.member, 600).await;
    let first = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 60)
        .await;
    let second = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelperBills, 60)
        .await;
    let k = key();
    w.app
        .accept_exchange(&w.alice.actor, first.id, k)
        .await
        .expect("first");
    refused(
        w.app.accept_exchange(&w.alice.actor, second.id, k).await,
        "idempotency_conflict",
    );
    let stored = w
        .app
        .exchange_proposal(&w.alice.actor, second.id)
        .await
        .expect("read");
    assert_eq!(stored, second, "the second proposal is still open");
    w.app
        .accept_exchange(&w.alice.actor, second.id, key())
        .await
        .expect("with its own key");
    assert_eq!(w.balance(&w.alice.member).await, 480);
}

async fn members_list_their_incoming_and_outgoing_proposals(store: Arc<dyn Store>) {
    let w = &world(store).await;
    let out1 = w
        .propose(&w.alice, &w.bob, ExchangeDirection::HelperBills, 15)
        .await;
    let incoming = w
        .propose(&w.bob, &w.alice, ExchangeDirection::HelpedPays, 30)
        .await;
    let out2 = w
        .propose(&w.alice, &w.bob, ExchangeDirection::HelpedPays, 45)
        .await;
    let list = move |mailbox, limit, cursor| {
        w.app.exchange_proposals(
            &w.alice.actor,
            ProposalSearch {
                mailbox,
                limit,
                cursor,
                ..ProposalSearch::default()
            },
        )
    };
    let ids = |page: timecredits_app::timebank::Page<Proposal>| {
        page.items.into_iter().map(|p| p.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(list(Mailbox::Outgoing, None, None).await.expect("out")),
        vec![out2.id, out1.id]
    );
    assert_eq!(
        ids(list(Mailbox::Incoming, None, None).await.expect("in")),
        vec![incoming.id]
    );
    let first = list(Mailbox::Both, Some(2), None).await.expect("page 1");
    assert_eq!(first.next_cursor, Some(incoming.id.0));
    let cursor = first.next_cursor.map(timecredits_app::timebank::ProposalId);
    let second = list(Mailbox::Both, Some(2), cursor).await.expect("page 2");
    assert_eq!(ids(second.clone()), vec![out1.id]);
    assert_eq!(second.next_cursor, None);
    // A manager can narrow to one member and one side.
    let bobs_incoming = w
        .app
        .exchange_proposals(
            &w.manager,
            ProposalSearch {
                member: Some(w.bob.member.id),
                mailbox: Mailbox::Incoming,
                ..ProposalSearch::default()
            },
        )
        .await
        .expect("manager");
    assert_eq!(ids(bobs_incoming), vec![out2.id, out1.id]);
    refused(
        w.app
            .exchange_proposals(
                &w.manager,
                ProposalSearch {
                    member: Some(w.olga.member.id),
                    ..ProposalSearch::default()
                },
            )
            .await,
        "not_found",
    );
}
