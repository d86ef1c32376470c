//! The postcode -> LSOA reader on the ONS column layouts (NSPL, ONSPD, best-fit lookups).

use std::io::Read;

use timecredits_evaluation::imd::{
    Boundary, Edition, ImdReader, LsoaAssignment, PostcodeArea, PostcodeLookupReader, Problem,
};

fn read(text: &str, boundary: Boundary) -> Vec<PostcodeArea> {
    PostcodeLookupReader::new(text.as_bytes(), boundary)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn england(code: &str) -> LsoaAssignment {
    LsoaAssignment::England(timecredits_evaluation::imd::LsoaCode::parse(code).unwrap())
}

#[test]
fn nspl_2011_layout() {
    // NSPL header of 2020 (2011 census geographies), shortened after lsoa11.
    let text = "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa11,cty,ced,laua,ward,hlthau,nhser,ctry,rgn,pcon,eer,teclec,ttwa,pct,nuts,park,lsoa11,msoa11\n\
\"PE132AB\",\"PE13 2AB\",\"PE13 2AB\",\"198001\",\"\",\"0\",\"546000\",\"309000\",\"1\",\"E00091234\",\"E10000003\",\"E58000001\",\"E07000010\",\"E05002000\",\"E18000006\",\"E40000007\",\"E92000001\",\"E12000006\",\"E14000000\",\"E15000006\",\"E24000000\",\"E30000000\",\"E16000000\",\"E05002000\",\"E99999999\",\"E01018094\",\"E02003700\"\n\
\"PE148AA\",\"PE14 8AA\",\"PE14 8AA\",\"198001\",\"200012\",\"0\",\"546000\",\"309000\",\"1\",\"E00091234\",\"E10000003\",\"E58000001\",\"E07000146\",\"E05002000\",\"E18000006\",\"E40000007\",\"E92000001\",\"E12000006\",\"E14000000\",\"E15000006\",\"E24000000\",\"E30000000\",\"E16000000\",\"E05002000\",\"E99999999\",\"E01033477\",\"E02003700\"\n\
\"CF101AA\",\"CF10 1AA\",\"CF10 1AA\",\"198001\",\"\",\"0\",\"318000\",\"176000\",\"1\",\"W00009000\",\"W99999999\",\"W99999999\",\"W06000015\",\"W05000000\",\"W11000029\",\"W99999999\",\"W92000004\",\"W99999999\",\"W07000000\",\"W08000000\",\"W09000000\",\"W22000000\",\"W11000029\",\"W05000000\",\"W31000001\",\"W01001870\",\"W02000000\"\n\
\"GY1 1AA\",\"GY1  1AA\",\"GY1 1AA\",\"198001\",\"\",\"0\",\"\",\"\",\"9\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L93000001\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\",\"L99999999\"\n";
    let rows = read(text, Boundary::Lsoa2011);
    let got: Vec<(String, LsoaAssignment, bool)> = rows
        .into_iter()
        .map(|r| (r.postcode.to_string(), r.lsoa, r.terminated))
        .collect();
    assert_eq!(
        got,
        [
            ("PE13 2AB".into(), england("E01018094"), false),
            ("PE14 8AA".into(), england("E01033477"), true),
            (
                "CF10 1AA".into(),
                LsoaAssignment::OutsideEngland("W01001870".into()),
                false
            ),
            ("GY1 1AA".into(), LsoaAssignment::Unassigned, false),
        ]
    );
}

#[test]
fn onspd_with_both_vintages_reads_the_one_asked_for() {
    let text = "pcd,pcd2,pcds,dointr,doterm,lsoa11,msoa11,oa21,lsoa21,msoa21\n\
PE13 3AA,PE13  3AA,PE13 3AA,198001,,E01018100,E02003701,E00170000,E01035000,E02006900\n";
    assert_eq!(read(text, Boundary::Lsoa2011)[0].lsoa, england("E01018100"));
    assert_eq!(read(text, Boundary::Lsoa2021)[0].lsoa, england("E01035000"));
}

#[test]
fn best_fit_lookup_with_upper_case_cd_columns() {
    // The postcode-to-OA-to-LSOA best-fit lookups: pcd7, pcd8, pcds ... lsoa21cd (any case).
    let text = "PCD7,PCD8,PCDS,DOINTR,DOTERM,USERTYPE,OA21CD,LSOA21CD,LSOA21NM\n\
PE132AB,PE13 2AB,PE13 2AB,198001,,0,E00170000,E01035000,Fenland 001A\n\
PE132AD,PE13 2AD,,198001,,0,E00170000,E01035000,Fenland 001A\n";
    let Err(e) = PostcodeLookupReader::new(text.as_bytes(), Boundary::Lsoa2011) else {
        panic!("a 2021-only file cannot answer for 2011 LSOAs")
    };
    assert_eq!((e.line, e.problem), (1, Problem::MissingColumn));
    assert_eq!(e.column.as_deref(), Some("lsoa11cd or lsoa11"));
    // pcds is preferred; the second row has it blank, which is an error on line 3.
    let mut reader = PostcodeLookupReader::new(text.as_bytes(), Boundary::Lsoa2021).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().lsoa, england("E01035000"));
    let e = reader.next().unwrap().unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (3, Some("PCDS")));
    assert!(matches!(e.problem, Problem::BadPostcode { .. }));
    assert!(reader.next().is_none(), "the reader stops after an error");
}

#[test]
fn bad_rows_name_their_true_line_even_after_blank_lines_and_multi_line_fields() {
    let text = "pcds,lsoa11,note\n\
PE13 2AB,E01018094,one\n\
\n\
PE13 2AD,E01018094,\"two\nlines\"\n\
PE13 2AE,E0101809X,bad\n";
    let e = PostcodeLookupReader::new(text.as_bytes(), Boundary::Lsoa2011)
        .unwrap()
        .find_map(Result::err)
        .unwrap();
    assert_eq!((e.line, e.column.as_deref()), (6, Some("lsoa11")));
    assert_eq!(e.problem, Problem::BadArea("E0101809X".into()));
    assert!(
        e.to_string()
            .starts_with("line 6, column 'lsoa11': 'E0101809X'"),
        "{e}"
    );
    // The same file with CRLF line ends gives the same line.
    let crlf = text.replace('\n', "\r\n");
    let e = PostcodeLookupReader::new(crlf.as_bytes(), Boundary::Lsoa2011)
        .unwrap()
        .find_map(Result::err)
        .unwrap();
    assert_eq!(e.line, 6);
}

/// A directory-sized input made on the fly, so the test shows rows stream without the file
/// ever being held whole.
struct Generated {
    rows: u32,
    next: u32,
    pending: Vec<u8>,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            if self.next == 0 {
                self.pending.extend_from_slice(b"pcd,pcds,lsoa21\r\n");
            } else if self.next <= self.rows {
                let n = self.next;
                const INWARD: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ"; // no C I K M O V
                let letter = |i: u32| INWARD[(i % 20) as usize] as char;
                let pc = format!(
                    "PE{} {}{}{}",
                    1 + n % 38,
                    n % 10,
                    letter(n / 10),
                    letter(n / 200)
                );
                let line = format!("{},{pc},E01{:06}\r\n", pc.replace(' ', ""), n % 1_000_000);
                self.pending.extend_from_slice(line.as_bytes());
            } else {
                return Ok(0);
            }
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_large_lookup_streams() {
    let source = Generated {
        rows: 250_000,
        next: 0,
        pending: Vec::new(),
    };
    let mut count = 0u32;
    for row in PostcodeLookupReader::new(source, Boundary::Lsoa2021).unwrap() {
        let row = row.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(row.lsoa, LsoaAssignment::England(_)));
        count += 1;
    }
    assert_eq!(count, 250_000);
}

#[test]
fn imd_and_lookup_agree_on_the_lsoa_type() {
    let fenland = include_bytes!("fixtures/imd2019_lsoa_fenland_and_kings_lynn_west_norfolk.csv");
    let first = ImdReader::new(&fenland[..], Edition::Iod2019)
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let looked_up = read(
        "pcds,lsoa11\nPE13 2AB,E01018094\n",
        Edition::Iod2019.boundary(),
    );
    assert_eq!(looked_up[0].lsoa, LsoaAssignment::England(first.lsoa));
}
