//! Engagement on hand-computed datasets: months, minutes, retention at its edge dates, credits.

use timecredits_evaluation::analytics::{
    AreaDeciles, Contribution, CreditTotals, Dataset, Day, Engagement, Filter, Level, Mode,
    Participant, ShownMinutes, engagement,
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

fn person(key: String, joined: Day) -> Participant {
    Participant {
        key,
        joined,
        decile: None,
        new_to_volunteering: None,
        demographics: vec![],
    }
}

struct Builder {
    people: Vec<Participant>,
    contributions: Vec<Contribution>,
}

impl Builder {
    /// `n` people joining on `joined`, each giving at every date.
    fn group(
        &mut self,
        name: &str,
        n: usize,
        joined: Day,
        dates: &[Day],
        given: (i64, Level, Mode, &str),
    ) {
        for i in 0..n {
            let key = format!("{name}{i}");
            for date in dates {
                self.contributions.push(Contribution {
                    member: key.as_str().into(),
                    date: *date,
                    minutes: given.0,
                    level: given.1,
                    mode: given.2,
                    organisation: given.3.into(),
                    // The lunch club meets in a decile 2 area; the hostel's
                    // postcode has no decile.
                    place_decile: (given.3 == "lunch-club").then(|| Decile::new(2).unwrap()),
                });
            }
            self.people.push(person(key, joined));
        }
    }

    fn build(self, credits: Vec<CreditTotals>) -> Dataset {
        Dataset::new(
            self.people,
            self.contributions,
            credits,
            vec![],
            AreaDeciles::default(),
        )
        .unwrap()
    }
}

/// R: 7 people giving 60 minutes in January, February and March (group, co-delivery, lunch
/// club); N1: 6 giving 90 in February and March (individual, peer support, hostel); N2: 8
/// giving 30 in March (collective, co-design, lunch club).
fn spring() -> Builder {
    let mut b = Builder {
        people: vec![],
        contributions: vec![],
    };
    let (jan, feb, mar) = (d(2025, 1, 10), d(2025, 2, 10), d(2025, 3, 10));
    let r = (60, Level::Group, Mode::CoDelivery, "lunch-club");
    b.group("r", 7, d(2024, 12, 1), &[jan, feb, mar], r);
    let n1 = (90, Level::Individual, Mode::PeerSupport, "hostel");
    b.group(
        "n1-",
        6,
        d(2025, 2, 1),
        &[d(2025, 2, 15), d(2025, 3, 15)],
        n1,
    );
    let n2 = (30, Level::Collective, Mode::CoDesign, "lunch-club");
    b.group("n2-", 8, d(2025, 3, 1), &[d(2025, 3, 20)], n2);
    b
}

fn everyone_earned(keys: impl Iterator<Item = String>) -> Vec<CreditTotals> {
    keys.map(|member| CreditTotals {
        member,
        earned_minutes: 60,
        spent_minutes: 30,
        outstanding_minutes: 30,
    })
    .collect()
}

fn spring_quarter() -> Filter {
    Filter {
        from: Some(d(2025, 2, 1)),
        to: Some(d(2025, 3, 31)),
        ..Filter::default()
    }
}

fn run(data: &Dataset, filter: &Filter) -> Engagement {
    engagement(data, filter, d(2025, 3, 31), t(5)).unwrap()
}

#[test]
fn months_minutes_and_credits_by_hand() {
    let b = spring();
    let keys: Vec<String> = b.people.iter().map(|p| p.key.clone()).collect();
    let data = b.build(everyone_earned(keys.into_iter()));
    let e = run(&data, &spring_quarter());

    let months: Vec<(String, Shown, Shown, Shown)> = e
        .members_by_month
        .iter()
        .map(|m| (m.month.to_string(), m.active, m.new, m.returning))
        .collect();
    // February: N1 new (6), R returning (7). March: N2 new (8), R and N1 returning (13).
    assert_eq!(
        months,
        [
            ("2025-02".into(), C(13), C(6), C(7)),
            ("2025-03".into(), C(21), C(8), C(13)),
        ]
    );
    assert_eq!(
        (
            e.new_members,
            e.returning_member_months,
            e.active_member_months
        ),
        (C(14), C(20), C(34))
    );

    // In the period: R 7 x 2 x 60 = 840, N1 6 x 2 x 90 = 1080, N2 8 x 30 = 240.
    let level: Vec<(&str, Shown, Shown)> = e
        .minutes_by_level
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.contributors, r.minutes))
        .collect();
    assert_eq!(
        level,
        [
            ("individual", C(6), C(1080)),
            ("group", C(7), C(840)),
            ("collective", C(8), C(240))
        ]
    );
    assert_eq!(e.minutes_by_level.total_minutes, C(2160));
    assert_eq!(e.minutes_by_level.total_contributors, C(21));
    // Two modes nobody used are hidden; two hidden zeros would be given away, so the row with
    // the fewest contributors shown (peer support, 6) is hidden as well, minutes and all.
    let mode: Vec<(Shown, Shown)> = e
        .minutes_by_mode
        .rows
        .iter()
        .map(|r| (r.contributors, r.minutes))
        .collect();
    assert_eq!(
        mode,
        [(C(8), C(240)), (C(7), C(840)), (S, S), (S, S), (S, S)]
    );
    let org: Vec<(&str, Shown)> = e
        .minutes_by_organisation
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.minutes))
        .collect();
    assert_eq!(org, [("hostel", C(1080)), ("lunch-club", C(1080))]);
    // By where it happens: decile 2 (the lunch club, R and N2: 15 people, 1080 minutes) and no
    // decile (the hostel, N1: 6, 1080). The nine empty deciles are hidden, and since the shown
    // rows would add up to the total and give those zeros away, the smallest shown row (no
    // decile, 6) is hidden too.
    let place: Vec<(&str, Shown, Shown)> = e
        .minutes_by_place_decile
        .rows
        .iter()
        .map(|r| (r.label.as_str(), r.contributors, r.minutes))
        .collect();
    assert_eq!(place.len(), 11);
    assert_eq!(place[1], ("2", C(15), C(1080)));
    assert_eq!(place[10], ("none", S, S));
    assert!(
        place
            .iter()
            .enumerate()
            .all(|(i, r)| i == 1 || (r.1, r.2) == (S, S))
    );
    assert_eq!(e.minutes_by_place_decile.total_minutes, C(2160));

    assert_eq!(e.credits.members, C(21));
    assert_eq!(e.credits.earned, ShownMinutes::Minutes(1260));
    assert_eq!(e.credits.spent, ShownMinutes::Minutes(630));
    assert_eq!(e.credits.outstanding, ShownMinutes::Minutes(630));

    let tables = e.tables();
    assert_eq!(
        tables[0].rows[2],
        ["total (member-months)", "34", "14", "20"]
    );
    assert_eq!(tables[1].rows[3], ["total", "21", "2160", "36:00"]);
    assert_eq!(
        tables[4].title,
        "Time given by the IMD decile of where the activity happens"
    );
    assert_eq!(tables[6].rows[0], ["earned", "21", "1260", "21:00"]);
    assert_eq!(tables[6].rows[1], ["spent", "21", "630", "10:30"]);
}

#[test]
fn an_organisation_filter_keeps_its_own_people_and_hides_what_few_did() {
    let b = spring();
    let keys: Vec<String> = b.people.iter().map(|p| p.key.clone()).collect();
    let data = b.build(everyone_earned(keys.into_iter()));
    let hostel = Filter {
        organisation: Some("hostel".into()),
        ..spring_quarter()
    };
    let e = run(&data, &hostel);
    assert_eq!(e.minutes_by_organisation.rows.len(), 1);
    assert_eq!(e.minutes_by_organisation.total_minutes, C(1080));
    assert_eq!(e.credits.earned, ShownMinutes::Minutes(360));
    // Every one of the six is new in February: returning is all zeros, hidden with its partner.
    assert_eq!(e.members_by_month[0].active, C(6));

    let co_governance = Filter {
        mode: Some(Mode::CoGovernance),
        ..Filter::default()
    };
    let e = run(&data, &co_governance);
    assert!(e.members_by_month.is_empty());
    assert_eq!(e.minutes_by_level.total_minutes, S);
    assert_eq!(e.credits.members, S);
    assert_eq!(e.credits.earned, ShownMinutes::Suppressed);
}

#[test]
fn engagement_of_nobody_hides_everything() {
    let data = Builder {
        people: vec![],
        contributions: vec![],
    }
    .build(vec![]);
    let e = run(&data, &Filter::default());
    assert!(e.members_by_month.is_empty());
    assert_eq!(e.active_member_months, S);
    assert!(e.minutes_by_organisation.rows.is_empty());
    assert_eq!(e.minutes_by_organisation.total_minutes, S);
    assert!(e.minutes_by_mode.rows.iter().all(|r| r.minutes == S));
    assert!(
        e.minutes_by_place_decile
            .rows
            .iter()
            .all(|r| r.minutes == S)
    );
    assert!(e.retention.iter().all(|r| r.eligible == S));
    assert_eq!(e.tables().len(), 7);
}

#[test]
fn retention_counts_from_the_day_months_after_joining_up_to_as_of() {
    let mut b = Builder {
        people: vec![],
        contributions: vec![],
    };
    let given = (60, Level::Group, Mode::CoDelivery, "club");
    let end_of_august = d(2025, 8, 31);
    // 31 August + 6 months is 28 February, the day retention is judged.
    b.group("a", 5, end_of_august, &[d(2026, 2, 28)], given);
    b.group("b", 5, end_of_august, &[d(2026, 2, 27)], given);
    // Joined 1 September: due at 3 months on 1 December; gave the day before.
    b.group("c", 5, d(2025, 9, 1), &[d(2025, 11, 30)], given);
    // Gave only after the day of judgement.
    b.group("e", 5, end_of_august, &[d(2026, 3, 1)], given);
    let data = b.build(vec![]);
    let e = engagement(&data, &Filter::default(), d(2026, 2, 28), t(5)).unwrap();
    let r: Vec<(u32, Shown, Shown, Shown)> = e
        .retention
        .iter()
        .map(|r| (r.months, r.eligible, r.retained, r.not_retained))
        .collect();
    assert_eq!(
        r,
        [
            (3, C(20), C(10), C(10)),
            (6, C(15), C(5), C(10)),
            (12, S, S, S),
        ]
    );
    assert_eq!(e.tables()[5].rows[1][4], "33.3");

    // Seven eligible, all retained: the zero is hidden, and the seven with it.
    let b = spring();
    let e = run(&b.build(vec![]), &spring_quarter());
    assert_eq!(
        (e.retention[0].eligible, e.retention[0].retained),
        (C(7), S)
    );
}
