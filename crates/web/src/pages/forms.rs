//! What the pages' forms share: an error summary with a link to each field
//! in trouble, and reading amounts of time people type in.

/// One problem with a form: the field it is about, and what to do.
pub(crate) struct FieldError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

/// The problems with a submitted form, in the order of its fields.
#[derive(Default)]
pub(crate) struct FormErrors(pub(crate) Vec<FieldError>);

impl FormErrors {
    pub(crate) fn add(&mut self, field: &'static str, message: String) {
        self.0.push(FieldError { field, message });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, if it has one (for use beside the field).
    pub(crate) fn on(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// One option of a select list.
pub(crate) struct SelectOption {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// Hours and minutes as typed ("1", "30"; either may be blank) as minutes,
/// or `None` when they are not whole numbers or come to nothing.
pub(crate) fn minutes_from(hours: &str, minutes: &str) -> Option<i64> {
    let part = |s: &str| -> Option<i64> {
        let s = s.trim();
        if s.is_empty() {
            Some(0)
        } else {
            s.parse::<i64>().ok().filter(|n| (0..=100_000).contains(n))
        }
    };
    let total = part(hours)? * 60 + part(minutes)?;
    (total > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::minutes_from;

    #[test]
    fn time_is_read_from_hours_and_minutes() {
        assert_eq!(minutes_from("1", "30"), Some(90));
        assert_eq!(minutes_from(" 2 ", ""), Some(120));
        assert_eq!(minutes_from("", "45"), Some(45));
        assert_eq!(minutes_from("", ""), None);
        assert_eq!(minutes_from("0", "0"), None);
        assert_eq!(minutes_from("one", "30"), None);
        assert_eq!(minutes_from("-1", "30"), None);
        assert_eq!(minutes_from("1.5", ""), None);
    }
}
