use std::process::ExitCode;

fn main() -> ExitCode {
    keep_large_blocks_on_mmap();
    owner_only_new_files();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(garasi_app::cli::run()),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed, so after the first
/// few password hashes (19 MiB each) later ones come from the heap arenas, which keep the
/// memory and multiply it over threads: a login flood of `bench/login-flood.sh` left RSS at
/// 500 MB. A fixed threshold keeps blocks of 1 MiB and more on mmap, handed back to the OS
/// when freed (photo buffers too), which also bounds memory after a photo burst.
fn keep_large_blocks_on_mmap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// New files (the SQLite database and WAL, WhatsApp device stores, backups, photos) are
/// readable by this user only; `file_modes` fixes older ones at start.
fn owner_only_new_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets this process's file creation mask.
    unsafe {
        libc::umask(0o077);
    }
}
