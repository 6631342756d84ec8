# keyhound's container image: a static keyhound binary (musl) on Alpine with
# git, running as a non-root user.
#
#   docker build -t keyhound .
#   docker run --rm -v "$PWD:/repo" --user "$(id -u):$(id -g)" keyhound scan /repo
#
# Why Alpine and not distroless or scratch: `keyhound history`, `staged` and
# `ci` need the git CLI (`ci` fetches missing commits, and git runs
# helpers of its own), which distroless and scratch images do not carry;
# Alpine's git is the smallest maintained one (musl, like the binary), and
# the image holds nothing else but its CA certificates, for git over HTTPS.
#
# Two ways to get the binary (build argument BINARY):
# - `build` (the default): compiled here, from this checkout, statically
#   linked against musl (Alpine's Rust targets musl);
# - `prebuilt`: the release workflow's binaries, already built, checksummed
#   and attested, copied from prebuilt/linux-$TARGETARCH/keyhound, so the
#   image runs the same bytes as the release archives.

ARG RUST_VERSION=1.89
ARG ALPINE_VERSION=3.22
ARG BINARY=build

FROM rust:${RUST_VERSION}-alpine${ALPINE_VERSION} AS build
# ring, libgit2 and zlib are built from C sources.
RUN apk add --no-cache gcc musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY rules ./rules
COPY benches ./benches
# The binary must be static (no NEEDED shared libraries), as the release's are.
RUN cargo build --release --locked --bin keyhound \
    && install -D -m 0755 target/release/keyhound /out/keyhound \
    && ! readelf -d /out/keyhound | grep -q NEEDED \
    && /out/keyhound --version

FROM scratch AS prebuilt
ARG TARGETARCH
COPY prebuilt/linux-${TARGETARCH}/keyhound /out/keyhound

# The stage BINARY names.
FROM ${BINARY} AS binary

FROM alpine:${ALPINE_VERSION}
# git (and libgit2, inside keyhound) refuse a repository owned by another
# user. The repository mounted at /repo is the one the user asked to scan:
# trust that path (in the system config, which both read), and no other.
# Running with `--user "$(id -u):$(id -g)"` makes the owners match anyway,
# and keeps any report written into /repo the user's own.
RUN apk add --no-cache git ca-certificates \
    && adduser -D -H -u 10001 -s /sbin/nologin keyhound \
    && git config --system --add safe.directory /repo
COPY --from=binary --chmod=0755 /out/keyhound /usr/local/bin/keyhound
USER 10001:10001
ENV HOME=/tmp
WORKDIR /repo
ENTRYPOINT ["/usr/local/bin/keyhound"]
CMD ["scan", "/repo"]
