//! The home page: a member's balance in words, their next sessions and
//! latest changes; staff's roles, and a manager's members.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use timecredits_app::{Actor, App, AppError, Role, Scope};
use timecredits_domain::activity::SignUpStatus;

use super::member::{LineView, lines, programme_zone};
use super::{Layout, SignedIn, render};
use crate::error::PageError;
use crate::i18n::{Arg, Lang};
use crate::{AppState, member_summary};

/// How many statement lines the home page shows; the statement has them all.
const HOME_STATEMENT_LINES: usize = 5;
/// How many coming sessions the home page lists.
const HOME_SESSIONS: u32 = 5;
/// How many members a manager's table shows.
const HOME_MEMBER_ROWS: usize = 200;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    hello: String,
    member: Option<MemberView>,
    /// The member's latest changes, and the table's caption.
    lines: Vec<LineView>,
    caption: String,
    roles: Vec<String>,
    programmes: Vec<ProgrammeView>,
}

struct MemberView {
    number: String,
    balance_sentence: String,
    hours_sentence: String,
    sessions: Vec<SessionView>,
}

struct SessionView {
    activity_href: String,
    activity: String,
    when: String,
    waiting: bool,
}

struct ProgrammeView {
    name: String,
    caption: String,
    members: Vec<MemberRow>,
}

struct MemberRow {
    number: String,
    name: String,
    balance: String,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let l = Layout::new(&headers, Some(&signed_in), "/home");
    let user = app
        .store()
        .user(actor.user)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::Unauthenticated)?;
    let (member, lines) = match member_summary(app, actor).await? {
        Some((member, balance)) => {
            let (view, lines) = member_view(app, &l.lang, actor, &member, balance).await?;
            (Some(view), lines)
        }
        None => (None, Vec::new()),
    };
    let shown = i64::try_from(lines.len()).unwrap_or(i64::MAX);
    let caption = l
        .lang
        .ta("statement-caption-latest", &[("n", Arg::Int(shown))]);
    let mut roles = Vec::new();
    for grant in actor.grants.iter().filter(|g| g.role != Role::Member) {
        roles.push(describe_role(app, &l.lang, grant.role, grant.scope).await?);
    }
    let mut programmes = Vec::new();
    for programme in actor.managed_programmes() {
        programmes.push(programme_view(app, &l.lang, actor, programme).await?);
    }
    let hello = l.t1("home-hello", "name", &user.display_name);
    Ok(render(&HomePage {
        l,
        hello,
        member,
        lines,
        caption,
        roles,
        programmes,
    })?
    .into_response())
}

async fn member_view(
    app: &App,
    lang: &Lang,
    actor: &Actor,
    member: &timecredits_app::Member,
    balance: i64,
) -> Result<(MemberView, Vec<LineView>), AppError> {
    let zone = programme_zone(app, member.programme).await?;
    let statement = app.statement(actor, member.account, None, None).await?;
    let hours_sentence = if balance > 0 {
        lang.ta(
            "home-balance-hours",
            &[("hours", Arg::Text(lang.hours(balance)))],
        )
    } else {
        lang.t("home-balance-none")
    };
    let sessions = app
        .my_sign_ups(actor, HOME_SESSIONS)
        .await?
        .into_iter()
        .map(|(sign_up, session, activity)| SessionView {
            activity_href: format!("/activities/{}", activity.id),
            activity: activity.details.title,
            when: lang.date_time(session.starts_at, zone),
            waiting: sign_up.status == SignUpStatus::Waiting,
        })
        .collect();
    let view = MemberView {
        number: member.number.to_string(),
        balance_sentence: lang.ta(
            "home-balance",
            &[("amount", Arg::Text(lang.credits(balance)))],
        ),
        hours_sentence,
        sessions,
    };
    Ok((view, lines(lang, zone, &statement, HOME_STATEMENT_LINES)))
}

async fn describe_role(
    app: &App,
    lang: &Lang,
    role: Role,
    scope: Scope,
) -> Result<String, AppError> {
    let place = match scope {
        Scope::Platform => lang.t("role-platform"),
        Scope::Programme(id) => app
            .store()
            .programme(id)
            .await?
            .map_or_else(|| id.to_string(), |p| p.name),
        Scope::Organisation(id) => app
            .store()
            .organisation(id)
            .await?
            .map_or_else(|| id.to_string(), |o| o.name),
    };
    let key = match role {
        Role::Member => "role-member",
        Role::Coordinator => "role-coordinator",
        Role::SpendStaff => "role-spend-staff",
        Role::ProgrammeManager => "role-manager",
        Role::Evaluator => "role-evaluator",
        Role::Administrator => "role-administrator",
    };
    Ok(lang.ta(key, &[("place", Arg::Text(place))]))
}

async fn programme_view(
    app: &App,
    lang: &Lang,
    actor: &Actor,
    programme: timecredits_ledger::ProgrammeId,
) -> Result<ProgrammeView, AppError> {
    let name = app.programme(programme).await?.name;
    let mut members = app.store().members(programme).await?;
    members.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
    });
    let total = members.len();
    let mut rows = Vec::with_capacity(total.min(HOME_MEMBER_ROWS));
    for member in members.into_iter().take(HOME_MEMBER_ROWS) {
        let balance = app.balance(actor, member.account, None).await?;
        rows.push(MemberRow {
            number: member.number.to_string(),
            name: member.display_name,
            balance: lang.short(balance),
        });
    }
    let shown = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let caption = if total > rows.len() {
        lang.ta(
            "home-members-caption-partial",
            &[
                ("shown", Arg::Int(shown)),
                ("total", Arg::Int(i64::try_from(total).unwrap_or(i64::MAX))),
            ],
        )
    } else {
        lang.ta("home-members-caption", &[("shown", Arg::Int(shown))])
    };
    Ok(ProgrammeView {
        name: lang.ta("home-members-of", &[("programme", Arg::Text(name))]),
        caption,
        members: rows,
    })
}
