//! Which of their organisations a coordinator is looking at. Like
//! /sessions, a coordinator of several sees a choice; the one shown comes
//! from `?organisation=` and is the first when none is asked for.

use timecredits_app::{Actor, App, AppError, Organisation, OrganisationId};
use uuid::Uuid;

use super::coordinator::coordinated;

/// A link to the same page for another organisation.
pub(crate) struct OrganisationOption {
    pub(crate) href: String,
    pub(crate) name: String,
    pub(crate) current: bool,
}

/// The organisation a page shows, and the others the coordinator may pick.
pub(crate) struct Chosen {
    pub(crate) organisation: Organisation,
    /// Empty when the coordinator has only one organisation.
    pub(crate) options: Vec<OrganisationOption>,
}

impl Chosen {
    /// `path` for this organisation, keeping the choice.
    pub(crate) fn link(&self, path: &str) -> String {
        format!("{path}?organisation={}", self.organisation.id)
    }
}

/// The coordinator's organisation named by `requested` (or their first);
/// refused for anyone who coordinates none, and "not found" for an
/// organisation they do not coordinate.
pub(crate) async fn choose(
    app: &App,
    actor: &Actor,
    requested: &str,
    path: &str,
) -> Result<Chosen, AppError> {
    let ours = coordinated(actor);
    let Some(first) = ours.first().copied() else {
        return Err(AppError::Forbidden);
    };
    let wanted = if requested.trim().is_empty() {
        first
    } else {
        Uuid::try_parse(requested.trim())
            .map(OrganisationId)
            .ok()
            .filter(|o| ours.contains(o))
            .ok_or(AppError::NotFound("organisation"))?
    };
    let mut records = Vec::with_capacity(ours.len());
    for id in ours {
        let record = app
            .store()
            .organisation(id)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        records.push(record);
    }
    records.sort_by_key(|o| o.name.to_lowercase());
    let options = if records.len() > 1 {
        records
            .iter()
            .map(|o| OrganisationOption {
                href: format!("{path}?organisation={}", o.id),
                name: o.name.clone(),
                current: o.id == wanted,
            })
            .collect()
    } else {
        Vec::new()
    };
    let organisation = records
        .into_iter()
        .find(|o| o.id == wanted)
        .ok_or(AppError::NotFound("organisation"))?;
    Ok(Chosen {
        organisation,
        options,
    })
}
