//! What every page shares: the language, the menu for the person's roles,
//! the language switch, and the sign-out form's token.

use axum::http::HeaderMap;
use timecredits_app::{Actor, Role};

use crate::cookies::{self, LANGUAGE};
use crate::i18n::{self, Arg, Lang, Offered};

use super::SignedIn;

/// One link of the main menu.
pub(crate) struct NavItem {
    pub(crate) href: &'static str,
    pub(crate) label: String,
    pub(crate) current: bool,
}

/// The frame around a page's own content.
pub(crate) struct Layout {
    pub(crate) lang: Lang,
    /// The signed-in session's form token (for sign-out and the switch).
    pub(crate) csrf: Option<String>,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) languages: Vec<Offered>,
    /// Where the language switch returns to.
    pub(crate) here: String,
    /// The proxy banner's sentence while a staff member acts for a member.
    pub(crate) acting_for: Option<String>,
}

impl Layout {
    pub(crate) fn new(headers: &HeaderMap, signed_in: Option<&SignedIn>, here: &str) -> Self {
        let lang = request_lang(headers);
        let nav = signed_in.map_or_else(Vec::new, |s| menu(&lang, &s.actor, here));
        let acting_for = signed_in.and_then(|s| s.acting_for.as_ref()).map(|a| {
            lang.ta(
                "proxy-banner",
                &[
                    ("name", Arg::Text(a.name.clone())),
                    ("number", Arg::Text(a.number.clone())),
                ],
            )
        });
        Self {
            acting_for,
            csrf: signed_in.map(|s| s.session.csrf_token.clone()),
            languages: i18n::offered()
                .into_iter()
                .filter(|o| o.tag != lang.tag())
                .collect(),
            lang,
            nav,
            here: here.to_owned(),
        }
    }

    pub(crate) fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with one text argument, for templates.
    pub(crate) fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.lang.ta(key, &[(name, Arg::Text(value.to_owned()))])
    }

    /// A message with one number argument, for templates.
    pub(crate) fn tn(&self, key: &str, name: &'static str, value: &i64) -> String {
        self.lang.ta(key, &[(name, Arg::Int(*value))])
    }

    /// The switch's accessible name for one language, in that language.
    pub(crate) fn change_to(&self, offered: &Offered) -> String {
        Lang::supported(&offered.tag)
            .unwrap_or_else(|| self.lang.clone())
            .ta(
                "language-change",
                &[("name", Arg::Text(offered.name.clone()))],
            )
    }
}

/// The request's language: the person's choice (a cookie the switch and
/// signing in set from their saved setting), else what the browser asks
/// for, else English.
pub(crate) fn request_lang(headers: &HeaderMap) -> Lang {
    cookies::get(headers, LANGUAGE)
        .and_then(Lang::supported)
        .or_else(|| {
            headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_else(Lang::english)
}

fn menu(lang: &Lang, actor: &Actor, here: &str) -> Vec<NavItem> {
    let mut items: Vec<(&'static str, &'static str)> = vec![("/home", "nav-home")];
    if actor.member.is_some() {
        items.extend([
            ("/activities", "nav-activities"),
            ("/claims", "nav-claims"),
            ("/spend", "nav-spend"),
            ("/give", "nav-give"),
            ("/timebank", "nav-timebank"),
            ("/card", "nav-card"),
            ("/statement", "nav-statement"),
            ("/details", "nav-details"),
        ]);
    }
    if actor.grants.iter().any(|g| g.role == Role::Coordinator) {
        items.extend([
            ("/sessions", "nav-sessions"),
            ("/claims/decide", "nav-claims-to-decide"),
            ("/organisation/members", "nav-org-members"),
            ("/organisation/activities", "nav-org-activities"),
            ("/organisation/statement", "nav-org-statement"),
        ]);
    }
    if actor.grants.iter().any(|g| g.role == Role::SpendStaff) {
        items.extend([("/desk", "nav-desk"), ("/desk/offers", "nav-desk-offers")]);
    }
    if actor
        .grants
        .iter()
        .any(|g| g.role == Role::ProgrammeManager)
    {
        items.push(("/manage", "nav-manage"));
    }
    // Managers and evaluators of a programme see its evaluation reports.
    if actor
        .grants
        .iter()
        .any(|g| matches!(g.role, Role::ProgrammeManager | Role::Evaluator))
    {
        items.push(("/reports", "nav-reports"));
    }
    if actor.is_administrator() {
        items.push(("/admin", "nav-admin"));
    }
    // Staff of a programme see its activities; an administrator, who takes
    // part in no programme, has none to see, and an evaluator, who only
    // reads its reports, is not shown them either (the page refuses them).
    if actor.member.is_none()
        && actor
            .grants
            .iter()
            .any(|g| !matches!(g.role, Role::Member | Role::Administrator | Role::Evaluator))
    {
        items.push(("/activities", "nav-activities"));
    }
    items
        .into_iter()
        .map(|(href, key)| NavItem {
            href,
            label: lang.t(key),
            current: here == href,
        })
        .collect()
}
