//! Counting public page views and searches for insights (issue #17, point 6).
//!
//! A page handler marks what its answer counts as ([`PageInsight`], a response
//! extension). The page cache keeps the mark with the stored page, so the count happens
//! wherever the page is answered: the fast lane, the cache layer (hit or miss). Only
//! people count: requests whose User-Agent is a known crawler, link preview or tool are
//! left out (`domain::insights::is_bot`). No cookie is read or set.

use garasi_domain::TenantId;
use garasi_domain::insights::{self, Kind, Source};
use http::{HeaderMap, Uri, header};
use uuid::Uuid;

use crate::state::AppState;

/// What a public page counts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageInsight {
    /// A car's page.
    CarView(Uuid),
    /// A catalogue page searched with this text (`/mobil?q=`).
    Search(String),
}

/// Whether the request was made by a person's browser.
pub(crate) fn from_person(headers: &HeaderMap) -> bool {
    !insights::is_bot(headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()))
}

/// Counts one answer of a marked page.
pub(crate) fn count(state: &AppState, tenant: Uuid, uri: &Uri, headers: &HeaderMap, insight: &PageInsight) {
    if !from_person(headers) {
        return;
    }
    let source = Source::from_query(uri.query());
    let tenant = TenantId(tenant);
    match insight {
        PageInsight::CarView(car) => state.services.count_car(tenant, Kind::View, source, *car),
        PageInsight::Search(term) => {
            // Counted once per search, not again for each further page of results.
            let later_page = uri.query().is_some_and(|q| {
                q.split('&').any(|p| p.strip_prefix("page=").and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n > 1))
            });
            if !later_page {
                state.services.count_search(tenant, Source::Site, term);
            }
        }
    }
}
