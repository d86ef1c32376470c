//! The IoD2019 readers on the real files, and on malformed ones.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use sha2::{Digest, Sha256};
use timecredits_evaluation::imd::{Edition, ImdReader, ImdRow, ImportError, Layout, Problem};

const FENLAND: &[u8] =
    include_bytes!("fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv");
const DATA: &str = "../../data/imd2019/";

/// The big published files live outside the repository: skip loudly without them, fail under CI.
#[allow(clippy::disallowed_methods)] // tests read files; the library never does
fn shared(name: &str) -> Option<std::fs::File> {
    match std::fs::File::open(format!("{DATA}{name}")) {
        Ok(f) => Some(f),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => panic!("{DATA}{name}: {e}"),
        Err(e) => {
            eprintln!(
                "\n*** SKIPPING the real-file test: {DATA}{name} is not readable ({e}) ***\n"
            );
            None
        }
    }
}

fn read_all(reader: impl Read) -> (Layout, Vec<ImdRow>) {
    let rows = ImdReader::new(reader, Edition::Iod2019).unwrap();
    let layout = rows.layout();
    (layout, rows.collect::<Result<_, _>>().unwrap())
}

fn decile_counts(rows: &[ImdRow]) -> BTreeMap<u8, usize> {
    let mut counts = BTreeMap::new();
    for r in rows {
        *counts.entry(r.decile.get()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn fenland_fixture_is_the_published_derived_file() {
    assert_eq!(
        hex::encode(Sha256::digest(FENLAND)),
        "c88a48fcdc8b45ec189199090736c238d0ef629f5f4101e371769ca53c03139a"
    );
    let (layout, rows) = read_all(FENLAND);
    assert_eq!(layout, Layout::Derived);
    assert_eq!(rows.len(), 144);
    let mut by_district: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *by_district
            .entry(r.local_authority.as_deref().unwrap())
            .or_insert(0) += 1;
        assert!(r.domains.is_some());
    }
    assert_eq!(by_district["E07000010"], 55);
    assert_eq!(by_district["E07000146"], 89);
    let first = &rows[0];
    assert_eq!(first.lsoa.as_str(), "E01018094");
    assert_eq!((first.rank, first.decile.get()), (8132, 3));
    let d = first.domains.unwrap();
    assert_eq!(
        [
            d.income,
            d.employment,
            d.education,
            d.health,
            d.crime,
            d.barriers,
            d.living_environment
        ]
        .map(|x| x.get()),
        [3, 3, 2, 3, 5, 4, 8]
    );
    // Quintiles follow deciles: 3 -> 2.
    assert_eq!(first.decile.quintile().get(), 2);
}

#[test]
fn file1_as_published_with_bom_crlf_and_quoted_thousands() {
    let Some(file) = shared("imd2019_lsoa_england_file1_imd_rank_decile.csv") else {
        return;
    };
    let (layout, rows) = read_all(std::io::BufReader::new(file));
    assert_eq!(layout, Layout::File1);
    assert_eq!(rows.len(), 32_844);
    assert_eq!(rows[0].lsoa.as_str(), "E01000001");
    assert_eq!((rows[0].rank, rows[0].decile.get()), (29_199, 9));
    assert_eq!(rows[0].local_authority.as_deref(), Some("E09000001"));
    assert!(rows.iter().all(|r| r.domains.is_none()));
    let counts = decile_counts(&rows);
    assert_eq!(counts.len(), 10);
    assert!(
        counts.values().all(|c| *c == 3_284 || *c == 3_285),
        "{counts:?}"
    );
    // The published ranks hold 26 ties (equal scores share a rank), so 32,818 distinct ranks.
    let ranks: std::collections::BTreeSet<u32> = rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks.len(), 32_818);
    assert_eq!((ranks.first(), ranks.last()), (Some(&1), Some(&32_844)));
}

#[test]
fn domain_file_agrees_with_file1_and_the_fenland_fixture() {
    let (Some(f1), Some(f2)) = (
        shared("imd2019_lsoa_england_file1_imd_rank_decile.csv"),
        shared("imd2019_lsoa_england_domain_deciles_ranks.csv"),
    ) else {
        return;
    };
    let (_, file1) = read_all(std::io::BufReader::new(f1));
    let (layout, domains) = read_all(std::io::BufReader::new(f2));
    assert_eq!(layout, Layout::DomainDeciles);
    assert_eq!(domains.len(), 32_844);
    assert!(
        decile_counts(&domains)
            .values()
            .all(|c| *c == 3_284 || *c == 3_285)
    );
    let by_code: HashMap<_, _> = domains.iter().map(|r| (r.lsoa.clone(), r)).collect();
    for r in &file1 {
        let other = by_code[&r.lsoa];
        assert_eq!((r.rank, r.decile), (other.rank, other.decile), "{}", r.lsoa);
    }
    let (_, fenland) = read_all(FENLAND);
    for r in &fenland {
        let other = by_code[&r.lsoa];
        assert_eq!(
            (r.rank, r.decile, r.domains),
            (other.rank, other.decile, other.domains),
            "{}",
            r.lsoa
        );
    }
}

const HEADER: &str = "lsoa11_code,lsoa11_name,lad19_code,lad19_name,imd_rank,imd_decile,income_decile,employment_decile,education_decile,health_decile,crime_decile,barriers_housing_services_decile,living_environment_decile\r\n";
const GOOD: &str = "E01018094,Fenland 001A,E07000010,Fenland,8132,3,3,3,2,3,5,4,8\r\n";

/// Read a derived-layout file whose third line is `bad`; the error, and how many rows came first.
fn first_error(bad: &str) -> (ImportError, usize) {
    let text = format!(
        "{HEADER}{GOOD}{bad}E01018096,Fenland 001C,E07000010,Fenland,9000,3,3,3,2,3,5,4,8\r\n"
    );
    let mut ok = 0;
    for row in ImdReader::new(text.as_bytes(), Edition::Iod2019).unwrap() {
        match row {
            Ok(_) => ok += 1,
            Err(e) => return (e, ok),
        }
    }
    panic!("no error for {bad:?}")
}

#[test]
fn malformed_rows_name_the_line_and_column_and_stop_the_reader() {
    let cases: [(&str, &str, Problem); 7] = [
        (
            "E1018095,x,E07000010,Fenland,10293,4,4,4,3,4,5,2,3\r\n",
            "lsoa11_code",
            Problem::BadLsoaCode("E1018095".into()),
        ),
        (
            "W01000001,x,E07000010,Fenland,10293,4,4,4,3,4,5,2,3\r\n",
            "lsoa11_code",
            Problem::BadLsoaCode("W01000001".into()),
        ),
        (
            "E01018095,x,E07000010,Fenland,10293,11,4,4,3,4,5,2,3\r\n",
            "imd_decile",
            Problem::BadDecile("11".into()),
        ),
        (
            "E01018095,x,E07000010,Fenland,10293,4,4,4,3,4,5,2,0\r\n",
            "living_environment_decile",
            Problem::BadDecile("0".into()),
        ),
        (
            "E01018095,x,E07000010,Fenland,\"10,29\",4,4,4,3,4,5,2,3\r\n",
            "imd_rank",
            Problem::BadNumber("10,29".into()),
        ),
        (
            "E01018095,x,E07000010,Fenland,40000,4,4,4,3,4,5,2,3\r\n",
            "imd_rank",
            Problem::RankOutOfRange {
                rank: 40_000,
                max: 32_844,
            },
        ),
        (
            "E01018094,x,E07000010,Fenland,10293,4,4,4,3,4,5,2,3\r\n",
            "lsoa11_code",
            Problem::DuplicateLsoa {
                lsoa: "E01018094".into(),
                first_line: 2,
            },
        ),
    ];
    for (bad, column, problem) in cases {
        let (e, ok) = first_error(bad);
        assert_eq!(
            (e.line, e.column.as_deref(), &e.problem),
            (3, Some(column), &problem),
            "{bad:?}"
        );
        assert_eq!(ok, 1, "the good row before, nothing after");
        let message = e.to_string();
        assert!(
            message.starts_with(&format!("line 3, column '{column}'")),
            "{message}"
        );
        assert!(
            message.contains("nothing was loaded") || message.contains("remove"),
            "{message}"
        );
    }
}

#[test]
fn a_short_row_and_bad_bytes_are_csv_errors_with_their_line() {
    let (e, _) = first_error("E01018095,x,E07000010\r\n");
    assert_eq!(e.line, 3);
    assert!(matches!(e.problem, Problem::Csv(_)), "{e}");
    let mut bytes = format!("{HEADER}{GOOD}").into_bytes();
    bytes.extend_from_slice(b"E01018095,\xff\xfe,E07000010,Fenland,10293,4,4,4,3,4,5,2,3\r\n");
    let err = ImdReader::new(&bytes[..], Edition::Iod2019)
        .unwrap()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(err.line, 3);
}

#[test]
fn headers_that_are_not_a_known_layout_are_refused_on_line_1() {
    let Err(e) = ImdReader::new(
        "code,decile\r\nE01000001,3\r\n".as_bytes(),
        Edition::Iod2019,
    ) else {
        panic!("unknown layout accepted")
    };
    assert_eq!(e.line, 1);
    assert!(matches!(e.problem, Problem::UnknownLayout { .. }));
    let Err(e) = ImdReader::new("lsoa_code,IMD_decile\n".as_bytes(), Edition::Iod2019) else {
        panic!("missing columns accepted")
    };
    assert_eq!(
        (e.line, e.column.as_deref(), e.problem),
        (1, Some("IMD_rank"), Problem::MissingColumn)
    );
}

#[test]
fn file1_layout_small_sample_with_bom() {
    let text = "\u{feff}LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\r\n\
        E01000001,City of London 001A,E09000001,City of London,\"29,199\",9\r\n\
        E01033768,Liverpool 062D,E08000012,Liverpool,\"1,833\",1";
    let (layout, rows) = read_all(text.as_bytes());
    assert_eq!(layout, Layout::File1);
    assert_eq!(
        rows.iter()
            .map(|r| (r.rank, r.decile.get()))
            .collect::<Vec<_>>(),
        [(29_199, 9), (1_833, 1)]
    );
}
