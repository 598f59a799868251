//! Values for SQL built at run time (list filters): the placeholders are numbered
//! as the values are pushed, so the text never contains user input.

use uuid::Uuid;

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    Text(String),
    Uuid(Uuid),
}

#[derive(Debug, Default)]
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
            };
        }
        q
    }};
}
pub(crate) use bind_args;
