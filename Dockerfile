# syntax=docker/dockerfile:1.7
# The production image of Garasi. `deploy/image/Containerfile.scratch` assembles the
# same runtime layout without a base image (CI builds and starts that one, because no
# image registry is reachable there); `deploy/image/check-layout.sh` keeps the two
# final stages' settings identical.

# ---- build: dependencies and target dir are cached across builds (BuildKit cache mounts)
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY crates crates
COPY migrations migrations
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin garasi \
 && install -D -m 0755 target/release/garasi /out/usr/local/bin/garasi

# ---- runtime: the binary, CA certificates, tzdata and an unprivileged user
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 garasi \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin garasi \
 && install -d -o 10001 -g 10001 -m 0700 /data
COPY --from=build /out/ /
# --- layout (keep identical to deploy/image/Containerfile.scratch) ---
ENV GARASI_BIND=0.0.0.0:3000 GARASI_DATA_DIR=/data
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["/usr/local/bin/garasi", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/garasi"]
CMD ["serve"]
