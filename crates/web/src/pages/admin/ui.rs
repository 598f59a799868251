//! What both dashboards (the showroom's `/admin` and the platform's root admin) share:
//! redirects to the login page, full pages versus htmx fragments, toasts, pagination,
//! form data and Indonesian dates and numbers.

use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use garasi_domain::FieldErrors;
use garasi_domain::time::{jakarta, jakarta_day_start};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use minijinja::Environment;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::pages::site::format;
use crate::state::AppState;

/// Whether htmx sent the request (it then wants a fragment, not a page).
pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// Whether htmx asked to refresh the element with this id (e.g. a list's results).
pub fn htmx_target_is(headers: &HeaderMap, id: &str) -> bool {
    is_htmx(headers) && headers.get("hx-target").and_then(|v| v.to_str().ok()) == Some(id)
}

/// An HTML answer for signed-in people: never cached, and it differs for htmx.
pub fn html(body: String) -> Response {
    let mut resp = Html(body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("HX-Request, HX-Target"));
    resp
}

/// [`html`] with a status, e.g. 422 for a form shown again with its messages.
pub fn html_status(status: StatusCode, body: String) -> Response {
    let mut resp = html(body);
    *resp.status_mut() = status;
    resp
}

/// Goes to `to`: htmx follows `HX-Redirect` with a full page load; a plain form
/// submission follows `303 See Other`.
pub fn redirect(headers: &HeaderMap, to: &str) -> Response {
    let value = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    if is_htmx(headers) {
        let mut resp = StatusCode::OK.into_response();
        resp.headers_mut().insert("hx-redirect", value);
        resp
    } else {
        let mut resp = StatusCode::SEE_OTHER.into_response();
        resp.headers_mut().insert(header::LOCATION, value);
        resp
    }
}

/// Where a login page may send someone afterwards: only a path on this site under
/// `prefix`, so the parameter cannot become an open redirect.
pub fn safe_next(next: Option<&str>, prefix: &str, fallback: &str) -> String {
    match next.map(str::trim) {
        Some(n)
            if n.starts_with(prefix)
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.contains("//")
                && n.chars().all(|c| c.is_ascii_graphic()) =>
        {
            n.to_owned()
        }
        _ => fallback.to_owned(),
    }
}

/// The answer for a page that needs a session the request lacks: the login page,
/// remembering where the person wanted to go.
pub fn to_login(parts: &http::request::Parts, login: &str, prefix: &str) -> Response {
    let wanted = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    let target = if parts.method == http::Method::GET && !is_htmx(&parts.headers) && wanted != prefix {
        let next = safe_next(Some(wanted), prefix, "");
        if next.is_empty() { login.to_owned() } else { format!("{login}?next={}", format::url_encode(&next)) }
    } else {
        login.to_owned()
    };
    redirect(&parts.headers, &target)
}

/// Kind of a toast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toast {
    Success,
    Error,
}

impl Toast {
    fn as_str(self) -> &'static str {
        match self {
            Toast::Success => "success",
            Toast::Error => "error",
        }
    }
}

/// A toast that htmx appends to `#toasts` beside whatever else the answer swaps.
pub fn toast_oob(state: &AppState, kind: Toast, message: &str) -> String {
    let inner = state
        .templates
        .render("partials/toast.html", minijinja::context! { kind => kind.as_str(), message => message });
    format!("<div hx-swap-oob=\"beforeend:#toasts\">{inner}</div>")
}

/// A fragment plus a toast.
pub fn with_toast(state: &AppState, body: String, kind: Toast, message: &str) -> Response {
    html(format!("{body}{}", toast_oob(state, kind, message)))
}

/// Messages shown once after a redirect, chosen by a fixed code (`?notice=`), so no
/// text from the URL is ever shown.
pub fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "login" => "Selamat datang kembali.",
        "car_created" => "Mobil berhasil ditambahkan. Sekarang tambahkan fotonya.",
        "car_deleted" => "Mobil sudah dihapus.",
        "tenant_created" => "Showroom baru berhasil dibuat.",
        "tenant_deleted" => "Showroom sudah dihapus.",
        "settings_saved" => "Pengaturan tersimpan.",
        "feed_token_rotated" => "Alamat feed baru dibuat. Alamat lama sudah tidak berlaku.",
        "sales_saved" => "Bobot dan jam kerja sales tersimpan.",
        "whatsapp_saved" => "Saluran WhatsApp disimpan.",
        "password_changed" => "Kata sandi diganti. Sesi lain sudah diakhiri.",
        "welcome" => "Kata sandi tersimpan. Selamat datang!",
        _ => return None,
    })
}

/// A page of a list, with the links of its neighbours.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub first_item: i64,
    pub last_item: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `base` is the list's path; `query` its other parameters (empty ones left out).
    pub fn new(base: &str, query: &[(&str, String)], page: i64, per_page: i64, total: i64) -> Pager {
        let pages = ((total + per_page - 1) / per_page).max(1);
        let page = page.clamp(1, pages);
        let link = |p: i64| {
            let mut pairs: Vec<String> = query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", format::url_encode(v)))
                .collect();
            if p > 1 {
                pairs.push(format!("page={p}"));
            }
            if pairs.is_empty() { base.to_owned() } else { format!("{base}?{}", pairs.join("&")) }
        };
        Pager {
            page,
            pages,
            total,
            first_item: if total == 0 { 0 } else { (page - 1) * per_page + 1 },
            last_item: (page * per_page).min(total),
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

/// `?notice=`: the one-off message a redirect asks the next page to show.
#[derive(Deserialize, Default)]
pub(crate) struct NoticeQuery {
    pub notice: Option<String>,
}

/// `?page=&notice=` of a paged list (the page as text: junk means the first page).
#[derive(Deserialize, Default)]
pub(crate) struct PageNoticeQuery {
    pub page: Option<String>,
    pub notice: Option<String>,
}

/// The page number of `?page=`, tolerating junk.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, 100_000)
}

/// Submitted form fields in order; the last value of a name wins for single fields
/// (a hidden `0` before a checkbox's `1`).
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

/// Read straight from a form body, with `axum::Form`'s own rejection.
impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = axum::extract::rejection::FormRejection;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<Vec<(String, String)>>::from_request(req, state).await.map(|axum::Form(pairs)| FormData(pairs))
    }
}

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Trimmed value, empty when missing.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").trim().to_owned()
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str()).collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), Some("1" | "on" | "true"))
    }
}

/// Field messages as a map for templates (`errors.name`).
pub fn errors_map(errors: &FieldErrors) -> std::collections::BTreeMap<String, String> {
    errors.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Validation problems of a form, or another error to answer as usual.
pub fn field_errors(e: AppError) -> Result<FieldErrors, AppError> {
    match e {
        AppError::Validation(f) => Ok(f),
        other => Err(other),
    }
}

/// One input of a dashboard form, rendered by the `field` macro: its label, the
/// browser's own checks (`required`, `min`, `max`, `maxlength`, `pattern`), the
/// submitted value and the server's message next to it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FormField {
    pub name: String,
    pub label: String,
    /// `text`, `number`, `email`, `tel`, `url`, `month`, `date`, `password`, `select`,
    /// `textarea` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub required: bool,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub maxlength: Option<usize>,
    pub pattern: Option<&'static str>,
    pub inputmode: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    pub placeholder: Option<String>,
    pub help: Option<String>,
    pub error: Option<String>,
    /// `(value, label)` for selects.
    pub options: Vec<(String, String)>,
    /// Spans the whole row of the form grid.
    pub wide: bool,
    /// Formatted as rupiah while typing (`data-rupiah`).
    pub rupiah: bool,
}

impl FormField {
    pub fn new(name: &str, label: &str, kind: &'static str) -> FormField {
        FormField { name: name.to_owned(), label: label.to_owned(), kind, ..FormField::default() }
    }

    pub fn value(mut self, v: impl Into<String>) -> FormField {
        self.value = v.into();
        self
    }

    pub fn checked(mut self, on: bool) -> FormField {
        self.checked = on;
        self
    }

    pub fn required(mut self) -> FormField {
        self.required = true;
        self
    }

    pub fn range(mut self, min: i64, max: i64) -> FormField {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    pub fn maxlength(mut self, n: usize) -> FormField {
        self.maxlength = Some(n);
        self
    }

    pub fn pattern(mut self, p: &'static str) -> FormField {
        self.pattern = Some(p);
        self
    }

    pub fn inputmode(mut self, m: &'static str) -> FormField {
        self.inputmode = Some(m);
        self
    }

    pub fn autocomplete(mut self, a: &'static str) -> FormField {
        self.autocomplete = Some(a);
        self
    }

    pub fn placeholder(mut self, p: impl Into<String>) -> FormField {
        self.placeholder = Some(p.into());
        self
    }

    pub fn help(mut self, h: impl Into<String>) -> FormField {
        self.help = Some(h.into());
        self
    }

    pub fn options(mut self, o: Vec<(String, String)>) -> FormField {
        self.options = o;
        self
    }

    pub fn wide(mut self) -> FormField {
        self.wide = true;
        self
    }

    pub fn rupiah(mut self) -> FormField {
        self.rupiah = true;
        self.inputmode = Some("numeric");
        self.pattern = Some(RUPIAH_PATTERN);
        self
    }

    /// Takes this field's message, if the server had one.
    pub fn error_from(mut self, errors: &FieldErrors) -> FormField {
        self.error = errors.get(&self.name).map(str::to_owned);
        self
    }
}

/// What a price input accepts in the browser: digits with dots, spaces, an optional `Rp`.
pub const RUPIAH_PATTERN: &str = "(Rp|rp|RP)?[0-9. ]+";

/// A money value as a form shows it: "195.000.000".
pub fn money_value(v: Option<i64>) -> String {
    v.map(format::thousands).unwrap_or_default()
}

const MONTHS_SHORT: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"];

/// Today's date in Jakarta.
pub fn today() -> NaiveDate {
    garasi_domain::time::jakarta_today()
}

/// The instant a Jakarta calendar day starts.
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    jakarta_day_start(day).unwrap_or_else(Utc::now)
}

/// "12 Mei 2026 14.05" in Jakarta time; the year is left out for this year.
pub fn wib(t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&jakarta());
    let month = MONTHS_SHORT[local.month0() as usize];
    let this_year = today().year();
    if local.year() == this_year {
        format!("{} {month} {:02}.{:02}", local.day(), local.hour(), local.minute())
    } else {
        format!("{} {month} {} {:02}.{:02}", local.day(), local.year(), local.hour(), local.minute())
    }
}

/// "12 Mei" for chart axes.
pub fn day_label(d: NaiveDate) -> String {
    format!("{} {}", d.day(), MONTHS_SHORT[d.month0() as usize])
}

/// "+6281234567890" → "0812-3456-7890"; other numbers stay as they are.
pub use garasi_domain::phone::display_e164 as phone_display;

/// WhatsApp's own formatting marks and the tags they stand for.
fn wa_tag(c: char) -> Option<&'static str> {
    match c {
        '*' => Some("strong"),
        '_' => Some("em"),
        '~' => Some("s"),
        _ => None,
    }
}

/// Where the span opened by the mark at `i` closes: the same mark, on the same line,
/// right after a non-space and before a space, punctuation or the end.
fn wa_close(chars: &[char], i: usize) -> Option<usize> {
    let mark = chars[i];
    let opens = (i == 0 || !chars[i - 1].is_alphanumeric()) && chars.get(i + 1).is_some_and(|c| !c.is_whitespace());
    if !opens {
        return None;
    }
    (i + 2..chars.len()).take_while(|j| chars[*j] != '\n').find(|j| {
        chars[*j] == mark && !chars[j - 1].is_whitespace() && chars.get(j + 1).is_none_or(|c| !c.is_alphanumeric())
    })
}

fn wa_into(out: &mut String, chars: &[char]) {
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let (Some(tag), Some(end)) = (wa_tag(c), wa_close(chars, i)) {
            out.push_str(&format!("<{tag}>"));
            wa_into(out, &chars[i + 1..end]);
            out.push_str(&format!("</{tag}>"));
            i = end + 1;
        } else {
            crate::html::escape_char(out, c);
            i += 1;
        }
    }
}

/// A chat message as HTML: escaped, with WhatsApp's `*bold*`, `_italic_` and
/// `~strike~` shown as such (the bot writes them).
pub fn whatsapp_html(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    wa_into(&mut out, &chars);
    out
}

/// A chat message as plain text for one-line previews: the formatting marks dropped.
pub fn whatsapp_plain(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match wa_close(&chars, i).filter(|_| wa_tag(chars[i]).is_some()) {
            Some(end) => {
                out.extend(&chars[i + 1..end]);
                i = end + 1;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Template filters: `rupiah`, `angka`, `waktu` (an RFC 3339 time in WIB), `telepon`
/// and `wa` (a chat message with its WhatsApp formatting).
pub fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("rupiah", |v: i64| format::rupiah(v));
    env.add_filter("angka", |v: i64| format::thousands(v));
    env.add_filter("waktu", |v: Option<String>| {
        v.as_deref()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| wib(t.with_timezone(&Utc)))
            .unwrap_or_default()
    });
    env.add_filter("telepon", |v: Option<String>| v.as_deref().map(phone_display).unwrap_or_default());
    env.add_filter("wa", |v: Option<String>| {
        minijinja::Value::from_safe_string(whatsapp_html(v.as_deref().unwrap_or("")))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_dashboard() {
        assert_eq!(safe_next(Some("/admin/cars?q=x"), "/admin", "/admin"), "/admin/cars?q=x");
        for bad in ["https://evil.test/admin", "//evil.test", "/admin//evil", "/admin\\x", "/mobil", "/admin\n"] {
            assert_eq!(safe_next(Some(bad), "/admin", "/admin"), "/admin", "{bad:?}");
        }
        assert_eq!(safe_next(None, "/", "/"), "/");
    }

    #[test]
    fn pager_links_keep_the_filters() {
        let p = Pager::new("/admin/cars", &[("q", "avanza g".into()), ("status", String::new())], 2, 20, 45);
        assert_eq!((p.page, p.pages, p.first_item, p.last_item), (2, 3, 21, 40));
        assert_eq!(p.prev.as_deref(), Some("/admin/cars?q=avanza%20g"));
        assert_eq!(p.next.as_deref(), Some("/admin/cars?q=avanza%20g&page=3"));
        let empty = Pager::new("/admin/cars", &[], 5, 20, 0);
        assert_eq!((empty.page, empty.pages, empty.first_item), (1, 1, 0));
    }

    #[test]
    fn phones_read_like_indonesian_numbers() {
        assert_eq!(phone_display("+6281234567890"), "0812-3456-7890");
        assert_eq!(phone_display("+6531234567"), "+6531234567");
    }

    #[test]
    fn whatsapp_formatting_becomes_markup_and_everything_else_is_escaped() {
        assert_eq!(
            whatsapp_html("Ketemu *1 mobil* _bekas_ ~lama~"),
            "Ketemu <strong>1 mobil</strong> <em>bekas</em> <s>lama</s>"
        );
        assert_eq!(
            whatsapp_html("*<b>x</b>* & a*b*c 2 * 3"),
            "<strong>&lt;b&gt;x&lt;/b&gt;</strong> &amp; a*b*c 2 * 3"
        );
        assert_eq!(whatsapp_html("*belum\nselesai*"), "*belum\nselesai*");
        assert_eq!(whatsapp_html("_*Rp 195 jt*_"), "<em><strong>Rp 195 jt</strong></em>");
        assert_eq!(whatsapp_plain("Unit: *Honda Brio* (no. 3), _dibooking_"), "Unit: Honda Brio (no. 3), dibooking");
    }

    #[test]
    fn form_data_last_value_wins() {
        let f = FormData(vec![("stnk".into(), "0".into()), ("stnk".into(), "1".into()), ("a".into(), " x ".into())]);
        assert!(f.checked("stnk"));
        assert_eq!(f.text("a"), "x");
        assert_eq!(f.all("stnk"), vec!["0", "1"]);
    }
}
