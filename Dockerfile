# syntax=docker/dockerfile:1
# The CI image: halo-connect alone, static, as a non-root user, with the CA certificates that
# TLS to a Halo instance needs. The documented use:
#
#   docker run --rm -e HALO_URL -e HALO_CLIENT_ID -e HALO_CLIENT_SECRET IMAGE test --from-env --json
#
# Build stage: the static musl binary, cross-compiled by cargo-zigbuild on the build machine for
# the image's platform (an arm64 image needs no emulation), with the `dist` profile of the release
# archives. zig and cargo-zigbuild come from PyPI, as in scripts/build-release-archive.sh.
FROM --platform=$BUILDPLATFORM rust:1.95-slim-trixie AS build
# The build stage's Debian packages never reach the final image; the Debian release pins them.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/zig \
    && /opt/zig/bin/pip install --no-cache-dir cargo-zigbuild==0.24.1 ziglang==0.17.1
# cargo-about writes THIRD-PARTY-LICENSES.md (scripts/third-party-licenses.sh), as for the archives.
RUN cargo install --locked --features cli cargo-about@0.9.3
ENV PATH=/opt/zig/bin:$PATH
WORKDIR /src
COPY . .
RUN scripts/third-party-licenses.sh /THIRD-PARTY-LICENSES.md
ARG TARGETARCH
RUN case "$TARGETARCH" in \
        amd64) target=x86_64-unknown-linux-musl ;; \
        arm64) target=aarch64-unknown-linux-musl ;; \
        *) echo "no halo-connect image for $TARGETARCH" >&2; exit 1 ;; \
    esac \
    && rustup target add "$target" \
    && cargo zigbuild --locked --profile dist --target "$target" \
    && cp "target/$target/dist/halo-connect" /halo-connect

# Final stage: distroless static holds the CA certificates, /tmp, tzdata and the `nonroot` user
# (65532), and no shell or package manager.
FROM gcr.io/distroless/static-debian13:nonroot
# release.yml adds version, revision, created and source (which links the package to the repository).
LABEL org.opencontainers.image.title="halo-connect" \
      org.opencontainers.image.description="Connect HaloPSA to an integration and smoke-check its API connection in CI" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.documentation="https://github.com/halo-connect/halo-connect#readme"
COPY --from=build /halo-connect /usr/local/bin/halo-connect
# The licence of halo-connect and of every crate its binary is built from.
COPY LICENSE /usr/share/doc/halo-connect/LICENSE
COPY --from=build /THIRD-PARTY-LICENSES.md /usr/share/doc/halo-connect/THIRD-PARTY-LICENSES.md
# The config directory halo-connect falls back to; `test --from-env` writes nothing there.
ENV HOME=/home/nonroot
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/halo-connect"]
CMD ["--help"]
