//! Analytics: inputs, reach, CSV output, and properties of every published table.
//! Engagement and outcomes have their own files (`analytics_engagement.rs`,
//! `analytics_outcomes.rs`).

use proptest::prelude::*;
use timecredits_evaluation::analytics::{
    AnalyticsError, AreaDeciles, Contribution, CreditTotals, Dataset, Day, Filter, Level, Mode,
    Participant, SUPPRESSED, engagement, reach,
};
use timecredits_evaluation::disclosure::{Shown, Threshold};
use timecredits_evaluation::imd::Decile;

use Shown::{Count as C, Suppressed as S};

fn d(y: i32, m: u8, day: u8) -> Day {
    Day::new(y, m, day).unwrap()
}

fn t(k: u64) -> Threshold {
    Threshold::new(k).unwrap()
}

fn person(key: &str, decile: Option<u8>, new: Option<bool>, demo: &[(&str, &str)]) -> Participant {
    Participant {
        key: key.to_owned(),
        joined: d(2025, 1, 1),
        decile: decile.map(|x| Decile::new(x).unwrap()),
        new_to_volunteering: new,
        demographics: demo
            .iter()
            .map(|(q, c)| ((*q).to_owned(), (*c).to_owned()))
            .collect(),
    }
}

fn gave(key: &str, date: Day, minutes: i64, org: &str) -> Contribution {
    Contribution {
        member: key.into(),
        date,
        minutes,
        level: Level::Group,
        mode: Mode::CoDelivery,
        organisation: org.into(),
        place_decile: None,
    }
}

fn dataset(people: Vec<Participant>, contributions: Vec<Contribution>) -> Dataset {
    Dataset::new(
        people,
        contributions,
        vec![],
        vec![],
        AreaDeciles::default(),
    )
    .unwrap()
}

#[test]
fn records_of_anyone_but_a_participant_are_refused() {
    let p = || vec![person("a", None, None, &[])];
    let area = AreaDeciles::default;
    let err = Dataset::new(
        p(),
        vec![gave("x", d(2025, 2, 1), 60, "o")],
        vec![],
        vec![],
        area(),
    );
    assert_eq!(
        err,
        Err(AnalyticsError::NotAParticipant { key: "x".into() })
    );
    let err = Dataset::new(
        p(),
        vec![gave("a", d(2025, 2, 1), 0, "o")],
        vec![],
        vec![],
        area(),
    );
    assert!(matches!(
        err,
        Err(AnalyticsError::MinutesNotPositive { minutes: 0, .. })
    ));
    let twice = vec![person("a", None, None, &[]), person("a", None, None, &[])];
    assert!(matches!(
        Dataset::new(twice, vec![], vec![], vec![], area()),
        Err(AnalyticsError::DuplicateParticipant { .. })
    ));
    let credits = |earned| CreditTotals {
        member: "a".into(),
        earned_minutes: earned,
        spent_minutes: 0,
        outstanding_minutes: 0,
    };
    assert!(matches!(
        Dataset::new(p(), vec![], vec![credits(-1)], vec![], area()),
        Err(AnalyticsError::NegativeCredits { .. })
    ));
    assert!(matches!(
        Dataset::new(p(), vec![], vec![credits(1), credits(2)], vec![], area()),
        Err(AnalyticsError::DuplicateCredits { .. })
    ));
    let backwards = Filter {
        from: Some(d(2025, 3, 1)),
        to: Some(d(2025, 2, 1)),
        ..Filter::default()
    };
    let data = dataset(p(), vec![]);
    assert!(matches!(
        reach(&data, &backwards, t(5)),
        Err(AnalyticsError::PeriodBackwards { .. })
    ));
}

#[test]
fn reach_of_nobody_publishes_nothing_but_suppressed_cells() {
    let data = dataset(vec![], vec![]);
    let r = reach(&data, &Filter::default(), t(5)).unwrap();
    assert_eq!(r.participants, S);
    assert!(r.by_decile.iter().all(|row| row.participants == S));
    assert!(r.by_quintile.iter().all(|row| row.participants == S));
    assert_eq!(r.no_decile, S);
    assert!(r.demographics.is_empty());
    assert_eq!(r.tables().len(), 3);
}

/// 30 people: decile 1 x8, 2 x6, 3 x5, 10 x7, no decile x4.
fn thirty() -> Vec<Participant> {
    let mut people = Vec::new();
    let mut add = |n: usize, decile: Option<u8>, new: Option<bool>, gender: Option<&str>| {
        for _ in 0..n {
            let key = format!("p{}", people.len());
            let demo: Vec<(&str, &str)> = gender.map(|g| ("gender", g)).into_iter().collect();
            people.push(person(&key, decile, new, &demo));
        }
    };
    add(8, Some(1), Some(true), Some("woman"));
    add(6, Some(2), Some(false), Some("man"));
    add(5, Some(3), Some(true), Some("woman"));
    add(7, Some(10), None, Some("prefer_not_to_say"));
    add(4, None, Some(true), None);
    people
}

#[test]
fn reach_by_decile_beside_the_area_with_quintiles_derived_from_published_deciles() {
    let area = AreaDeciles {
        lsoas: [10, 10, 5, 5, 0, 0, 0, 0, 0, 20],
    };
    let data = Dataset::new(thirty(), vec![], vec![], vec![], area).unwrap();
    let r = reach(&data, &Filter::default(), t(5)).unwrap();
    assert_eq!(r.participants, C(30));
    let shown: Vec<Shown> = r.by_decile.iter().map(|x| x.participants).collect();
    // Six zeros and the 4 without a decile are hidden; seven hidden cells summing to 4 are safe.
    assert_eq!(shown, [C(8), C(6), C(5), S, S, S, S, S, S, C(7)]);
    assert_eq!(r.no_decile, S);
    let quintiles: Vec<Shown> = r.by_quintile.iter().map(|x| x.participants).collect();
    assert_eq!(quintiles, [C(14), S, S, S, S]);
    assert_eq!(r.by_quintile[0].area_lsoas, 20);

    let tables = r.tables();
    let deciles = &tables[0];
    // Participants' share needs the count without a decile, which is hidden; the area's is public.
    assert_eq!(deciles.rows[0], ["1", "8", SUPPRESSED, "10", "20.0"]);
    assert_eq!(deciles.rows[3], ["4", SUPPRESSED, SUPPRESSED, "5", "10.0"]);
    assert_eq!(deciles.rows[10][..2], ["no decile", SUPPRESSED]);
    assert_eq!(deciles.rows[11][..4], ["total", "30", "", "50"]);

    // New to volunteering: 17 new, 6 not, 7 not known.
    let n = &r.new_to_volunteering;
    let cells: Vec<Shown> = n.rows.iter().map(|x| x.count).collect();
    assert_eq!(cells, [C(17), C(6), C(7)]);
    assert_eq!(tables[2].rows[0], ["new to volunteering", "17", "56.7"]);

    // Demographics: gender woman 13, man 6, prefer not to say 7, not answered 4 (hidden, and so
    // the smallest shown goes with it).
    let (question, gender) = &r.demographics[0];
    assert_eq!(question, "gender");
    let cells: Vec<(&str, Shown)> = gender
        .rows
        .iter()
        .map(|x| (x.label.as_str(), x.count))
        .collect();
    assert_eq!(
        cells,
        [
            ("man", S),
            ("prefer_not_to_say", C(7)),
            ("woman", C(13)),
            ("not_answered", S)
        ]
    );
    assert_eq!(gender.total, C(30));
}

#[test]
fn one_small_group_without_a_decile_takes_the_smallest_decile_with_it() {
    // Deciles 1..=10 with 5..=14 people, and 3 without a decile.
    let mut people = Vec::new();
    for decile in 1..=10u8 {
        for i in 0..(4 + usize::from(decile)) {
            people.push(person(&format!("d{decile}-{i}"), Some(decile), None, &[]));
        }
    }
    for i in 0..3 {
        people.push(person(&format!("none-{i}"), None, None, &[]));
    }
    let r = reach(&dataset(people, vec![]), &Filter::default(), t(5)).unwrap();
    assert_eq!(r.no_decile, S);
    assert_eq!(r.by_decile[0].participants, S, "secondary suppression");
    assert_eq!(r.by_decile[1].participants, C(6));
    assert_eq!(r.participants, C(98));
    assert_eq!(r.by_quintile[0].participants, S);
    assert_eq!(r.by_quintile[1].participants, C(7 + 8));
}

#[test]
fn a_filter_on_an_organisation_reaches_only_those_who_gave_to_it_in_the_period() {
    let people = thirty();
    let mut contributions = Vec::new();
    for p in &people[..8] {
        contributions.push(gave(&p.key, d(2025, 3, 1), 60, "hostel"));
    }
    // Gave to the hostel, but before the period.
    contributions.push(gave(&people[8].key, d(2025, 1, 5), 60, "hostel"));
    contributions.push(gave(&people[9].key, d(2025, 3, 1), 60, "school"));
    let data = dataset(people, contributions);
    let filter = Filter {
        from: Some(d(2025, 2, 1)),
        organisation: Some("hostel".into()),
        ..Filter::default()
    };
    let r = reach(&data, &filter, t(5)).unwrap();
    assert_eq!(r.participants, C(8));
    // All eight are in decile 1: beside ten hidden zeros that count would be given away by the
    // total, so it is hidden too.
    assert_eq!(r.by_decile[0].participants, S);
    // With a period only: those who joined in it (nobody: all joined 2025-01-01) or gave in it.
    let period = Filter {
        from: Some(d(2025, 2, 1)),
        ..Filter::default()
    };
    assert_eq!(reach(&data, &period, t(5)).unwrap().participants, C(9));
}

#[test]
fn tables_write_csv_with_headers() {
    let data = dataset(thirty(), vec![]);
    let tables = reach(&data, &Filter::default(), t(5)).unwrap().tables();
    let mut out = Vec::new();
    tables[2].write_csv(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        "volunteering before,participants,percent\n\
         new to volunteering,17,56.7\n\
         volunteered before,6,20.0\n\
         not known,7,23.3\n\
         total,30,100.0\n"
    );
    assert_eq!(
        tables[2].to_rows()[0],
        ["volunteering before", "participants", "percent"]
    );
}

fn every_count(r: &timecredits_evaluation::analytics::Reach) -> Vec<Shown> {
    let mut all = vec![r.participants, r.no_decile];
    all.extend(r.by_decile.iter().map(|x| x.participants));
    all.extend(r.by_quintile.iter().map(|x| x.participants));
    all.extend(r.new_to_volunteering.rows.iter().map(|x| x.count));
    for (_, table) in &r.demographics {
        all.extend(table.rows.iter().map(|x| x.count));
        all.push(table.total);
    }
    all
}

fn arbitrary_dataset() -> impl Strategy<Value = (Vec<Participant>, Vec<Contribution>)> {
    let people = proptest::collection::vec(
        (
            proptest::option::of(1u8..=10),
            proptest::option::of(any::<bool>()),
            0usize..3,
            0u32..400,
        ),
        0..60,
    );
    people.prop_flat_map(|people| {
        let n = people.len();
        let participants: Vec<Participant> = people
            .iter()
            .enumerate()
            .map(|(i, (decile, new, g, joined))| {
                let genders = [
                    ("gender", "woman"),
                    ("gender", "man"),
                    ("gender", "non_binary"),
                ];
                let mut p = person(&format!("m{i}"), *decile, *new, &[genders[*g]]);
                p.joined = d(2024, 1, 1).add_months(joined / 31);
                p
            })
            .collect();
        let contributions = proptest::collection::vec(
            (
                0..n.max(1),
                0u32..24,
                1u8..=28,
                1i64..600,
                0usize..3,
                0usize..5,
                0usize..4,
            ),
            if n == 0 { 0..1 } else { 0..200 },
        )
        .prop_map(move |raw| {
            raw.into_iter()
                .filter(|(who, ..)| *who < n)
                .map(
                    |(who, month, day, minutes, level, mode, org)| Contribution {
                        member: format!("m{who}").into(),
                        date: Day::new(2024, 1, day).unwrap().add_months(month),
                        minutes,
                        level: Level::ALL[level],
                        mode: Mode::ALL[mode],
                        organisation: format!("org{org}").into(),
                        // Organisation 3 is somewhere without a decile.
                        place_decile: Decile::new(u8::try_from(org * 3 + 1).unwrap())
                            .filter(|_| org < 3),
                    },
                )
                .collect::<Vec<_>>()
        });
        (Just(participants), contributions)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_published_count_of_people_is_below_the_threshold(
        (people, contributions) in arbitrary_dataset(),
        k in 5u64..12,
        period in proptest::option::of((0u32..12, 0u32..12)),
    ) {
        let data = dataset(people, contributions);
        let filter = Filter {
            from: period.map(|(a, _)| d(2024, 1, 1).add_months(a)),
            to: period.map(|(a, b)| d(2024, 1, 28).add_months(a + b)),
            ..Filter::default()
        };
        let r = reach(&data, &filter, t(k)).unwrap();
        let e = engagement(&data, &filter, d(2025, 6, 30), t(k)).unwrap();
        let mut counts = every_count(&r);
        for m in &e.members_by_month {
            counts.extend([m.active, m.new, m.returning]);
        }
        counts.extend([e.new_members, e.returning_member_months, e.active_member_months]);
        for x in &e.retention {
            counts.extend([x.eligible, x.retained, x.not_retained]);
        }
        for table in [
            &e.minutes_by_level,
            &e.minutes_by_mode,
            &e.minutes_by_organisation,
            &e.minutes_by_place_decile,
        ] {
            counts.extend(table.rows.iter().map(|row| row.contributors));
            counts.push(table.total_contributors);
        }
        counts.push(e.credits.members);
        for c in counts {
            if let Shown::Count(n) = c {
                prop_assert!(n >= k, "published {n} below {k}");
            }
        }
    }

    #[test]
    fn minutes_totals_are_the_sum_of_the_minutes_given(
        (people, contributions) in arbitrary_dataset(),
    ) {
        let given: u64 = contributions.iter().map(|c| c.minutes as u64).sum();
        let givers = contributions
            .iter()
            .map(|c| c.member.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64;
        let data = dataset(people, contributions);
        let e = engagement(&data, &Filter::default(), d(2025, 6, 30), t(5)).unwrap();
        for table in [
            &e.minutes_by_level,
            &e.minutes_by_mode,
            &e.minutes_by_organisation,
            &e.minutes_by_place_decile,
        ] {
            match table.total_minutes {
                Shown::Count(total) => {
                    prop_assert_eq!(total, given);
                    // Where every category is shown, they add up to the total.
                    let cells: Option<Vec<u64>> =
                        table.rows.iter().map(|r| r.minutes.count()).collect();
                    if let Some(cells) = cells {
                        prop_assert_eq!(cells.iter().sum::<u64>(), given);
                    }
                }
                Shown::Suppressed => prop_assert!(givers < 5),
            }
            // A lone hidden category could be worked out from the total.
            let hidden = table.rows.iter().filter(|r| r.minutes == Shown::Suppressed).count();
            if table.total_minutes != Shown::Suppressed {
                prop_assert!(hidden != 1);
            }
        }
    }
}
