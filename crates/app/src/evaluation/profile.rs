//! The evaluation profile: a member's optional answers about themself.

use chrono::Datelike;
use timecredits_domain::Refusal;
use timecredits_evaluation::postcode::Postcode;

use super::model::{
    AGE_BANDS, Answer, Choice, EMPLOYMENT, ETHNIC_GROUPS, EvaluationProfile, GENDERS,
    StoredProfile, YES_NO, is_choice,
};
use crate::{Actor, App, AppError, MemberId};

/// The youngest age at which a year of birth is accepted; younger members
/// answer through a parent or the programme team.
const YOUNGEST_AGE: i32 = 5;
const OLDEST_YEAR: i32 = 1900;

fn choice(
    field: &'static str,
    list: &[Choice],
    answer: Answer<String>,
) -> Result<Answer<String>, AppError> {
    match answer {
        Answer::Given(code) => {
            let code = code.trim().to_owned();
            if is_choice(list, &code) {
                Ok(Answer::Given(code))
            } else {
                let codes: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
                Err(AppError::invalid(
                    field,
                    format!("must be one of {}, or prefer_not_to_say", codes.join(", ")),
                ))
            }
        }
        other => Ok(other),
    }
}

fn ethnicity(answer: Answer<String>) -> Result<Answer<String>, AppError> {
    let all: Vec<Choice> = ETHNIC_GROUPS
        .iter()
        .flat_map(|g| g.categories.iter().copied())
        .collect();
    choice("ethnicity", &all, answer).map_err(|_| {
        AppError::invalid(
            "ethnicity",
            "must be one of the 2021 census categories (see the profile options), or prefer_not_to_say",
        )
    })
}

fn postcode(answer: Answer<String>) -> Result<Answer<String>, AppError> {
    match answer {
        Answer::Given(raw) => Postcode::parse(&raw)
            .map(|p| Answer::Given(p.to_string()))
            .map_err(|e| Refusal::invalid("postcode_invalid", e.to_string()).into()),
        other => Ok(other),
    }
}

/// Checks every answer and puts each in its normal form.
fn checked(profile: EvaluationProfile, this_year: i32) -> Result<EvaluationProfile, AppError> {
    if let Some(year) = profile.year_of_birth {
        if !(OLDEST_YEAR..=this_year - YOUNGEST_AGE).contains(&year) {
            return Err(AppError::invalid(
                "year_of_birth",
                format!(
                    "must be between {OLDEST_YEAR} and {}",
                    this_year - YOUNGEST_AGE
                ),
            ));
        }
        if profile.age_band != Answer::NotAnswered {
            return Err(AppError::invalid(
                "age_band",
                "give either a year of birth or an age band, not both",
            ));
        }
    }
    Ok(EvaluationProfile {
        age_band: choice("age_band", AGE_BANDS, profile.age_band)?,
        year_of_birth: profile.year_of_birth,
        gender: choice("gender", GENDERS, profile.gender)?,
        ethnicity: ethnicity(profile.ethnicity)?,
        disability: choice("disability", YES_NO, profile.disability)?,
        employment: choice("employment", EMPLOYMENT, profile.employment)?,
        volunteered_before: choice("volunteered_before", YES_NO, profile.volunteered_before)?,
        postcode: postcode(profile.postcode)?,
    })
}

impl App {
    /// The member's evaluation profile (every answer "not answered" when
    /// they have given none). Never shown to evaluators.
    pub async fn evaluation_profile(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<EvaluationProfile, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        Ok(self
            .store
            .evaluation_profile(member.id)
            .await?
            .map(|p| p.profile)
            .unwrap_or_default())
    }

    /// Replaces the member's profile with these answers (any left out are
    /// "not answered"). Only with current consent.
    pub async fn update_evaluation_profile(
        &self,
        actor: &Actor,
        member: MemberId,
        answers: EvaluationProfile,
    ) -> Result<EvaluationProfile, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let programme = self.programme(member.programme).await?;
        let this_year = self.programme_today(&programme).year();
        let profile = checked(answers, this_year)?;
        self.require_consent(member.id).await?;
        self.store
            .save_evaluation_profile(&StoredProfile {
                member: member.id,
                programme: member.programme,
                profile: profile.clone(),
                updated_at: self.now(),
                updated_by: actor.user,
            })
            .await?;
        self.log_if_done_for(actor, member.id, "update_evaluation_profile")
            .await?;
        tracing::info!(member.id = %member.id, "evaluation profile updated");
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(code: &str) -> Answer<String> {
        Answer::Given(code.into())
    }

    #[test]
    fn answers_are_checked_and_normalised() {
        let profile = EvaluationProfile {
            age_band: given("30-39"),
            gender: Answer::PreferNotToSay,
            ethnicity: given("white_roma"),
            disability: given("no"),
            employment: given("retired"),
            volunteered_before: given("yes"),
            postcode: given("pe13 2ab"),
            ..EvaluationProfile::default()
        };
        let checked = checked(profile, 2026).expect("valid");
        assert_eq!(checked.postcode, given("PE13 2AB"));
        assert_eq!(checked.gender, Answer::PreferNotToSay);
    }

    #[test]
    fn unknown_codes_bad_years_and_bad_postcodes_are_refused() {
        let bad = |p: EvaluationProfile| checked(p, 2026).expect_err("refused").code();
        let with = |f: fn(&mut EvaluationProfile)| {
            let mut p = EvaluationProfile::default();
            f(&mut p);
            p
        };
        assert_eq!(bad(with(|p| p.gender = given("robot"))), "invalid_input");
        assert_eq!(bad(with(|p| p.ethnicity = given("white"))), "invalid_input");
        assert_eq!(bad(with(|p| p.year_of_birth = Some(2024))), "invalid_input");
        assert_eq!(bad(with(|p| p.year_of_birth = Some(1850))), "invalid_input");
        assert_eq!(
            bad(with(|p| {
                p.year_of_birth = Some(1980);
                p.age_band = given("40-49");
            })),
            "invalid_input"
        );
        assert_eq!(bad(with(|p| p.postcode = given("PE1"))), "postcode_invalid");
        let ok = with(|p| p.year_of_birth = Some(1980));
        assert!(checked(ok, 2026).is_ok());
    }
}
