//! Streaming reader for the IoD2019 LSOA files, told apart by their header.

use std::collections::HashMap;
use std::io::Read;

use super::source::Source;
use super::{Decile, DomainDeciles, Edition, ImdRow, ImportError, LsoaCode, Problem};

/// The file layouts this reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// MHCLG's "File 1 - Index of Multiple Deprivation" CSV as published: a UTF-8 BOM, CRLF line
    /// ends and ranks quoted with thousands separators ("29,199").
    File1,
    /// IMD and domain deciles and ranks (`lsoa_code, IMD_decile, Income_decile, ...`), as kept by
    /// the `IMD` R package from the IoD2019 File 7.
    DomainDeciles,
    /// The joined file with names and local authority (`lsoa11_code, lsoa11_name, lad19_code, ...`).
    Derived,
}

struct Names {
    layout: Layout,
    lsoa: &'static str,
    local_authority: Option<&'static str>,
    rank: &'static str,
    decile: &'static str,
    /// Income, employment, education, health, crime, barriers, living environment.
    domains: Option<[&'static str; 7]>,
}

const LAYOUTS: [Names; 3] = [
    Names {
        layout: Layout::File1,
        lsoa: "LSOA code (2011)",
        local_authority: Some("Local Authority District code (2019)"),
        rank: "Index of Multiple Deprivation (IMD) Rank",
        decile: "Index of Multiple Deprivation (IMD) Decile",
        domains: None,
    },
    Names {
        layout: Layout::DomainDeciles,
        lsoa: "lsoa_code",
        local_authority: None,
        rank: "IMD_rank",
        decile: "IMD_decile",
        domains: Some([
            "Income_decile",
            "Employment_decile",
            "Education_decile",
            "Health_decile",
            "Crime_decile",
            "Housing_and_Access_decile",
            "Environment_decile",
        ]),
    },
    Names {
        layout: Layout::Derived,
        lsoa: "lsoa11_code",
        local_authority: Some("lad19_code"),
        rank: "imd_rank",
        decile: "imd_decile",
        domains: Some([
            "income_decile",
            "employment_decile",
            "education_decile",
            "health_decile",
            "crime_decile",
            "barriers_housing_services_decile",
            "living_environment_decile",
        ]),
    },
];

struct Columns {
    lsoa: usize,
    local_authority: Option<usize>,
    rank: usize,
    decile: usize,
    domains: Option<[usize; 7]>,
}

/// Yields one [`ImdRow`] per data line; stops after the first error.
pub struct ImdReader<R> {
    source: Source<R>,
    edition: Edition,
    layout: Layout,
    cols: Columns,
    seen: HashMap<LsoaCode, u64>,
    done: bool,
}

fn at_line(line: u64, column: Option<&str>, problem: Problem) -> ImportError {
    ImportError {
        line,
        column: column.map(str::to_owned),
        problem,
    }
}

impl<R: Read> ImdReader<R> {
    /// Read the header and recognise the layout.
    pub fn new(reader: R, edition: Edition) -> Result<Self, ImportError> {
        let source = Source::open(reader)?;
        let names = &source.names;
        let find = |name: &str| {
            names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| at_line(1, Some(name), Problem::MissingColumn))
        };
        let known = LAYOUTS
            .iter()
            .find(|l| names.iter().any(|n| n == l.lsoa))
            .ok_or_else(|| {
                at_line(
                    1,
                    None,
                    Problem::UnknownLayout {
                        found: names.join(", "),
                    },
                )
            })?;
        let cols = Columns {
            lsoa: find(known.lsoa)?,
            local_authority: known.local_authority.map(find).transpose()?,
            rank: find(known.rank)?,
            decile: find(known.decile)?,
            domains: match known.domains {
                Some(list) => {
                    let mut idx = [0; 7];
                    for (slot, name) in idx.iter_mut().zip(list) {
                        *slot = find(name)?;
                    }
                    Some(idx)
                }
                None => None,
            },
        };
        Ok(ImdReader {
            source,
            edition,
            layout: known.layout,
            cols,
            seen: HashMap::new(),
            done: false,
        })
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    fn next_row(&mut self) -> Result<Option<ImdRow>, ImportError> {
        let Some(line) = self.source.next_record()? else {
            return Ok(None);
        };
        let source = &self.source;
        let names = &source.names;
        let field = |i: usize| (source.field(i), names[i].as_str());
        let fail = |i: usize, problem| at_line(line, Some(names[i].as_str()), problem);
        let decile = |i: usize| {
            let (v, _) = field(i);
            v.parse::<u8>()
                .ok()
                .and_then(Decile::new)
                .ok_or_else(|| fail(i, Problem::BadDecile(v.to_owned())))
        };

        let (code, _) = field(self.cols.lsoa);
        let lsoa = LsoaCode::parse(code)
            .ok_or_else(|| fail(self.cols.lsoa, Problem::BadLsoaCode(code.to_owned())))?;
        let (rank_text, _) = field(self.cols.rank);
        let rank = parse_count(rank_text)
            .ok_or_else(|| fail(self.cols.rank, Problem::BadNumber(rank_text.to_owned())))?;
        let max = self.edition.lsoa_count();
        if !(1..=max).contains(&rank) {
            return Err(fail(self.cols.rank, Problem::RankOutOfRange { rank, max }));
        }
        let row = ImdRow {
            local_authority: self
                .cols
                .local_authority
                .map(|i| field(i).0.to_owned())
                .filter(|s| !s.is_empty()),
            rank,
            decile: decile(self.cols.decile)?,
            domains: match self.cols.domains {
                Some([inc, emp, edu, hea, cri, bar, env]) => Some(DomainDeciles {
                    income: decile(inc)?,
                    employment: decile(emp)?,
                    education: decile(edu)?,
                    health: decile(hea)?,
                    crime: decile(cri)?,
                    barriers: decile(bar)?,
                    living_environment: decile(env)?,
                }),
                None => None,
            },
            lsoa: lsoa.clone(),
        };
        if let Some(first_line) = self.seen.insert(lsoa, line) {
            return Err(fail(
                self.cols.lsoa,
                Problem::DuplicateLsoa {
                    lsoa: code.to_owned(),
                    first_line,
                },
            ));
        }
        Ok(Some(row))
    }
}

impl<R: Read> Iterator for ImdReader<R> {
    type Item = Result<ImdRow, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_row();
        self.done = !matches!(next, Ok(Some(_)));
        next.transpose()
    }
}

/// A whole number, plain ("29199") or with thousands separators as published ("29,199").
fn parse_count(text: &str) -> Option<u32> {
    let mut groups = text.split(',');
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped = rest.is_empty() || (first.len() <= 3 && rest.iter().all(|g| g.len() == 3));
    if !digits(first) || !rest.iter().all(|g| digits(g)) || !grouped {
        return None;
    }
    let mut joined = first.to_owned();
    rest.iter().for_each(|g| joined.push_str(g));
    joined.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_count;

    #[test]
    fn counts_with_and_without_thousands_separators() {
        assert_eq!(parse_count("29,199"), Some(29_199));
        assert_eq!(parse_count("29199"), Some(29_199));
        assert_eq!(parse_count("1,833"), Some(1_833));
        assert_eq!(parse_count("7"), Some(7));
        for bad in [
            "", ",", "29,19", "2,9199", "1,2345", "29.199", "-3", "1,,000", "12a",
        ] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }
}
