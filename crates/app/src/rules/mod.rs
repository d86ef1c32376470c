//! Programme rules and their versions, and the programme's own calendar:
//! which day it is in the programme's time zone, and which rules were in
//! force on a day.

mod expiry;
mod store;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use timecredits_domain::rules::{ProgrammeRules, RuleBook, RuleVersion};
use timecredits_ledger::ProgrammeId;

pub use expiry::ExpiryRun;
pub use store::RulesStore;

use crate::{Actor, App, AppError, Programme};

/// The programme's time zone, or UTC if the stored name is not one we know.
pub fn time_zone(programme: &Programme) -> Tz {
    programme.time_zone.parse().unwrap_or(Tz::UTC)
}

/// Checks a time-zone name such as `Europe/London`.
pub fn check_time_zone(name: &str) -> Result<(), AppError> {
    name.parse::<Tz>().map(|_| ()).map_err(|_| {
        AppError::invalid("time_zone", "is not a time zone name such as Europe/London")
    })
}

/// The calendar day `at` falls on, in the programme's time zone.
pub fn local_date(programme: &Programme, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&time_zone(programme)).date_naive()
}

impl App {
    /// Whether the actor has any role in the programme: as a member, staff
    /// of one of its organisations, a manager or an evaluator.
    pub async fn takes_part_in(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
    ) -> Result<bool, AppError> {
        for grant in &actor.grants {
            match grant.scope {
                crate::Scope::Programme(p) if p == programme => return Ok(true),
                crate::Scope::Organisation(o)
                    if self
                        .store
                        .organisation(o)
                        .await?
                        .is_some_and(|o| o.programme == programme) =>
                {
                    return Ok(true);
                }
                _ => {}
            }
        }
        Ok(false)
    }

    /// The refusal for someone who may not do a thing in a programme: 403 to
    /// those who take part in it (and to administrators, who see every
    /// programme), 404 to everyone else, so a programme's existence is not
    /// revealed outside it.
    pub async fn refusal_in(&self, actor: &Actor, programme: ProgrammeId) -> AppError {
        if actor.is_administrator() {
            return AppError::Forbidden;
        }
        match self.takes_part_in(actor, programme).await {
            Ok(true) => AppError::Forbidden,
            Ok(false) => AppError::NotFound("programme"),
            Err(e) => e,
        }
    }

    /// Today, in the programme's time zone.
    pub fn programme_today(&self, programme: &Programme) -> NaiveDate {
        local_date(programme, self.now())
    }

    /// Every version of the programme's rules.
    pub async fn rule_book(&self, programme: ProgrammeId) -> Result<RuleBook, AppError> {
        Ok(RuleBook::new(self.store.rule_versions(programme).await?))
    }

    /// The rules in force on `day` (in the programme's time zone).
    pub async fn rules_in_force(
        &self,
        programme: ProgrammeId,
        day: NaiveDate,
    ) -> Result<ProgrammeRules, AppError> {
        Ok(self.rule_book(programme).await?.in_force(day))
    }

    /// Records a change of rules from a date. Only the programme's managers
    /// may; a change cannot start in the past.
    pub async fn change_rules(
        &self,
        actor: &Actor,
        programme: ProgrammeId,
        version: RuleVersion,
    ) -> Result<RuleBook, AppError> {
        let programme = self.programme(programme).await?;
        if !actor.manages(programme.id) {
            return Err(self.refusal_in(actor, programme.id).await);
        }
        let book = self.rule_book(programme.id).await?;
        book.check_new(&version, self.programme_today(&programme))?;
        self.store
            .add_rule_version(programme.id, &version, actor.user, self.now())
            .await?;
        tracing::info!(programme.id = %programme.id, effective_from = %version.effective_from, "programme rules changed");
        self.rule_book(programme.id).await
    }
}

impl App {
    /// The programmes the actor may see: every one for an administrator,
    /// otherwise those they take part in.
    pub async fn visible_programmes(&self, actor: &Actor) -> Result<Vec<Programme>, AppError> {
        let all = self.store.programmes().await?;
        if actor.is_administrator() {
            return Ok(all);
        }
        let mut visible = Vec::new();
        for programme in all {
            if self.takes_part_in(actor, programme.id).await? {
                visible.push(programme);
            }
        }
        Ok(visible)
    }

    /// One programme, if the actor may see it.
    pub async fn visible_programme(
        &self,
        actor: &Actor,
        id: ProgrammeId,
    ) -> Result<Programme, AppError> {
        if actor.is_administrator() || self.takes_part_in(actor, id).await? {
            self.programme(id).await
        } else {
            Err(AppError::NotFound("programme"))
        }
    }
}
