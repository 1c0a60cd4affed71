//! The integration tests, one binary: the built `halo-connect` (assert_cmd) against the sandbox on
//! loopback, plus the table, fuzz and source-reading tests. One binary links axum, reqwest and
//! rustls once. Whole wizard runs in a pseudo-terminal are the other binary, `tests/pty.rs`.

/// The harness: an isolated config dir per test, the binary, the sandbox and the secret canary.
#[path = "../common/mod.rs"]
mod common;

/// Who answered: each class of answerer (Halo's token endpoint, its API, its web interface, the
/// web server in front, a CDN or filter, a proxy, anything else) through the binary.
mod answerers;
/// The layering of ARCHITECTURE.md, read off the source.
mod architecture;
/// The diagnosis catalogue: the generated troubleshooting doc and every emulated entry.
mod catalogue;
/// CI reporters: `--junit` (parsed as XML) and `--summary`, the man pages and completions.
mod ci_reports;
/// The binary against the sandbox: init, test, list, show, token, checklist, TLS, config safety.
mod cli;
/// docs/cli.md names every command and flag.
mod cli_doc;
/// Handshakes and sockets, counted by the sandbox.
mod connections;
/// Malformed values, each refused by the domain and by the binary.
mod corpus;
/// Table tests of the pure domain: derivation, normalisation, refusals.
mod domain;
/// Everyday use: streams, -q, profiles by name, use, secret set, status, messages that lead on.
mod everyday;
/// Property fuzzing of every parser that takes outside input.
mod fuzz;
/// The `haloitsm-python` PyPI client against the sandbox (`.ci/run` installs it).
mod haloitsm;
/// The `halopsa` PyPI client against the sandbox (`.ci/run` installs it).
mod halopsa;
/// The hand-off: `handoff`, `export` in every format, and the card at the end of `init`.
mod handoff;
/// Hostile servers, one matrix: behaviour → exit code, error kind and code, what the message says.
mod hostile;
/// Hostile answers of every class: a clear message and the right exit code within the timeout.
mod hostile_answers;
/// `packaging/install.sh` against a fake release: https only, its own checksums, the attestation,
/// no link followed.
#[cfg(unix)]
mod installer;
/// Each integration profile through the binary: `test --as`, `handoff --for`, byte for byte.
mod integrations;
/// Each meta scope's report, the same whichever way the sandbox answers a guess.
mod meta_scopes;
/// n8n's published HaloPSA credential and node code against the sandbox (`.ci/run` unpacks it).
mod n8n;
/// The first ten minutes on a real Halo: the first profile the default, status, hosting, one
/// failure said once, the sandbox's hand-off and export, an ignored HALO_URL, -q.
mod newcomer;
/// Every probe path exists in Halo's OpenAPI document.
mod openapi;
/// Profiles by name, `use`, `secret set`, `status` and completion, through the binary.
mod profiles;
/// The harness the Python-client tests share.
mod pyclient;
/// No doc or comment names a file the repository lacks.
mod references;
/// Faults while saving, and the secret canary at every verbosity and across redirects.
mod reliability;
/// `--report FILE`: the redacted support bundle, its file rules and the secret canary over it.
mod report;
/// The sandbox's own model of Halo against a projection of the OpenAPI document.
mod sandbox_model;
/// The JSON Schema of schema_version 1 (docs/schema) against real outputs.
mod schema;
/// Every human screen pinned with insta: reports, error blocks, checklist, --help.
mod screens;
/// The suite's shape: at most two binaries, no test file outside their module trees.
mod suite;
