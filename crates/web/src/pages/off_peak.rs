//! Offers with off-peak hours, as people read them: which hours, and
//! whether the offer can be taken right now.

use chrono::NaiveDateTime;
use timecredits_domain::spending::{OffPeakWindow, OfferTerms};

use crate::i18n::{Arg, Lang};

/// The windows in the page's language: "Monday, Tuesday 09:00–12:00; …".
pub(crate) fn describe(lang: &Lang, windows: &[OffPeakWindow]) -> String {
    windows
        .iter()
        .map(|w| {
            let days: Vec<String> = w
                .days
                .iter()
                .map(|d| lang.t(&format!("day-{}", d.number_from_monday())))
                .collect();
            format!(
                "{} {}–{}",
                days.join(", "),
                w.from.format("%H:%M"),
                w.to.format("%H:%M")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `None` when the offer's hours allow redeeming it at `local_now` (the
/// programme's local time, as the redemption judges it); otherwise the
/// sentence saying when it is available. Redeeming it now would be
/// refused with `outside_off_peak_hours`, so it is not offered.
pub(crate) fn not_available_now(
    lang: &Lang,
    terms: &OfferTerms,
    local_now: NaiveDateTime,
) -> Option<String> {
    let open = terms.off_peak.is_empty() || terms.off_peak.iter().any(|w| w.contains(local_now));
    (!open).then(|| {
        lang.ta(
            "offer-not-available-now",
            &[("hours", Arg::Text(describe(lang, &terms.off_peak)))],
        )
    })
}
