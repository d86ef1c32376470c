//! Translations for the pages: Fluent files in `crates/web/locales/<lang>/`,
//! compiled into the binary. Adding a language means adding one folder with
//! one `main.ftl` that translates every message (a test checks that each
//! language has every message English has).
//!
//! The bundles are Fluent's concurrent kind, shared by every request; each
//! request looks up in its own [`Lang`], so one person's language never
//! leaks into another's page.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use fluent_langneg::{NegotiationStrategy, accepted_languages, negotiate_languages};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};
use timecredits_ledger::MINUTES_PER_CREDIT;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around every placeable would show up in
        // copied text and in screen readers' spelling; our values are
        // numbers and names in the page's own direction.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language of one request.
#[derive(Clone, Debug)]
pub(crate) struct Lang {
    id: LanguageIdentifier,
}

/// A language offered by the switch: its tag, and its name in itself.
pub(crate) struct Offered {
    pub(crate) tag: String,
    pub(crate) name: String,
}

impl Lang {
    pub(crate) fn english() -> Self {
        Self {
            id: fallback().clone(),
        }
    }

    /// The supported language for a tag such as `pl` or `en-GB`, if any.
    pub(crate) fn supported(tag: &str) -> Option<Self> {
        let requested: LanguageIdentifier = tag.trim().parse().ok()?;
        let available = available();
        let chosen = negotiate_languages(
            &[requested],
            &available,
            None,
            NegotiationStrategy::Filtering,
        );
        chosen.first().map(|id| Self { id: (*id).clone() })
    }

    /// The best supported language for an `Accept-Language` header.
    pub(crate) fn from_accept_language(header: &str) -> Option<Self> {
        let requested = accepted_languages::parse(header);
        let available = available();
        let chosen =
            negotiate_languages(&requested, &available, None, NegotiationStrategy::Filtering);
        chosen.first().map(|id| Self { id: (*id).clone() })
    }

    /// The tag for `<html lang>` and for links.
    pub(crate) fn tag(&self) -> String {
        self.id.to_string()
    }

    /// A message with no arguments.
    pub(crate) fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The page's words for a refusal the domain named `code`, when there
    /// are some (`refusal-<code>`); otherwise the domain's own sentence,
    /// which also says what to do.
    pub(crate) fn refusal(&self, code: &str, detail: &str) -> String {
        LOCALES
            .try_lookup(&self.id, &format!("refusal-{code}"))
            .unwrap_or_else(|| detail.to_owned())
    }

    /// A message with named arguments: numbers stay numbers, so Fluent
    /// chooses the plural form the language needs.
    pub(crate) fn ta(&self, key: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Int(n) => FluentValue::from(*n),
                    Arg::Text(s) => FluentValue::from(s.as_str()),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES.lookup_complete(&self.id, key, Some(&args))
    }

    fn count(&self, key: &str, n: i64) -> String {
        self.ta(key, &[("n", Arg::Int(n))])
    }

    fn and(&self, a: String, b: String) -> String {
        self.ta("and", &[("a", Arg::Text(a)), ("b", Arg::Text(b))])
    }

    /// "7 Time Credits and 30 minutes", in this language.
    pub(crate) fn credits(&self, minutes: i64) -> String {
        let (credits, rest) = split(minutes);
        let whole = self.count("n-credits", credits);
        if rest == 0 {
            whole
        } else {
            self.and(whole, self.count("n-minutes", rest))
        }
    }

    /// "7 hours and 30 minutes", in this language.
    pub(crate) fn hours(&self, minutes: i64) -> String {
        let (hours, rest) = split(minutes);
        match (hours, rest) {
            (0, rest) => self.count("n-minutes", rest),
            (hours, 0) => self.count("n-hours", hours),
            (hours, rest) => self.and(self.count("n-hours", hours), self.count("n-minutes", rest)),
        }
    }

    /// A short amount for tables: "7 credits 30 min" / "7 kredytów 30 min".
    pub(crate) fn short(&self, minutes: i64) -> String {
        let sign = if minutes < 0 { "−" } else { "" };
        let (hours, rest) = split(minutes.abs());
        let text = match (hours, rest) {
            (hours, 0) => self.count("short-credits", hours),
            (0, rest) => self.count("short-minutes", rest),
            (hours, rest) => format!(
                "{} {}",
                self.count("short-credits", hours),
                self.count("short-minutes", rest)
            ),
        };
        format!("{sign}{text}")
    }

    /// A date as people write it: "26 November 2026" / "26 listopada 2026".
    pub(crate) fn date(&self, at: DateTime<Utc>, zone: Tz) -> String {
        self.day(at.with_timezone(&zone).date_naive())
    }

    /// A calendar date (no time, so no zone): "26 November 2026".
    pub(crate) fn day(&self, day: NaiveDate) -> String {
        self.ta(
            "date-long",
            &[
                ("day", Arg::Int(i64::from(day.day()))),
                (
                    "month",
                    Arg::Text(self.t(&format!("month-{}", day.month()))),
                ),
                ("year", Arg::Int(i64::from(day.year()))),
            ],
        )
    }

    /// A date and time: "26 November 2026, 14:30".
    pub(crate) fn date_time(&self, at: DateTime<Utc>, zone: Tz) -> String {
        let local = at.with_timezone(&zone);
        self.ta(
            "date-time",
            &[
                ("date", Arg::Text(self.date(at, zone))),
                ("time", Arg::Text(local.format("%H:%M").to_string())),
            ],
        )
    }
}

/// An argument to a message.
pub(crate) enum Arg {
    Int(i64),
    Text(String),
}

fn split(minutes: i64) -> (i64, i64) {
    (
        minutes.div_euclid(MINUTES_PER_CREDIT),
        minutes.rem_euclid(MINUTES_PER_CREDIT),
    )
}

fn fallback() -> &'static LanguageIdentifier {
    static EN: std::sync::OnceLock<LanguageIdentifier> = std::sync::OnceLock::new();
    EN.get_or_init(|| "en".parse().expect("a valid tag"))
}

fn available() -> Vec<LanguageIdentifier> {
    let mut all: Vec<LanguageIdentifier> = LOCALES.locales().cloned().collect();
    all.sort_by_key(ToString::to_string);
    all
}

/// Every language there is a file for, each named in itself.
pub(crate) fn offered() -> Vec<Offered> {
    available()
        .into_iter()
        .map(|id| Offered {
            name: LOCALES.lookup(&id, "language-name"),
            tag: id.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn lang(tag: &str) -> Lang {
        Lang::supported(tag).expect("supported")
    }

    fn message_ids(ftl: &str) -> std::collections::BTreeSet<String> {
        ftl.lines()
            .filter(|l| !l.starts_with(char::is_whitespace) && !l.starts_with('#'))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
            .filter(|k| !k.is_empty())
            .collect()
    }

    /// Every language folder has exactly the messages English has (Fluent
    /// would otherwise fall back to English in the middle of a page), and
    /// every folder is offered by the language switch.
    #[test]
    fn every_language_has_every_message() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let english = message_ids(include_str!("../locales/en/main.ftl"));
        assert!(english.len() > 50, "{} messages", english.len());
        let mut folders = Vec::new();
        for entry in std::fs::read_dir(dir).expect("locales") {
            let entry = entry.expect("entry");
            let tag = entry.file_name().to_string_lossy().into_owned();
            let ftl = std::fs::read_to_string(entry.path().join("main.ftl")).expect("main.ftl");
            let ids = message_ids(&ftl);
            let missing: Vec<_> = english.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&english).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{tag}: missing {missing:?}, not in English {extra:?}"
            );
            folders.push(tag);
        }
        folders.sort();
        let offered: Vec<String> = offered().into_iter().map(|o| o.tag).collect();
        assert_eq!(offered, folders);
        assert!(offered.iter().all(|tag| {
            !Lang::supported(tag)
                .expect("supported")
                .t("language-name")
                .is_empty()
        }));
    }

    #[test]
    fn languages_are_negotiated_from_the_header() {
        assert_eq!(
            Lang::from_accept_language("pl-PL,pl;q=0.9,en;q=0.5")
                .expect("pl")
                .tag(),
            "pl"
        );
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.8")
                .expect("en")
                .tag(),
            "en"
        );
        assert!(Lang::from_accept_language("xx").is_none());
        assert!(Lang::supported("klingon!").is_none());
    }

    #[test]
    fn polish_plurals_follow_the_language() {
        let pl = lang("pl");
        assert_eq!(pl.credits(60), "1 kredyt czasu");
        assert_eq!(pl.credits(3 * 60), "3 kredyty czasu");
        assert_eq!(pl.credits(5 * 60), "5 kredytów czasu");
        assert_eq!(pl.credits(22 * 60 + 30), "22 kredyty czasu i 30 minut");
        assert_eq!(pl.hours(90), "1 godzina i 30 minut");
        let en = lang("en");
        assert_eq!(en.credits(60), "1 Time Credit");
        assert_eq!(en.credits(450), "7 Time Credits and 30 minutes");
        assert_eq!(en.credits(0), "0 Time Credits");
        assert_eq!(en.hours(61), "1 hour and 1 minute");
        assert_eq!(en.short(-90), "−1 credit 30 min");
        assert_eq!(en.short(0), "0 credits");
        assert_eq!(en.short(45), "45 min");
    }

    #[test]
    fn dates_are_written_in_the_language_and_the_programmes_zone() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 26, 23, 30, 0)
            .single()
            .expect("valid");
        let zone: Tz = "Europe/Warsaw".parse().expect("zone");
        assert_eq!(lang("pl").date(at, zone), "27 listopada 2026");
        assert_eq!(
            lang("en").date(at, chrono_tz::Europe::London),
            "26 November 2026"
        );
        assert_eq!(
            lang("en").date_time(at, chrono_tz::Europe::London),
            "26 November 2026, 23:30"
        );
    }
}
