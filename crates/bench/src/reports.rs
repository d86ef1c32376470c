//! Scenario (d): the evaluation reports (reach, engagement, outcomes) over
//! a programme of issue 6's size. The programme and everything people set
//! up by hand come from the API; the history (members, postings, consent,
//! profiles, survey answers) is generated straight into the SQLite file
//! (`generate`), checked against the app's own rows (`shapes`) and by
//! `timecredits verify`; then each `timecredits report` runs as a child
//! process, timed and its peak memory read by `peak-rss`.

use std::path::Path;
use std::time::Instant;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api::{Api, field};
use crate::generate::{self, Generated, Made, Scale};
use crate::server::{ADMIN_EMAIL, ADMIN_PASSWORD, Server, create_admin, run_cli, verify};
use crate::world::{self, DESK_EMAIL, MANAGER_EMAIL, STAFF_PASSWORD};
use crate::{peak, shapes};

pub const EVALUATOR_EMAIL: &str = "evaluator@bench.example";

/// One report's run.
pub struct Timed {
    pub kind: &'static str,
    pub seconds: f64,
    pub peak_kib: u64,
    pub bytes: u64,
}

pub struct Outcome {
    pub generated: Generated,
    pub checks: usize,
    pub verify_seconds: f64,
    pub reports: Vec<Timed>,
}

/// What each report must show: a table by this title, whose row starting
/// with `row` has a count (not "suppressed") in column `column`.
const EXPECTED: [(&str, &[&str], &str, usize); 3] = [
    (
        "reach",
        &[
            "Participants by IMD decile (1 = most deprived)",
            "Participants new to volunteering",
        ],
        "total,",
        1,
    ),
    (
        "engagement",
        &[
            "Time given by co-production level",
            "Credits earned, spent and outstanding",
        ],
        "total,",
        1,
    ),
    (
        "outcomes",
        &[
            "Change from baseline to 6 months",
            "Change from baseline to 12 months",
        ],
        "ucla3,total,all,",
        4,
    ),
];

pub async fn run(bin: &Path, dir: &Path, scale: Scale) -> Result<Outcome, String> {
    let file = dir.join("reports.db");
    let url = format!("sqlite://{}", file.display());
    create_admin(bin, &url).await?;
    let server = Server::start(bin, &url, &dir.join("reports-serve.log")).await?;
    let made = set_up(&Api::new(&server.base)).await;
    server.stop().await;
    let (programme, templates) = made?;

    let imd = dir.join("imd2019-extract.csv");
    std::fs::write(&imd, generate::IMD_EXTRACT).map_err(|e| e.to_string())?;
    let lookup = dir.join("postcodes.csv");
    std::fs::write(&lookup, generate::postcode_lookup_csv()).map_err(|e| e.to_string())?;
    for (kind, path) in [("imd", &imd), ("postcodes", &lookup)] {
        let path = path.display().to_string();
        run_cli(
            bin,
            &url,
            &["import", kind, &path, "--as", ADMIN_EMAIL],
            &[],
        )
        .await?;
    }

    let made = Made {
        programme,
        manager_email: MANAGER_EMAIL,
        desk_email: DESK_EMAIL,
        template: templates[0],
    };
    let generated = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || generate::generate(&file, &made, scale, 6))
            .await
            .map_err(|e| e.to_string())??
    };
    let checks = {
        let file = file.clone();
        tokio::task::spawn_blocking(move || shapes::check(&file, programme, templates))
            .await
            .map_err(|e| e.to_string())??
    };
    let started = Instant::now();
    let report = verify(bin, &url).await?;
    let verify_seconds = started.elapsed().as_secs_f64();
    // The templates' three postings were written by the app.
    let expected = generated.transfers + 3;
    let checked: Option<u64> = report
        .lines()
        .find_map(|l| l.strip_prefix("transfers checked:"))
        .and_then(|v| v.trim().parse().ok());
    if checked != Some(expected) {
        return Err(format!(
            "(d) verify did not check the {expected} postings written: {report}"
        ));
    }

    let mut reports = Vec::new();
    for (kind, titles, row, column) in EXPECTED {
        let out = dir.join(format!("{kind}.csv"));
        let timed = report_once(bin, &url, programme, kind, &out).await?;
        let csv = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        check_csv(kind, &csv, titles, row, column)?;
        reports.push(timed);
    }
    Ok(Outcome {
        generated,
        checks,
        verify_seconds,
        reports,
    })
}

async fn report_once(
    bin: &Path,
    url: &str,
    programme: Uuid,
    kind: &'static str,
    out: &Path,
) -> Result<Timed, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let (bin, programme, out_arg) = (
        bin.display().to_string(),
        programme.to_string(),
        out.display().to_string(),
    );
    let output = tokio::process::Command::new(&me)
        .args([
            "peak-rss",
            "--",
            &bin,
            "--database-url",
            url,
            "report",
            kind,
            "--programme",
            &programme,
            "--format",
            "csv",
            "--as",
            EVALUATOR_EMAIL,
            "--out",
            &out_arg,
        ])
        .output()
        .await
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "(d) timecredits report {kind} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let (peak_kib, ms) = peak::parse(&stdout).ok_or("peak-rss printed no figures")?;
    Ok(Timed {
        kind,
        seconds: ms as f64 / 1000.0,
        peak_kib,
        bytes: std::fs::metadata(out).map(|m| m.len()).unwrap_or(0),
    })
}

/// The tables of a CSV report: (title, rows), split at blank lines.
fn tables(csv: &str) -> Vec<(String, Vec<&str>)> {
    csv.split("\n\n")
        .filter_map(|block| {
            let mut lines = block.lines().filter(|l| !l.trim().is_empty());
            let title = lines.next()?.trim().trim_matches('"').to_owned();
            Some((title, lines.collect()))
        })
        .collect()
}

fn check_csv(
    kind: &str,
    csv: &str,
    titles: &[&str],
    row: &str,
    column: usize,
) -> Result<(), String> {
    let tables = tables(csv);
    for title in titles {
        if !tables.iter().any(|(t, _)| t == title) {
            return Err(format!(
                "(d) the {kind} report has no table {title:?}; it has {:?}",
                tables.iter().map(|t| &t.0).collect::<Vec<_>>()
            ));
        }
    }
    let (title, rows) = tables
        .iter()
        .find(|(t, _)| t == titles[0])
        .ok_or("checked above")?;
    let count = rows
        .iter()
        .find(|r| r.starts_with(row))
        .and_then(|r| r.split(',').nth(column))
        .and_then(|c| c.parse::<u64>().ok());
    match count {
        Some(n) if n > 0 => Ok(()),
        _ => Err(format!(
            "(d) the {kind} report's {title:?} shows no count in its {row:?} row: {rows:?}"
        )),
    }
}

/// What the programme's people would set up by hand, through the API: the
/// bench world (programme, manager, a partner that earns and spends, its
/// coordinator and desk, an activity), an evaluator, two earning partners
/// with postcodes (the area reach compares against), activities of every
/// co-production level, offers valid over the whole history, and two
/// template members whose records the app writes (one keeps consent, one
/// withdraws it). Returns the programme and the template members.
async fn set_up(api: &Api) -> Result<(Uuid, [Uuid; 2]), String> {
    let w = world::set_up(api, 2, 0).await?;
    let admin = api.token(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let p = w.programme.clone();
    let manager = w.manager_token.clone();
    api.post(
        &format!("/programmes/{p}/staff"),
        &admin,
        None,
        &json!({"email": EVALUATOR_EMAIL, "display_name": "Evan Evaluator",
                "password": STAFF_PASSWORD, "role": "evaluator"}),
    )
    .await?
    .expect(&[201, 200], "add an evaluator")?;
    let mut organisations = vec![w.organisation.clone()];
    for (name, district) in [
        ("Fenland Residents' Forum", "Fenland"),
        ("West Norfolk Growers", "King's Lynn and West Norfolk"),
    ] {
        let postcode = generate::a_postcode_in(district)
            .ok_or_else(|| format!("no postcode in {district}"))?;
        let o = api
            .post(
                &format!("/programmes/{p}/organisations"),
                &manager,
                None,
                &json!({"name": name, "kind": "community_group", "roles": "earn", "postcode": postcode}),
            )
            .await?
            .expect(&[201], "create an organisation")?;
        organisations.push(field(&o, "id")?);
    }
    for (org, title, level, mode) in [
        (1, "Residents' panel", "collective", "co_governance"),
        (1, "Befriending calls", "individual", "peer_support"),
        (2, "Community garden", "group", "community_action"),
        (2, "Service design workshop", "collective", "co_design"),
    ] {
        api.post(
            "/activities",
            &manager,
            None,
            &json!({"organisation": organisations[org], "title": title, "level": level,
                    "mode": mode, "usual_duration_minutes": 90}),
        )
        .await?
        .expect(&[201], "create an activity")?;
    }
    let since = Utc::now().date_naive() - Days::new(1200);
    let mut offers = Vec::new();
    for (title, price) in [("Swim session", 60), ("Cup of tea and cake", 30)] {
        let o = api
            .post(
                "/offers",
                &w.desk_token,
                None,
                &json!({"organisation": w.organisation, "title": title, "price_minutes": price,
                        "audience": "adult", "valid_from": since.to_string()}),
            )
            .await?
            .expect(&[201], "create an offer")?;
        offers.push(field(&o, "id")?);
    }

    let (kept, withdrawn) = (&w.members[0].id, &w.members[1].id);
    api.post(
        "/contributions",
        &manager,
        Some(world::new_key()),
        &serde_json::from_str::<Value>(&world::contribution_body(&w, kept, 1, 120))
            .map_err(|e| e.to_string())?,
    )
    .await?
    .expect(&[201], "record a contribution")?;
    api.post(
        &format!("/offers/{}/redemptions", offers[0]),
        &w.desk_token,
        Some(world::new_key()),
        &json!({"member": kept}),
    )
    .await?
    .expect(&[201], "redeem an offer")?;
    let wording = api
        .send(
            reqwest::Method::GET,
            "/evaluation/consent-wording",
            None,
            None,
            None,
        )
        .await?
        .expect(&[200], "the consent wording")?;
    let version = field(&wording, "version")?;
    for m in [kept, withdrawn] {
        api.post(
            &format!("/members/{m}/evaluation-consent"),
            &manager,
            None,
            &json!({"wording_version": version}),
        )
        .await?
        .expect(&[201], "give consent")?;
    }
    api.post(
        &format!("/members/{withdrawn}/evaluation-consent/withdrawal"),
        &manager,
        None,
        &json!({}),
    )
    .await?
    .expect(&[201], "withdraw consent")?;
    let postcode = generate::a_postcode_in("Fenland").ok_or("no Fenland postcode")?;
    api.send(
        reqwest::Method::PUT,
        &format!("/members/{kept}/evaluation-profile"),
        Some(&manager),
        None,
        Some(
            &json!({"age_band": "60-69", "gender": "woman", "ethnicity": "white_british",
                     "disability": "no", "employment": "retired", "volunteered_before": "no",
                     "postcode": postcode}),
        ),
    )
    .await?
    .expect(&[200], "save a profile")?;
    for (instrument, answers) in [
        (
            "ucla3",
            json!([{"item": "ucla3_1", "score": 2}, {"item": "ucla3_2", "score": 1},
                        {"item": "ucla3_3", "score": 2}]),
        ),
        (
            "ons_loneliness",
            json!([{"item": "ons_lonely", "score": 3}]),
        ),
        (
            "ons4",
            json!([{"item": "ons4_1", "score": 7}, {"item": "ons4_2", "score": 8},
                       {"item": "ons4_3", "score": 6}, {"item": "ons4_4", "score": 3}]),
        ),
    ] {
        api.post(
            &format!("/members/{kept}/survey-responses"),
            &manager,
            None,
            &json!({"wave_months": 0, "instrument": instrument, "answers": answers}),
        )
        .await?
        .expect(&[201], "answer a survey")?;
    }
    check_profile_codes(api).await?;

    let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| e.to_string());
    Ok((uuid(&p)?, [uuid(kept)?, uuid(withdrawn)?]))
}

/// Every profile answer the generator writes is one the app offers.
async fn check_profile_codes(api: &Api) -> Result<(), String> {
    let options = api
        .send(
            reqwest::Method::GET,
            "/evaluation/profile-options",
            None,
            None,
            None,
        )
        .await?
        .expect(&[200], "the profile options")?;
    let codes = |list: &Value| -> Vec<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| {
                let own = c["code"].as_str().map(str::to_owned);
                let inner: Vec<String> = c["categories"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["code"].as_str().map(str::to_owned))
                    .collect();
                own.into_iter().chain(inner)
            })
            .collect()
    };
    let prefer = options["prefer_not_to_say"].as_str().unwrap_or_default();
    for (name, ours, key) in [
        ("age band", generate::AGE_BANDS, "age_bands"),
        ("gender", generate::GENDERS, "genders"),
        ("ethnicity", generate::ETHNICITIES, "ethnic_groups"),
        ("yes/no", generate::YES_NO, "yes_no"),
        ("employment", generate::EMPLOYMENT, "employment"),
    ] {
        let theirs = codes(&options[key]);
        if let Some((bad, _)) = ours
            .iter()
            .find(|(c, _)| !c.is_empty() && *c != prefer && !theirs.iter().any(|t| t == c))
        {
            return Err(format!(
                "(d) the generator's {name} {bad:?} is not an answer the app offers"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check_csv, tables};

    const CSV: &str = "Participants by IMD decile (1 = most deprived)\n\
        decile,participants\n1,12\ntotal,40\n\n\
        \"Active members per month, new and returning\"\nmonth,active\ntotal,suppressed\n";

    #[test]
    fn tables_are_split_at_blank_lines_and_titles_unquoted() {
        let t = tables(CSV);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].0, "Active members per month, new and returning");
        assert_eq!(t[0].1.len(), 3);
    }

    #[test]
    fn a_report_needs_its_titles_and_a_count_that_is_not_suppressed() {
        let titles = ["Participants by IMD decile (1 = most deprived)"];
        assert!(check_csv("reach", CSV, &titles, "total,", 1).is_ok());
        assert!(check_csv("reach", CSV, &["Missing table"], "total,", 1).is_err());
        let suppressed = CSV.replace("total,40", "total,suppressed");
        assert!(check_csv("reach", &suppressed, &titles, "total,", 1).is_err());
    }
}
