//! Values for SQL built at run time (list filters): the placeholders are numbered
//! as the values are pushed, so the text never contains user input.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One value; the `Opt` kinds bind `NULL` for `None`, for `($n IS NULL OR …)` filters.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    Text(String),
    Uuid(Uuid),
    OptText(Option<String>),
    OptUuid(Option<Uuid>),
    OptTime(Option<DateTime<Utc>>),
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Args {
    pub values: Vec<Arg>,
}

impl Args {
    /// Adds a value and returns its placeholder (`$n`).
    pub fn push(&mut self, a: Arg) -> String {
        self.values.push(a);
        format!("${}", self.values.len())
    }
}

/// Binds every [`Arg`] to a query, whichever backend it runs on.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in &$args.values {
            q = match a {
                $crate::args::Arg::I64(v) => q.bind(*v),
                $crate::args::Arg::Text(v) => q.bind(v.clone()),
                $crate::args::Arg::Uuid(v) => q.bind(*v),
                $crate::args::Arg::OptText(v) => q.bind(v.clone()),
                $crate::args::Arg::OptUuid(v) => q.bind(*v),
                $crate::args::Arg::OptTime(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_args;
