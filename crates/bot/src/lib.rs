//! The bot. See `nlu` for the offline Indonesian understanding.
