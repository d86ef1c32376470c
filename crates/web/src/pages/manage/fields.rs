//! Form fields described as data, drawn by one template partial
//! (`templates/manage_field.html`), so every manager form has the same
//! label, hint, error message beside the field and kept value.

use super::super::forms::FormErrors;

/// One option of a select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
}

pub(crate) enum FieldKind {
    Text,
    Email,
    Password,
    Number,
    Date,
    TextArea,
    /// A CSV file to upload.
    File,
    Checkbox,
    Select(Vec<Choice>),
}

/// A labelled control with its value as typed and its error, if any.
pub(crate) struct Field {
    /// Both the control's id and its name.
    pub(crate) id: &'static str,
    pub(crate) label: String,
    pub(crate) hint: Option<String>,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    pub(crate) kind: FieldKind,
}

impl Field {
    pub(crate) fn new(id: &'static str, label: String, kind: FieldKind) -> Self {
        Self {
            id,
            label,
            hint: None,
            value: String::new(),
            error: None,
            kind,
        }
    }

    pub(crate) fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    pub(crate) fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    /// Takes this field's message from the form's errors.
    pub(crate) fn errors(mut self, errors: &FormErrors) -> Self {
        self.error = errors.on(self.id).map(str::to_owned);
        self
    }

    pub(crate) fn is_checked(&self) -> bool {
        !self.value.is_empty()
    }

    pub(crate) fn is_selected(&self, choice: &Choice) -> bool {
        self.value == choice.value
    }

    pub(crate) fn is_checkbox(&self) -> bool {
        matches!(self.kind, FieldKind::Checkbox)
    }

    pub(crate) fn is_textarea(&self) -> bool {
        matches!(self.kind, FieldKind::TextArea)
    }

    pub(crate) fn is_number(&self) -> bool {
        matches!(self.kind, FieldKind::Number)
    }

    pub(crate) fn is_file(&self) -> bool {
        matches!(self.kind, FieldKind::File)
    }

    pub(crate) fn is_password(&self) -> bool {
        matches!(self.kind, FieldKind::Password)
    }

    pub(crate) fn choices(&self) -> Option<&Vec<Choice>> {
        match &self.kind {
            FieldKind::Select(choices) => Some(choices),
            _ => None,
        }
    }

    /// The `type` of an `<input>`.
    pub(crate) fn input_type(&self) -> &'static str {
        match self.kind {
            FieldKind::Email => "email",
            FieldKind::Password => "password",
            FieldKind::Date => "date",
            FieldKind::File => "file",
            _ => "text",
        }
    }

    /// The ids the control is described by (hint, then error).
    pub(crate) fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        ids.join(" ")
    }
}
