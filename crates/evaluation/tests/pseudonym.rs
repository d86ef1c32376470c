//! Keyed-hash ids, age bands and k-anonymity coarsening.

use proptest::prelude::*;
use timecredits_evaluation::disclosure::Threshold;
use timecredits_evaluation::imd::Decile;
use timecredits_evaluation::pseudonym::{
    AgeBand, ExtractKey, PseudonymError, QuasiColumn, Step, WITHHELD, age_band, age_ladder,
    coarsen, decile_ladder, groups_below,
};

#[test]
fn hmac_sha256_matches_rfc_4231_test_case_6() {
    let key = ExtractKey::new(&[0xaa; 131]).unwrap();
    assert_eq!(
        key.pseudonym("Test Using Larger Than Block-Size Key - Hash Key First"),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn pseudonyms_are_full_length_keyed_and_hide_the_id() {
    let a = ExtractKey::new(&[7; 32]).unwrap();
    let b = ExtractKey::new(&[8; 32]).unwrap();
    let id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    let p = a.pseudonym(id);
    assert_eq!(p.len(), 64);
    assert!(
        p.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(p, a.pseudonym(id), "stable within one extract");
    assert_ne!(p, b.pseudonym(id), "a new secret gives unlinkable ids");
    assert_ne!(p, a.pseudonym("another member"));
    assert!(!p.contains("0190a1b2"));
    assert_eq!(
        ExtractKey::new(&[1; 31]).unwrap_err(),
        PseudonymError::KeyTooShort {
            len: 31,
            minimum: 32
        }
    );
    assert_eq!(format!("{a:?}"), "ExtractKey(<redacted>)");
}

#[test]
fn no_collisions_among_a_hundred_thousand_ids() {
    let key = ExtractKey::new(b"an extract secret of 32 bytes!!!").unwrap();
    let mut seen = std::collections::HashSet::new();
    for n in 0..100_000 {
        assert!(seen.insert(key.pseudonym(&format!("member-{n}"))));
    }
}

#[test]
fn age_bands() {
    let band = |yob, w| age_band(yob, 2025, w).unwrap().to_string();
    assert_eq!(band(2000, 10), "20-29");
    assert_eq!(band(1996, 10), "20-29");
    assert_eq!(band(1995, 10), "30-39");
    assert_eq!(band(1995, 20), "20-39");
    assert_eq!(band(2010, 20), "0-19");
    assert_eq!(band(1946, 10), "70-79");
    assert_eq!(band(1945, 10), "80+");
    assert_eq!(band(1930, 20), "80+");
    assert_eq!(
        age_band(1945, 2025, 10).unwrap(),
        AgeBand { from: 80, to: None }
    );
    assert_eq!(
        age_band(2026, 2025, 10),
        Err(PseudonymError::BornAfterReference {
            year_of_birth: 2026,
            reference_year: 2025
        })
    );
    assert_eq!(
        age_band(1890, 2025, 10),
        Err(PseudonymError::ImplausibleAge { age: 135 })
    );
    assert_eq!(
        age_ladder(1980, 2025).unwrap(),
        ["40-49", "40-59", WITHHELD]
    );
    assert_eq!(
        decile_ladder(Decile::new(3)),
        ["decile 3", "quintile 2", WITHHELD]
    );
    assert_eq!(decile_ladder(None), ["not known", "not known", WITHHELD]);
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

#[test]
fn groups_below_k_are_listed_with_their_size() {
    let mut rows = vec![s(&["20-29", "decile 1"]); 5];
    rows.extend(vec![s(&["30-39", "decile 2"]); 4]);
    let small = groups_below(&rows, Threshold::new(5).unwrap());
    assert_eq!(small.len(), 1);
    assert_eq!(
        (small[0].values.clone(), small[0].rows),
        (s(&["30-39", "decile 2"]), 4)
    );
}

fn columns() -> Vec<QuasiColumn> {
    vec![
        QuasiColumn {
            name: "age".into(),
            levels: s(&["10-year band", "20-year band", WITHHELD]),
        },
        QuasiColumn {
            name: "deprivation".into(),
            levels: s(&["decile", "quintile", WITHHELD]),
        },
    ]
}

fn member(yob: u16, decile: u8) -> Vec<Vec<String>> {
    vec![
        age_ladder(yob, 2025).unwrap(),
        decile_ladder(Decile::new(decile)),
    ]
}

#[test]
fn coarsening_climbs_the_ladder_then_withholds() {
    // 5 aged 20-29 and 5 aged 30-39, all in deciles 1 and 2: with k = 10 neither age nor decile
    // groups reach 10 until age is 20-year bands and deprivation is quintiles.
    let mut rows = Vec::new();
    for i in 0..10u16 {
        rows.push(member(
            if i < 5 { 2000 } else { 1990 },
            if i % 2 == 0 { 1 } else { 2 },
        ));
    }
    // One older member in a different quintile, who can only be withheld.
    rows.push(member(1950, 9));
    let k = Threshold::default();
    let out = coarsen(&columns(), &rows, k, 1).unwrap();
    assert_eq!(out.levels, [1, 1]);
    assert_eq!(
        out.steps,
        [
            Step::Coarsened {
                column: "age".into(),
                to: "20-year band".into()
            },
            Step::Coarsened {
                column: "deprivation".into(),
                to: "quintile".into()
            },
            Step::Withheld { rows: 1 },
        ]
    );
    assert!(
        out.rows[..10]
            .iter()
            .all(|r| r.as_deref() == Some(&s(&["20-39", "quintile 1"])[..]))
    );
    assert_eq!(out.rows[10], None);
}

#[test]
fn too_few_rows_for_any_grouping_are_all_withheld() {
    let rows: Vec<_> = (0..4).map(|_| member(1980, 5)).collect();
    let out = coarsen(&columns(), &rows, Threshold::new(5).unwrap(), 0).unwrap();
    assert_eq!(out.levels, [2, 2], "everything withheld first");
    assert!(out.rows.iter().all(Option::is_none));
    assert_eq!(out.steps.last(), Some(&Step::Withheld { rows: 4 }));
}

#[test]
fn a_ladder_of_the_wrong_length_is_refused() {
    let rows = vec![vec![s(&["20-29", "20-39"]), decile_ladder(Decile::new(1))]];
    assert!(matches!(
        coarsen(&columns(), &rows, Threshold::default(), 0),
        Err(PseudonymError::LadderMismatch {
            row: 0,
            expected: 3,
            found: 2,
            ..
        })
    ));
}

proptest! {
    #[test]
    fn every_published_combination_has_at_least_k_rows(
        people in prop::collection::vec((1930u16..2008, 1u8..=10), 0..80),
        k in 5u64..12,
        allowance in 0usize..5,
    ) {
        let rows: Vec<_> = people.iter().map(|(y, d)| member(*y, *d)).collect();
        let k = Threshold::new(k).unwrap();
        let out = coarsen(&columns(), &rows, k, allowance).unwrap();
        let kept: Vec<Vec<String>> = out.rows.iter().flatten().cloned().collect();
        prop_assert!(groups_below(&kept, k).is_empty());
        let withheld = out.rows.iter().filter(|r| r.is_none()).count();
        let fully_coarsened = out.levels == [2, 2];
        prop_assert!(withheld <= allowance || fully_coarsened, "withheld {} of {}", withheld, rows.len());
        if fully_coarsened && (rows.len() as u64) < k.get() {
            prop_assert_eq!(withheld, rows.len());
        }
    }
}
