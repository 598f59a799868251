//! Photo pipeline and storage.
