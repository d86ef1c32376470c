//! One organisation's page: its details (to edit), its status and its
//! staff. The forms that change status and staff are in `staff.rs`.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use timecredits_app::directory::{ContactInput, Partner, PartnerUpdate};
use timecredits_app::{AppError, OrganisationId, Programme};
use timecredits_domain::directory::OrganisationStatus;
use uuid::Uuid;

use super::super::forms::FormErrors;
use super::organisations::{PartnerForm, partner_error};
use super::staff::StaffForm;
use super::{Choice, Field, FieldKind, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::pages::{Layout, SignedIn, form_timed_out, render, render_with};

struct StaffRow {
    name: String,
    email: String,
    role: String,
    role_value: String,
    user: String,
}

#[derive(Template)]
#[template(path = "manage_organisation.html")]
pub(super) struct OrganisationPage {
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
    name: String,
    status: String,
    suspended: bool,
    status_reason: Option<String>,
    action: String,
    back: String,
    fields: Vec<Field>,
    reason: Vec<Field>,
    staff: Vec<StaffRow>,
    staff_fields: Vec<Field>,
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

/// What a page about one organisation was drawn with.
pub(super) struct Drawn<'a> {
    pub(super) details: Option<&'a PartnerForm>,
    pub(super) staff: Option<&'a StaffForm>,
    pub(super) reason: &'a str,
    pub(super) notice: Option<String>,
    pub(super) errors: FormErrors,
}

/// The organisation in the path, if it is one of the programme's.
pub(super) async fn the_partner(
    state: &AppState,
    signed_in: &SignedIn,
    programme: &Programme,
    raw: &str,
) -> Result<Partner, PageError> {
    let id = Uuid::try_parse(raw).map_err(|_| AppError::NotFound("organisation"))?;
    let partner = state
        .app
        .partner(&signed_in.actor, OrganisationId(id))
        .await?;
    if partner.organisation.programme != programme.id {
        return Err(AppError::NotFound("organisation").into());
    }
    Ok(partner)
}

pub(super) async fn organisation_page(
    state: &AppState,
    signed_in: &SignedIn,
    l: Layout,
    programme: &Programme,
    partner: &Partner,
    drawn: Drawn<'_>,
) -> Result<OrganisationPage, PageError> {
    let staff = state
        .app
        .staff(&signed_in.actor, partner.organisation.id)
        .await?
        .into_iter()
        .map(|s| StaffRow {
            name: s.display_name,
            email: s.email.unwrap_or_default(),
            role: l.t(&format!("manage-staff-role-{}", s.role.as_str())),
            role_value: s.role.as_str().to_owned(),
            user: s.user.to_string(),
        })
        .collect();
    let errors = drawn.errors;
    let details = drawn.details.map_or_else(
        || PartnerForm::of(partner).fields(&l, &errors),
        |f| f.fields(&l, &errors),
    );
    let empty = StaffForm::default();
    let typed = drawn.staff.unwrap_or(&empty);
    let roles = ["coordinator", "spend_staff"]
        .into_iter()
        .map(|r| Choice {
            value: r.to_owned(),
            label: l.t(&format!("manage-staff-role-{r}")),
        })
        .collect();
    let staff_fields = vec![
        Field::new("email", l.t("manage-staff-email"), FieldKind::Email).value(&typed.email),
        Field::new("display_name", l.t("manage-staff-name"), FieldKind::Text)
            .hint(l.t("manage-staff-new-hint"))
            .value(&typed.display_name),
        Field::new(
            "password",
            l.t("manage-staff-password"),
            FieldKind::Password,
        )
        .hint(l.t("manage-staff-new-hint")),
        Field::new("role", l.t("manage-staff-role"), FieldKind::Select(roles)).value(&typed.role),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    let reason = vec![
        Field::new(
            "reason",
            l.t("manage-org-suspend-reason"),
            FieldKind::TextArea,
        )
        .value(drawn.reason)
        .errors(&errors),
    ];
    let status_change = partner.details.status_change.as_ref();
    Ok(OrganisationPage {
        notice: drawn.notice,
        name: partner.organisation.name.clone(),
        status: l.t(&format!(
            "manage-org-status-{}",
            partner.details.status.as_str()
        )),
        suspended: partner.details.status == OrganisationStatus::Suspended,
        status_reason: status_change.and_then(|c| c.reason.clone()),
        action: format!(
            "{}/organisations/{}",
            base(programme),
            partner.organisation.id
        ),
        back: format!("{}/organisations", base(programme)),
        fields: details,
        reason,
        staff,
        staff_fields,
        errors,
        l,
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, organisation)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let partner = the_partner(&state, &signed_in, &programme, &organisation).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let done = done.done;
    let notice = match done.as_str() {
        "created" | "saved" | "suspended" | "reactivated" | "staff-added" | "staff-removed" => {
            Some(l.t(&format!("manage-org-done-{done}")))
        }
        _ => None,
    };
    let drawn = Drawn {
        details: None,
        staff: None,
        reason: "",
        notice,
        errors: FormErrors::default(),
    };
    let page = organisation_page(&state, &signed_in, l, &programme, &partner, drawn).await?;
    Ok(render(&page)?.into_response())
}

pub(crate) async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path((programme, organisation)): Path<(String, String)>,
    form: Result<Form<PartnerForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let partner = the_partner(&state, &signed_in, &programme, &organisation).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    // The form edits the first contact; any others are kept as they are.
    let mut contacts: Vec<ContactInput> = form.contact().into_iter().collect();
    contacts.extend(
        partner
            .details
            .contacts
            .iter()
            .skip(1)
            .map(|c| ContactInput {
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            }),
    );
    let postcode = form.postcode.trim();
    let update = PartnerUpdate {
        name: Some(form.name.clone()),
        kind: Some(form.kind.clone()),
        postcode: Some((!postcode.is_empty()).then(|| postcode.to_owned())),
        contacts: Some(contacts),
        roles: Some(form.roles.clone()),
    };
    let mut errors = FormErrors::default();
    match state
        .app
        .update_partner(&signed_in.actor, partner.organisation.id, update)
        .await
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "{}/organisations/{}?done=saved",
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
    let drawn = Drawn {
        details: Some(&form),
        staff: None,
        reason: "",
        notice: None,
        errors,
    };
    let page = organisation_page(&state, &signed_in, l, &programme, &partner, drawn).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
