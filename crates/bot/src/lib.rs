//! The bot. See `nlu` for the offline Indonesian understanding.

pub mod nlu;
