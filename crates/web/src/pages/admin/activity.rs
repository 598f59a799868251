//! `/admin/aktivitas`: the showroom's own audit log for its owner, newest first, with
//! the names of the people who acted (users, salespeople) instead of ids. The same
//! entries appear in root's platform-wide log.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use garasi_store::platform::AuditRecord;
use serde::Serialize;
use uuid::Uuid;

use super::ui::{self, Pager, html};
use super::{Shell, Staff, render, ser};
use crate::error::AppError;
use crate::pages::site::format::truncate;
use crate::state::AppState;

const PER_PAGE: i64 = 50;

/// Indonesian names of the user life-cycle actions (issue #14), shared with root's log.
pub(crate) fn action_label(action: &str) -> &'static str {
    match action {
        "user.invite" => "Pengguna diundang",
        "user.link_created" => "Tautan sekali pakai dibuat",
        "user.invite_accepted" => "Undangan diterima",
        "user.role_change" => "Peran diubah",
        "user.disable" => "Pengguna dinonaktifkan",
        "user.enable" => "Pengguna diaktifkan",
        "user.delete" => "Pengguna dihapus",
        "user.temp_password" => "Kata sandi sementara dibuat",
        "user.sales_link" => "Hubungan sales diubah",
        "account.password_change" => "Kata sandi diganti",
        "account.session_end" => "Sesi diakhiri",
        "account.sessions_end_others" => "Sesi lain diakhiri",
        "auth.reset_requested" => "Lupa kata sandi: tautan diminta",
        "auth.reset_link_made" => "Tautan atur ulang kata sandi dibuat",
        "auth.password_reset" => "Kata sandi diatur ulang",
        "root.2fa_enabled" => "Verifikasi dua langkah root diaktifkan",
        "root.2fa_disabled" => "Verifikasi dua langkah root dimatikan",
        "root.2fa_recovery_used" => "Kode pemulihan root dipakai",
        "root.2fa_reset" => "Verifikasi dua langkah root dihapus (CLI)",
        "root.password_reset" => "Kata sandi root diatur ulang (CLI)",
        _ => "",
    }
}

#[derive(Serialize)]
struct Row {
    at: String,
    actor: String,
    action: String,
    label: &'static str,
    target: Option<String>,
    details: String,
    ip: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Staff(auth): Staff,
    Query(q): Query<ui::PageNoticeQuery>,
) -> Result<Response, AppError> {
    auth.require_owner()?;
    let page = ui::page_number(q.page.as_deref());
    let mut records: Vec<AuditRecord> =
        state.db.platform().audit_log(Some(auth.tenant.id), PER_PAGE + 1, (page - 1) * PER_PAGE).await?;
    // One extra row tells whether a next page exists, without counting the whole log.
    let has_next = records.len() as i64 > PER_PAGE;
    records.truncate(PER_PAGE as usize);
    let mut tx = state.db.tenant(auth.tenant.id).begin().await?;
    // Removed users keep their row (and name) for exactly this.
    let mut names: HashMap<Uuid, String> =
        tx.users().list().await?.into_iter().map(|u| (u.id, u.display_name().to_owned())).collect();
    let sales: HashMap<Uuid, String> = tx.sales().list(1000, 0).await?.into_iter().map(|s| (s.id, s.name)).collect();
    tx.commit().await?;
    names.extend(sales.iter().map(|(k, v)| (*k, v.clone())));
    let name = |id: Option<Uuid>| id.and_then(|id| names.get(&id).cloned());
    let rows: Vec<Row> = records
        .iter()
        .map(|r| {
            let details = r.details.0.to_string();
            Row {
                at: ui::wib(r.created_at),
                actor: match r.actor_kind.as_str() {
                    "root" => "Admin Garasi".to_owned(),
                    "user" | "sales" => name(r.actor_id).unwrap_or_else(|| "(tidak dikenal)".to_owned()),
                    "bot" => "Bot".to_owned(),
                    _ => "Sistem".to_owned(),
                },
                action: r.action.clone(),
                label: crate::pages::root::audit_action_label(&r.action),
                target: match r.target_kind.as_deref() {
                    Some("user") => {
                        r.target_id.as_deref().and_then(|t| Uuid::parse_str(t).ok()).and_then(|id| name(Some(id)))
                    }
                    _ => None,
                },
                details: if details == "{}" { String::new() } else { truncate(&details, 160) },
                ip: r.ip.clone(),
            }
        })
        .collect();
    let known_total = (page - 1) * PER_PAGE + rows.len() as i64 + i64::from(has_next);
    let pager = Pager::new("/admin/aktivitas", &[], page, PER_PAGE, known_total);
    let shell = Shell::new(&state, &auth, "activity", "Aktivitas");
    Ok(html(render(
        &state,
        "admin/activity.html",
        &shell,
        minijinja::context! { rows => ser(&rows), pager => ser(&pager) },
    )))
}
