//! The time bank: the directory of offers and requests, the member's own
//! listings, proposing an exchange, and answering proposals.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::timebank::{
    ListingId, Mailbox, NewListing, NewProposal, ProposalId, ProposalSearch,
};
use timecredits_app::{Actor, App, AppError, MemberNumber};
use timecredits_domain::directory::SKILL_CATEGORIES;
use timecredits_domain::timebank::{ExchangeDirection, ListingKind, ProposalStatus};
use timecredits_ledger::{LedgerError, TransferId};
use uuid::Uuid;

use super::forms::{FormErrors, minutes_from};
use super::member::the_member;
use super::{Layout, SignedIn, form_timed_out, render_with};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::{Arg, Lang};

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct ListingRow {
    title: String,
    kind: String,
    category: String,
    place: String,
    author: String,
    propose_href: Option<String>,
}

struct ProposalRow {
    id: String,
    text: String,
    status: String,
    /// Whether the member can accept or decline it (made to them, open).
    answer: bool,
    /// Whether the member can withdraw it (theirs, open).
    withdraw: bool,
}

#[derive(Deserialize, Default)]
pub(crate) struct Search {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    done: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct ListingForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    place: String,
}

#[derive(Template)]
#[template(path = "timebank.html")]
struct TimebankPage {
    l: Layout,
    errors: FormErrors,
    notice: Option<String>,
    search: Search,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    listings: Vec<ListingRow>,
    mine: Vec<ListingRow>,
    proposals: Vec<ProposalRow>,
    form: ListingForm,
    new_categories: Vec<Choice>,
}

fn category_choices(lang: &Lang, selected: &str, any: Option<&str>) -> Vec<Choice> {
    let mut out = Vec::new();
    if let Some(any) = any {
        out.push(Choice {
            value: String::new(),
            label: lang.t(any),
            selected: selected.is_empty(),
        });
    }
    out.extend(SKILL_CATEGORIES.iter().map(|(code, _)| Choice {
        value: (*code).to_owned(),
        label: lang.t(&format!("category-{code}")),
        selected: *code == selected,
    }));
    out
}

fn listing_row(
    lang: &Lang,
    me: timecredits_app::MemberId,
    l: timecredits_app::timebank::Listing,
) -> ListingRow {
    ListingRow {
        propose_href: (l.author != me)
            .then(|| format!("/timebank/propose?listing={}&to={}", l.id, l.author)),
        kind: lang.t(&format!("timebank-kind-{}", l.kind.as_str())),
        category: lang.t(&format!("category-{}", l.category)),
        title: l.title,
        place: l.place,
        author: l.author_name,
    }
}

async fn names(app: &App, ids: &[timecredits_app::MemberId]) -> Result<Vec<String>, AppError> {
    let mut out = Vec::new();
    for id in ids {
        let m = app.store().member(*id).await?;
        out.push(m.map(|m| m.display_name).unwrap_or_default());
    }
    Ok(out)
}

async fn page_for(
    app: &App,
    actor: &Actor,
    l: Layout,
    search: Search,
    form: ListingForm,
    errors: FormErrors,
) -> Result<TimebankPage, AppError> {
    let (me, _) = the_member(app, actor).await?;
    let found = app
        .search_timebank_listings(
            actor,
            timecredits_app::timebank::ListingSearch {
                kind: ListingKind::parse(&search.kind),
                category: Some(search.category.clone()).filter(|c| !c.is_empty()),
                place: Some(search.place.clone()).filter(|p| !p.trim().is_empty()),
                limit: Some(100),
                ..Default::default()
            },
        )
        .await?;
    let listings = found
        .items
        .into_iter()
        .map(|x| listing_row(&l.lang, me.id, x))
        .collect();
    let mine = app
        .my_timebank_listings(actor, None, None, Some(100))
        .await?
        .items
        .into_iter()
        .map(|x| listing_row(&l.lang, me.id, x))
        .collect();
    let now = app.now();
    let mut proposals = Vec::new();
    let all = app
        .exchange_proposals(
            actor,
            ProposalSearch {
                programme: None,
                member: None,
                mailbox: Mailbox::Both,
                status: None,
                cursor: None,
                limit: Some(50),
            },
        )
        .await?;
    for p in all.items {
        let status = p.status_at(now);
        let open = status == ProposalStatus::Open;
        let other = if p.proposer == me.id {
            p.counterparty
        } else {
            p.proposer
        };
        let other = names(app, &[other]).await?.remove(0);
        let i_help = match p.direction {
            ExchangeDirection::HelperBills => p.proposer == me.id,
            ExchangeDirection::HelpedPays => p.proposer != me.id,
        };
        let key = if i_help {
            "timebank-you-helped"
        } else {
            "timebank-helped-you"
        };
        proposals.push(ProposalRow {
            id: p.id.to_string(),
            text: l.lang.ta(
                key,
                &[
                    ("name", Arg::Text(other)),
                    ("time", Arg::Text(l.lang.hours(p.minutes))),
                ],
            ),
            status: l.t(&format!("timebank-status-{}", status.as_str())),
            answer: open && p.counterparty == me.id,
            withdraw: open && p.proposer == me.id,
        });
    }
    let kinds = [
        ("", "timebank-any-kind"),
        ("offer", "timebank-kind-offer"),
        ("request", "timebank-kind-request"),
    ]
    .into_iter()
    .map(|(v, k)| Choice {
        value: v.to_owned(),
        label: l.t(k),
        selected: search.kind == v,
    })
    .collect();
    let categories = category_choices(&l.lang, &search.category, Some("activities-any"));
    let new_categories = category_choices(&l.lang, &form.category, None);
    let notice = match search.done.as_str() {
        "listed" => Some(l.t("timebank-listed")),
        "proposed" => Some(l.t("timebank-proposed")),
        "accepted" => Some(l.t("timebank-accepted")),
        "declined" => Some(l.t("timebank-declined")),
        "withdrawn" => Some(l.t("timebank-withdrawn")),
        _ => None,
    };
    Ok(TimebankPage {
        l,
        errors,
        notice,
        search,
        kinds,
        categories,
        listings,
        mine,
        proposals,
        form,
        new_categories,
    })
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(search): Query<Search>,
) -> Result<Response, PageError> {
    let l = Layout::new(&headers, Some(&signed_in), "/timebank");
    let page = page_for(
        &state.app,
        &signed_in.actor,
        l,
        search,
        ListingForm::default(),
        FormErrors::default(),
    )
    .await?;
    Ok(render_with(StatusCode::OK, &page))
}

pub(crate) async fn post_listing(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<ListingForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let l = Layout::new(&headers, Some(&signed_in), "/timebank");
    let mut errors = FormErrors::default();
    let kind = ListingKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind-offer", l.t("timebank-error-kind"));
    }
    if form.title.trim().is_empty() {
        errors.add("title", l.t("timebank-error-title"));
    }
    if let (Some(kind), true) = (kind, errors.is_empty()) {
        let new = NewListing {
            kind,
            category: form.category.clone(),
            title: form.title.clone(),
            description: form.description.clone(),
            place: form.place.clone(),
        };
        match state
            .app
            .create_timebank_listing(&signed_in.actor, new)
            .await
        {
            Ok(_) => return Ok(Redirect::to("/timebank?done=listed").into_response()),
            Err(AppError::Refused(r)) => errors.add("title", l.lang.refusal(r.code, &r.message)),
            Err(AppError::Invalid { message, .. }) => errors.add("title", message),
            Err(other) => return Err(other.into()),
        }
    }
    let page = page_for(
        &state.app,
        &signed_in.actor,
        l,
        Search::default(),
        form,
        errors,
    )
    .await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Deserialize, Default)]
pub(crate) struct ProposeQuery {
    #[serde(default)]
    listing: String,
    #[serde(default)]
    to: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct ProposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    listing: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "propose.html")]
struct ProposePage {
    l: Layout,
    errors: FormErrors,
    form: ProposeForm,
}

pub(crate) async fn propose_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(q): Query<ProposeQuery>,
) -> Result<Response, PageError> {
    the_member(&state.app, &signed_in.actor).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/timebank");
    // The listing's author is named by their card number in the form.
    let to = match Uuid::try_parse(&q.to) {
        Ok(id) => state
            .app
            .store()
            .member(timecredits_app::MemberId(id))
            .await
            .map_err(AppError::from)?
            .map(|m| m.number.value().to_string())
            .unwrap_or_default(),
        Err(_) => q.to.clone(),
    };
    let form = ProposeForm {
        listing: q.listing,
        to,
        ..ProposeForm::default()
    };
    Ok(render_with(
        StatusCode::OK,
        &ProposePage {
            l,
            errors: FormErrors::default(),
            form,
        },
    ))
}

pub(crate) async fn propose(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<ProposeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let app = &state.app;
    let l = Layout::new(&headers, Some(&signed_in), "/timebank");
    let mut errors = FormErrors::default();
    let to = match form.to.parse::<MemberNumber>() {
        Ok(n) => app
            .store()
            .member_by_number(n)
            .await
            .map_err(AppError::from)?,
        Err(_) => None,
    };
    if to.is_none() {
        errors.add("to", l.t("give-error-to"));
    }
    let direction = ExchangeDirection::parse(&form.direction);
    if direction.is_none() {
        errors.add("direction-helper_bills", l.t("timebank-error-direction"));
    }
    let minutes = minutes_from(&form.hours, &form.minutes);
    if minutes.is_none() {
        errors.add("hours", l.t("give-error-amount"));
    }
    if let (Some(to), Some(direction), Some(minutes)) = (to, direction, minutes) {
        let new = NewProposal {
            counterparty: to.id,
            direction,
            minutes,
            note: form.note.clone(),
            listing: Uuid::try_parse(&form.listing).ok().map(ListingId),
            expires_in_days: None,
        };
        match app.propose_exchange(&signed_in.actor, new).await {
            Ok(_) => return Ok(Redirect::to("/timebank?done=proposed").into_response()),
            Err(AppError::Refused(r)) => errors.add("to", l.lang.refusal(r.code, &r.message)),
            Err(AppError::NotFound(_)) => errors.add("to", l.t("give-error-to")),
            Err(AppError::Invalid { message, .. }) => errors.add("hours", message),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(render_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ProposePage { l, errors, form },
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((id, answer)): Path<(String, String)>,
    form: Result<Form<AnswerForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let id = ProposalId(Uuid::try_parse(&id).map_err(|_| AppError::NotFound("proposal"))?);
    let app = &state.app;
    let actor = &signed_in.actor;
    let result = match answer.as_str() {
        // The proposal's id is the payment's key: a second tap pays once.
        "accept" => app
            .accept_exchange(actor, id, TransferId(id.0))
            .await
            .map(|_| "accepted"),
        "decline" => app
            .decline_exchange(actor, id, None)
            .await
            .map(|_| "declined"),
        "withdraw" => app.withdraw_exchange(actor, id).await.map(|_| "withdrawn"),
        _ => Err(AppError::NotFound("page")),
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/timebank?done={done}")).into_response()),
        Err(AppError::Ledger(LedgerError::InsufficientCredits { .. })) => {
            let l = Layout::new(&headers, Some(&signed_in), "/timebank");
            let mut errors = FormErrors::default();
            errors.add("proposals", l.lang.refusal("insufficient_credits", ""));
            let page = page_for(
                app,
                actor,
                l,
                Search::default(),
                ListingForm::default(),
                errors,
            )
            .await?;
            Ok(render_with(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}
