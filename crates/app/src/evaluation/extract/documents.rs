//! The extract's data dictionary and README: what each column means, and
//! what disclosure control did to reach the threshold.

use timecredits_evaluation::pseudonym::{QuasiColumn, Step};

use super::super::analytics::ConsentingRecords;
use super::{NOT_KNOWN, PREFER_NOT};

pub(super) fn dictionary(
    columns: &[QuasiColumn],
    levels: &[usize],
    measures: &[(String, String, String)],
) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["file".into(), "column".into(), "meaning".into()]];
    let mut add = |file: &str, column: &str, meaning: &str| {
        rows.push(vec![file.into(), column.into(), meaning.into()]);
    };
    let pid = "pseudonymous id: HMAC-SHA256 of the member's id under a secret made for this extract and not kept; links the two files, nothing else";
    add("participation.csv", "pid", pid);
    for (c, level) in columns.iter().zip(levels) {
        let meaning = format!(
            "quasi-identifier, given as: {} ('{}' = not answered or no data; '{}' = declined)",
            c.levels[*level], NOT_KNOWN, PREFER_NOT
        );
        add("participation.csv", &c.name, &meaning);
    }
    add(
        "participation.csv",
        "new_to_volunteering",
        "yes when the member said they had not volunteered before",
    );
    add(
        "participation.csv",
        "contributions",
        "confirmed contributions of time, as they stand after corrections",
    );
    add(
        "participation.csv",
        "minutes_given",
        "minutes of time given (one hour given = one Time Credit)",
    );
    add(
        "participation.csv",
        "hours_given",
        "the same as hours:minutes",
    );
    add(
        "participation.csv",
        "credits_earned_minutes",
        "credits issued to the member, in minutes (60 = one credit), net of reversals",
    );
    add(
        "participation.csv",
        "credits_spent_minutes",
        "credits the member spent on offers, in minutes, net of reversals",
    );
    add(
        "participation.csv",
        "credits_balance_minutes",
        "the member's balance on the day of the extract, in minutes",
    );
    add("surveys.csv", "pid", pid);
    add(
        "surveys.csv",
        "wave_months",
        "survey wave: 0 is the baseline, else months after it",
    );
    for (_, column, meaning) in measures {
        add(
            "surveys.csv",
            column,
            &format!("{meaning}; empty when not answered"),
        );
    }
    rows
}

pub(super) fn readme(
    records: &ConsentingRecords,
    steps: &[Step],
    members: usize,
    made_on: String,
) -> String {
    let mut text = format!(
        "# Research extract\n\n\
         Made on {made_on}. {members} consenting members are in it; members who have not \
         consented to evaluation, or withdrew, are not.\n\n\
         - `participation.csv`: one row per member.\n\
         - `surveys.csv`: one row per member per survey wave.\n\
         - `data_dictionary.csv`: what every column means.\n\n\
         ## Disclosure control\n\n\
         Ids are keyed hashes under a secret made for this extract alone and not kept: they \
         link the two files, but not to any other extract or record. There are no names, \
         contact details, member numbers, postcodes or dates of birth; ages are bands and \
         places are LSOAs with their IMD decile. Disability and employment answers are not \
         included.\n\n\
         The quasi-identifiers (lsoa, age_band, deprivation, ethnic_group, gender) were \
         checked together: every combination in `participation.csv` is shared by at least \
         {threshold} members, the programme's threshold.\n\n",
        threshold = records.threshold.get(),
    );
    if steps.is_empty() {
        text.push_str("No value had to be coarsened and no row was withheld.\n");
    } else {
        text.push_str("To reach it:\n\n");
        for step in steps {
            match step {
                Step::Coarsened { column, to } => {
                    text.push_str(&format!("- `{column}` was coarsened to: {to}.\n"));
                }
                Step::Withheld { rows } => text.push_str(&format!(
                    "- {rows} members whose combination was still shared by fewer than the \
                     threshold were withheld (from both files).\n"
                )),
            }
        }
    }
    text
}
