//! "My details": language, what I can offer, what interests me, contacts.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::AppError;
use timecredits_app::directory::ProfileUpdate;
use timecredits_domain::directory::SKILL_CATEGORIES;

use super::forms::FormErrors;
use super::member::the_member;
use super::{Layout, SignedIn, form_timed_out, render_with};
use crate::AppState;
use crate::cookies::{self, LANGUAGE, LANGUAGE_MAX_AGE};
use crate::error::PageError;
use crate::i18n::{self, Lang};

struct Check {
    code: &'static str,
    label: String,
    checked: bool,
}

struct LanguageChoice {
    tag: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "details.html")]
struct DetailsPage {
    l: Layout,
    errors: FormErrors,
    saved: bool,
    languages: Vec<LanguageChoice>,
    skills: Vec<Check>,
    skills_text: String,
    interests: Vec<Check>,
    interests_text: String,
    phone: String,
    email: String,
}

fn checks(lang: &Lang, chosen: &[String]) -> Vec<Check> {
    SKILL_CATEGORIES
        .iter()
        .map(|(code, _)| Check {
            code,
            label: lang.t(&format!("category-{code}")),
            checked: chosen.iter().any(|c| c == code),
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub(crate) struct Saved {
    #[serde(default)]
    saved: String,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Query(saved): Query<Saved>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let (member, _) = the_member(app, &signed_in.actor).await?;
    let (_, _, profile) = app.member_profile(&signed_in.actor, member.id).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/details");
    let chosen = Lang::supported(profile.language.as_str()).map(|x| x.tag());
    let page = DetailsPage {
        errors: FormErrors::default(),
        saved: saved.saved == "1",
        languages: i18n::offered()
            .into_iter()
            .map(|o| LanguageChoice {
                selected: Some(&o.tag) == chosen.as_ref(),
                tag: o.tag,
                name: o.name,
            })
            .collect(),
        skills: checks(&l.lang, &profile.skills),
        skills_text: profile.skills_text,
        interests: checks(&l.lang, &profile.interests),
        interests_text: profile.interests_text,
        phone: profile.phone.unwrap_or_default(),
        email: profile.email.unwrap_or_default(),
        l,
    };
    Ok(render_with(StatusCode::OK, &page))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(fields) = form.map_err(|_| form_timed_out())?;
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    signed_in.check_csrf(&get("csrf"))?;
    let app = &state.app;
    let (member, _) = the_member(app, &signed_in.actor).await?;
    let language = Lang::supported(&get("language")).map(|x| x.tag());
    let optional = |v: String| Some(Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
    let update = ProfileUpdate {
        language: language.clone(),
        skills: Some(all("skills")),
        skills_text: Some(get("skills_text")),
        interests: Some(all("interests")),
        interests_text: Some(get("interests_text")),
        phone: optional(get("phone")),
        email: optional(get("email")),
    };
    match app
        .update_member_profile(&signed_in.actor, member.id, update)
        .await
    {
        Ok(_) => {
            let mut response = Redirect::to("/details?saved=1").into_response();
            if let Some(tag) = language {
                response.headers_mut().append(
                    header::SET_COOKIE,
                    cookies::set(LANGUAGE, &tag, LANGUAGE_MAX_AGE, &state.config),
                );
            }
            Ok(response)
        }
        Err(AppError::Refused(r)) => {
            let l = Layout::new(&headers, Some(&signed_in), "/details");
            let field = if r.code.contains("phone") {
                "phone"
            } else if r.code.contains("email") {
                "email"
            } else {
                "skills_text"
            };
            let mut errors = FormErrors::default();
            errors.add(field, l.lang.refusal(r.code, &r.message));
            let page = DetailsPage {
                errors,
                saved: false,
                languages: i18n::offered()
                    .into_iter()
                    .map(|o| LanguageChoice {
                        selected: Some(&o.tag) == language.as_ref(),
                        tag: o.tag,
                        name: o.name,
                    })
                    .collect(),
                skills: checks(&l.lang, &all("skills")),
                skills_text: get("skills_text"),
                interests: checks(&l.lang, &all("interests")),
                interests_text: get("interests_text"),
                phone: get("phone"),
                email: get("email"),
                l,
            };
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(other) => Err(other.into()),
    }
}
