//! Consent to evaluation: given to one wording's version, withdrawn at any
//! time, every record kept.

use timecredits_domain::Refusal;
use uuid::Uuid;

use super::model::{
    CONSENT_WORDING, CONSENT_WORDINGS, ConsentDecision, ConsentRecord, ConsentState,
};
use crate::{Actor, App, AppError, MemberId};

impl App {
    /// The member's consent now and its history.
    pub async fn evaluation_consent(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<ConsentState, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let history = self.store.consent_history(member.id).await?;
        Ok(ConsentState::from_history(member.id, history))
    }

    /// Records the member's consent to the wording they were shown, which
    /// must be today's: agreeing to an older text is refused so nobody is
    /// held to words they did not see.
    pub async fn give_evaluation_consent(
        &self,
        actor: &Actor,
        member: MemberId,
        wording_version: &str,
    ) -> Result<ConsentRecord, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let wording_version = wording_version.trim();
        if wording_version != CONSENT_WORDING.version {
            let known = CONSENT_WORDINGS
                .iter()
                .any(|w| w.version == wording_version);
            return Err(Refusal::invalid(
                "consent_wording_outdated",
                if known {
                    format!(
                        "that wording has been replaced; show the member version {} and record their answer to it",
                        CONSENT_WORDING.version
                    )
                } else {
                    format!(
                        "there is no consent wording '{wording_version}'; the current one is version {}",
                        CONSENT_WORDING.version
                    )
                },
            )
            .into());
        }
        let state = self.evaluation_consent(actor, member.id).await?;
        if state.latest().is_some_and(|r| {
            r.decision == ConsentDecision::Given && r.wording_version == wording_version
        }) {
            return Err(Refusal::conflict(
                "evaluation_consent_already_given",
                "the member has already consented to this wording; nothing was changed",
            )
            .into());
        }
        self.write_consent(actor, &member, ConsentDecision::Given, wording_version)
            .await
    }

    /// Withdraws the member's consent. From now on nothing more is collected
    /// and their data is left out of evaluation; the records stay as history.
    pub async fn withdraw_evaluation_consent(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<ConsentRecord, AppError> {
        let member = self.evaluation_subject(actor, member).await?;
        let state = self.evaluation_consent(actor, member.id).await?;
        let Some(given) = state.latest().filter(|_| state.given) else {
            return Err(Refusal::conflict(
                "evaluation_consent_not_given",
                "the member has no consent to withdraw; nothing was changed",
            )
            .into());
        };
        let version = given.wording_version.clone();
        self.write_consent(actor, &member, ConsentDecision::Withdrawn, &version)
            .await
    }

    async fn write_consent(
        &self,
        actor: &Actor,
        member: &crate::Member,
        decision: ConsentDecision,
        wording_version: &str,
    ) -> Result<ConsentRecord, AppError> {
        let record = ConsentRecord {
            id: Uuid::now_v7(),
            member: member.id,
            programme: member.programme,
            decision,
            wording_version: wording_version.to_owned(),
            at: self.now(),
            recorded_by: actor.user,
            by_proxy: !actor.is_member_in_person(member.id),
        };
        self.store.add_consent_record(&record).await?;
        // A withdrawal must leave the reports at once, not when they expire.
        self.forget_reports(member.programme);
        let action = match decision {
            ConsentDecision::Given => "give_evaluation_consent",
            ConsentDecision::Withdrawn => "withdraw_evaluation_consent",
        };
        self.log_if_done_for(actor, member.id, action).await?;
        tracing::info!(member.id = %member.id, decision = decision.as_str(), "evaluation consent recorded");
        Ok(record)
    }
}
