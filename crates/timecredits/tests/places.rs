//! `timecredits import postcodes` and `timecredits import imd`, run as an
//! operator would: the real Fenland file loads, a bad row is named by its
//! line and nothing is loaded, and only an administrator may load.

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_timecredits");
const FENLAND: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../evaluation/tests/fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv"
);

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .env("TIMECREDITS_ADMIN_PASSWORD", "a long enough password")
        .output()
        .expect("run timecredits")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn loaded(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

#[test]
fn an_administrator_loads_place_data_all_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("t.db");
    let url = format!("sqlite://{}", db.display());
    let created = run(&url, &["admin", "create", "--email", "root@example.org"]);
    assert!(created.status.success(), "{}", text(&created));

    let imd = run(
        &url,
        &["import", "imd", FENLAND, "--as", "root@example.org"],
    );
    assert!(imd.status.success(), "{}", text(&imd));
    assert!(
        text(&imd).contains("loaded 144 row(s) of imd:iod2019"),
        "{}",
        text(&imd)
    );
    assert_eq!(loaded(&db, "SELECT COUNT(*) FROM imd_areas"), 144);

    let lookup = dir.path().join("lookup.csv");
    std::fs::write(&lookup, "pcd,pcds,lsoa11\nPE132AB,PE13 2AB,E01018094\n").expect("write");
    let lookup = lookup.to_str().expect("path");
    let ok = run(
        &url,
        &["import", "postcodes", lookup, "--as", "root@example.org"],
    );
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("postcodes:lsoa2011"), "{}", text(&ok));

    // A bad row on line 3: named, and nothing of the file loaded.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "pcds,lsoa11\nPE14 8AA,E01033477\nPE14 8AB,E0103347\n").expect("write");
    let bad = bad.to_str().expect("path");
    let refused = run(
        &url,
        &["import", "postcodes", bad, "--as", "root@example.org"],
    );
    assert!(!refused.status.success(), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains("line 3") && said.contains("nothing was loaded"),
        "{said}"
    );
    assert_eq!(
        loaded(
            &db,
            "SELECT COUNT(*) FROM postcode_areas WHERE postcode = 'PE14 8AA'"
        ),
        0
    );
    assert_eq!(loaded(&db, "SELECT COUNT(*) FROM postcode_areas"), 1);

    let unknown = run(
        &url,
        &["import", "imd", FENLAND, "--as", "nobody@example.org"],
    );
    assert!(!unknown.status.success());
    assert!(
        text(&unknown).contains("nobody signs in"),
        "{}",
        text(&unknown)
    );
    let wrong = run(
        &url,
        &[
            "import",
            "postcodes",
            lookup,
            "--boundary",
            "1991",
            "--as",
            "root@example.org",
        ],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("lsoa2011 or lsoa2021"),
        "{}",
        text(&wrong)
    );
}
