//! The demo's places: the real IMD 2019 rows of Fenland, embedded, and an
//! illustrative postcode lookup onto real Fenland LSOAs. The postcode ->
//! LSOA pairs are made up (no postcode directory is shipped); the LSOAs and
//! their deciles are real.

use std::collections::{BTreeMap, HashSet};

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

/// The real IMD 2019 rows of Fenland and King's Lynn and West Norfolk (13 kB).
pub(super) const IMD_EXTRACT: &[u8] = include_bytes!(
    "../../../../../data/imd2019/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv"
);
pub(super) const IMD_EXTRACT_NAME: &str = "imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv";
const FENLAND: &str = "E07000010";

/// Members are placed in deprived areas more often, as a Time Credits
/// programme recruits there: the weight of each IMD decile 1..=10.
const DECILE_WEIGHTS: [u32; 10] = [17, 18, 18, 15, 12, 13, 5, 4, 2, 2];

/// One Fenland LSOA of the embedded file.
pub(super) struct Lsoa {
    pub code: String,
    pub decile: u8,
}

pub(super) fn fenland_lsoas() -> Vec<Lsoa> {
    let text = std::str::from_utf8(IMD_EXTRACT).expect("the IMD extract is UTF-8");
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields.get(2) == Some(&FENLAND)).then(|| Lsoa {
                code: fields[0].to_owned(),
                decile: fields[5]
                    .parse()
                    .expect("the extract's deciles are numbers"),
            })
        })
        .collect()
}

/// Letters the inward code of a UK postcode may end with (no C, I, K, M, O, V).
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

pub(super) fn district(village: &str) -> &'static str {
    match village {
        "Saltney Fen" | "Welney Cross" | "Upwell Drove" => "PE14",
        "Drayton" | "Coldham St Mary" => "PE13",
        _ => "PE15",
    }
}

pub(super) fn new_postcode(
    rng: &mut ChaCha8Rng,
    district: &str,
    taken: &mut HashSet<String>,
) -> String {
    loop {
        let letter = |rng: &mut ChaCha8Rng| *INWARD_LETTERS.choose(rng).expect("letters") as char;
        let code = format!(
            "{district} {}{}{}",
            rng.random_range(0..10),
            letter(rng),
            letter(rng)
        );
        if taken.insert(code.clone()) {
            return code;
        }
    }
}

/// An LSOA for a new postcode: a decile by [`DECILE_WEIGHTS`] among those
/// Fenland has, then one of its LSOAs.
pub(super) fn place<'a>(
    rng: &mut ChaCha8Rng,
    by_decile: &'a BTreeMap<u8, Vec<&'a Lsoa>>,
) -> &'a Lsoa {
    let deciles: Vec<u8> = by_decile.keys().copied().collect();
    let decile = *deciles
        .choose_weighted(rng, |d| DECILE_WEIGHTS[usize::from(*d) - 1])
        .expect("Fenland has LSOAs");
    by_decile[&decile]
        .choose(rng)
        .expect("a decile listed has LSOAs")
}

/// A postcode lookup in the NSPL column layout (a subset of its columns).
pub(super) fn lookup_csv(rows: &[(String, String)]) -> Vec<u8> {
    let mut csv = String::from("pcd,pcds,dointr,doterm,usertype,lsoa11,laua,ctry\n");
    for (postcode, lsoa) in rows {
        let pcd = format!("{postcode:<8}");
        csv.push_str(&format!(
            "{pcd},{postcode},198001,,0,{lsoa},{FENLAND},E92000001\n"
        ));
    }
    csv.into_bytes()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rand::SeedableRng;
    use timecredits_evaluation::imd::Boundary;

    use super::*;

    #[test]
    fn the_embedded_extract_has_fenlands_55_lsoas_in_deciles_1_to_8() {
        let lsoas = fenland_lsoas();
        assert_eq!(lsoas.len(), 55);
        let deciles: BTreeSet<u8> = lsoas.iter().map(|l| l.decile).collect();
        assert_eq!(deciles, (1..=8).collect());
        assert!(lsoas.iter().all(|l| l.code.starts_with("E01")));
    }

    #[test]
    fn demo_postcodes_are_valid_and_the_lookup_reads() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut taken = HashSet::new();
        let rows: Vec<(String, String)> = (0..50)
            .map(|_| {
                let code = new_postcode(&mut rng, "PE14", &mut taken);
                (code, "E01018094".to_owned())
            })
            .collect();
        assert_eq!(taken.len(), 50);
        let csv = lookup_csv(&rows);
        let reader = timecredits_evaluation::imd::PostcodeLookupReader::new(
            std::io::Cursor::new(csv),
            Boundary::Lsoa2011,
        )
        .expect("header");
        let read: Vec<_> = reader.collect::<Result<_, _>>().expect("rows");
        assert_eq!(read.len(), 50);
        assert_eq!(read[0].postcode.to_string(), rows[0].0);
    }
}
