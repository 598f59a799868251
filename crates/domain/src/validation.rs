//! Per-field validation errors for forms and JSON request bodies.
//!
//! Handlers validate every field, collect all problems at once and show them
//! next to the matching inputs, instead of stopping at the first error.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// Field name → user-facing (Indonesian) message.
///
/// Serialises as a plain JSON object, e.g. `{"email": "Alamat email tidak valid"}`.
/// A `BTreeMap` keeps the output order stable for templates and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors(BTreeMap::new())
    }

    /// Errors with a single entry, for checks made after validation
    /// (e.g. "email already registered").
    pub fn single(field: &str, msg: impl Into<String>) -> FieldErrors {
        let mut errors = FieldErrors::new();
        errors.add(field, msg);
        errors
    }

    /// Records `msg` for `field`. The first message wins: checks run from the
    /// most basic to the most specific, and the basic one is the useful hint.
    pub fn add(&mut self, field: &str, msg: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| msg.into());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// `(field, message)` pairs in field-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(field, msg)| (field.as_str(), msg.as_str()))
    }

    /// `Ok(())` when nothing was recorded, so handlers can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, msg)) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{field}: {msg}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// Unwraps a parse result, recording its error message under `field` on failure.
///
/// Lets a handler validate all fields in sequence:
/// `let email = check(&mut errors, "email", Email::parse(&form.email));`
pub fn check<T, E: fmt::Display>(errors: &mut FieldErrors, field: &str, r: Result<T, E>) -> Option<T> {
    match r {
        Ok(value) => Some(value),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_empty_and_ok() {
        let errors = FieldErrors::new();
        assert!(errors.is_empty());
        assert_eq!(errors.len(), 0);
        assert_eq!(errors.into_result(), Ok(()));
    }

    #[test]
    fn add_keeps_first_message_per_field() {
        let mut errors = FieldErrors::new();
        errors.add("email", "pertama");
        errors.add("email", "kedua");
        errors.add("nama", String::from("Nama wajib diisi"));
        assert_eq!(errors.len(), 2);
        assert_eq!(errors.get("email"), Some("pertama"));
        assert_eq!(errors.get("nama"), Some("Nama wajib diisi"));
        assert_eq!(errors.get("telepon"), None);
        assert!(!errors.is_empty());
    }

    #[test]
    fn into_result_returns_errors() {
        let errors = FieldErrors::single("slug", "Slug wajib diisi");
        let err = errors.clone().into_result().unwrap_err();
        assert_eq!(err, errors);
    }

    #[test]
    fn iter_is_sorted_by_field() {
        let mut errors = FieldErrors::new();
        errors.add("z", "1");
        errors.add("a", "2");
        let pairs: Vec<_> = errors.iter().collect();
        assert_eq!(pairs, vec![("a", "2"), ("z", "1")]);
    }

    #[test]
    fn serializes_as_plain_object() {
        let mut errors = FieldErrors::new();
        errors.add("email", "Alamat email tidak valid");
        errors.add("harga", "Nominal harus lebih dari nol");
        let json = serde_json::to_value(&errors).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"email": "Alamat email tidak valid", "harga": "Nominal harus lebih dari nol"})
        );
    }

    #[test]
    fn display_lists_all_fields() {
        let mut errors = FieldErrors::new();
        errors.add("b", "dua");
        errors.add("a", "satu");
        assert_eq!(errors.to_string(), "a: satu; b: dua");
        let as_error: &dyn std::error::Error = &errors;
        assert_eq!(as_error.to_string(), "a: satu; b: dua");
    }

    #[test]
    fn check_records_errors_and_passes_values() {
        let mut errors = FieldErrors::new();
        let ok: Option<u8> = check(&mut errors, "umur", Ok::<u8, String>(7));
        assert_eq!(ok, Some(7));
        assert!(errors.is_empty());

        let bad: Option<u8> = check(&mut errors, "umur", "x".parse::<u8>());
        assert_eq!(bad, None);
        assert!(errors.get("umur").is_some());
    }
}
