//! The domain: values as typed, validated connection settings, presets, scopes and check reports.
//! It is pure: no network, no files, no environment, no terminal. Every other layer depends on it.

pub mod binding;
pub mod catalogue;
pub mod field;
pub mod handoff;
pub mod integration;
pub mod kind;
pub mod preset;
pub mod printable;
pub mod profile;
pub mod report;
pub mod scope;
pub mod scope_names;
pub mod secret;
pub mod url;
pub mod values;
