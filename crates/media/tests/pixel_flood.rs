//! Pixel floods are refused from the header, quickly and without allocating the declared image.
//! A counting global allocator measures the peak heap growth during each attempt; this file holds a single
//! test so no other test allocates concurrently.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use garasi_media::{MediaError, ProcessOptions, process_bytes};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(n: usize) {
    let now = CURRENT.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
            grow(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f`, returning its result, the peak heap growth in bytes and the elapsed time.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, Duration) {
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base), elapsed)
}

#[test]
fn pixel_floods_are_refused_fast_without_allocating() {
    let opts = ProcessOptions::default();
    const MAX_HEAP: usize = 4 * 1024 * 1024;
    let cases: [(&str, Vec<u8>); 4] = [
        ("png 60000x60000", png_flood(60_000, 60_000)),
        ("png 10000x6000 (60 MP)", png_flood(10_000, 6_000)),
        ("jpeg 40000x40000", jpeg_flood(40_000, 40_000)),
        ("webp 16000x16000", webp_flood(16_000, 16_000)),
    ];
    for (name, input) in cases {
        assert!(input.len() < 2048, "{name}: the flood itself is tiny");
        let (result, peak, elapsed) = measure(|| process_bytes(&input, &opts));
        let err = result.expect_err(name);
        assert!(matches!(err, MediaError::DimensionsTooLarge { .. }), "{name}: {err:?}");
        assert!(peak < MAX_HEAP, "{name}: peak heap growth {peak} bytes");
        eprintln!("{name}: {err:?}; peak heap +{peak} B in {elapsed:?}");
    }

    // Control: a real decode of a modest image does allocate its pixels, so the counter works.
    let (result, peak, _) = measure(|| process_bytes(&jpeg(&two_tone(1000, 1000)), &opts));
    result.unwrap();
    assert!(peak > 3_000_000, "decoding 1 MP RGB must allocate ≥ 3 MB, saw {peak}");
}
