//! The reports' filter form, read from GET query parameters: the period
//! (from, to), organisation, co-production level and mode.

use chrono::NaiveDate;
use serde::Deserialize;
use timecredits_app::evaluation::eval::analytics::{Filter, Level, Mode};
use timecredits_app::evaluation::report_day;

use crate::pages::Layout;
use crate::pages::forms::FormErrors;
use crate::pages::manage::{Choice, Field, FieldKind};

/// The query as sent; every value is checked before use.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct FilterQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    mode: String,
    /// Which table of a report a CSV download is (0 for the first).
    #[serde(default)]
    pub(crate) table: String,
    /// The outcomes page shows one follow-up wave at a time (in months).
    #[serde(default)]
    pub(crate) wave: String,
}

/// A filter read from the query, with the form's errors and the canonical
/// query string that CSV links and sub-page links carry on.
pub(crate) struct ReadFilter {
    pub(crate) filter: Filter,
    pub(crate) errors: FormErrors,
    /// Only checked values, so nothing in it needs escaping beyond `&`.
    pub(crate) query: String,
    pub(crate) fields: Vec<Field>,
    /// The period in words, for captions and the funder report.
    pub(crate) period: String,
}

fn read_day(raw: &str) -> Result<Option<NaiveDate>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| ())
}

/// Reads the query against the programme's organisations (id, name).
pub(crate) fn read(
    l: &Layout,
    query: &FilterQuery,
    organisations: &[(String, String)],
) -> ReadFilter {
    let mut errors = FormErrors::default();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let from = read_day(&query.from).unwrap_or_else(|()| {
        errors.add("from", l.t("reports-error-date"));
        None
    });
    let to = read_day(&query.to).unwrap_or_else(|()| {
        errors.add("to", l.t("reports-error-date"));
        None
    });
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.add("from", l.t("reports-error-order"));
    }
    if let Some(f) = from {
        pairs.push(("from", f.to_string()));
    }
    if let Some(t) = to {
        pairs.push(("to", t.to_string()));
    }
    let organisation = query.organisation.trim();
    let organisation = if organisation.is_empty() {
        None
    } else if organisations.iter().any(|(id, _)| id == organisation) {
        pairs.push(("organisation", organisation.to_owned()));
        Some(organisation.to_owned())
    } else {
        errors.add("organisation", l.t("reports-error-organisation"));
        None
    };
    let level = match query.level.trim() {
        "" => None,
        code => {
            let found = Level::ALL.into_iter().find(|v| v.as_str() == code);
            match found {
                Some(v) => pairs.push(("level", v.as_str().to_owned())),
                None => errors.add("level", l.t("reports-error-choice")),
            }
            found
        }
    };
    let mode = match query.mode.trim() {
        "" => None,
        code => {
            let found = Mode::ALL.into_iter().find(|v| v.as_str() == code);
            match found {
                Some(v) => pairs.push(("mode", v.as_str().to_owned())),
                None => errors.add("mode", l.t("reports-error-choice")),
            }
            found
        }
    };
    let period = match (from, to) {
        (Some(f), Some(t)) => l.lang.ta(
            "reports-period-between",
            &[
                ("from", crate::i18n::Arg::Text(l.lang.day(f))),
                ("to", crate::i18n::Arg::Text(l.lang.day(t))),
            ],
        ),
        (Some(f), None) => l.t1("reports-period-from", "from", &l.lang.day(f)),
        (None, Some(t)) => l.t1("reports-period-to", "to", &l.lang.day(t)),
        (None, None) => l.t("reports-period-all"),
    };
    let with_any = |choices: Vec<Choice>| {
        let mut all = vec![Choice {
            value: String::new(),
            label: l.t("reports-filter-any"),
        }];
        all.extend(choices);
        all
    };
    let fields = vec![
        Field::new("from", l.t("reports-filter-from"), FieldKind::Date)
            .value(query.from.trim())
            .hint(l.t("reports-filter-date-hint")),
        Field::new("to", l.t("reports-filter-to"), FieldKind::Date).value(query.to.trim()),
        Field::new(
            "organisation",
            l.t("reports-filter-organisation"),
            FieldKind::Select(with_any(
                organisations
                    .iter()
                    .map(|(id, name)| Choice {
                        value: id.clone(),
                        label: name.clone(),
                    })
                    .collect(),
            )),
        )
        .value(query.organisation.trim()),
        Field::new(
            "level",
            l.t("reports-filter-level"),
            FieldKind::Select(with_any(
                Level::ALL
                    .into_iter()
                    .map(|v| Choice {
                        value: v.as_str().to_owned(),
                        label: l.t(&format!("reports-level-{}", v.as_str())),
                    })
                    .collect(),
            )),
        )
        .value(query.level.trim()),
        Field::new(
            "mode",
            l.t("reports-filter-mode"),
            FieldKind::Select(with_any(
                Mode::ALL
                    .into_iter()
                    .map(|v| Choice {
                        value: v.as_str().to_owned(),
                        label: l.t(&format!("reports-mode-{}", v.as_str())),
                    })
                    .collect(),
            )),
        )
        .value(query.mode.trim()),
    ]
    .into_iter()
    .map(|f| f.errors(&errors))
    .collect();
    ReadFilter {
        filter: Filter {
            from: from.map(report_day),
            to: to.map(report_day),
            organisation,
            level,
            mode,
        },
        errors,
        query: pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&"),
        fields,
        period,
    }
}
