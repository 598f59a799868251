//! `/admin/prospek-saya`: the leads assigned to the salesperson entry the signed-in
//! user is linked to (`user_sales_links`, set by the owner on `/admin/pengguna`).

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_store::tenant::LeadFilter;
use http::HeaderMap;

use super::leads::{LeadRow, lead_row};
use super::ui::{self, Pager, html};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::state::AppState;

const PER_PAGE: i64 = 20;

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    headers: HeaderMap,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    let person = match tx.user_sales_links().sales_of(auth.user.id).await? {
        Some(id) => tx.sales().get(id).await?.filter(|s| s.deleted_at.is_none()),
        None => None,
    };
    let (rows, pager) = match &person {
        Some(p) => {
            let filter = LeadFilter { assigned_sales_id: Some(p.id), ..LeadFilter::default() };
            let total = tx.leads().count(&filter).await?;
            let pager = Pager::new("/admin/prospek-saya", &[], ui::page_number(q.page.as_deref()), PER_PAGE, total);
            let leads = tx.leads().list(&filter, PER_PAGE, (pager.page - 1) * PER_PAGE).await?;
            (leads.iter().map(lead_row).collect::<Vec<LeadRow>>(), pager)
        }
        None => (Vec::new(), Pager::new("/admin/prospek-saya", &[], 1, PER_PAGE, 0)),
    };
    tx.commit().await?;
    let shell = Shell::new(&state, &auth, "my_leads", "Prospek saya");
    let ctx = minijinja::context! {
        rows => ser(&rows), pager => ser(&pager), filtered => false, errors => (),
        linked => person.as_ref().map(|p| p.name.clone()),
    };
    let template =
        if ui::htmx_target_is(&headers, "results") { "admin/_lead_rows.html" } else { "admin/my_leads.html" };
    Ok(html(render(&state, template, &shell, ctx)))
}
