//! The evaluation area's JSON API: consent, the evaluation profile, where
//! members and organisations are (LSOA and deprivation decile), and
//! surveys. Member data is reached under `/members/{member}/…` by the
//! member, or by staff who may act for them (recorded as proxy); evaluators
//! never reach one person's data here.

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod consent;
mod places;
mod reports;
mod surveys;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(consent::get_wording))
        .routes(routes!(consent::profile_options))
        .routes(routes!(consent::get_consent, consent::give_consent))
        .routes(routes!(consent::withdraw_consent))
        .routes(routes!(consent::get_profile, consent::update_profile))
        .routes(routes!(places::member_area))
        .routes(routes!(places::organisation_area))
        .routes(routes!(places::activity_area))
        .routes(routes!(reports::analytics_report))
        .routes(routes!(surveys::get_settings, surveys::update_settings))
        .routes(routes!(surveys::set_questions))
        .routes(routes!(surveys::list_instruments))
        .routes(routes!(surveys::submit_response, surveys::list_responses))
        .routes(routes!(surveys::due_surveys))
}
