//! Outcomes on hand-computed datasets: who is paired, splits by quintile and dose, bands.

use timecredits_evaluation::analytics::{
    AnalyticsError, AreaDeciles, Contribution, Dataset, Day, DoseTertiles, Filter, Level, Mode,
    Outcome, Participant, SUPPRESSED, SurveyScore, outcomes,
};
use timecredits_evaluation::disclosure::{Shown, Threshold};
use timecredits_evaluation::imd::Decile;
use timecredits_evaluation::instruments::{
    InstrumentScore, catalogue, ons_loneliness, score, swemwbs, ucla3,
};
use timecredits_evaluation::stats::paired_change;

use Shown::{Count as C, Suppressed as S};

fn d(y: i32, m: u8, day: u8) -> Day {
    Day::new(y, m, day).unwrap()
}

fn t(k: u64) -> Threshold {
    Threshold::new(k).unwrap()
}

fn person(i: usize, decile: Option<u8>) -> Participant {
    Participant {
        key: format!("m{i:02}"),
        joined: d(2025, 1, 1),
        decile: decile.and_then(Decile::new),
        new_to_volunteering: None,
        demographics: vec![],
    }
}

fn scored(i: usize, wave: u32, instrument: &str, score: InstrumentScore) -> SurveyScore {
    SurveyScore {
        member: format!("m{i:02}"),
        wave_months: wave,
        instrument: instrument.to_owned(),
        score,
    }
}

fn ucla(raw: u16) -> InstrumentScore {
    InstrumentScore::Total {
        raw,
        metric_hundredths: None,
    }
}

const FOLLOW_UP: [u16; 12] = [5, 6, 5, 4, 7, 6, 5, 5, 6, 4, 3, 5];
const MINUTES: [i64; 12] = [0, 0, 0, 0, 60, 60, 60, 60, 60, 120, 120, 180];

/// Twelve people, 0-5 in decile 1 and 6-11 in decile 9, all UCLA-3 7 at baseline and
/// `FOLLOW_UP` at six months, having given `MINUTES`. Keys are zero-padded so that key order
/// (the order pairs are summed in) is the order of `FOLLOW_UP`.
fn twelve() -> Dataset {
    let people = (0..12)
        .map(|i| person(i, Some(if i < 6 { 1 } else { 9 })))
        .collect();
    let contributions = MINUTES
        .iter()
        .enumerate()
        .filter(|(_, m)| **m > 0)
        .map(|(i, m)| Contribution {
            member: format!("m{i:02}").into(),
            date: d(2025, 3, 1),
            minutes: *m,
            level: Level::Group,
            mode: Mode::CoDelivery,
            organisation: "club".into(),
            place_decile: None,
        })
        .collect();
    let mut scores: Vec<SurveyScore> = (0..12).map(|i| scored(i, 0, "ucla3", ucla(7))).collect();
    scores.extend((0..12).map(|i| scored(i, 6, "ucla3", ucla(FOLLOW_UP[i]))));
    // A twelve-month answer is not the six-month wave.
    scores.push(scored(0, 12, "ucla3", ucla(3)));
    Dataset::new(
        people,
        contributions,
        vec![],
        scores,
        AreaDeciles::default(),
    )
    .unwrap()
}

fn pairs(members: std::ops::Range<usize>) -> Vec<(f64, f64)> {
    members.map(|i| (7.0, f64::from(FOLLOW_UP[i]))).collect()
}

#[test]
fn paired_change_overall_by_quintile_and_by_tertile_of_hours() {
    let o = outcomes(&twelve(), &Filter::default(), &[ucla3()], 6, t(5)).unwrap();
    assert_eq!(o.measures.len(), 1);
    let m = &o.measures[0];
    assert_eq!(
        (m.instrument.as_str(), m.measure.as_str()),
        ("ucla3", "total")
    );
    assert_eq!(m.overall.n, C(12));
    let Outcome::Computed(all) = &m.overall.outcome else {
        panic!("computed")
    };
    assert!((all.mean_change - (-23.0 / 12.0)).abs() < 1e-12);
    assert_eq!(*all, paired_change(&pairs(0..12)).unwrap());

    // Quintiles: 6, 0, 0, 0, 6, and 0 without a decile. The four zeros alone would be given
    // away by the total, so quintile 1 (the first of the smallest shown) is hidden too.
    let n: Vec<Shown> = m.by_quintile.iter().map(|g| g.n).collect();
    assert_eq!(n, [S, S, S, S, C(6), S]);
    assert_eq!(m.by_quintile[0].outcome, Outcome::Suppressed);
    assert_eq!(
        m.by_quintile[4].outcome,
        Outcome::Computed(paired_change(&pairs(6..12)).unwrap())
    );

    // Minutes 0,0,0,0 | 60 x5 | 120,120,180: cut points v(4) = 0 and v(8) = 60.
    assert_eq!(
        m.dose_tertiles,
        Some(DoseTertiles {
            first_up_to: 0,
            second_up_to: 60
        })
    );
    let n: Vec<Shown> = m.by_dose.iter().map(|g| g.n).collect();
    assert_eq!(n, [S, C(5), S]);
    assert_eq!(
        m.by_dose[1].outcome,
        Outcome::Computed(paired_change(&pairs(4..9)).unwrap())
    );

    let tables = o.tables();
    let change = &tables[0];
    assert_eq!(change.title, "Change from baseline to 6 months");
    assert_eq!(
        change.rows[0][..6],
        ["ucla3", "total", "all", "", "12", "-1.9167"]
    );
    assert_eq!(change.rows[1][2..5], ["quintile 1", "", SUPPRESSED]);
    assert_eq!(change.rows[1][11], SUPPRESSED);
    assert_eq!(
        change.rows[8][2..5],
        ["hours tertile 2", "over 0:00 up to 1:00", "5"]
    );
    assert_eq!(change.rows.len(), 1 + 6 + 3);
}

#[test]
fn too_few_pairs_are_not_computed_at_all() {
    let o = outcomes(&twelve(), &Filter::default(), &[ucla3()], 6, t(13)).unwrap();
    let m = &o.measures[0];
    assert_eq!(m.overall.n, S);
    assert_eq!(m.overall.outcome, Outcome::Suppressed);
    assert!(
        m.by_quintile
            .iter()
            .chain(&m.by_dose)
            .all(|g| g.outcome == Outcome::Suppressed)
    );
    assert_eq!(m.dose_tertiles, None);
    // Nobody answered at twelve months but one person: nothing to show.
    let o = outcomes(&twelve(), &Filter::default(), &[ucla3()], 12, t(5)).unwrap();
    assert_eq!(o.measures[0].overall.n, S);
    assert_eq!(
        outcomes(&twelve(), &Filter::default(), &[ucla3()], 0, t(5)),
        Err(AnalyticsError::FollowUpIsBaseline)
    );
}

#[test]
fn a_filter_keeps_only_participants_in_scope() {
    // Only the five who gave 60 minutes, and the three above, gave in March to the club.
    let filter = Filter {
        organisation: Some("club".into()),
        ..Filter::default()
    };
    let o = outcomes(&twelve(), &filter, &[ucla3()], 6, t(5)).unwrap();
    assert_eq!(o.measures[0].overall.n, C(8));
    assert_eq!(
        o.measures[0].overall.outcome,
        Outcome::Computed(paired_change(&pairs(4..12)).unwrap())
    );
}

#[test]
fn swemwbs_changes_in_metric_points_and_incomplete_answers_are_left_out() {
    let people = (0..6).map(|i| person(i, None)).collect();
    let metric = |raw: u16, metric| InstrumentScore::Total {
        raw,
        metric_hundredths: Some(metric),
    };
    let mut scores = Vec::new();
    for i in 0..5 {
        scores.push(scored(i, 0, "swemwbs", metric(20, 1859)));
        scores.push(scored(i, 6, "swemwbs", metric(21, 1925)));
    }
    scores.push(scored(5, 0, "swemwbs", metric(20, 1859)));
    scores.push(scored(
        5,
        6,
        "swemwbs",
        InstrumentScore::Incomplete {
            missing: vec!["swemwbs_3".into()],
        },
    ));
    let data = Dataset::new(people, vec![], vec![], scores, AreaDeciles::default()).unwrap();
    let o = outcomes(&data, &Filter::default(), &[swemwbs()], 6, t(5)).unwrap();
    let m = &o.measures[0];
    assert_eq!(m.measure, "metric score");
    assert_eq!(m.overall.n, C(5));
    let Outcome::Computed(c) = &m.overall.outcome else {
        panic!("computed")
    };
    assert!((c.mean_change - 0.66).abs() < 1e-12);
    assert!(c.t_test.is_err(), "every change is the same");
    assert!(o.tables()[0].rows[0][11].starts_with("no t-test"));
}

#[test]
fn ons_loneliness_reports_movement_out_of_chronic_loneliness_and_no_mean() {
    // (baseline code, follow-up code, people): 1 is "Often/always".
    let groups = [(1u8, 1u8, 6usize), (1, 3, 7), (4, 1, 5), (5, 5, 10)];
    let mut people = Vec::new();
    let mut scores = Vec::new();
    let instrument = ons_loneliness();
    for (before, after, n) in groups {
        for _ in 0..n {
            let i = people.len();
            people.push(person(i, Some(3)));
            let answer = |code| score(&instrument, &[("ons_lonely", code)]).unwrap();
            scores.push(scored(i, 0, "ons_loneliness", answer(before)));
            scores.push(scored(i, 6, "ons_loneliness", answer(after)));
        }
    }
    let data = Dataset::new(people, vec![], vec![], scores, AreaDeciles::default()).unwrap();
    let o = outcomes(&data, &Filter::default(), &catalogue(), 6, t(5)).unwrap();
    // SWEMWBS, UCLA-3, ONS loneliness, then the four ONS4 items.
    assert_eq!(o.measures.len(), 7);
    let m = &o.measures[2];
    assert_eq!(m.measure, "ons_lonely");
    assert_eq!(m.overall.n, C(28));
    assert_eq!(m.overall.outcome, Outcome::BandsOnly);
    let bands = m.bands.as_ref().unwrap();
    assert_eq!(bands.bands, ["chronic loneliness", "not chronic"]);
    assert_eq!(bands.transitions.cells, [[C(6), C(7)], [C(5), C(10)]]);
    assert_eq!(bands.moved_out_of(0), (C(7), C(13)));
    assert_eq!(bands.moved_into(0), (C(5), C(15)));

    let tables = o.tables();
    assert_eq!(
        tables[1].rows[0],
        [
            "ons_loneliness",
            "ons_lonely",
            "chronic loneliness",
            "7",
            "13",
            "53.8",
            "5",
            "15",
            "33.3"
        ]
    );
    // Everyone is in quintile 2 and gave nothing, so each breakdown is a single group,
    // which the change table hides, and nothing is shown by group.
    let by_group = &tables[2];
    assert_eq!(by_group.rows.len(), 2 * (6 + 3));
    assert_eq!(
        by_group.rows[1],
        [
            "ons_loneliness",
            "ons_lonely",
            "chronic loneliness",
            "quintile",
            "quintile 2",
            SUPPRESSED,
            SUPPRESSED,
            SUPPRESSED
        ]
    );
    assert_eq!(
        tables[3].header,
        [
            "band at baseline",
            "chronic loneliness",
            "not chronic",
            "total"
        ]
    );
    assert_eq!(tables[3].rows[2], ["total", "11", "17", "28"]);
    // Measures nobody answered publish nothing.
    assert_eq!(o.measures[0].overall.n, S);
}

#[test]
fn small_band_cells_are_hidden_with_their_partners() {
    // 12 stay chronic, 3 leave: the 3 is hidden, so the share moving out cannot be shown.
    let instrument = ons_loneliness();
    let mut people = Vec::new();
    let mut scores = Vec::new();
    for (before, after, n) in [(1u8, 1u8, 12usize), (1, 2, 3), (5, 5, 20)] {
        for _ in 0..n {
            let i = people.len();
            people.push(person(i, None));
            let answer = |code| score(&instrument, &[("ons_lonely", code)]).unwrap();
            scores.push(scored(i, 0, "ons_loneliness", answer(before)));
            scores.push(scored(i, 6, "ons_loneliness", answer(after)));
        }
    }
    let data = Dataset::new(people, vec![], vec![], scores, AreaDeciles::default()).unwrap();
    let o = outcomes(&data, &Filter::default(), &[instrument], 6, t(5)).unwrap();
    let bands = o.measures[0].bands.as_ref().unwrap();
    assert_eq!(bands.transitions.cells[0][1], S);
    assert_eq!(bands.moved_out_of(0).0, S);
    for row in &bands.transitions.cells {
        for cell in row {
            if let C(n) = cell {
                assert!(*n >= 5);
            }
        }
    }
}

#[test]
fn a_transitions_table_that_hides_its_total_is_hidden_whole() {
    // 1 chronic -> chronic, 1 not -> chronic, 9 not -> not. Alone, the table would show the
    // "not chronic" row total (10) and hide the grand total; but the change table publishes
    // n = 11, and 11 - 10 would give the one person chronically lonely at baseline.
    let instrument = ons_loneliness();
    let (mut people, mut scores) = (Vec::new(), Vec::new());
    for (before, after, n) in [(1u8, 1u8, 1usize), (5, 1, 1), (5, 5, 9)] {
        for _ in 0..n {
            let i = people.len();
            people.push(person(i, Some(3)));
            let answer = |code| score(&instrument, &[("ons_lonely", code)]).unwrap();
            scores.push(scored(i, 0, "ons_loneliness", answer(before)));
            scores.push(scored(i, 6, "ons_loneliness", answer(after)));
        }
    }
    let data = Dataset::new(people, vec![], vec![], scores, AreaDeciles::default()).unwrap();
    let o = outcomes(&data, &Filter::default(), &[instrument], 6, t(5)).unwrap();
    let m = &o.measures[0];
    assert_eq!(m.overall.n, C(11));
    let transitions = &m.bands.as_ref().unwrap().transitions;
    assert!(
        transitions
            .cells
            .iter()
            .flatten()
            .chain(&transitions.row_totals)
            .chain(&transitions.column_totals)
            .all(|c| *c == S)
    );
    let tables = o.tables();
    assert!(
        tables[1]
            .rows
            .iter()
            .flat_map(|r| &r[3..])
            .all(|c| c == SUPPRESSED)
    );
    assert!(
        tables[3]
            .rows
            .iter()
            .flat_map(|r| &r[1..])
            .all(|c| c == SUPPRESSED)
    );
}

/// Loneliness at baseline and six months for 243 people: in each of quintiles 1 to 5 (deciles
/// 1, 3, 5, 7, 9) and without a decile (group `g` = 0..6), 6 stay chronically lonely, 9
/// leave it, 6 join it and `12 + 3g` stay out of it. Within each of those blocks a third each
/// gave 1, 2 and 3 hours.
fn lonely_by_group() -> Dataset {
    let instrument = ons_loneliness();
    let answer = |code| score(&instrument, &[("ons_lonely", code)]).unwrap();
    let (mut people, mut contributions, mut scores) = (Vec::new(), Vec::new(), Vec::new());
    for g in 0..6u8 {
        let decile = (g < 5).then_some(2 * g + 1);
        let blocks = [
            (1, 1, 6),
            (1, 4, 9),
            (5, 1, 6),
            (5, 5, 12 + 3 * usize::from(g)),
        ];
        for (before, after, n) in blocks {
            for j in 0..n {
                let i = people.len();
                people.push(person(i, decile));
                scores.push(scored(i, 0, "ons_loneliness", answer(before)));
                scores.push(scored(i, 6, "ons_loneliness", answer(after)));
                contributions.push(Contribution {
                    member: format!("m{i:02}").into(),
                    date: d(2025, 3, 1),
                    minutes: 60 * (1 + i64::try_from(j % 3).unwrap()),
                    level: Level::Group,
                    mode: Mode::CoDelivery,
                    organisation: "club".into(),
                    place_decile: None,
                });
            }
        }
    }
    Dataset::new(
        people,
        contributions,
        vec![],
        scores,
        AreaDeciles::default(),
    )
    .unwrap()
}

#[test]
fn movement_out_of_each_band_by_quintile_and_by_hours() {
    let data = lonely_by_group();
    let o = outcomes(&data, &Filter::default(), &[ons_loneliness()], 6, t(5)).unwrap();
    let m = &o.measures[0];
    assert_eq!(m.overall.n, C(243));
    // 81 people each gave 1, 2 and 3 hours: the tertiles are exactly those.
    assert_eq!(
        m.dose_tertiles,
        Some(DoseTertiles {
            first_up_to: 60,
            second_up_to: 120
        })
    );
    let bands = m.bands.as_ref().unwrap();
    assert_eq!(bands.transitions.cells, [[C(36), C(54)], [C(36), C(117)]]);
    // Nothing is below 5, so everything is shown. Out of chronic loneliness: 9 of 15 in
    // every group. Out of not chronic: 6 of 18 + 3g in group g. By hours, a third of the
    // overall figures: 54 / 3 = 18 of 90 / 3 = 30, and 36 / 3 = 12 of 153 / 3 = 51.
    let tables = o.tables();
    let table = &tables[2];
    assert_eq!(
        table.title,
        "Movement out of each band by deprivation quintile and by hours given, baseline to 6 months"
    );
    assert_eq!(table.rows.len(), 2 * (6 + 3));
    let row = |band: &str, group: &str| {
        table
            .rows
            .iter()
            .find(|r| r[2] == band && r[4] == group)
            .map(|r| r[3..].to_vec())
            .unwrap()
    };
    let chronic = "chronic loneliness";
    assert_eq!(
        row(chronic, "quintile 1"),
        ["quintile", "quintile 1", "9", "15", "60.0"]
    );
    assert_eq!(
        row(chronic, "no decile"),
        ["quintile", "no decile", "9", "15", "60.0"]
    );
    assert_eq!(
        row(chronic, "hours tertile 3"),
        ["hours tertile", "hours tertile 3", "18", "30", "60.0"]
    );
    assert_eq!(
        row("not chronic", "quintile 1"),
        ["quintile", "quintile 1", "6", "18", "33.3"]
    );
    assert_eq!(
        row("not chronic", "quintile 5"),
        ["quintile", "quintile 5", "6", "30", "20.0"]
    );
    assert_eq!(
        row("not chronic", "no decile"),
        ["quintile", "no decile", "6", "33", "18.2"]
    );
    assert_eq!(
        row("not chronic", "hours tertile 2"),
        ["hours tertile", "hours tertile 2", "12", "51", "23.5"]
    );
    // The groups add up to the overall movement.
    let of_groups: u64 = (1..=5)
        .map(|q| format!("quintile {q}"))
        .chain(["no decile".to_owned()])
        .map(|g| row("not chronic", &g)[3].parse::<u64>().unwrap())
        .sum();
    assert_eq!(of_groups, 36 + 117);

    // With the overall n hidden, nothing about bands is published.
    let o = outcomes(&data, &Filter::default(), &[ons_loneliness()], 6, t(250)).unwrap();
    assert_eq!(o.measures[0].bands, None);
    assert!(o.tables()[2].rows.is_empty());
}

#[test]
fn tertile_cut_points_follow_the_rule_whatever_the_order() {
    assert_eq!(DoseTertiles::of(&[]), None);
    let all_same = DoseTertiles::of(&[90, 90, 90, 90]).unwrap();
    assert_eq!((all_same.first_up_to, all_same.second_up_to), (90, 90));
    assert_eq!(all_same.tertile(90), 1);
    let one = DoseTertiles::of(&[30]).unwrap();
    assert_eq!((one.first_up_to, one.second_up_to), (30, 30));
    let two = DoseTertiles::of(&[50, 10]).unwrap();
    assert_eq!((two.first_up_to, two.second_up_to), (10, 50));
    let shuffled = DoseTertiles::of(&[120, 0, 60, 180, 60, 0]).unwrap();
    assert_eq!(
        shuffled,
        DoseTertiles::of(&[0, 0, 60, 60, 120, 180]).unwrap()
    );
    assert_eq!((shuffled.first_up_to, shuffled.second_up_to), (0, 60));
    assert_eq!(
        [0, 1, 60, 61, 180].map(|m| shuffled.tertile(m)),
        [1, 2, 2, 3, 3]
    );
    assert_eq!(shuffled.label(3), "over 1:00");
}
