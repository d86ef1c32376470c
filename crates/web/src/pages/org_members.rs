//! A coordinator's members page: the organisation's members, registrations
//! waiting for a decision, registering someone on their behalf (their
//! number and PIN shown once), and a member's card to print.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rand::Rng;
use serde::Deserialize;
use timecredits_app::directory::{OnBehalfRegistration, PageRequest};
use timecredits_app::{Actor, App, AppError, MemberId};
use uuid::Uuid;

use super::forms::FormErrors;
use super::member::{card_qr_svg, organisation_zone};
use super::org_choice::{Chosen, choose};
use super::{Layout, SignedIn, form_timed_out, render, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

const PATH: &str = "/organisation/members";

struct MemberRow {
    id: String,
    name: String,
    number: String,
}

struct PendingRow {
    id: String,
    name: String,
    number: String,
    registered: String,
}

/// A new member's number and PIN, shown once after registering them.
struct JustRegistered {
    name: String,
    number: String,
    pin: String,
    card_href: String,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "org_members.html")]
struct MembersPage {
    l: Layout,
    errors: FormErrors,
    choice: Chosen,
    notice: Option<String>,
    registered: Option<JustRegistered>,
    members: Vec<MemberRow>,
    pending: Vec<PendingRow>,
    form: RegisterForm,
    /// The pending member whose decline was refused, to show its error.
    declining: String,
    /// The next page of members, when there are more.
    next_page: Option<String>,
    /// The first page, when this is a later one.
    first_page: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct MembersQuery {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    done: String,
    /// The cursor of a later page of members.
    #[serde(default)]
    after: String,
}

struct Extras {
    errors: FormErrors,
    notice: Option<String>,
    registered: Option<JustRegistered>,
    form: RegisterForm,
    declining: String,
    /// Where the list of members starts (a later page), if not at the top.
    after: Option<uuid::Uuid>,
}

/// Members listed per page.
const MEMBERS_PER_PAGE: u32 = 200;

async fn members_page(
    app: &App,
    actor: &Actor,
    l: Layout,
    choice: Chosen,
    extras: Extras,
) -> Result<MembersPage, AppError> {
    let organisation = choice.organisation.id;
    let listed = app
        .organisation_members(
            actor,
            organisation,
            PageRequest {
                after: extras.after,
                limit: MEMBERS_PER_PAGE,
            },
        )
        .await?;
    let mut members: Vec<MemberRow> = listed
        .items
        .into_iter()
        .map(|(m, _)| MemberRow {
            id: m.id.to_string(),
            name: m.display_name,
            number: m.number.to_string(),
        })
        .collect();
    members.sort_by_key(|m| m.name.to_lowercase());
    let zone = organisation_zone(app, organisation).await?;
    let pending = app
        .pending_registrations(
            actor,
            choice.organisation.programme,
            Some(organisation),
            PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await?
        .items
        .into_iter()
        .map(|(m, r)| PendingRow {
            id: m.id.to_string(),
            name: m.display_name,
            number: m.number.to_string(),
            registered: l.lang.date(r.registered_at, zone),
        })
        .collect();
    let next_page = listed
        .next_cursor
        .as_ref()
        .map(|cursor| format!("{}&after={cursor}", choice.link(PATH)));
    let first_page = extras.after.map(|_| choice.link(PATH));
    Ok(MembersPage {
        l,
        errors: extras.errors,
        choice,
        notice: extras.notice,
        registered: extras.registered,
        members,
        next_page,
        first_page,
        pending,
        form: extras.form,
        declining: extras.declining,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(query): Query<MembersQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &query.organisation, PATH).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let notice = match query.done.as_str() {
        "approved" => Some(l.t("org-members-approved")),
        "declined" => Some(l.t("org-members-declined")),
        _ => None,
    };
    let extras = Extras {
        errors: FormErrors::default(),
        notice,
        registered: None,
        form: RegisterForm::default(),
        declining: String::new(),
        after: uuid::Uuid::try_parse(&query.after).ok(),
    };
    let page = members_page(app, actor, l, choice, extras).await?;
    Ok(render(&page)?.into_response())
}

/// A PIN for a new member: four random digits, shown once.
fn new_pin() -> String {
    format!("{:04}", rand::rng().random_range(0..10_000u32))
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

pub(crate) async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &form.organisation, PATH).await?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let mut errors = FormErrors::default();
    if form.name.trim().is_empty() {
        errors.add("name", l.t("org-members-error-name"));
    }
    let mut registered = None;
    if errors.is_empty() {
        let pin = new_pin();
        let request = OnBehalfRegistration {
            programme: choice.organisation.programme,
            display_name: form.name.clone(),
            pin: Some(pin.clone()),
            number: None,
            organisation: Some(choice.organisation.id),
            language: None,
            email: optional(&form.email),
            phone: optional(&form.phone),
        };
        match app.register_on_behalf(actor, request).await {
            Ok(done) => {
                registered = Some(JustRegistered {
                    name: done.member.display_name,
                    number: done.member.number.to_string(),
                    pin,
                    card_href: format!("/members/{}/card", done.member.id),
                });
            }
            Err(AppError::Refused(r)) => match r.code {
                "email_invalid" => errors.add("email", l.t("org-members-error-email")),
                "phone_invalid" => errors.add("phone", l.t("org-members-error-phone")),
                "display_name_invalid" => errors.add("name", l.t("org-members-error-name")),
                code => errors.add("name", l.lang.refusal(code, &r.message)),
            },
            Err(other) => return Err(other.into()),
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // After a registration the form starts empty for the next person.
    let form = if registered.is_some() {
        RegisterForm::default()
    } else {
        form
    };
    let extras = Extras {
        errors,
        notice: None,
        registered,
        form,
        declining: String::new(),
        after: None,
    };
    let page = members_page(app, actor, l, choice, extras).await?;
    let mut response = render_with(status, &page);
    // The page may show a new member's PIN: no cache may keep it.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize, Default)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    reason: String,
}

fn member_id(raw: &str) -> Result<MemberId, AppError> {
    Uuid::try_parse(raw)
        .map(MemberId)
        .map_err(|_| AppError::NotFound("member"))
}

pub(crate) async fn approve(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let choice = choose(&state.app, &signed_in.actor, &form.organisation, PATH).await?;
    state
        .app
        .approve_registration(&signed_in.actor, member_id(&id)?)
        .await?;
    Ok(Redirect::to(&format!("{}&done=approved", choice.link(PATH))).into_response())
}

pub(crate) async fn decline(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let actor = &signed_in.actor;
    let choice = choose(app, actor, &form.organisation, PATH).await?;
    let member = member_id(&id)?;
    match app.decline_registration(actor, member, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("{}&done=declined", choice.link(PATH))).into_response()),
        Err(AppError::Refused(r)) if r.code == "decline_reason_required" => {
            let l = Layout::new(&headers, Some(&signed_in), PATH);
            let mut errors = FormErrors::default();
            errors.add("decline-reason", l.t("org-members-error-reason"));
            let extras = Extras {
                errors,
                notice: None,
                registered: None,
                form: RegisterForm::default(),
                declining: member.to_string(),
                after: None,
            };
            let page = members_page(app, actor, l, choice, extras).await?;
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "member_card_print.html")]
struct PrintCardPage {
    l: Layout,
    name: String,
    number: String,
    qr_svg: String,
    heading: String,
}

/// A member's card for staff to print: only for staff who may act for
/// the member; anyone else is told there is no such member.
pub(crate) async fn card(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let member = member_id(&id)?;
    if !app.may_act_for(&signed_in.actor, member).await? {
        return Err(AppError::NotFound("member").into());
    }
    let member = app
        .store()
        .member(member)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound("member"))?;
    let l = Layout::new(&headers, Some(&signed_in), PATH);
    let heading = l.lang.ta(
        "org-card-title",
        &[("name", Arg::Text(member.display_name.clone()))],
    );
    Ok(render(&PrintCardPage {
        qr_svg: card_qr_svg(member.number.value())?,
        name: member.display_name,
        number: member.number.to_string(),
        heading,
        l,
    })?
    .into_response())
}
