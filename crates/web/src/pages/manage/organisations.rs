//! The programme's partner organisations: the list with a filter, and a
//! new one. One organisation's page is in `organisation.rs`.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::directory::{ContactInput, NewPartner, PageRequest, Partner, PartnerFilter};
use timecredits_app::{AppError, Programme};
use timecredits_domain::directory::{OrganisationKind, OrganisationStatus};

use super::super::forms::FormErrors;
use super::{Choice, Field, FieldKind, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{Layout, SignedIn, form_timed_out, render, render_with};

/// The most organisations one list shows.
const LIST_LIMIT: u32 = 500;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    role: String,
}

/// The organisation's details as typed (also the create form).
#[derive(Deserialize, Default)]
pub(crate) struct PartnerForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) kind: String,
    #[serde(default)]
    pub(super) roles: String,
    #[serde(default)]
    pub(super) postcode: String,
    #[serde(default)]
    pub(super) contact_name: String,
    #[serde(default)]
    pub(super) contact_email: String,
    #[serde(default)]
    pub(super) contact_phone: String,
}

impl PartnerForm {
    pub(super) fn of(partner: &Partner) -> Self {
        let contact = partner.details.contacts.first();
        Self {
            csrf: String::new(),
            name: partner.organisation.name.clone(),
            kind: partner.details.kind.as_str().to_owned(),
            roles: partner.details.roles.as_str().to_owned(),
            postcode: partner
                .details
                .postcode
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            contact_name: contact.map(|c| c.name.clone()).unwrap_or_default(),
            contact_email: contact.and_then(|c| c.email.clone()).unwrap_or_default(),
            contact_phone: contact.and_then(|c| c.phone.clone()).unwrap_or_default(),
        }
    }

    pub(super) fn contact(&self) -> Option<ContactInput> {
        let blank = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        blank(&self.contact_name).map(|name| ContactInput {
            name,
            email: blank(&self.contact_email),
            phone: blank(&self.contact_phone),
        })
    }

    pub(super) fn fields(&self, l: &Layout, errors: &FormErrors) -> Vec<Field> {
        let kinds = OrganisationKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(l, k.as_str()),
            })
            .collect();
        let roles = ["both", "earn", "spend"]
            .into_iter()
            .map(|r| Choice {
                value: r.to_owned(),
                label: l.t(&format!("manage-org-roles-{r}")),
            })
            .collect();
        vec![
            Field::new("name", l.t("manage-org-name"), FieldKind::Text).value(&self.name),
            Field::new("kind", l.t("manage-org-kind"), FieldKind::Select(kinds)).value(&self.kind),
            Field::new("roles", l.t("manage-org-roles"), FieldKind::Select(roles))
                .value(&self.roles),
            Field::new("postcode", l.t("manage-org-postcode"), FieldKind::Text)
                .value(&self.postcode),
            Field::new(
                "contact_name",
                l.t("manage-org-contact-name"),
                FieldKind::Text,
            )
            .hint(l.t("manage-org-contact-hint"))
            .value(&self.contact_name),
            Field::new(
                "contact_email",
                l.t("manage-org-contact-email"),
                FieldKind::Email,
            )
            .value(&self.contact_email),
            Field::new(
                "contact_phone",
                l.t("manage-org-contact-phone"),
                FieldKind::Text,
            )
            .value(&self.contact_phone),
        ]
        .into_iter()
        .map(|f| f.errors(errors))
        .collect()
    }
}

fn kind_label(l: &Layout, kind: &str) -> String {
    l.t(&format!("manage-org-kind-{kind}"))
}

/// The field a refusal of the details form is about, and its message.
pub(super) fn partner_error(
    l: &Layout,
    error: AppError,
) -> Result<(&'static str, String), AppError> {
    match error {
        AppError::Invalid { field: "name", .. } => Ok(("name", l.t("manage-error-name"))),
        AppError::Refused(r) => {
            let field = if r.code.contains("postcode") {
                "postcode"
            } else if r.code.contains("email") {
                "contact_email"
            } else if r.code.contains("phone") || r.code.contains("contact") {
                "contact_name"
            } else if r.code.contains("kind") {
                "kind"
            } else if r.code.contains("role") {
                "roles"
            } else {
                "name"
            };
            Ok((field, l.lang.refusal(r.code, &r.message)))
        }
        AppError::Conflict(message) => Ok(("name", message)),
        other => Err(other),
    }
}

struct PartnerRow {
    name: String,
    href: String,
    kind: String,
    roles: String,
    status: String,
}

#[derive(Template)]
#[template(path = "manage_organisations.html")]
struct ListPage {
    l: Layout,
    programme: String,
    action: String,
    errors: FormErrors,
    filters: Vec<Field>,
    rows: Vec<PartnerRow>,
    fields: Vec<Field>,
}

async fn list_page(
    state: &AppState,
    signed_in: &SignedIn,
    l: Layout,
    programme: &Programme,
    query: &ListQuery,
    form: &PartnerForm,
    errors: FormErrors,
) -> Result<ListPage, PageError> {
    let status = OrganisationStatus::parse(&query.status);
    let filter = PartnerFilter {
        earn: query.role == "earn",
        spend: query.role == "spend",
        status,
    };
    let partners = state
        .app
        .partners(
            &signed_in.actor,
            programme.id,
            filter,
            PageRequest {
                after: None,
                limit: LIST_LIMIT,
            },
        )
        .await?;
    let base = base(programme);
    let rows = partners
        .items
        .iter()
        .map(|p| PartnerRow {
            name: p.organisation.name.clone(),
            href: format!("{base}/organisations/{}", p.organisation.id),
            kind: kind_label(&l, p.details.kind.as_str()),
            roles: l.t(&format!("manage-org-roles-{}", p.details.roles.as_str())),
            status: l.t(&format!("manage-org-status-{}", p.details.status.as_str())),
        })
        .collect();
    let choices = |pairs: &[(&str, &str)]| -> Vec<Choice> {
        pairs
            .iter()
            .map(|(value, key)| Choice {
                value: (*value).to_owned(),
                label: l.t(key),
            })
            .collect()
    };
    let filters = vec![
        Field::new(
            "status",
            l.t("manage-org-filter-status"),
            FieldKind::Select(choices(&[
                ("", "manage-any"),
                ("active", "manage-org-status-active"),
                ("suspended", "manage-org-status-suspended"),
            ])),
        )
        .value(status.map_or("", |s| s.as_str())),
        Field::new(
            "role",
            l.t("manage-org-filter-role"),
            FieldKind::Select(choices(&[
                ("", "manage-any"),
                ("earn", "manage-org-filter-earn"),
                ("spend", "manage-org-filter-spend"),
            ])),
        )
        .value(if matches!(query.role.as_str(), "earn" | "spend") {
            query.role.as_str()
        } else {
            ""
        }),
    ];
    let fields = form.fields(&l, &errors);
    Ok(ListPage {
        programme: programme.name.clone(),
        action: format!("{base}/organisations"),
        errors,
        filters,
        rows,
        fields,
        l,
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let form = PartnerForm {
        roles: "both".into(),
        kind: OrganisationKind::CommunityGroup.as_str().into(),
        ..PartnerForm::default()
    };
    let page = list_page(
        &state,
        &signed_in,
        l,
        &programme,
        &query,
        &form,
        FormErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    form: Result<Form<PartnerForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let new = NewPartner {
        programme: programme.id,
        name: form.name.clone(),
        kind: form.kind.clone(),
        postcode: Some(form.postcode.clone()),
        contacts: form.contact().into_iter().collect(),
        roles: form.roles.clone(),
    };
    let mut errors = FormErrors::default();
    match state.app.create_partner(&signed_in.actor, new).await {
        Ok(partner) => {
            return Ok(Redirect::to(&format!(
                "{}/organisations/{}?done=created",
                base(&programme),
                partner.organisation.id
            ))
            .into_response());
        }
        Err(error) => {
            let (field, message) = partner_error(&l, error)?;
            errors.add(field, message);
        }
    }
    let page = list_page(
        &state,
        &signed_in,
        l,
        &programme,
        &ListQuery::default(),
        &form,
        errors,
    )
    .await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
