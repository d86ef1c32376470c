//! Administrators give programme roles (manager, evaluator) to existing
//! sign-ins and take them away, on both backends: the list, the effect on
//! what the person may do, who may not, and the append-only change log.

use std::sync::Arc;

use timecredits_app::directory::{ContactInput, NewPartner};
use timecredits_app::{
    Actor, App, AppError, FixedClock, NewMember, NewProgramme, Programme, Role, Scope, Store,
};
use timecredits_conformance::{on_both_backends, t};
use uuid::Uuid;

on_both_backends!(
    roles_are_granted_listed_and_revoked,
    a_revoked_manager_can_no_longer_manage,
    only_administrators_change_programme_roles,
    only_programme_roles_for_existing_sign_ins,
);

struct World {
    app: App,
    store: Arc<dyn Store>,
    clock: Arc<FixedClock>,
    admin: Actor,
    programme: Programme,
}

fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.org", Uuid::now_v7().simple())
}

fn code<T: std::fmt::Debug>(result: Result<T, AppError>) -> String {
    result.expect_err("refused").code().to_owned()
}

async fn world(store: Arc<dyn Store>) -> World {
    let clock = Arc::new(FixedClock::new(t(0)));
    let app = App::new(store.clone(), clock.clone());
    let admin = app
        .bootstrap_administrator(&unique_email("admin"), "a long admin password")
        .await
        .expect("admin");
    let admin = app.actor(admin.id).await.expect("admin actor");
    let programme = programme(&app, &admin, "Exampleton").await;
    World {
        app,
        store,
        clock,
        admin,
        programme,
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

/// A staff sign-in with a role somewhere, and its email.
async fn sign_in(app: &App, admin: &Actor, role: Role, scope: Scope) -> (Actor, String) {
    let email = unique_email(role.as_str());
    let user = app
        .create_staff(
            admin,
            &email,
            "Robin Staff",
            "a long staff password",
            role,
            scope,
        )
        .await
        .expect("staff");
    (app.actor(user.id).await.expect("actor"), email)
}

fn partner(programme: &Programme) -> NewPartner {
    NewPartner {
        programme: programme.id,
        name: "Hall".into(),
        kind: "community_group".into(),
        postcode: None,
        contacts: vec![ContactInput {
            name: "Sam Smith".into(),
            email: Some("sam@example.org".into()),
            phone: None,
        }],
        roles: "both".into(),
    }
}

async fn roles_are_granted_listed_and_revoked(store: Arc<dyn Store>) {
    let w = world(store).await;
    let other = programme(&w.app, &w.admin, "Otherton").await;
    // Someone who already evaluates another programme.
    let (robin, email) = sign_in(
        &w.app,
        &w.admin,
        Role::Evaluator,
        Scope::Programme(other.id),
    )
    .await;
    assert!(
        w.app
            .programme_staff(&w.admin, w.programme.id)
            .await
            .expect("list")
            .is_empty()
    );

    let granted = w
        .app
        .grant_programme_role(
            &w.admin,
            w.programme.id,
            &email.to_uppercase(),
            Role::ProgrammeManager,
        )
        .await
        .expect("manager");
    assert_eq!(granted.user, robin.user);
    w.clock.set(t(1));
    w.app
        .grant_programme_role(&w.admin, w.programme.id, &email, Role::Evaluator)
        .await
        .expect("evaluator");
    let list = w
        .app
        .programme_staff(&w.admin, w.programme.id)
        .await
        .expect("list");
    let mut roles: Vec<Role> = list.iter().map(|s| s.role).collect();
    roles.sort_by_key(|r| r.as_str());
    assert_eq!(roles, vec![Role::Evaluator, Role::ProgrammeManager]);
    assert!(
        list.iter()
            .all(|s| s.user == robin.user && s.email.as_deref() == Some(email.as_str()))
    );
    let actor = w.app.actor(robin.user).await.expect("actor");
    assert!(actor.manages(w.programme.id) && actor.evaluates(w.programme.id));
    // The other programme's list and grants are untouched.
    assert_eq!(
        w.app
            .programme_staff(&w.admin, other.id)
            .await
            .expect("other")
            .len(),
        1
    );
    assert!(actor.evaluates(other.id) && !actor.manages(other.id));

    w.clock.set(t(2));
    w.app
        .revoke_programme_role(&w.admin, w.programme.id, robin.user, Role::Evaluator)
        .await
        .expect("revoke");
    let list = w
        .app
        .programme_staff(&w.admin, w.programme.id)
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].role, Role::ProgrammeManager);
    // Revoking what is not held is "not found", and logs nothing.
    assert_eq!(
        code(
            w.app
                .revoke_programme_role(&w.admin, w.programme.id, robin.user, Role::Evaluator)
                .await
        ),
        "not_found"
    );

    let log = w
        .app
        .programme_staff_changes(&w.admin, w.programme.id)
        .await
        .expect("log");
    let lines: Vec<(Role, bool)> = log.iter().map(|c| (c.role, c.added)).collect();
    assert_eq!(
        lines,
        vec![
            (Role::ProgrammeManager, true),
            (Role::Evaluator, true),
            (Role::Evaluator, false)
        ]
    );
    assert!(log.iter().all(|c| c.user == robin.user
        && c.changed_by == w.admin.user
        && c.programme == w.programme.id));
    assert_eq!(log[2].changed_at, t(2));
    assert!(
        w.store
            .programme_staff_changes(other.id)
            .await
            .expect("other log")
            .is_empty()
    );
}

async fn a_revoked_manager_can_no_longer_manage(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (manager, _) = sign_in(
        &w.app,
        &w.admin,
        Role::ProgrammeManager,
        Scope::Programme(w.programme.id),
    )
    .await;
    w.app
        .create_partner(&manager, partner(&w.programme))
        .await
        .expect("a manager creates a partner");
    // A member's own programme grant does not make them staff.
    w.app
        .register_member(
            &manager,
            NewMember {
                programme: w.programme.id,
                display_name: "Alex Member".into(),
                pin: Some("4071".into()),
                number: None,
            },
        )
        .await
        .expect("member");
    let list = w
        .app
        .programme_staff(&w.admin, w.programme.id)
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].user, list[0].role),
        (manager.user, Role::ProgrammeManager)
    );
    w.app
        .revoke_programme_role(
            &w.admin,
            w.programme.id,
            manager.user,
            Role::ProgrammeManager,
        )
        .await
        .expect("revoke");
    let after = w.app.actor(manager.user).await.expect("actor");
    assert!(!after.manages(w.programme.id));
    assert!(after.grants.is_empty());
    // Without any grant they no longer take part in the programme at all.
    assert_eq!(
        code(w.app.create_partner(&after, partner(&w.programme)).await),
        "not_found"
    );
    let log = w
        .store
        .programme_staff_changes(w.programme.id)
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert!(!log[0].added);
}

async fn only_administrators_change_programme_roles(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (manager, _) = sign_in(
        &w.app,
        &w.admin,
        Role::ProgrammeManager,
        Scope::Programme(w.programme.id),
    )
    .await;
    let (evaluator, email) = sign_in(
        &w.app,
        &w.admin,
        Role::Evaluator,
        Scope::Programme(w.programme.id),
    )
    .await;
    let other = programme(&w.app, &w.admin, "Otherton").await;
    let (stranger, _) = sign_in(
        &w.app,
        &w.admin,
        Role::ProgrammeManager,
        Scope::Programme(other.id),
    )
    .await;

    // Staff of the programme are forbidden; staff of another programme do not see it.
    assert_eq!(
        code(w.app.programme_staff(&manager, w.programme.id).await),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .grant_programme_role(&manager, w.programme.id, &email, Role::ProgrammeManager)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(
            w.app
                .revoke_programme_role(&manager, w.programme.id, evaluator.user, Role::Evaluator)
                .await
        ),
        "forbidden"
    );
    assert_eq!(
        code(w.app.programme_staff(&evaluator, w.programme.id).await),
        "forbidden"
    );
    assert_eq!(
        code(w.app.programme_staff(&stranger, w.programme.id).await),
        "not_found"
    );
    assert_eq!(
        code(
            w.app
                .revoke_programme_role(
                    &stranger,
                    w.programme.id,
                    manager.user,
                    Role::ProgrammeManager
                )
                .await
        ),
        "not_found"
    );
    // Nothing changed.
    let still = w.app.actor(evaluator.user).await.expect("actor");
    assert!(still.evaluates(w.programme.id) && !still.manages(w.programme.id));
    assert!(
        w.store
            .programme_staff_changes(w.programme.id)
            .await
            .expect("log")
            .is_empty()
    );
}

async fn only_programme_roles_for_existing_sign_ins(store: Arc<dyn Store>) {
    let w = world(store).await;
    let (_, email) = sign_in(
        &w.app,
        &w.admin,
        Role::Evaluator,
        Scope::Programme(w.programme.id),
    )
    .await;
    for role in [
        Role::Administrator,
        Role::Coordinator,
        Role::SpendStaff,
        Role::Member,
    ] {
        assert_eq!(
            code(
                w.app
                    .grant_programme_role(&w.admin, w.programme.id, &email, role)
                    .await
            ),
            "programme_role_invalid"
        );
    }
    assert_eq!(
        code(
            w.app
                .grant_programme_role(
                    &w.admin,
                    w.programme.id,
                    &unique_email("nobody"),
                    Role::Evaluator
                )
                .await
        ),
        "staff_sign_in_needed"
    );
    assert_eq!(
        code(
            w.app
                .grant_programme_role(&w.admin, w.programme.id, "not an email", Role::Evaluator)
                .await
        ),
        "invalid_input"
    );
    let missing = timecredits_ledger::ProgrammeId(Uuid::now_v7());
    assert_eq!(
        code(
            w.app
                .grant_programme_role(&w.admin, missing, &email, Role::Evaluator)
                .await
        ),
        "not_found"
    );
    assert!(
        w.store
            .programme_staff_changes(w.programme.id)
            .await
            .expect("log")
            .is_empty()
    );
}
