//! Compression of pages answered fresh, outside the page cache.
//!
//! A cached page is compressed once, when it is stored, and then served to many
//! visitors, so it can afford Brotli and gzip at their default levels (`page_cache`).
//! A page that is not cached (a one-off filter URL, a credit simulation with the
//! visitor's own numbers) is compressed for one visitor, on the request's time: there
//! gzip at level 1 costs a fraction of the default level for pages some 10–15 % larger,
//! and pages under 1 KiB are sent as they are. Answers that are cached pass through
//! untouched, for the page cache to compress; browsers that take only Brotli get it
//! from the outer `CompressionLayer`.

use http::Response;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

use crate::page_cache::Cacheable;

/// Smallest page worth compressing.
const MIN_BYTES: u64 = 1024;

/// Lets through answers the page cache will not keep.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NotCached;

impl Predicate for NotCached {
    fn should_compress<B>(&self, response: &Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        response.extensions().get::<Cacheable>().is_none()
    }
}

/// The layer for the public site's routes, inside the page cache.
pub(crate) fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_br()
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Fastest)
        .compress_when(SizeAbove::new(MIN_BYTES).and(NotCached))
}
