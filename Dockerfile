# residency as a container: a static binary (x86_64-unknown-linux-musl) in a minimal Alpine image
# (a shell is kept: GitLab CI runs job scripts in the image), run as a user without privileges.
#
#   docker build -t residency .
#   docker run --rm -v "$PWD:/src" residency scan .
#
# The scan reads the mounted tree and writes only the reports it is asked for (to standard
# output unless --output names a file in a directory the user 10001 may write to).

FROM rust:1.95-alpine AS build
# gcc and the musl headers build mimalloc's C code; Alpine's Rust targets musl natively, so the
# binary is static.
RUN apk add --no-cache gcc musl-dev
WORKDIR /build
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY policies ./policies
COPY README.md ./
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
        --config profile.release.strip=true \
    && cp target/x86_64-unknown-linux-musl/release/residency /residency \
    && /residency --version

FROM alpine:3.22
RUN adduser -D -H -u 10001 residency
COPY --from=build /residency /usr/local/bin/residency
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["residency"]
CMD ["scan", "."]
