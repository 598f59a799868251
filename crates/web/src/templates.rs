//! Server-rendered HTML with minijinja. Templates are compiled into the binary, so a
//! release needs no files beside it. Autoescaping is on for every `.html` template.

use std::sync::Arc;

use minijinja::Environment;
use serde::Serialize;

macro_rules! embed {
    ($env:expr, $($name:literal),+ $(,)?) => {
        $( $env
            .add_template($name, include_str!(concat!("../templates/", $name)))
            .expect(concat!("template ", $name, " must compile")); )+
    };
}

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    pub fn new() -> Templates {
        let mut env = Environment::new();
        // Templates are part of the binary; a broken one is a build defect caught by
        // the first test that renders any page, not a runtime input.
        // The public site first: it sets the escaping of `site/` templates.
        crate::pages::site::register_templates(&mut env);
        embed!(env, "base.html", "error.html", "partials/toast.html");
        crate::pages::admin::register_templates(&mut env);
        Templates { env: Arc::new(env) }
    }

    /// Renders a template. A failure is logged and answered with a plain message,
    /// because the error page itself must never fail.
    pub fn render<S: Serialize>(&self, name: &str, ctx: S) -> String {
        match self.env.get_template(name).and_then(|t| t.render(minijinja::value::Serde(&ctx))) {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(template = name, error = %e, "template render failed");
                "<!doctype html><html lang=\"id\"><title>Kesalahan</title><p>Terjadi kesalahan di server.</p></html>"
                    .to_owned()
            }
        }
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}
