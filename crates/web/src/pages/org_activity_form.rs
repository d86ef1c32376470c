//! The activity form a coordinator fills in: what was typed, turned into
//! the details `create_activity` and `update_activity` take.

use serde::Deserialize;
use timecredits_app::activities::Activity;
use timecredits_domain::activity::{ActivityDetails, CoProductionLevel, CoProductionMode};
use timecredits_domain::directory::Postcode;

use super::forms::{FormErrors, SelectOption, minutes_from};
use crate::i18n::Lang;

/// What was typed into the activity form (or the activity as it is).
#[derive(Deserialize, Default, Clone)]
pub(crate) struct ActivityForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) organisation: String,
    #[serde(default)]
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) description: String,
    #[serde(default)]
    pub(crate) level: String,
    #[serde(default)]
    pub(crate) mode: String,
    #[serde(default)]
    pub(crate) place: String,
    #[serde(default)]
    pub(crate) postcode: String,
    #[serde(default)]
    pub(crate) accessibility: String,
    #[serde(default)]
    pub(crate) hours: String,
    #[serde(default)]
    pub(crate) minutes: String,
    /// A ticked box sends "on"; an unticked one sends nothing.
    #[serde(default)]
    pub(crate) earns: String,
}

impl ActivityForm {
    pub(crate) fn blank() -> Self {
        Self {
            earns: "on".into(),
            hours: "2".into(),
            ..Self::default()
        }
    }

    pub(crate) fn of(activity: &Activity) -> Self {
        let d = &activity.details;
        Self {
            title: d.title.clone(),
            description: d.description.clone(),
            level: d.level.as_str().into(),
            mode: d.mode.as_str().into(),
            place: d.place.clone(),
            postcode: d
                .postcode
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            accessibility: d.accessibility.clone(),
            hours: (d.usual_duration_minutes / 60).to_string(),
            minutes: (d.usual_duration_minutes % 60).to_string(),
            earns: if d.earns_credits {
                "on".into()
            } else {
                "".into()
            },
            ..Self::default()
        }
    }

    /// The details to send, or the problems to show beside the fields.
    pub(crate) fn details(&self, lang: &Lang) -> Result<ActivityDetails, FormErrors> {
        let mut errors = FormErrors::default();
        if self.title.trim().is_empty() {
            errors.add("title", lang.t("org-activity-error-title"));
        }
        let level = CoProductionLevel::parse(&self.level);
        if level.is_none() {
            errors.add("level", lang.t("org-activity-error-level"));
        }
        let mode = CoProductionMode::parse(&self.mode);
        if mode.is_none() {
            errors.add("mode", lang.t("org-activity-error-mode"));
        }
        let postcode = match self.postcode.trim() {
            "" => Ok(None),
            typed => Postcode::parse(typed).map(Some),
        };
        if postcode.is_err() {
            errors.add("postcode", lang.t("org-activity-error-postcode"));
        }
        let duration = minutes_from(&self.hours, &self.minutes);
        if duration.is_none() {
            errors.add("hours", lang.t("org-activity-error-duration"));
        }
        match (level, mode, duration, postcode) {
            (Some(level), Some(mode), Some(usual_duration_minutes), Ok(postcode))
                if errors.is_empty() =>
            {
                Ok(ActivityDetails {
                    title: self.title.clone(),
                    description: self.description.clone(),
                    level,
                    mode,
                    place: self.place.clone(),
                    postcode,
                    accessibility: self.accessibility.clone(),
                    usual_duration_minutes,
                    earns_credits: !self.earns.is_empty(),
                })
            }
            _ => Err(errors),
        }
    }

    pub(crate) fn levels(&self, lang: &Lang) -> Vec<SelectOption> {
        CoProductionLevel::ALL
            .iter()
            .map(|l| SelectOption {
                value: l.as_str(),
                label: lang.t(&format!("level-{}", l.as_str())),
                selected: self.level == l.as_str(),
            })
            .collect()
    }

    pub(crate) fn modes(&self, lang: &Lang) -> Vec<SelectOption> {
        CoProductionMode::ALL
            .iter()
            .map(|m| SelectOption {
                value: m.as_str(),
                label: lang.t(&format!("mode-{}", m.as_str())),
                selected: self.mode == m.as_str(),
            })
            .collect()
    }
}

/// Which field a refusal of the activity is about.
pub(crate) fn activity_field(code: &str) -> &'static str {
    match code {
        "title_missing" | "title_too_long" => "title",
        "duration_out_of_range" => "hours",
        "text_too_long" => "description",
        "postcode_invalid" => "postcode",
        _ => "title",
    }
}
