//! Organisations (kinds, earn/spend roles, status, their own policy within
//! the programme rules) and members (registration, approval, skills and
//! interests, preferred language, proxy actions).

use crate::Refusal;

/// The skill and interest categories members choose from ("what I can
/// offer"), shared by profiles and the time-bank directory. Codes are
/// stable; labels are for people.
pub const SKILL_CATEGORIES: &[(&str, &str)] = &[
    ("care_and_companionship", "Care and companionship"),
    ("cooking_and_food", "Cooking and food"),
    ("gardening_and_outdoors", "Gardening and outdoors"),
    ("diy_and_repairs", "DIY and repairs"),
    ("transport_and_errands", "Transport and errands"),
    ("digital_and_admin", "Computers, phones and forms"),
    ("teaching_and_tutoring", "Teaching and tutoring"),
    ("arts_and_crafts", "Arts and crafts"),
    ("sport_and_fitness", "Sport and fitness"),
    ("languages_and_translation", "Languages and translation"),
    ("childcare_and_families", "Children and families"),
    ("events_and_community", "Events and community"),
    ("other", "Something else"),
];

/// Whether `code` names one of the [`SKILL_CATEGORIES`].
pub fn is_skill_category(code: &str) -> bool {
    SKILL_CATEGORIES.iter().any(|(c, _)| *c == code)
}

/// Who may confirm hours given to an earn partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HoursConfirmedBy {
    /// Any coordinator of the organisation (and the programme team).
    #[default]
    Coordinators,
    /// Only the programme team: for partners that do not confirm hours themselves.
    ProgrammeTeam,
}

impl HoursConfirmedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coordinators => "coordinators",
            Self::ProgrammeTeam => "programme_team",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "coordinators" => Some(Self::Coordinators),
            "programme_team" => Some(Self::ProgrammeTeam),
            _ => None,
        }
    }
}

/// An earn partner's own policy, within the programme's rules: it can be
/// stricter than the programme, never looser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EarnPolicy {
    /// Members may claim hours themselves for this partner's activities
    /// (only where the programme's rules allow claims at all).
    pub members_may_claim: bool,
    pub hours_confirmed_by: HoursConfirmedBy,
}

impl Default for EarnPolicy {
    fn default() -> Self {
        Self {
            members_may_claim: true,
            hours_confirmed_by: HoursConfirmedBy::Coordinators,
        }
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// What kind of organisation a partner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OrganisationKind {
    CommunityGroup,
    School,
    Housing,
    Health,
    SocialCare,
    Library,
    SportsAndLeisure,
    ArtsAndCulture,
    #[default]
    Other,
}

impl OrganisationKind {
    pub const ALL: [Self; 9] = [
        Self::CommunityGroup,
        Self::School,
        Self::Housing,
        Self::Health,
        Self::SocialCare,
        Self::Library,
        Self::SportsAndLeisure,
        Self::ArtsAndCulture,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CommunityGroup => "community_group",
            Self::School => "school",
            Self::Housing => "housing",
            Self::Health => "health",
            Self::SocialCare => "social_care",
            Self::Library => "library",
            Self::SportsAndLeisure => "sports_and_leisure",
            Self::ArtsAndCulture => "arts_and_culture",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Like [`parse`](Self::parse), refusing an unknown kind by name.
    pub fn parse_or_refuse(s: &str) -> Result<Self, Refusal> {
        Self::parse(s).ok_or_else(|| {
            Refusal::invalid(
                "organisation_kind_unknown",
                format!(
                    "{s:?} is not a kind of organisation; use one of: {}",
                    Self::ALL.map(Self::as_str).join(", ")
                ),
            )
        })
    }
}

/// Whether a partner gives credits for time (earn), accepts them (spend), or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartnerRoles {
    pub earn: bool,
    pub spend: bool,
}

impl Default for PartnerRoles {
    fn default() -> Self {
        Self::BOTH
    }
}

impl PartnerRoles {
    pub const EARN: Self = Self {
        earn: true,
        spend: false,
    };
    pub const SPEND: Self = Self {
        earn: false,
        spend: true,
    };
    pub const BOTH: Self = Self {
        earn: true,
        spend: true,
    };

    pub fn as_str(self) -> &'static str {
        match (self.earn, self.spend) {
            (true, false) => "earn",
            (false, true) => "spend",
            _ => "both",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s {
            "earn" => Ok(Self::EARN),
            "spend" => Ok(Self::SPEND),
            "both" => Ok(Self::BOTH),
            _ => Err(Refusal::invalid(
                "partner_roles_unknown",
                format!("{s:?} is not a partner role; use earn, spend or both"),
            )),
        }
    }
}

/// Whether a partner may take part now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OrganisationStatus {
    #[default]
    Active,
    /// A suspended partner can neither give nor accept credits.
    Suspended,
}

impl OrganisationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }

    /// Checks a change of status from `self` to `to`: each is a real change.
    pub fn change_to(self, to: Self) -> Result<(), Refusal> {
        match (self, to) {
            (Self::Suspended, Self::Suspended) => Err(Refusal::conflict(
                "organisation_already_suspended",
                "the organisation is already suspended; reactivate it first if that was a mistake",
            )),
            (Self::Active, Self::Active) => Err(Refusal::conflict(
                "organisation_already_active",
                "the organisation is already active; there is nothing to reactivate",
            )),
            _ => Ok(()),
        }
    }
}

/// A UK postcode in its normal form, e.g. `PE15 8AA`. Only the format is
/// checked, not that the postcode exists.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(bad_postcode(raw));
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
        };
        // A9, A99, AA9, AA99, A9A, AA9A.
        let shape: String = outward
            .chars()
            .map(|c| if c.is_ascii_digit() { '9' } else { 'A' })
            .collect();
        let outward_ok = matches!(
            shape.as_str(),
            "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
        ) && outward.chars().all(|c| c.is_ascii_alphanumeric());
        if !(inward_ok && outward_ok) {
            return Err(bad_postcode(raw));
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn bad_postcode(raw: &str) -> Refusal {
    let shown: String = raw.chars().take(20).collect();
    Refusal::invalid(
        "postcode_invalid",
        format!("{shown:?} is not a UK postcode; write it like PE15 8AA"),
    )
}

/// A contact person at an organisation: a name and an email, a phone, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// At most this many contacts per organisation.
pub const MAX_CONTACTS: usize = 10;

impl Contact {
    /// Trims and checks a contact: a name, and at least one way to reach them.
    pub fn new(name: &str, email: Option<&str>, phone: Option<&str>) -> Result<Self, Refusal> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 || has_control(name) {
            return Err(Refusal::invalid(
                "contact_name_invalid",
                "a contact needs a name of 1 to 200 characters",
            ));
        }
        let email = email
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(normalise_email)
            .transpose()?;
        let phone = phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(normalise_phone)
            .transpose()?;
        if email.is_none() && phone.is_none() {
            return Err(Refusal::invalid(
                "contact_unreachable",
                "give the contact an email address, a phone number, or both",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            email,
            phone,
        })
    }
}

/// An email address, trimmed and lower-cased; only its shape is checked.
pub fn normalise_email(raw: &str) -> Result<String, Refusal> {
    let email = raw.trim().to_lowercase();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(email)
    } else {
        Err(Refusal::invalid(
            "email_invalid",
            "that is not an email address; write it like name@example.org",
        ))
    }
}

/// A phone number: digits with spaces, and an optional leading `+`.
pub fn normalise_phone(raw: &str) -> Result<String, Refusal> {
    let phone = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let body = phone.strip_prefix('+').unwrap_or(&phone);
    let ok = (7..=15).contains(&digits)
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    if ok {
        Ok(phone)
    } else {
        Err(Refusal::invalid(
            "phone_invalid",
            "that is not a phone number; use 7 to 15 digits, spaces and an optional leading +",
        ))
    }
}

/// A preferred language: a 2–3 letter code (`en`, `pl`, `cy`), with an
/// optional region (`en-GB`). Stored as written by BCP 47: lower-case
/// language, upper-case region.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Language(String);

impl Language {
    pub fn parse(raw: &str) -> Result<Self, Refusal> {
        let raw = raw.trim();
        let (lang, region) = match raw.split_once(['-', '_']) {
            Some((l, r)) => (l, Some(r)),
            None => (raw, None),
        };
        let lang_ok =
            (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic());
        let region_ok = region.is_none_or(|r| {
            (r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()))
                || (r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()))
        });
        if !(lang_ok && region_ok) {
            let shown: String = raw.chars().take(20).collect();
            return Err(Refusal::invalid(
                "language_invalid",
                format!(
                    "{shown:?} is not a language code; use two or three letters such as en, pl or cy"
                ),
            ));
        }
        Ok(Self(match region {
            Some(r) => format!("{}-{}", lang.to_ascii_lowercase(), r.to_ascii_uppercase()),
            None => lang.to_ascii_lowercase(),
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether people may register themselves in a programme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SelfRegistration {
    /// A self-registered member takes part at once.
    Open,
    /// A self-registered member waits for a manager or coordinator.
    #[default]
    NeedsApproval,
    /// Only staff register members.
    Closed,
}

impl SelfRegistration {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::NeedsApproval => "needs_approval",
            Self::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Refusal> {
        match s {
            "open" => Ok(Self::Open),
            "needs_approval" => Ok(Self::NeedsApproval),
            "closed" => Ok(Self::Closed),
            _ => Err(Refusal::invalid(
                "self_registration_unknown",
                format!(
                    "{s:?} is not a self-registration setting; use open, needs_approval or closed"
                ),
            )),
        }
    }

    /// The status a member who registers themself starts with.
    pub fn starting_status(self) -> Result<MemberStatus, Refusal> {
        match self {
            Self::Open => Ok(MemberStatus::Active),
            Self::NeedsApproval => Ok(MemberStatus::Pending),
            Self::Closed => Err(Refusal::conflict(
                "self_registration_closed",
                "this programme does not take registrations online; ask a partner organisation or the programme team to register you",
            )),
        }
    }
}

/// Whether a member may take part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum MemberStatus {
    #[default]
    Active,
    /// Registered themself and waits for approval: cannot earn or spend yet.
    Pending,
    /// The registration was declined (the reason is kept).
    Declined,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "pending" => Some(Self::Pending),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }

    /// Checks that a registration in this status can still be decided.
    pub fn check_undecided(self) -> Result<(), Refusal> {
        match self {
            Self::Pending => Ok(()),
            Self::Active => Err(Refusal::conflict(
                "registration_already_decided",
                "this registration was already approved; the member can take part",
            )),
            Self::Declined => Err(Refusal::conflict(
                "registration_already_decided",
                "this registration was already declined; the person can register again",
            )),
        }
    }

    /// Refuses a member who may not earn or spend yet.
    pub fn check_may_take_part(self) -> Result<(), Refusal> {
        match self {
            Self::Active => Ok(()),
            Self::Pending => Err(Refusal::conflict(
                "member_pending_approval",
                "this member's registration is waiting for approval; a coordinator or the programme team can approve it",
            )),
            Self::Declined => Err(Refusal::conflict(
                "member_declined",
                "this member's registration was declined; they cannot earn or spend credits",
            )),
        }
    }
}

/// Checks why a registration is declined: it is kept and shown to staff.
pub fn decline_reason(raw: &str) -> Result<String, Refusal> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > 500 || has_control(reason) {
        return Err(Refusal::invalid(
            "decline_reason_required",
            "say why the registration is declined, in 1 to 500 characters",
        ));
    }
    Ok(reason.to_owned())
}

/// At most this many characters of free text about skills or interests.
pub const MAX_FREE_TEXT: usize = 1000;

/// Skill or interest categories, checked against [`SKILL_CATEGORIES`]: each
/// known, in the catalogue's order, none twice.
pub fn skill_codes(codes: &[String]) -> Result<Vec<String>, Refusal> {
    if let Some(unknown) = codes.iter().find(|c| !is_skill_category(c)) {
        let shown: String = unknown.chars().take(40).collect();
        return Err(Refusal::invalid(
            "skill_category_unknown",
            format!(
                "{shown:?} is not a skill category; use one of: {}",
                SKILL_CATEGORIES
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(SKILL_CATEGORIES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| codes.iter().any(|x| x == c))
        .map(str::to_owned)
        .collect())
}

/// Free text about skills or interests: trimmed, at most [`MAX_FREE_TEXT`] characters.
pub fn free_text(raw: &str) -> Result<String, Refusal> {
    let text = raw.trim();
    if text.chars().count() > MAX_FREE_TEXT || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Refusal::invalid(
            "free_text_too_long",
            format!("write at most {MAX_FREE_TEXT} characters of plain text"),
        ));
    }
    Ok(text.to_owned())
}

/// A person's display name as they register: 1–100 characters, no control characters.
pub fn display_name(raw: &str) -> Result<String, Refusal> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 || has_control(name) {
        return Err(Refusal::invalid(
            "display_name_invalid",
            "enter a name of 1 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

/// A PIN chosen when registering online: 4 to 6 digits, and not one that
/// anyone would guess first (all one digit, or a straight run like 1234).
pub fn check_chosen_pin(pin: &str) -> Result<(), Refusal> {
    let digits: Vec<u8> = pin.bytes().collect();
    if !(4..=6).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Refusal::invalid("pin_invalid", "a PIN is 4 to 6 digits"));
    }
    let same = digits.iter().all(|d| *d == digits[0]);
    let up = digits.windows(2).all(|w| w[1] == w[0] + 1);
    let down = digits.windows(2).all(|w| w[0] == w[1] + 1);
    if same || up || down {
        return Err(Refusal::invalid(
            "pin_too_easy",
            "that PIN is too easy to guess; choose digits that are not all the same or in a row",
        ));
    }
    Ok(())
}

/// The name of an action taken on a member's behalf (`claim_hours`,
/// `redeem_offer`): snake_case, 1–64 characters.
pub fn proxy_action_name(raw: &str) -> Result<&str, Refusal> {
    let ok = (1..=64).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && raw.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(raw)
    } else {
        Err(Refusal::invalid(
            "proxy_action_invalid",
            "name the action in snake_case, like claim_hours",
        ))
    }
}

/// Refuses linking a member to an organisation they already belong to.
pub fn already_a_member() -> Refusal {
    Refusal::conflict(
        "already_a_member",
        "the member already belongs to this organisation; there is nothing to add",
    )
}

/// Refuses unlinking a member from an organisation they do not belong to.
pub fn not_a_member() -> Refusal {
    Refusal::conflict(
        "not_a_member",
        "the member does not belong to this organisation; check the organisation",
    )
}

impl EarnPolicy {
    /// An organisation's policy may be stricter than the programme's rules,
    /// never looser: claims only where the programme allows them.
    pub fn check_within(self, programme_allows_claims: bool) -> Result<(), Refusal> {
        if self.members_may_claim && !programme_allows_claims {
            return Err(Refusal::invalid(
                "policy_looser_than_programme",
                "the programme's rules do not let members claim hours, so a partner cannot allow it either; set members_may_claim to false",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn postcodes_are_normalised() {
        for (raw, want) in [
            ("pe15 8aa", "PE15 8AA"),
            ("PE158AA", "PE15 8AA"),
            (" sw1a 1aa ", "SW1A 1AA"),
            ("m1 1ae", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("cr2 6xh", "CR2 6XH"),
            ("W1A0AX", "W1A 0AX"),
        ] {
            assert_eq!(Postcode::parse(raw).expect(raw).as_str(), want);
        }
        for bad in [
            "",
            "PE15",
            "12345",
            "PE15 AAA",
            "PE15 8A1",
            "ABCDE 1AA",
            "PE1!5 8AA",
            "PÉ15 8AA",
        ] {
            assert_eq!(
                Postcode::parse(bad).expect_err(bad).code,
                "postcode_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn languages_are_short_codes() {
        assert_eq!(Language::parse("EN").expect("en").as_str(), "en");
        assert_eq!(Language::parse("pl").expect("pl").as_str(), "pl");
        assert_eq!(Language::parse("en_gb").expect("region").as_str(), "en-GB");
        assert_eq!(
            Language::parse("es-419").expect("numeric").as_str(),
            "es-419"
        );
        for bad in ["", "e", "english", "e1", "en-", "en-GBR", "<script>"] {
            assert_eq!(
                Language::parse(bad).expect_err(bad).code,
                "language_invalid"
            );
        }
    }

    #[test]
    fn contacts_need_a_way_to_reach_them() {
        let c = Contact::new(" Sam ", Some(" Sam@Example.ORG "), None).expect("valid");
        assert_eq!(
            (c.name.as_str(), c.email.as_deref()),
            ("Sam", Some("sam@example.org"))
        );
        assert_eq!(
            Contact::new("Sam", None, Some("  "))
                .expect_err("none")
                .code,
            "contact_unreachable"
        );
        assert_eq!(
            Contact::new("", Some("a@b.org"), None)
                .expect_err("no name")
                .code,
            "contact_name_invalid"
        );
        assert_eq!(
            Contact::new("Sam", Some("not-an-email"), None)
                .expect_err("bad")
                .code,
            "email_invalid"
        );
        assert_eq!(
            Contact::new("Sam", None, Some("+44 1234 567890"))
                .expect("phone")
                .phone
                .as_deref(),
            Some("+44 1234 567890")
        );
        assert_eq!(
            Contact::new("Sam", None, Some("call me"))
                .expect_err("bad")
                .code,
            "phone_invalid"
        );
    }

    #[test]
    fn kinds_roles_and_settings_round_trip() {
        for k in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            OrganisationKind::parse_or_refuse("pub")
                .expect_err("unknown")
                .code,
            "organisation_kind_unknown"
        );
        for r in [PartnerRoles::EARN, PartnerRoles::SPEND, PartnerRoles::BOTH] {
            assert_eq!(PartnerRoles::parse(r.as_str()), Ok(r));
        }
        assert!(PartnerRoles::parse("neither").is_err());
        for s in [
            SelfRegistration::Open,
            SelfRegistration::NeedsApproval,
            SelfRegistration::Closed,
        ] {
            assert_eq!(SelfRegistration::parse(s.as_str()), Ok(s));
        }
        for s in [
            MemberStatus::Active,
            MemberStatus::Pending,
            MemberStatus::Declined,
        ] {
            assert_eq!(MemberStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn status_changes_must_change_something() {
        use OrganisationStatus::*;
        assert!(Active.change_to(Suspended).is_ok());
        assert!(Suspended.change_to(Active).is_ok());
        assert_eq!(
            Suspended.change_to(Suspended).expect_err("again").code,
            "organisation_already_suspended"
        );
        assert_eq!(
            Active.change_to(Active).expect_err("again").code,
            "organisation_already_active"
        );
    }

    #[test]
    fn registrations_are_decided_once() {
        assert!(MemberStatus::Pending.check_undecided().is_ok());
        assert_eq!(
            MemberStatus::Active
                .check_undecided()
                .expect_err("done")
                .code,
            "registration_already_decided"
        );
        assert_eq!(
            MemberStatus::Declined
                .check_undecided()
                .expect_err("done")
                .code,
            "registration_already_decided"
        );
        assert_eq!(
            SelfRegistration::Open.starting_status(),
            Ok(MemberStatus::Active)
        );
        assert_eq!(
            SelfRegistration::NeedsApproval.starting_status(),
            Ok(MemberStatus::Pending)
        );
        assert_eq!(
            SelfRegistration::Closed
                .starting_status()
                .expect_err("closed")
                .code,
            "self_registration_closed"
        );
        assert_eq!(
            MemberStatus::Pending
                .check_may_take_part()
                .expect_err("p")
                .code,
            "member_pending_approval"
        );
        assert_eq!(
            MemberStatus::Declined
                .check_may_take_part()
                .expect_err("d")
                .code,
            "member_declined"
        );
        assert_eq!(
            decline_reason("  ").expect_err("empty").code,
            "decline_reason_required"
        );
    }

    #[test]
    fn skills_are_catalogue_codes_in_order() {
        let codes = vec![
            "other".to_owned(),
            "cooking_and_food".to_owned(),
            "other".to_owned(),
        ];
        assert_eq!(
            skill_codes(&codes).expect("known"),
            vec!["cooking_and_food", "other"]
        );
        assert_eq!(
            skill_codes(&["juggling".to_owned()])
                .expect_err("unknown")
                .code,
            "skill_category_unknown"
        );
        assert_eq!(
            free_text(&"x".repeat(MAX_FREE_TEXT + 1))
                .expect_err("long")
                .code,
            "free_text_too_long"
        );
    }

    #[test]
    fn chosen_pins_are_not_trivial() {
        assert!(check_chosen_pin("4071").is_ok());
        for easy in ["0000", "1234", "98765", "111111"] {
            assert_eq!(check_chosen_pin(easy).expect_err(easy).code, "pin_too_easy");
        }
        for bad in ["123", "12a4", "1234567"] {
            assert_eq!(check_chosen_pin(bad).expect_err(bad).code, "pin_invalid");
        }
    }

    #[test]
    fn policies_are_never_looser_than_the_programme() {
        let open = EarnPolicy::default();
        assert!(open.check_within(true).is_ok());
        assert_eq!(
            open.check_within(false).expect_err("looser").code,
            "policy_looser_than_programme"
        );
        let strict = EarnPolicy {
            members_may_claim: false,
            ..open
        };
        assert!(strict.check_within(false).is_ok());
    }

    #[test]
    fn proxy_actions_are_snake_case() {
        assert_eq!(proxy_action_name("claim_hours"), Ok("claim_hours"));
        for bad in ["", "Claim", "claim hours", "1claim", "_x"] {
            assert!(proxy_action_name(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_normal_postcode_parses_to_itself(
            area in "[A-Z]{1,2}", district in 1u32..99, sector in 0u32..10, unit in "[A-Z]{2}"
        ) {
            let code = format!("{area}{district} {sector}{unit}");
            let parsed = Postcode::parse(&code.to_lowercase().replace(' ', "")).expect("valid");
            prop_assert_eq!(parsed.as_str(), code.as_str());
            prop_assert_eq!(Postcode::parse(parsed.as_str()).expect("again"), parsed);
        }

        #[test]
        fn postcode_parsing_never_panics(raw in "\\PC{0,12}") {
            let _ = Postcode::parse(&raw);
            let _ = Language::parse(&raw);
            let _ = normalise_phone(&raw);
        }
    }
}
