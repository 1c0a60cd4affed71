//! Everything the terminal sees: output streams, colour and glyphs, the rendering of reports,
//! lists, checklists, the support bundle and the CI reports (JUnit, Markdown), and the dialoguer
//! prompter. Only this module writes to the terminal.

pub mod bundle;
pub mod ci_report;
pub mod export;
pub mod handoff;
pub mod json;
pub mod junit;
pub mod prompter;
pub mod render;
pub mod replay;
pub mod summary;
pub mod term;
