//! UK postcodes: validation, normalisation and coarsening to sector and district.
//!
//! Accepted shapes (outward, then the inward code `9AA`): `A9`, `A99`, `AA9`, `AA99`, `A9A`,
//! `AA9A`, plus `GIR 0AA`. The letter rules of the Royal Mail format are enforced:
//! - first position: never Q, V or X;
//! - second position (when a letter): never I, J or Z;
//! - third position in `A9A`: only A B C D E F G H J K P S T U W;
//! - fourth position in `AA9A`: only A B E H M N P R V W X Y;
//! - the inward code's letters: never C I K M O V.
//!
//! The format alone cannot say that a postcode exists; the postcode lookup does that. Overseas
//! territory codes such as `ASCN 1ZZ` are not UK postcodes and are refused.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PostcodeError {
    #[error("the postcode is empty")]
    Empty,
    #[error("'{given}' has {len} letters and digits; a UK postcode has 5 to 7 (e.g. PE13 2AB)")]
    WrongLength { given: String, len: usize },
    #[error("'{given}' has characters other than letters, digits and spaces")]
    BadCharacter { given: String },
    #[error("'{outward}' is not a valid first half of a postcode (e.g. PE13, E1W, SW1A)")]
    BadOutward { outward: String },
    #[error(
        "'{inward}' is not a valid second half of a postcode: a digit then two letters (e.g. 2AB)"
    )]
    BadInward { inward: String },
}

/// A valid postcode in normal form: upper case, one space before the inward code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Postcode {
    outward: String,
    inward: String,
}

impl Postcode {
    /// Parse, tolerating any case and missing or extra spaces.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        if input
            .chars()
            .any(|c| !c.is_ascii_alphanumeric() && !c.is_whitespace())
        {
            return Err(PostcodeError::BadCharacter {
                given: input.to_owned(),
            });
        }
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if !(5..=7).contains(&compact.len()) {
            return Err(PostcodeError::WrongLength {
                given: input.to_owned(),
                len: compact.len(),
            });
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if compact == "GIR0AA" {
            return Ok(Postcode {
                outward: outward.into(),
                inward: inward.into(),
            });
        }
        if !valid_inward(inward.as_bytes()) {
            return Err(PostcodeError::BadInward {
                inward: inward.into(),
            });
        }
        if !valid_outward(outward.as_bytes()) {
            return Err(PostcodeError::BadOutward {
                outward: outward.into(),
            });
        }
        Ok(Postcode {
            outward: outward.into(),
            inward: inward.into(),
        })
    }

    /// The outward code, e.g. `PE13`: the postcode district.
    pub fn district(&self) -> &str {
        &self.outward
    }

    /// The postcode sector, e.g. `PE13 2`.
    pub fn sector(&self) -> String {
        format!("{} {}", self.outward, &self.inward[..1])
    }

    /// The postcode area, the leading letters, e.g. `PE`.
    pub fn area(&self) -> &str {
        let end = self
            .outward
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(self.outward.len());
        &self.outward[..end]
    }

    pub fn inward(&self) -> &str {
        &self.inward
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.outward, self.inward)
    }
}

impl FromStr for Postcode {
    type Err = PostcodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Postcode::parse(s)
    }
}

fn valid_inward(b: &[u8]) -> bool {
    let letter = |c: u8| c.is_ascii_uppercase() && !b"CIKMOV".contains(&c);
    b.len() == 3 && b[0].is_ascii_digit() && letter(b[1]) && letter(b[2])
}

fn valid_outward(b: &[u8]) -> bool {
    let first = |c: u8| c.is_ascii_uppercase() && !b"QVX".contains(&c);
    let second = |c: u8| c.is_ascii_uppercase() && !b"IJZ".contains(&c);
    let digit = |c: u8| c.is_ascii_digit();
    match *b {
        [a, n] => first(a) && digit(n),
        [a, n, m] if digit(n) && digit(m) => first(a),
        [a, n, l] if digit(n) => first(a) && b"ABCDEFGHJKPSTUW".contains(&l),
        [a, s, n] => first(a) && second(s) && digit(n),
        [a, s, n, m] if digit(m) => first(a) && second(s) && digit(n),
        [a, s, n, l] => first(a) && second(s) && digit(n) && b"ABEHMNPRVWXY".contains(&l),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Postcode::parse(s).unwrap().to_string()
    }

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(norm("pe13 2ab"), "PE13 2AB");
        assert_eq!(norm("PE132AB"), "PE13 2AB");
        assert_eq!(norm("  PE13   2AB "), "PE13 2AB");
        assert_eq!(norm("pe1\t32ab"), "PE13 2AB");
        assert_eq!(norm("gir0aa"), "GIR 0AA");
    }

    #[test]
    fn accepts_every_shape() {
        for (input, sector, district, area) in [
            ("M1 1AE", "M1 1", "M1", "M"),
            ("B33 8TH", "B33 8", "B33", "B"),
            ("CR2 6XH", "CR2 6", "CR2", "CR"),
            ("DN55 1PT", "DN55 1", "DN55", "DN"),
            ("W1A 0AX", "W1A 0", "W1A", "W"),
            ("EC1A 1BB", "EC1A 1", "EC1A", "EC"),
            ("PE13 2AB", "PE13 2", "PE13", "PE"),
            ("PE14 9XY", "PE14 9", "PE14", "PE"),
            ("GIR 0AA", "GIR 0", "GIR", "GIR"),
        ] {
            let p = Postcode::parse(input).unwrap();
            assert_eq!(p.to_string(), input);
            assert_eq!(p.sector(), sector);
            assert_eq!(p.district(), district);
            assert_eq!(p.area(), area);
        }
    }

    #[test]
    fn refuses_invalid_formats_and_letters() {
        use PostcodeError::*;
        let err = |s: &str| Postcode::parse(s).unwrap_err();
        assert_eq!(err("   "), Empty);
        assert!(matches!(err("PE1"), WrongLength { len: 3, .. }));
        assert!(matches!(err("PE13 2ABC"), WrongLength { len: 8, .. }));
        assert!(matches!(err("PE13-2AB"), BadCharacter { .. }));
        assert!(matches!(err("PÉ13 2AB"), BadCharacter { .. }));
        for bad_outward in [
            "QE13 2AB", // Q never first
            "VA1 1AA",  // V never first
            "XA1 1AA",  // X never first
            "AI1 1AA",  // I never second
            "AJ1 1AA",  // J never second
            "AZ1 1AA",  // Z never second
            "W1I 1AA",  // I not allowed third in A9A
            "EC1C 1BB", // C not allowed fourth in AA9A
            "1A1 1AA",  // starts with a digit
            "ABC 1AA",  // no digit at all
            "A123 1AA", // three digits
            "GIR 1AA",  // GIR is only GIR 0AA
        ] {
            assert!(
                matches!(err(bad_outward), BadOutward { .. }),
                "{bad_outward}"
            );
        }
        for bad_inward in [
            "PE13 2CA", "PE13 2AI", "PE13 2KM", "PE13 2OV", "PE13 AAB", "PE13 22B",
        ] {
            assert!(matches!(err(bad_inward), BadInward { .. }), "{bad_inward}");
        }
        assert!(Postcode::parse("ASCN 1ZZ").is_err());
    }

    #[test]
    fn the_error_says_what_to_do() {
        let msg = Postcode::parse("PE1").unwrap_err().to_string();
        assert!(msg.contains("5 to 7") && msg.contains("PE13 2AB"), "{msg}");
    }
}
