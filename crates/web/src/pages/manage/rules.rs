//! The programme's rules: those in force today, every version so far, and
//! a form to change them from a date (today or later; never the past).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use timecredits_app::{AppError, Programme};
use timecredits_domain::rules::{CreditExpiry, PartnerReceipts, ProgrammeRules, RuleVersion};

use super::super::forms::FormErrors;
use super::{Choice, Field, FieldKind, base, managed_programme};
use crate::AppState;
use crate::error::PageError;
use crate::i18n::Lang;
use crate::pages::{Layout, SignedIn, form_timed_out, render, render_with};

/// The rules as typed.
#[derive(Deserialize, Default)]
pub(crate) struct RulesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    effective_from: String,
    #[serde(default)]
    granularity_minutes: String,
    #[serde(default)]
    daily_cap_minutes: String,
    #[serde(default)]
    members_may_claim: String,
    #[serde(default)]
    exchange_overdraft_minutes: String,
    #[serde(default)]
    expiry_months: String,
    #[serde(default)]
    partner_receipts: String,
}

impl RulesForm {
    fn of(rules: &ProgrammeRules, from: NaiveDate) -> Self {
        Self {
            csrf: String::new(),
            effective_from: from.to_string(),
            granularity_minutes: rules.granularity_minutes.to_string(),
            daily_cap_minutes: rules.daily_cap_minutes.to_string(),
            members_may_claim: if rules.members_may_claim { "on" } else { "" }.into(),
            exchange_overdraft_minutes: rules.exchange_overdraft_minutes.to_string(),
            expiry_months: match rules.expiry {
                CreditExpiry::Never => String::new(),
                CreditExpiry::AfterMonths(m) => m.to_string(),
            },
            partner_receipts: rules.partner_receipts.as_str().into(),
        }
    }

    /// The version typed, or the fields that are not numbers or dates.
    fn version(&self, l: &Layout, errors: &mut FormErrors) -> Option<RuleVersion> {
        let from = NaiveDate::parse_from_str(self.effective_from.trim(), "%Y-%m-%d").ok();
        if from.is_none() {
            errors.add("effective_from", l.t("manage-rules-error-date"));
        }
        let mut number = |field: &'static str, raw: &str| -> Option<i64> {
            let value = raw.trim().parse::<i64>().ok();
            if value.is_none() {
                errors.add(field, l.t("manage-rules-error-number"));
            }
            value
        };
        let granularity = number("granularity_minutes", &self.granularity_minutes);
        let cap = number("daily_cap_minutes", &self.daily_cap_minutes);
        let overdraft = number(
            "exchange_overdraft_minutes",
            &self.exchange_overdraft_minutes,
        );
        let expiry = match self.expiry_months.trim() {
            "" => Some(CreditExpiry::Never),
            months => {
                let months = months.parse::<u32>().ok().map(CreditExpiry::AfterMonths);
                if months.is_none() {
                    errors.add("expiry_months", l.t("manage-rules-error-number"));
                }
                months
            }
        };
        let receipts = PartnerReceipts::parse(&self.partner_receipts);
        if receipts.is_none() {
            errors.add("partner_receipts", l.t("manage-rules-error-receipts"));
        }
        Some(RuleVersion {
            effective_from: from?,
            rules: ProgrammeRules {
                granularity_minutes: granularity?,
                daily_cap_minutes: cap?,
                members_may_claim: !self.members_may_claim.is_empty(),
                exchange_overdraft_minutes: overdraft?,
                expiry: expiry?,
                partner_receipts: receipts?,
            },
        })
    }

    fn fields(&self, l: &Layout, errors: &FormErrors) -> Vec<Field> {
        let receipts = [PartnerReceipts::Retire, PartnerReceipts::KeepToReissue]
            .into_iter()
            .map(|r| Choice {
                value: r.as_str().to_owned(),
                label: l.t(&format!("manage-rules-receipts-{}", r.as_str())),
            })
            .collect();
        vec![
            Field::new(
                "effective_from",
                l.t("manage-rules-effective-from"),
                FieldKind::Date,
            )
            .hint(l.t("manage-rules-effective-from-hint"))
            .value(&self.effective_from),
            Field::new(
                "granularity_minutes",
                l.t("manage-rules-granularity"),
                FieldKind::Number,
            )
            .hint(l.t("manage-rules-minutes-hint"))
            .value(&self.granularity_minutes),
            Field::new(
                "daily_cap_minutes",
                l.t("manage-rules-daily-cap"),
                FieldKind::Number,
            )
            .hint(l.t("manage-rules-minutes-hint"))
            .value(&self.daily_cap_minutes),
            Field::new(
                "members_may_claim",
                l.t("manage-rules-claims"),
                FieldKind::Checkbox,
            )
            .value(&self.members_may_claim),
            Field::new(
                "exchange_overdraft_minutes",
                l.t("manage-rules-overdraft"),
                FieldKind::Number,
            )
            .hint(l.t("manage-rules-overdraft-hint"))
            .value(&self.exchange_overdraft_minutes),
            Field::new(
                "expiry_months",
                l.t("manage-rules-expiry"),
                FieldKind::Number,
            )
            .hint(l.t("manage-rules-expiry-hint"))
            .value(&self.expiry_months),
            Field::new(
                "partner_receipts",
                l.t("manage-rules-receipts"),
                FieldKind::Select(receipts),
            )
            .value(&self.partner_receipts),
        ]
        .into_iter()
        .map(|f| f.errors(errors))
        .collect()
    }
}

/// One version of the rules, in words.
struct RulesRow {
    from: String,
    granularity: String,
    daily_cap: String,
    claims: String,
    overdraft: String,
    expiry: String,
    receipts: String,
    in_force: bool,
}

fn describe(lang: &Lang, l: &Layout, from: String, rules: &ProgrammeRules) -> RulesRow {
    RulesRow {
        from,
        granularity: lang.hours(rules.granularity_minutes),
        daily_cap: lang.hours(rules.daily_cap_minutes),
        claims: l.t(if rules.members_may_claim {
            "manage-yes"
        } else {
            "manage-no"
        }),
        overdraft: if rules.exchange_overdraft_minutes == 0 {
            l.t("manage-rules-no-overdraft")
        } else {
            format!(
                "{} ({})",
                lang.credits(rules.exchange_overdraft_minutes),
                lang.hours(rules.exchange_overdraft_minutes)
            )
        },
        expiry: match rules.expiry {
            CreditExpiry::Never => l.t("manage-rules-expiry-never"),
            CreditExpiry::AfterMonths(m) => l.tn("manage-rules-expiry-months", "n", &i64::from(m)),
        },
        receipts: l.t(&format!(
            "manage-rules-receipts-{}",
            rules.partner_receipts.as_str()
        )),
        in_force: false,
    }
}

#[derive(Template)]
#[template(path = "manage_rules.html")]
struct RulesPage {
    l: Layout,
    notice: Option<String>,
    errors: FormErrors,
    programme: String,
    action: String,
    today: RulesRow,
    history: Vec<RulesRow>,
    fields: Vec<Field>,
}

async fn rules_page(
    state: &AppState,
    l: Layout,
    programme: &Programme,
    typed: Option<&RulesForm>,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<RulesPage, PageError> {
    let app = &state.app;
    let today = app.programme_today(programme);
    let book = app.rule_book(programme.id).await?;
    let in_force = book.in_force(today);
    let current_from = book
        .versions()
        .iter()
        .rev()
        .find(|v| v.effective_from <= today)
        .map(|v| v.effective_from);
    let lang = l.lang.clone();
    let history = book
        .versions()
        .iter()
        .rev()
        .map(|v| RulesRow {
            in_force: Some(v.effective_from) == current_from,
            ..describe(&lang, &l, lang.day(v.effective_from), &v.rules)
        })
        .collect();
    let today_row = describe(&lang, &l, lang.day(today), &in_force);
    let next_day = today.succ_opt().unwrap_or(today);
    let fields = match typed {
        Some(form) => form.fields(&l, &errors),
        None => RulesForm::of(&in_force, next_day).fields(&l, &errors),
    };
    Ok(RulesPage {
        notice,
        errors,
        programme: programme.name.clone(),
        action: format!("{}/rules", base(programme)),
        today: today_row,
        history,
        fields,
        l,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let notice = (done.done == "changed").then(|| l.t("manage-rules-changed"));
    let page = rules_page(&state, l, &programme, None, notice, FormErrors::default()).await?;
    Ok(render(&page)?.into_response())
}

/// The field a refusal of a rule change is about.
fn refused_field(code: &str) -> &'static str {
    match code {
        "granularity_out_of_range" => "granularity_minutes",
        "daily_cap_out_of_range" => "daily_cap_minutes",
        "overdraft_out_of_range" => "exchange_overdraft_minutes",
        "expiry_out_of_range" => "expiry_months",
        _ => "effective_from",
    }
}

pub(crate) async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    signed_in: SignedIn,
    Path(programme): Path<String>,
    form: Result<Form<RulesForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|_| form_timed_out())?;
    signed_in.check_csrf(&form.csrf)?;
    let programme = managed_programme(&state, &signed_in.actor, &programme).await?;
    let l = Layout::new(&headers, Some(&signed_in), "/manage");
    let mut errors = FormErrors::default();
    if let Some(version) = form.version(&l, &mut errors)
        && errors.is_empty()
    {
        match state
            .app
            .change_rules(&signed_in.actor, programme.id, version)
            .await
        {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("{}/rules?done=changed", base(&programme)))
                        .into_response(),
                );
            }
            Err(AppError::Refused(r)) => {
                errors.add(refused_field(r.code), l.lang.refusal(r.code, &r.message));
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = rules_page(&state, l, &programme, Some(&form), None, errors).await?;
    Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
