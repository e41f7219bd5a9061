# A small image with redline as its entrypoint:
#   docker build -t redline .
#   docker run --rm -v "$PWD:/work:ro" redline check --no-config .
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY rules rules
COPY benches benches
RUN cargo build --release --locked --bin redline

FROM debian:bookworm-slim
COPY --from=build /src/target/release/redline /usr/local/bin/redline
WORKDIR /work
ENTRYPOINT ["redline"]
CMD ["check", "."]
