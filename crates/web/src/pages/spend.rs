//! Offers a member can spend credits on, from every spend partner.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use timecredits_app::spending::{OfferQuery, StatusFilter};

use super::member::{programme_zone, the_member};
use super::off_peak::not_available_now;
use super::{Layout, SignedIn, render};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Arg;

struct OfferRow {
    title: String,
    partner: String,
    price: String,
    hours: String,
    audience: String,
    affordable: bool,
    /// Outside the offer's off-peak hours: when it is available.
    unavailable: Option<String>,
}

#[derive(Template)]
#[template(path = "spend.html")]
struct SpendPage {
    l: Layout,
    balance: String,
    offers: Vec<OfferRow>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let app = &state.app;
    let actor = &signed_in.actor;
    let (member, balance) = the_member(app, actor).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/spend");
    let zone = programme_zone(app, member.programme).await?;
    let local_now = app.now().with_timezone(&zone).naive_local();
    let offers = app
        .spend_offers(
            actor,
            OfferQuery {
                programme: Some(member.programme),
                organisation: None,
                audience: None,
                status: StatusFilter::Active,
                available_on: Some(app.programme_today(&app.programme(member.programme).await?)),
                cursor: None,
                limit: Some(200),
            },
        )
        .await?;
    let mut partners: HashMap<timecredits_app::OrganisationId, String> = HashMap::new();
    let mut rows = Vec::new();
    for o in offers.items {
        if let Entry::Vacant(slot) = partners.entry(o.organisation) {
            let name = app
                .store()
                .organisation(o.organisation)
                .await
                .map_err(timecredits_app::AppError::from)?
                .map(|org| org.name)
                .unwrap_or_default();
            slot.insert(name);
        }
        rows.push(OfferRow {
            partner: partners.get(&o.organisation).cloned().unwrap_or_default(),
            price: l.lang.credits(o.terms.price_minutes),
            hours: l.lang.hours(o.terms.price_minutes),
            audience: l.t(&format!("audience-{}", o.terms.audience.as_str())),
            affordable: o.terms.price_minutes <= balance,
            unavailable: not_available_now(&l.lang, &o.terms, local_now),
            title: o.terms.title,
        });
    }
    rows.sort_by_key(|r| (r.partner.to_lowercase(), r.title.to_lowercase()));
    let balance = l.lang.ta(
        "home-balance",
        &[("amount", Arg::Text(l.lang.credits(balance)))],
    );
    Ok(render(&SpendPage {
        l,
        balance,
        offers: rows,
    })?
    .into_response())
}
